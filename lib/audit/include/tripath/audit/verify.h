// Verify a log end to end: every record's HMAC, the hash chain, the order, the head file and
// any external anchors. Every problem names the record (seq) and line it was found at.
#pragma once

#include <cstdint>
#include <functional>
#include <string>
#include <string_view>
#include <vector>

#include <tripath/audit/key.h>
#include <tripath/audit/record.h>

namespace tripath::audit {

enum class FindingKind {
	// problems
	edited,              // a line in a record's place that fails its HMAC or is not a canonical record
	inserted,            // a line that is not part of the chain, between records that link up
	deleted,             // seqs missing from the chain
	reordered,           // an authentic record out of sequence order
	duplicated,          // one seq on more than one line
	chain_break,         // prev does not name the record before it
	bad_start,           // seq 1 is not the log's opening record
	truncated,           // the log ends before its head file or an anchor says
	torn_tail,           // an unterminated last line: a write in progress or an unrecovered crash
	head_missing,
	head_invalid,
	head_mismatch,       // head file of another log, or naming another record
	anchor_mismatch,
	checkpoint_mismatch,
	// notices: the log is intact, but the reader should know
	torn_recovered,      // a crash cut a record mid-write; the reopen recorded and removed it
	unclean_restart,     // the writer restarted without closing (crash)
	not_closed,          // no closing checkpoint at the end: running, or crashed
};

std::string_view finding_name(FindingKind kind);

struct Finding {
	FindingKind kind;
	uint64_t seq = 0;  // record concerned (first of a range); 0 when none
	uint64_t line = 0; // 1-based line in the log; 0 when the finding is not at a line
	std::string message;
};

// "FILE:LINE: seq N: message" or "FILE: message".
std::string format_finding(const std::string &log_path, const Finding &finding);

// A (seq, hash) noted outside the log earlier, e.g. a checkpoint shipped off the box.
struct Anchor {
	uint64_t seq = 0;
	std::string hash;
	static bool parse(std::string_view text, Anchor &anchor, std::string &error); // "SEQ:HEX"
};

struct VerifyOptions {
	std::string head_path;     // "" = log path + ".head"
	bool require_head = true;  // a missing head file is a problem (tail cuts would go unseen)
	std::vector<Anchor> anchors;
};

struct VerifyReport {
	std::string error;         // could not verify at all (log unreadable)
	std::vector<Finding> problems;
	std::vector<Finding> notices;
	uint64_t lines = 0;
	uint64_t records = 0;      // authentic records
	uint64_t last_seq = 0;     // highest authentic seq
	std::string last_hash;
	uint64_t head_seq = 0;     // 0: no valid head file
	bool closed = false;       // ends with a closing checkpoint

	bool ok() const { return error.empty() && problems.empty(); }
};

// Called for each authentic record in file order, before the chain is judged.
using RecordVisitor = std::function<void(const Record &record, uint64_t line, std::string_view hash)>;

VerifyReport verify_log(const std::string &path, const Key &key, const VerifyOptions &options = {},
			const RecordVisitor &visitor = {});

} // namespace tripath::audit
