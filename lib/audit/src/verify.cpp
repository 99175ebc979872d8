#include <algorithm>
#include <charconv>

#include <tripath/audit/verify.h>

#include "head_file.h"
#include "log_lines.h"
#include "seq_ranges.h"

namespace tripath::audit {

namespace {

std::string seq_range(uint64_t first, uint64_t last)
{
	return first == last ? "seq " + std::to_string(first) : "seq " + std::to_string(first) + "-" + std::to_string(last);
}

std::string at(const LogLine &l) { return "seq " + std::to_string(l.seq) + " (line " + std::to_string(l.line) + ")"; }

// Indices into `seqs` of one longest strictly increasing subsequence: the records left in place.
std::vector<size_t> longest_increasing(const std::vector<uint64_t> &seqs)
{
	std::vector<size_t> tails, parent(seqs.size(), SIZE_MAX);
	for (size_t i = 0; i < seqs.size(); i++) {
		auto pos = std::lower_bound(tails.begin(), tails.end(), seqs[i],
					    [&](size_t t, uint64_t s) { return seqs[t] < s; });
		if (pos != tails.begin())
			parent[i] = *std::prev(pos);
		if (pos == tails.end())
			tails.push_back(i);
		else
			*pos = i;
	}
	std::vector<size_t> out;
	for (size_t i = tails.empty() ? SIZE_MAX : tails.back(); i != SIZE_MAX; i = parent[i])
		out.push_back(i);
	std::reverse(out.begin(), out.end());
	return out;
}

class ChainCheck {
public:
	ChainCheck(LogLines &log, VerifyReport &report, const HeadState &head, const std::string &head_path)
		: log_(log), lines_(log.lines), report_(report), head_(head), head_path_(head_path) {}

	void run(const VerifyOptions &options);

private:
	void problem(FindingKind kind, uint64_t seq, uint64_t line, std::string message)
	{
		report_.problems.push_back({kind, seq, line, std::move(message)});
	}
	void notice(FindingKind kind, uint64_t seq, uint64_t line, std::string message)
	{
		report_.notices.push_back({kind, seq, line, std::move(message)});
	}
	const LogLine *record(uint64_t seq) const
	{
		auto it = by_seq_.find(seq);
		return it == by_seq_.end() ? nullptr : &lines_[it->second];
	}
	const Record *log_record(uint64_t seq) const
	{
		auto it = by_seq_.find(seq);
		if (it == by_seq_.end())
			return nullptr;
		auto rec = log_.log_records.find(it->second);
		return rec == log_.log_records.end() ? nullptr : &rec->second;
	}

	void find_duplicates();
	void find_reordered();
	void walk_chain();
	void check_head(const VerifyOptions &options);
	void attribute_bad_lines();
	void attribute_run(const LogLine *before, const LogLine *after, const std::vector<const LogLine *> &bad);
	void report_missing();
	void check_anchors(const std::vector<Anchor> &anchors);
	void check_log_records();

