#include <algorithm>
#include <cerrno>
#include <cstring>
#include <fcntl.h>
#include <sys/stat.h>

#include <tripath/audit/tail.h>

#include "file_io.h"

namespace tripath::audit {

bool tail_lines(const std::string &path, size_t count, std::vector<std::string> &lines, std::string &error)
{
	lines.clear();
	FileDescriptor fd(::open(path.c_str(), O_RDONLY | O_CLOEXEC));
	struct stat st;
	if (!fd || fstat(fd.get(), &st) != 0) {
		error = path + ": cannot open log: " + std::strerror(errno);
		return false;
	}
	// Read backwards until count + 1 newlines are in hand (the last one may end the file).
	std::string buf;
	uint64_t end = uint64_t(st.st_size), start = end;
	constexpr uint64_t kChunk = 64 << 10;
	while (start > 0 && size_t(std::count(buf.begin(), buf.end(), '\n')) <= count) {
		uint64_t from = start > kChunk ? start - kChunk : 0;
		std::string chunk(start - from, '\0');
		if (!pread_exact(fd.get(), chunk.data(), chunk.size(), from)) {
			error = path + ": cannot read log: " + std::strerror(errno);
			return false;
		}
		buf.insert(0, chunk);
		start = from;
	}
	if (!buf.empty() && buf.back() == '\n')
		buf.pop_back();
	size_t pos = buf.size();
	while (lines.size() < count && pos > 0) {
		size_t nl = buf.rfind('\n', pos - 1);
		size_t begin = nl == std::string::npos ? 0 : nl + 1;
		if (begin == 0 && start > 0)
			break; // a partial first line
		lines.push_back(buf.substr(begin, pos - begin));
		pos = nl == std::string::npos ? 0 : nl;
	}
	std::reverse(lines.begin(), lines.end());
	return true;
}

} // namespace tripath::audit
