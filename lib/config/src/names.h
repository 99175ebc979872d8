// YAML spellings of the config enums, indexed by enum value; shared by the loader and *_name().
#pragma once

#include <array>

namespace tripath::config::detail {

inline constexpr std::array<const char *, 7> driver_names = {
	"af_xdp", "tap", "pcap", "ring", "null", "ice", "bnxt"};
inline constexpr std::array<const char *, 3> lcore_role_names = {"worker", "control", "bulk"};
inline constexpr std::array<const char *, 4> path_kind_names = {"kernel", "fast", "bulk", "drop"};

} // namespace tripath::config::detail
