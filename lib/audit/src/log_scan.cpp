#include "log_scan.h"

#include <cerrno>
#include <cstring>
#include <sys/stat.h>
#include <vector>

#include <tripath/audit/record.h>

#include "crypto.h"
#include "file_io.h"

namespace tripath::audit {

namespace {

constexpr size_t kChunk = 64 << 10;

// Offset of the last '\n' before `end`, or -1; reads backwards a chunk at a time.
bool rfind_newline(int fd, uint64_t end, int64_t &found)
{
	std::vector<char> buf(kChunk);
	while (end > 0) {
		uint64_t start = end > kChunk ? end - kChunk : 0;
		if (!pread_exact(fd, buf.data(), end - start, start))
			return false;
		for (uint64_t i = end - start; i-- > 0;)
			if (buf[i] == '\n') {
				found = int64_t(start + i);
				return true;
			}
		end = start;
	}
	found = -1;
	return true;
}

bool read_range(int fd, uint64_t offset, uint64_t len, std::string &out)
{
	out.resize(len);
	return pread_exact(fd, out.data(), len, offset);
}

} // namespace

bool scan_log_tail(int fd, const std::string &path, TailScan &scan, std::string &error)
{
	auto io_error = [&]() {
		error = path + ": cannot read log: " + std::strerror(errno);
		return false;
	};
	struct stat st;
	if (fstat(fd, &st) != 0)
		return io_error();
	scan = TailScan{};
	scan.size = uint64_t(st.st_size);
	int64_t last_nl = -1;
	if (!rfind_newline(fd, scan.size, last_nl))
		return io_error();
	scan.good_end = uint64_t(last_nl + 1);
	scan.torn_bytes = scan.size - scan.good_end;
	if (scan.torn_bytes > kMaxTornBytes) {
		error = path + ": " + std::to_string(scan.torn_bytes) + " bytes after the last complete line at offset " +
			std::to_string(scan.good_end) + ": too many for a torn record; inspect the log";
		return false;
	}
	if (scan.torn_bytes > 0) {
		std::string torn;
		if (!read_range(fd, scan.good_end, scan.torn_bytes, torn))
			return io_error();
		scan.torn_sha256 = crypto::to_hex(crypto::sha256(torn));
		torn.resize(std::min<size_t>(torn.size(), kTornBytesKept));
		scan.torn_kept = std::move(torn);
	}
	if (last_nl < 0)
		return true;
	int64_t before = -1;
	if (!rfind_newline(fd, uint64_t(last_nl), before))
		return io_error();
	scan.last_line_offset = uint64_t(before + 1);
	if (uint64_t(last_nl) - scan.last_line_offset > kMaxLineBytes) {
		error = path + ": last line at offset " + std::to_string(scan.last_line_offset) + " is longer than a record";
		return false;
	}
	if (!read_range(fd, scan.last_line_offset, uint64_t(last_nl) - scan.last_line_offset, scan.last_line))
		return io_error();
	if (scan.last_line_offset == 0) {
		scan.first_line = scan.last_line;
		return true;
	}
	// The first line ends at the first '\n'; read forwards until it appears.
	std::string chunk;
	for (uint64_t offset = 0; scan.first_line.size() <= kMaxLineBytes; offset += kChunk) {
		uint64_t len = std::min<uint64_t>(kChunk, scan.size - offset);
		if (!read_range(fd, offset, len, chunk))
			return io_error();
		size_t nl = chunk.find('\n');
		scan.first_line.append(chunk, 0, nl);
		if (nl != std::string::npos)
			return true;
	}
	error = path + ": first line is longer than a record";
	return false;
}

} // namespace tripath::audit
