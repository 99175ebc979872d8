// The secret behind every HMAC: a file of at least 32 random bytes in hex, readable by its
// owner only (the daemon). Records and the head file use keys derived from it, so a MAC made
// for one can never pass for the other.
#pragma once

#include <array>
#include <cstdint>
#include <span>
#include <string>
#include <string_view>

namespace tripath::audit {

inline constexpr size_t kMinKeyBytes = 32;

class Key {
public:
	static Key from_secret(std::span<const uint8_t> secret);

	std::string record_mac(std::string_view canonical) const; // hex HMAC-SHA256
	std::string head_mac(std::string_view canonical) const;

private:
	std::array<uint8_t, 32> record_key_{};
	std::array<uint8_t, 32> head_key_{};
};

// Refuses a key file that group or others may read or write, one that is not a regular file,
// or one without at least 64 hex digits; errors name the file (and line).
bool load_key(const std::string &path, Key &key, std::string &error);

// A new 0600 key file of 32 random bytes; refuses to overwrite an existing file.
bool create_key_file(const std::string &path, std::string &error);

} // namespace tripath::audit
