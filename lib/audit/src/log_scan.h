// What open needs from an existing log without reading all of it: the first line (the log's
// identity), the last complete line (where the chain resumes) and any torn bytes after it.
#pragma once

#include <cstdint>
#include <string>

namespace tripath::audit {

inline constexpr uint64_t kMaxTornBytes = 64ull << 20; // more than this is not a torn record
inline constexpr size_t kTornBytesKept = 64 << 10;     // copied into the recovery record

struct TailScan {
	uint64_t size = 0;
	uint64_t good_end = 0;         // just after the last '\n'
	uint64_t last_line_offset = 0;
	std::string first_line;        // "" when there is no complete line
	std::string last_line;
	uint64_t torn_bytes = 0;       // after the last '\n'
	std::string torn_kept;         // the first kTornBytesKept of them
	std::string torn_sha256;       // of all of them (hex)
};

bool scan_log_tail(int fd, const std::string &path, TailScan &scan, std::string &error);

} // namespace tripath::audit
