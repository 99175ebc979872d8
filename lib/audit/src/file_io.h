// Small POSIX file helpers shared by the writer, the verifier and the key file.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <unistd.h>

namespace tripath::audit {

class FileDescriptor {
public:
	FileDescriptor() = default;
	explicit FileDescriptor(int fd) : fd_(fd) {}
	FileDescriptor(const FileDescriptor &) = delete;
	FileDescriptor &operator=(const FileDescriptor &) = delete;
	FileDescriptor(FileDescriptor &&other) noexcept : fd_(other.release()) {}
	FileDescriptor &operator=(FileDescriptor &&other) noexcept;
	~FileDescriptor() { reset(); }

	int get() const { return fd_; }
	explicit operator bool() const { return fd_ >= 0; }
	int release();
	void reset(int fd = -1);

private:
	int fd_ = -1;
};

// Loops over short writes and EINTR; false with errno set on failure.
bool write_all(int fd, std::string_view data);
bool pwrite_all(int fd, std::string_view data, uint64_t offset);
// The whole file from the current offset; false if it is larger than max_bytes (errno 0) or on error.
bool read_all(int fd, std::string &out, size_t max_bytes);
bool pread_exact(int fd, char *buf, size_t len, uint64_t offset);

// Makes a create or rename in the directory durable; best effort.
void sync_parent_directory(const std::string &path);

} // namespace tripath::audit
