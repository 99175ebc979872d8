#include <cerrno>
#include <cstdio>
#include <cstring>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>
#include <vector>

#include <tripath/audit/key.h>

#include "crypto.h"
#include "file_io.h"

namespace tripath::audit {

namespace {

constexpr size_t kMaxKeyFileBytes = 4096;

std::string mode_text(mode_t mode)
{
	char buf[8];
	std::snprintf(buf, sizeof(buf), "%04o", unsigned(mode & 07777));
	return buf;
}

std::array<uint8_t, 32> derive(std::span<const uint8_t> secret, std::string_view purpose)
{
	return crypto::hmac_sha256(secret, purpose);
}

} // namespace

Key Key::from_secret(std::span<const uint8_t> secret)
{
	Key key;
	key.record_key_ = derive(secret, "tripath-audit/1 record");
	key.head_key_ = derive(secret, "tripath-audit/1 head");
	return key;
}

std::string Key::record_mac(std::string_view canonical) const
{
	return crypto::to_hex(crypto::hmac_sha256(record_key_, canonical));
}

std::string Key::head_mac(std::string_view canonical) const
{
	return crypto::to_hex(crypto::hmac_sha256(head_key_, canonical));
}

bool load_key(const std::string &path, Key &key, std::string &error)
{
	FileDescriptor fd(::open(path.c_str(), O_RDONLY | O_CLOEXEC));
	if (!fd) {
		error = path + ": cannot open key file: " + std::strerror(errno);
		return false;
	}
	struct stat st;
	if (fstat(fd.get(), &st) != 0 || !S_ISREG(st.st_mode)) {
		error = path + ": key file is not a regular file";
		return false;
	}
	if (st.st_mode & 077) {
		error = path + ": key file mode " + mode_text(st.st_mode) +
			" lets group or others read or write it; only its owner may (chmod 600 " + path + ")";
		return false;
	}
	std::string text;
	if (!read_all(fd.get(), text, kMaxKeyFileBytes)) {
		error = path + ": cannot read key file: " + (errno ? std::strerror(errno) : "larger than 4096 bytes");
		return false;
	}
	size_t newline = text.find('\n');
	std::string_view hex = std::string_view(text).substr(0, newline);
	if (newline != std::string::npos && text.find_first_not_of(" \t\r\n", newline) != std::string::npos) {
		error = path + ":2: unexpected text after the key (one line of hex digits)";
		return false;
	}
	while (!hex.empty() && (hex.back() == '\r' || hex.back() == ' ' || hex.back() == '\t'))
		hex.remove_suffix(1);
	std::vector<uint8_t> secret;
	if (!crypto::from_hex(hex, secret) || secret.size() < kMinKeyBytes) {
		error = path + ":1: expected at least 64 hex digits (32 bytes) on one line, got " +
			std::to_string(hex.size()) + " characters" +
			(crypto::from_hex(hex, secret) ? "" : " that are not an even number of hex digits");
		return false;
	}
	key = Key::from_secret(secret);
	return true;
}

bool create_key_file(const std::string &path, std::string &error)
{
	std::array<uint8_t, kMinKeyBytes> secret;
	if (!crypto::random_bytes(secret)) {
		error = path + ": no random bytes from the OS to make a key";
		return false;
	}
	FileDescriptor fd(::open(path.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600));
	if (!fd) {
		error = path + ": cannot create key file: " + std::strerror(errno);
		return false;
	}
	std::string text = crypto::to_hex(secret) + "\n";
	// umask can only narrow 0600; fchmod makes sure it is not wider either.
	if (fchmod(fd.get(), 0600) != 0 || !write_all(fd.get(), text) || fsync(fd.get()) != 0) {
		error = path + ": cannot write key file: " + std::strerror(errno);
		::unlink(path.c_str());
		return false;
	}
	sync_parent_directory(path);
	return true;
}

} // namespace tripath::audit
