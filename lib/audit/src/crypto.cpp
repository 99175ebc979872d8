#include "crypto.h"

#include <openssl/crypto.h>
#include <openssl/hmac.h>
#include <openssl/rand.h>
#include <openssl/sha.h>

namespace tripath::audit::crypto {

Digest sha256(std::string_view data)
{
	Digest out;
	SHA256(reinterpret_cast<const unsigned char *>(data.data()), data.size(), out.data());
	return out;
}

Digest hmac_sha256(std::span<const uint8_t> key, std::string_view data)
{
	Digest out;
	unsigned int len = 0;
	HMAC(EVP_sha256(), key.data(), int(key.size()), reinterpret_cast<const unsigned char *>(data.data()), data.size(),
	     out.data(), &len);
	return out;
}

std::string to_hex(std::span<const uint8_t> bytes)
{
	static constexpr char kDigits[] = "0123456789abcdef";
	std::string out(bytes.size() * 2, '0');
	for (size_t i = 0; i < bytes.size(); i++) {
		out[2 * i] = kDigits[bytes[i] >> 4];
		out[2 * i + 1] = kDigits[bytes[i] & 0xf];
	}
	return out;
}

namespace {

int hex_value(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

} // namespace

bool from_hex(std::string_view hex, std::vector<uint8_t> &out)
{
	if (hex.size() % 2 != 0)
		return false;
	out.clear();
	out.reserve(hex.size() / 2);
	for (size_t i = 0; i < hex.size(); i += 2) {
		int hi = hex_value(hex[i]), lo = hex_value(hex[i + 1]);
		if (hi < 0 || lo < 0)
			return false;
		out.push_back(uint8_t(hi << 4 | lo));
	}
	return true;
}

bool is_lower_hex(std::string_view text, size_t length)
{
	if (text.size() != length)
		return false;
	for (char c : text)
		if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f')))
			return false;
	return true;
}

bool equal_hex(std::string_view a, std::string_view b)
{
	return a.size() == b.size() && CRYPTO_memcmp(a.data(), b.data(), a.size()) == 0;
}

bool random_bytes(std::span<uint8_t> out) { return RAND_bytes(out.data(), int(out.size())) == 1; }

} // namespace tripath::audit::crypto
