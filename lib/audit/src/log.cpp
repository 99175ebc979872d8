#include <cerrno>
#include <cstring>
#include <ctime>
#include <unistd.h>

#include <tripath/audit/log.h>

#include "crypto.h"
#include "file_io.h"
#include "head_file.h"

namespace tripath::audit {

namespace {

uint64_t clock_ns(clockid_t clock)
{
	timespec ts;
	clock_gettime(clock, &ts);
	return uint64_t(ts.tv_sec) * 1000000000ull + uint64_t(ts.tv_nsec);
}

} // namespace

AuditLog::~AuditLog()
{
	std::string ignored;
	close(ignored);
}

uint64_t AuditLog::wall_now() const
{
	return options_.wall_clock_ns ? options_.wall_clock_ns() : clock_ns(CLOCK_REALTIME);
}

uint64_t AuditLog::steady_now() const
{
	return options_.steady_clock_ns ? options_.steady_clock_ns() : clock_ns(CLOCK_MONOTONIC);
}

bool AuditLog::fail(std::string message, std::string &error)
{
	stats_.failures++;
	error = path_ + ": " + std::move(message);
	return false;
}

uint64_t AuditLog::chain_record(Record record, std::string &error)
{
	if (closed_ || broken_) {
		fail(closed_ ? "log is closed" : "log refuses appends after a failed write or fsync", error);
		return 0;
	}
	record.seq = last_seq_ + 1;
	record.time_ns = wall_now();
	record.prev = last_hash_;
	std::string canonical = canonical_bytes(record);
	std::string mac = key_.record_mac(canonical);
	if (canonical.size() + mac.size() + 11 > kMaxLineBytes) { // record_line adds 11 bytes around the MAC
		fail("record of " + std::to_string(record_line(canonical, mac).size()) + " bytes is larger than " +
			     std::to_string(kMaxLineBytes),
		     error);
		return 0;
	}
	if (pending_.empty()) {
		file_seq_ = last_seq_;
		file_hash_ = last_hash_;
		pending_since_ns_ = steady_now();
	}
	pending_.append(record_line(canonical, mac)).push_back('\n');
	pending_records_++;
	last_seq_ = record.seq;
	last_hash_ = crypto::to_hex(crypto::sha256(canonical));
	return record.seq;
}

bool AuditLog::write_pending(std::string &error)
{
	if (pending_.empty())
		return true;
	if (!write_all(fd_, pending_)) {
		int saved = errno;
		// A partial line would sit in the middle of the log; cut it or stop appending.
		if (ftruncate(fd_, off_t(file_size_)) != 0)
			broken_ = true;
		last_seq_ = file_seq_; // the unwritten records never were: the chain goes on from the file
		last_hash_ = file_hash_;
		pending_.clear();
		pending_records_ = 0;
		return fail(std::string("cannot write record: ") + std::strerror(saved), error);
	}
	file_size_ += pending_.size();
	stats_.appends += pending_records_;
	stats_.bytes += pending_.size();
	if (unsynced_records_ == 0)
		oldest_unsynced_ns_ = pending_since_ns_;
	unsynced_records_ += pending_records_;
	records_since_checkpoint_ += pending_records_;
	pending_.clear();
	pending_records_ = 0;
	return true;
}

uint64_t AuditLog::write_record(Record record, std::string &error)
{
	uint64_t seq = chain_record(std::move(record), error);
	return seq != 0 && write_pending(error) ? seq : 0;
}

bool AuditLog::sync(bool durable, std::string &error)
{
	if (durable && synced_seq_ != last_seq_) {
		if (fdatasync(fd_) != 0) {
			broken_ = true; // after a failed fsync the kernel may have dropped the pages: trust nothing
			return fail(std::string("fdatasync failed: ") + std::strerror(errno), error);
		}
		synced_seq_ = last_seq_;
		stats_.log_syncs++;
	}
	// The head never runs ahead of what is written: it follows the log, never precedes it.
	if (durable ? head_durable_seq_ != last_seq_ : head_seq_ != last_seq_) {
		if (!head_->update(Head{log_id_, last_seq_, last_hash_, wall_now()}, key_, durable, error)) {
			broken_ = true;
			stats_.failures++;
			return false;
		}
		stats_.head_updates++;
		head_seq_ = last_seq_;
		if (durable)
			head_durable_seq_ = last_seq_;
	}
	if (durable)
		unsynced_records_ = 0;
	return true;
}

bool AuditLog::sync_due() const
{
	switch (options_.fsync.mode) {
	case FsyncMode::always: return unsynced_records_ > 0;
	case FsyncMode::every_n: return unsynced_records_ >= options_.fsync.every_n;
	case FsyncMode::interval:
		return unsynced_records_ > 0 && steady_now() - oldest_unsynced_ns_ >= options_.fsync.interval_ms * 1000000ull;
	case FsyncMode::never: return false;
	}
	return false;
}

bool AuditLog::checkpoint(std::string_view trigger, std::string &error)
{
	Record cp;
	cp.kind = RecordKind::checkpoint;
	cp.proposer = kLogProposer;
	cp.observe("count", last_seq_);
	cp.observed["last_hash"] = last_hash_;
	cp.observed["trigger"] = std::string(trigger);
	cp.reason = std::string(trigger);
	if (!write_record(std::move(cp), error))
		return false;
	stats_.checkpoints++;
	records_since_checkpoint_ = 0;
	last_checkpoint_ns_ = steady_now();
	return sync(options_.fsync.mode != FsyncMode::never, error);
}

bool AuditLog::maybe_checkpoint(std::string &error)
{
	if (options_.checkpoint_every && records_since_checkpoint_ >= options_.checkpoint_every)
		return checkpoint("records", error);
	if (options_.checkpoint_interval_ms && records_since_checkpoint_ > 0 &&
	    steady_now() - last_checkpoint_ns_ >= options_.checkpoint_interval_ms * 1000000ull)
		return checkpoint("interval", error);
	return true;
}

bool AuditLog::accepts(const Record &record, std::string &error)
{
	if (record.kind != RecordKind::decision || record.proposer == kLogProposer)
		return fail("append takes decision records from policy, operator or client:<id> only", error);
	if (std::string why = check_fields(record); !why.empty())
		return fail(why, error);
	return true;
}

uint64_t AuditLog::append(Record record, std::string &error)
{
	if (!accepts(record, error))
		return 0;
	uint64_t seq = write_record(std::move(record), error);
	if (seq == 0)
		return 0;
	if (sync_due() && !sync(true, error))
		return 0;
	if (!maybe_checkpoint(error))
		return 0;
	return seq;
}

uint64_t AuditLog::append_deferred(Record record, std::string &error)
{
	if (!accepts(record, error))
		return 0;
	uint64_t seq = chain_record(std::move(record), error);
	if (seq != 0 && pending_.size() >= kMaxDeferredBytes && !flush(error))
		return 0;
	return seq;
}

bool AuditLog::flush(std::string &error)
{
	if (pending_.empty())
		return true;
	if (!write_pending(error))
		return false;
	if (sync_due() && !sync(true, error))
		return false;
	return maybe_checkpoint(error);
}

bool AuditLog::tick(std::string &error)
{
	if (closed_)
		return true;
	if (broken_)
		return fail("log refuses appends after a failed write or fsync", error);
	if (!write_pending(error))
		return false;
	if (sync_due() && !sync(true, error))
		return false;
	return maybe_checkpoint(error);
}

bool AuditLog::close(std::string &error)
{
	if (closed_)
		return true;
	// A failed open has nothing of ours to finish; a broken log cannot vouch for its end.
	bool ok = !ready_ || (broken_ || !write_pending(error) ? fail("closed after a failed write or fsync; the last records may be missing", error)
				      : checkpoint("close", error) && sync(true, error));
	closed_ = true;
	if (fd_ >= 0)
		::close(fd_);
	fd_ = -1;
	if (head_)
		head_->close();
	return ok;
}

} // namespace tripath::audit
