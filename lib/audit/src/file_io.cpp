#include "file_io.h"

#include <cerrno>
#include <fcntl.h>

namespace tripath::audit {

FileDescriptor &FileDescriptor::operator=(FileDescriptor &&other) noexcept
{
	if (this != &other)
		reset(other.release());
	return *this;
}

int FileDescriptor::release()
{
	int fd = fd_;
	fd_ = -1;
	return fd;
}

void FileDescriptor::reset(int fd)
{
	if (fd_ >= 0)
		::close(fd_);
	fd_ = fd;
}

bool write_all(int fd, std::string_view data)
{
	while (!data.empty()) {
		ssize_t n = ::write(fd, data.data(), data.size());
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			return false;
		data.remove_prefix(size_t(n));
	}
	return true;
}

bool pwrite_all(int fd, std::string_view data, uint64_t offset)
{
	while (!data.empty()) {
		ssize_t n = ::pwrite(fd, data.data(), data.size(), off_t(offset));
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			return false;
		data.remove_prefix(size_t(n));
		offset += uint64_t(n);
	}
	return true;
}

bool read_all(int fd, std::string &out, size_t max_bytes)
{
	out.clear();
	char buf[65536];
	for (;;) {
		ssize_t n = ::read(fd, buf, sizeof(buf));
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			return false;
		if (n == 0)
			return true;
		if (out.size() + size_t(n) > max_bytes) {
			errno = 0;
			return false;
		}
		out.append(buf, size_t(n));
	}
}

bool pread_exact(int fd, char *buf, size_t len, uint64_t offset)
{
	while (len > 0) {
		ssize_t n = ::pread(fd, buf, len, off_t(offset));
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			return false;
		buf += n;
		len -= size_t(n);
		offset += uint64_t(n);
	}
	return true;
}

void sync_parent_directory(const std::string &path)
{
	size_t slash = path.rfind('/');
	std::string dir = slash == std::string::npos ? "." : slash == 0 ? "/" : path.substr(0, slash);
	int fd = ::open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (fd >= 0) {
		::fsync(fd);
		::close(fd);
	}
}

} // namespace tripath::audit
