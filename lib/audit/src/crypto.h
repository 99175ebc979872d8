// SHA-256, HMAC-SHA256 and hex: the only cryptography the audit log uses (OpenSSL 3).
#pragma once

#include <array>
#include <cstdint>
#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace tripath::audit::crypto {

using Digest = std::array<uint8_t, 32>;

Digest sha256(std::string_view data);
Digest hmac_sha256(std::span<const uint8_t> key, std::string_view data);

std::string to_hex(std::span<const uint8_t> bytes);
// Lowercase or uppercase hex, even length; false on anything else.
bool from_hex(std::string_view hex, std::vector<uint8_t> &out);
bool is_lower_hex(std::string_view text, size_t length);

// Constant time: a verifier must not leak how much of a MAC matched.
bool equal_hex(std::string_view a, std::string_view b);

// Random bytes from the OS (getrandom via OpenSSL's RAND_bytes); false if unavailable.
bool random_bytes(std::span<uint8_t> out);

} // namespace tripath::audit::crypto
