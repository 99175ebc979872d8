#include "crypto.h"

#include <algorithm>

#include <openssl/core_names.h>
#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <openssl/rand.h>
#include <openssl/sha.h>

namespace tripath::audit::crypto {

namespace {

// OpenSSL 3's one-shot SHA256() and HMAC() look the algorithm up in the provider on every call,
// which cost about as much as the hashing of a record; fetch once, and keep a context per thread.
struct Hashers {
	EVP_MD *md = EVP_MD_fetch(nullptr, "SHA256", nullptr);
	EVP_MAC *mac = EVP_MAC_fetch(nullptr, "HMAC", nullptr);
	~Hashers()
	{
		EVP_MD_free(md);
		EVP_MAC_free(mac);
	}
};

const Hashers &hashers()
{
	static const Hashers h;
	return h;
}

struct Contexts {
	EVP_MD_CTX *md = EVP_MD_CTX_new();
	EVP_MAC_CTX *mac = hashers().mac ? EVP_MAC_CTX_new(hashers().mac) : nullptr;
	std::vector<uint8_t> mac_key; // the key `mac` holds: the same key again re-inits without a digest fetch
	bool keyed = false;
	~Contexts()
	{
		EVP_MD_CTX_free(md);
		EVP_MAC_CTX_free(mac);
	}
};

Contexts &contexts()
{
	thread_local Contexts c;
	return c;
}

} // namespace

Digest sha256(std::string_view data)
{
	Digest out{};
	unsigned int len = 0;
	EVP_MD_CTX *ctx = contexts().md;
	if (hashers().md == nullptr || ctx == nullptr || EVP_DigestInit_ex(ctx, hashers().md, nullptr) != 1 ||
	    EVP_DigestUpdate(ctx, data.data(), data.size()) != 1 || EVP_DigestFinal_ex(ctx, out.data(), &len) != 1)
		SHA256(reinterpret_cast<const unsigned char *>(data.data()), data.size(), out.data()); // the slow way
	return out;
}

Digest hmac_sha256(std::span<const uint8_t> key, std::string_view data)
{
	Digest out{};
	size_t len = 0;
	EVP_MAC_CTX *ctx = contexts().mac;
	OSSL_PARAM params[] = {OSSL_PARAM_construct_utf8_string(OSSL_MAC_PARAM_DIGEST, const_cast<char *>("SHA256"), 0),
			       OSSL_PARAM_construct_end()};
	Contexts &c = contexts();
	bool same_key = c.keyed && std::equal(key.begin(), key.end(), c.mac_key.begin(), c.mac_key.end());
	bool init = ctx != nullptr && (same_key ? EVP_MAC_init(ctx, nullptr, 0, nullptr) == 1
					       : EVP_MAC_init(ctx, key.data(), key.size(), params) == 1);
	c.keyed = init;
	if (init && !same_key)
		c.mac_key.assign(key.begin(), key.end());
	if (!init ||
	    EVP_MAC_update(ctx, reinterpret_cast<const unsigned char *>(data.data()), data.size()) != 1 ||
	    EVP_MAC_final(ctx, out.data(), &len, out.size()) != 1) {
		unsigned int n = 0; // the slow way
		c.keyed = false;
		HMAC(EVP_sha256(), key.data(), int(key.size()), reinterpret_cast<const unsigned char *>(data.data()), data.size(),
		     out.data(), &n);
	}
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
