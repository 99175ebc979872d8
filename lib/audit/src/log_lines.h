// The first pass of verify: every line of the log classified on its own (canonical? HMAC?),
// keeping only what the chain checks need.
#pragma once

#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include <tripath/audit/verify.h>

#include "crypto.h"

namespace tripath::audit {

enum class LineStatus { authentic, forged, unreadable, torn };

struct LogLine {
	uint64_t line = 0;
	LineStatus status = LineStatus::unreadable;
	bool has_seq = false;     // parsed, so `seq` is at least what is written
	uint64_t seq = 0;
	RecordKind kind = RecordKind::decision;
	crypto::Digest hash{};
	crypto::Digest prev{};
	uint64_t bytes = 0;
	std::string why;          // forged or unreadable: what failed
	bool duplicate = false;   // set by the chain checks
	bool misplaced = false;
};

struct LogLines {
	std::vector<LogLine> lines;
	std::map<size_t, Record> log_records; // index -> the log's own records (open, checkpoint, recovery)
};

// false with `error` when the file cannot be read.
bool read_log_lines(const std::string &path, const Key &key, const RecordVisitor &visitor, LogLines &out,
		    std::string &error);

} // namespace tripath::audit