	LogLines &log_;
	std::vector<LogLine> &lines_;
	VerifyReport &report_;
	const HeadState &head_;
	const std::string &head_path_;
	std::map<uint64_t, size_t> by_seq_; // authentic, first occurrence of each seq
	SeqRanges missing_;
	uint64_t last_seq_ = 0;
	uint64_t expected_end_ = 0;         // the head file's seq when it is past the log's end
};

void ChainCheck::find_duplicates()
{
	for (size_t i = 0; i < lines_.size(); i++) {
		LogLine &l = lines_[i];
		if (l.status != LineStatus::authentic)
			continue;
		report_.records++;
		auto [it, fresh] = by_seq_.emplace(l.seq, i);
		if (fresh)
			continue;
		l.duplicate = true;
		const LogLine &first = lines_[it->second];
		if (first.hash == l.hash)
			problem(FindingKind::duplicated, l.seq, l.line,
				"a copy of line " + std::to_string(first.line) + " (the same record twice: replayed)");
		else
			problem(FindingKind::duplicated, l.seq, l.line,
				"a different authentic record with the seq of line " + std::to_string(first.line) +
					" (records from another log with the same key?)");
	}
	if (!by_seq_.empty()) {
		last_seq_ = by_seq_.rbegin()->first;
		report_.last_seq = last_seq_;
		report_.last_hash = crypto::to_hex(lines_[by_seq_.rbegin()->second].hash);
	}
}

void ChainCheck::find_reordered()
{
	std::vector<size_t> order;
	std::vector<uint64_t> seqs;
	for (size_t i = 0; i < lines_.size(); i++)
		if (lines_[i].status == LineStatus::authentic && !lines_[i].duplicate) {
			order.push_back(i);
			seqs.push_back(lines_[i].seq);
		}
	std::vector<bool> in_place(order.size(), false);
	for (size_t k : longest_increasing(seqs))
		in_place[k] = true;
	for (size_t k = 0; k < order.size(); k++) {
		if (in_place[k])
			continue;
		LogLine &l = lines_[order[k]];
		l.misplaced = true;
		std::string where;
		if (k > 0)
			where += "after " + at(lines_[order[k - 1]]);
		if (k + 1 < order.size())
			where += (where.empty() ? "before " : " and before ") + at(lines_[order[k + 1]]);
		problem(FindingKind::reordered, l.seq, l.line, "out of order: the log has it " + where + " (records swapped or moved)");
	}
}

void ChainCheck::walk_chain()
{
	uint64_t expected = 1;
	const LogLine *before = nullptr;
	for (const auto &[seq, index] : by_seq_) {
		const LogLine &l = lines_[index];
		if (seq > expected)
			missing_.add(expected, seq - 1);
		else if (before && l.prev != before->hash)
			problem(FindingKind::chain_break, seq, l.line,
				"its prev hash does not name " + at(*before) +
					": the chain is broken here (spliced from another log, or rewritten with the key)");
		if (seq == 1) {
			const Record *first = log_record(1);
			bool zero_prev = std::all_of(l.prev.begin(), l.prev.end(), [](uint8_t b) { return b == 0; });
			if (!first || first->kind != RecordKind::open || !zero_prev || !first->observed.contains("log_id"))
				problem(FindingKind::bad_start, 1, l.line, "not a log's opening record (open, log_id, zero prev)");
		}
		expected = seq + 1;
		before = &l;
	}
}

void ChainCheck::check_head(const VerifyOptions &options)
{
	if (head_.status == HeadStatus::absent) {
		if (options.require_head)
			problem(FindingKind::head_missing, 0, 0,
				"head file " + head_path_ + " is missing: a cut tail cannot be detected (--no-head accepts that)");
		return;
	}
	if (head_.status == HeadStatus::invalid) {
		problem(FindingKind::head_invalid, 0, 0, head_.error);
		return;
	}
	const Head &h = head_.head;
	report_.head_seq = h.seq;
	const Record *first = log_record(1);
	if (first && first->observed.contains("log_id") && first->observed.at("log_id") != h.log_id)
		problem(FindingKind::head_mismatch, 0, 0,
			"head file " + head_path_ + " belongs to log " + h.log_id + ", this log is " + first->observed.at("log_id"));
	if (h.seq > last_seq_) {
		expected_end_ = h.seq;
		missing_.add(last_seq_ + 1, h.seq);
	} else if (const LogLine *l = record(h.seq); l && crypto::to_hex(l->hash) != h.hash) {
		problem(FindingKind::head_mismatch, h.seq, l->line,
			"not the record head file " + head_path_ + " names for this seq: the log was rewritten");
	}
}

void ChainCheck::attribute_run(const LogLine *before, const LogLine *after, const std::vector<const LogLine *> &bad)
{
	uint64_t lo = before ? before->seq : 0;
	uint64_t hi = after ? after->seq : std::max(expected_end_, lo) + 1;
	auto edited = [&](const LogLine *l, uint64_t seq) {
		problem(FindingKind::edited, seq, l->line,
			l->status == LineStatus::forged ? "HMAC mismatch: the record was edited or forged"
							: "not a valid record (" + l->why + "): edited or corrupted");
	};
	// As many unreadable lines as missing seqs between their neighbours: those records, edited.
	if (missing_.count_between(lo, hi) == bad.size()) {
		std::vector<uint64_t> slots = missing_.first_between(lo, hi, bad.size());
		for (size_t k = 0; k < bad.size(); k++) {
			missing_.take(slots[k]);
			edited(bad[k], slots[k]);
		}
		return;
	}
	// Otherwise trust a written seq that fills a hole in order; the rest was inserted.
	uint64_t next = lo + 1;
	for (const LogLine *l : bad) {
		bool fills = l->has_seq && l->seq == next && (after ? l->seq < hi : true) && !by_seq_.contains(l->seq) &&
			     (missing_.contains(l->seq) || l->seq > std::max(last_seq_, expected_end_));
		if (fills) {
			missing_.take(l->seq);
			edited(l, l->seq);
			next++;
			continue;
		}
		std::string between = before ? "after " + at(*before) : "before the first record";
		if (after)
			between += (before ? " and before " : ", ") + at(*after);
		problem(FindingKind::inserted, l->has_seq ? l->seq : 0, l->line,
			"not part of the chain " + between + ": inserted (" + l->why +
				(l->has_seq ? ", claims seq " + std::to_string(l->seq) : std::string()) + ")");
	}
}

void ChainCheck::attribute_bad_lines()
{
	const LogLine *before = nullptr;
	std::vector<const LogLine *> bad;
	for (const LogLine &l : lines_) {
		if (l.status == LineStatus::forged || l.status == LineStatus::unreadable) {
			bad.push_back(&l);
		} else if (l.status == LineStatus::authentic && !l.duplicate && !l.misplaced) {
			if (!bad.empty())
				attribute_run(before, &l, bad);
			bad.clear();
			before = &l;
		}
	}
	if (!bad.empty())
		attribute_run(before, nullptr, bad);
}

void ChainCheck::report_missing()
{
	for (const auto &[first, last] : missing_.ranges()) {
		const LogLine *prev = record(first - 1), *next = record(last + 1);
		if (first > last_seq_) {
			problem(FindingKind::truncated, first, 0,
				"log ends at seq " + std::to_string(last_seq_) + " but head file " + head_path_ + " says seq " +
					std::to_string(expected_end_) + ": " + seq_range(first, last) +
					" missing (the tail was cut, or this is an older copy of the log)");
		} else if (first == 1) {
			problem(FindingKind::deleted, first, next ? next->line : 0,
				seq_range(first, last) + " missing before " + (next ? at(*next) : "the end") +
					": the start of the log was deleted");
		} else {
			problem(FindingKind::deleted, first, next ? next->line : 0,
				seq_range(first, last) + " missing between " + (prev ? at(*prev) : "?") + " and " +
					(next ? at(*next) : "?") + ": deleted");
		}
	}
}

void ChainCheck::check_anchors(const std::vector<Anchor> &anchors)
{
	for (const Anchor &a : anchors) {
		const LogLine *l = record(a.seq);
		if (a.seq > last_seq_)
			problem(FindingKind::anchor_mismatch, a.seq, 0,
				"anchor seq " + std::to_string(a.seq) + " is past the end of the log (seq " +
					std::to_string(last_seq_) + "): cut, or an older copy of the log (replay)");
		else if (!l)
			problem(FindingKind::anchor_mismatch, a.seq, 0, "anchor seq " + std::to_string(a.seq) + ": the record is missing");
		else if (crypto::to_hex(l->hash) != a.hash)
			problem(FindingKind::anchor_mismatch, a.seq, l->line,
				"not the anchored record (hash " + a.hash.substr(0, 16) + "...): the log was rewritten");
	}
}

void ChainCheck::check_log_records()
{
	for (const auto &[index, rec] : log_.log_records) {
		const LogLine &l = lines_[index];
		if (l.duplicate)
			continue;
		const LogLine *prev = record(l.seq - 1);
		const Record *prev_rec = log_record(l.seq - 1);
		// clang before 16 cannot capture a structured binding: capture the record by name.
		auto value = [&observed = rec.observed](const char *key) { return observed.contains(key) ? observed.at(key) : std::string(); };
		if (rec.kind == RecordKind::checkpoint) {
			bool count_ok = value("count") == std::to_string(l.seq - 1);
			bool hash_ok = !prev || value("last_hash") == crypto::to_hex(prev->hash);
			if (!count_ok || !hash_ok)
				problem(FindingKind::checkpoint_mismatch, l.seq, l.line,
					"checkpoint says count " + value("count") + " and a last hash that the chain does not have");
		} else if (rec.kind == RecordKind::recovery) {
			notice(FindingKind::torn_recovered, l.seq, l.line,
			       "a torn record (" + value("torn_bytes") + " bytes at offset " + value("torn_offset") +
				       ") was cut when the writer reopened the log after a crash; seq " +
				       std::to_string(l.seq - 1) + " is the last record written before it");
		} else if (rec.kind == RecordKind::open && rec.reason == "resumed") {
			bool after_close = prev_rec && prev_rec->kind == RecordKind::checkpoint && prev_rec->reason == "close";
			bool after_recovery = prev_rec && prev_rec->kind == RecordKind::recovery;
			if (!after_close && !after_recovery)
				notice(FindingKind::unclean_restart, l.seq, l.line,
				       "the writer restarted after seq " + std::to_string(l.seq - 1) + " without closing the log (crash or kill)");
		}
	}
	const Record *last = log_record(last_seq_);
	report_.closed = last && last->kind == RecordKind::checkpoint && last->reason == "close";
	if (!report_.closed && last_seq_ > 0)
		notice(FindingKind::not_closed, last_seq_, record(last_seq_)->line,
		       "the log does not end with a closing checkpoint: the writer is running or stopped without closing");
}

void ChainCheck::run(const VerifyOptions &options)
{
	report_.lines = lines_.size();
	find_duplicates();
	find_reordered();
	walk_chain();
	check_head(options);
	attribute_bad_lines();
	report_missing();
	if (!lines_.empty() && lines_.back().status == LineStatus::torn) {
		const LogLine &t = lines_.back();
		problem(FindingKind::torn_tail, last_seq_ + 1, t.line,
			"torn last record (" + std::to_string(t.bytes) + " bytes, no newline) after seq " + std::to_string(last_seq_) +
				": a write in progress, or a crash not yet recovered (the writer's next open cuts and records it)");
	}
	check_anchors(options.anchors);
	check_log_records();
	auto by_line = [](const Finding &a, const Finding &b) {
		uint64_t la = a.line ? a.line : UINT64_MAX, lb = b.line ? b.line : UINT64_MAX;
		return la != lb ? la < lb : a.seq < b.seq;
	};
	std::stable_sort(report_.problems.begin(), report_.problems.end(), by_line);
	std::stable_sort(report_.notices.begin(), report_.notices.end(), by_line);
}

} // namespace

std::string_view finding_name(FindingKind kind)
{
	switch (kind) {
	case FindingKind::edited: return "edited";
	case FindingKind::inserted: return "inserted";
	case FindingKind::deleted: return "deleted";
	case FindingKind::reordered: return "reordered";
	case FindingKind::duplicated: return "duplicated";
	case FindingKind::chain_break: return "chain-break";
	case FindingKind::bad_start: return "bad-start";
	case FindingKind::truncated: return "truncated";
	case FindingKind::torn_tail: return "torn-tail";
	case FindingKind::head_missing: return "head-missing";
	case FindingKind::head_invalid: return "head-invalid";
	case FindingKind::head_mismatch: return "head-mismatch";
	case FindingKind::anchor_mismatch: return "anchor-mismatch";
	case FindingKind::checkpoint_mismatch: return "checkpoint-mismatch";
	case FindingKind::torn_recovered: return "torn-recovered";
	case FindingKind::unclean_restart: return "unclean-restart";
	case FindingKind::not_closed: return "not-closed";
	}
	return "?";
}

std::string format_finding(const std::string &log_path, const Finding &f)
{
	std::string out = log_path;
	if (f.line)
		out += ":" + std::to_string(f.line);
	out += ": ";
	out += finding_name(f.kind);
	out += ": ";
	if (f.seq && f.line && f.message.find("seq " + std::to_string(f.seq)) == std::string::npos)
		out += "seq " + std::to_string(f.seq) + ": ";
	return out + f.message;
}

bool Anchor::parse(std::string_view text, Anchor &anchor, std::string &error)
{
	size_t colon = text.find(':');
	std::string_view seq = text.substr(0, colon);
	auto [ptr, ec] = std::from_chars(seq.data(), seq.data() + seq.size(), anchor.seq);
	if (colon == std::string_view::npos || ec != std::errc() || ptr != seq.data() + seq.size() || anchor.seq == 0 ||
	    !crypto::is_lower_hex(text.substr(colon + 1), 64)) {
		error = "anchor '" + std::string(text) + "': expected SEQ:HASH (a seq and 64 lowercase hex digits)";
		return false;
	}
	anchor.hash = std::string(text.substr(colon + 1));
	return true;
}

VerifyReport verify_log(const std::string &path, const Key &key, const VerifyOptions &options, const RecordVisitor &visitor)
{
	VerifyReport report;
	LogLines log;
	if (!read_log_lines(path, key, visitor, log, report.error))
		return report;
	std::string head_path = options.head_path.empty() ? path + ".head" : options.head_path;
	HeadState head = read_head_file(head_path, key);
	ChainCheck(log, report, head, head_path).run(options);
	return report;
}

} // namespace tripath::audit
