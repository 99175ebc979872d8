// Scalar readers: each checks type and range and fails with "PATH: expected X, got Y".
#pragma once

#include "reader.h"

#include <cstdint>
#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace tripath::config::detail {

std::string describe(const YAML::Node &node);          // "'many'", "a list", "a map", "nothing"
bool parse_uint(std::string_view text, uint64_t &out); // decimal or 0x hex, no sign

uint64_t read_uint(const Field &f, uint64_t lo, uint64_t hi);
uint32_t read_pow2(const Field &f, uint32_t lo, uint32_t hi);
bool read_bool(const Field &f);
std::string read_string(const Field &f);               // any non-empty scalar, as written
std::string read_name(const Field &f, size_t max_len); // [A-Za-z0-9_-]{1,max_len}
std::vector<std::string> read_string_list(const Field &f);
size_t read_choice(const Field &f, std::span<const char *const> names); // index into names
Range read_range(const Field &f, uint32_t lo, uint32_t hi);             // N or "LO-HI"

// A named constant or a plain integer: "tcp" or 6, "arp" or 0x0806.
struct NamedValue {
	const char *name;
	uint32_t value;
};
uint32_t read_named_uint(const Field &f, std::span<const NamedValue> names, uint32_t max);

// CIDR prefixes; a bare address is a host prefix (/32, /128).
Prefix read_prefix(const Field &f);
std::string format_prefix(const Prefix &p);

// "0-1,4" style listing of a sorted id set, as the user would write it in eal.lcores.
std::string format_id_set(const std::vector<unsigned> &ids);

} // namespace tripath::config::detail
