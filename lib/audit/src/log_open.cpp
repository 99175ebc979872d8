// AuditLog::open: start a new log, or find where an existing one ends and resume its chain.
#include <cerrno>
#include <cstring>
#include <fcntl.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include <tripath/audit/log.h>

#include "crypto.h"
#include "file_io.h"
#include "head_file.h"
#include "log_scan.h"

namespace tripath::audit {

inline constexpr std::string_view kFormat = "tripath-audit/1";

class LogOpener {
public:
	static std::unique_ptr<AuditLog> run(const std::string &path, const std::string &key_file,
					     const LogOptions &options, std::string &error);

private:
	static bool lock(AuditLog &log, std::string &error);
	static bool start_new_log(AuditLog &log, const TailScan &scan, std::string &error);
	static bool resume(AuditLog &log, const HeadState &head, std::string &error);
	static bool record_torn(AuditLog &log, const TailScan &scan, std::string &error);
	// The authentic record in `line`, or false with why not in `error`.
	static bool authentic(const AuditLog &log, std::string_view line, ParsedLine &parsed, std::string &error);
};

bool LogOpener::lock(AuditLog &log, std::string &error)
{
	if (flock(log.fd_, LOCK_EX | LOCK_NB) == 0)
		return true;
	error = log.path_ + ": " +
		(errno == EWOULDBLOCK ? std::string("another writer has the log open") : std::strerror(errno));
	return false;
}

bool LogOpener::authentic(const AuditLog &log, std::string_view line, ParsedLine &parsed, std::string &error)
{
	if (!parse_record_line(line, parsed, error))
		return false;
	if (!crypto::equal_hex(parsed.hmac, log.key_.record_mac(parsed.canonical))) {
		error = "HMAC mismatch (wrong key, or the record was edited)";
		return false;
	}
	return true;
}

bool LogOpener::record_torn(AuditLog &log, const TailScan &scan, std::string &error)
{
	Record r;
	r.kind = RecordKind::recovery;
	r.proposer = kLogProposer;
	r.reason = "torn_tail";
	r.observe("torn_bytes", scan.torn_bytes);
	r.observe("torn_offset", scan.good_end);
	r.observed["torn_sha256"] = scan.torn_sha256;
	r.observe("torn_kept_bytes", uint64_t(scan.torn_kept.size()));
	r.diff = crypto::to_hex(std::span(reinterpret_cast<const uint8_t *>(scan.torn_kept.data()), scan.torn_kept.size()));
	if (!log.write_record(std::move(r), error))
		return false;
	log.report_.torn_bytes = scan.torn_bytes;
	log.report_.torn_offset = scan.good_end;
	log.report_.recovery_seq = log.last_seq_;
	log.stats_.torn_records_recovered++;
	return true;
}

bool LogOpener::start_new_log(AuditLog &log, const TailScan &scan, std::string &error)
{
	std::array<uint8_t, 16> id;
	if (!crypto::random_bytes(id)) {
		error = log.path_ + ": no random bytes from the OS for the log id";
		return false;
	}
	log.log_id_ = crypto::to_hex(id);
	log.last_hash_ = std::string(kZeroHash);
	Record genesis;
	genesis.kind = RecordKind::open;
	genesis.proposer = kLogProposer;
	genesis.reason = "created";
	genesis.observed["format"] = std::string(kFormat);
	genesis.observed["log_id"] = log.log_id_;
	if (!log.write_record(std::move(genesis), error))
		return false;
	if (fdatasync(log.fd_) != 0) {
		error = log.path_ + ": fdatasync failed: " + std::strerror(errno);
		return false;
	}
	sync_parent_directory(log.path_);
	log.synced_seq_ = log.head_seq_ = log.head_durable_seq_ = 1;
	if (!log.head_->create(log.head_path_, Head{log.log_id_, 1, log.last_hash_, log.wall_now()}, log.key_, error))
		return false;
	log.report_.created = true;
	return scan.torn_bytes == 0 || record_torn(log, scan, error);
}

bool LogOpener::resume(AuditLog &log, const HeadState &head, std::string &error)
{
	Record r;
	r.kind = RecordKind::open;
	r.proposer = kLogProposer;
	r.reason = "resumed";
	r.observed["log_id"] = log.log_id_;
	r.observe("resumed_after_seq", log.report_.resumed_after_seq);
	r.observe("head_seq", head.head.seq);
	return log.write_record(std::move(r), error) != 0;
}

std::unique_ptr<AuditLog> LogOpener::run(const std::string &path, const std::string &key_file,
					 const LogOptions &options, std::string &error)
{
	std::unique_ptr<AuditLog> log(new AuditLog());
	log->path_ = path;
	log->head_path_ = options.head_path.empty() ? path + ".head" : options.head_path;
	log->options_ = options;
	log->head_ = std::make_unique<HeadWriter>();
	if (options.fsync.mode == FsyncMode::every_n && options.fsync.every_n == 0)
		log->options_.fsync.every_n = 1;

	if (options.create_key && access(key_file.c_str(), F_OK) != 0 && errno == ENOENT &&
	    !create_key_file(key_file, error))
		return nullptr;
	if (!load_key(key_file, log->key_, error))
		return nullptr;
	HeadState head = read_head_file(log->head_path_, log->key_);
	if (head.status == HeadStatus::invalid) {
		error = head.error;
		return nullptr;
	}

	log->fd_ = ::open(path.c_str(), O_RDWR | O_APPEND | O_CLOEXEC);
	if (log->fd_ < 0 && errno == ENOENT) {
		if (head.status == HeadStatus::valid) {
			error = path + ": log is missing but its head file " + log->head_path_ + " says it held " +
				std::to_string(head.head.seq) +
				" records: deleted or moved? Refusing to start a new chain over it (move the head file aside "
				"to start a new log)";
			return nullptr;
		}
		log->fd_ = ::open(path.c_str(), O_RDWR | O_APPEND | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
		if (log->fd_ < 0) {
			error = path + ": cannot create log: " + std::strerror(errno);
			return nullptr;
		}
		if (!lock(*log, error) || !start_new_log(*log, TailScan{}, error))
			return nullptr;
		log->ready_ = true;
		log->last_checkpoint_ns_ = log->steady_now();
		return log->sync(true, error) ? std::move(log) : nullptr;
	}
	if (log->fd_ < 0) {
		error = path + ": cannot open log: " + std::strerror(errno);
		return nullptr;
	}
	TailScan scan;
	if (!lock(*log, error) || !scan_log_tail(log->fd_, path, scan, error))
		return nullptr;

	if (scan.last_line.empty()) {
		if (head.status == HeadStatus::valid) {
			error = path + ": log holds no complete record but its head file says " +
				std::to_string(head.head.seq) + ": truncated";
			return nullptr;
		}
		// A crash while the first record was written: start again, recording what was cut.
		if (ftruncate(log->fd_, 0) != 0) {
			error = path + ": cannot cut a torn first record: " + std::strerror(errno);
			return nullptr;
		}
		if (!start_new_log(*log, scan, error))
			return nullptr;
		log->ready_ = true;
		log->last_checkpoint_ns_ = log->steady_now();
		return log->sync(true, error) ? std::move(log) : nullptr;
	}

	ParsedLine first, last;
	std::string why;
	if (!authentic(*log, scan.first_line, first, why) || first.record.seq != 1 ||
	    first.record.kind != RecordKind::open || !crypto::is_lower_hex(first.record.observed["log_id"], 32)) {
		error = path + ":1: not the start of a log this key wrote: " + (why.empty() ? "not an open record, seq 1" : why);
		return nullptr;
	}
	if (!authentic(*log, scan.last_line, last, why)) {
		error = path + ": last complete record (byte offset " + std::to_string(scan.last_line_offset) +
			") fails: " + why + "; run tripath-audit verify";
		return nullptr;
	}
	log->log_id_ = first.record.observed["log_id"];
	log->last_seq_ = last.record.seq;
	log->last_hash_ = crypto::to_hex(crypto::sha256(last.canonical));
	log->report_.resumed_after_seq = log->last_seq_;

	if (head.status == HeadStatus::absent) {
		// Only the window between creating the log and its head file leaves a log without one.
		if (log->last_seq_ != 1) {
			error = log->head_path_ + ": head file of " + path +
				" is missing, so a cut tail could not be noticed: deleted? Run tripath-audit verify "
				"--no-head, then move the log aside to start a new one";
			return nullptr;
		}
		if (!log->head_->create(log->head_path_, Head{log->log_id_, 1, log->last_hash_, log->wall_now()},
					log->key_, error))
			return nullptr;
		head.head.seq = 1;
	} else {
		if (head.head.log_id != log->log_id_) {
			error = log->head_path_ + ": head file belongs to log " + head.head.log_id + ", not to " + path +
				" (log " + log->log_id_ + ")";
			return nullptr;
		}
		if (head.head.seq > log->last_seq_) {
			error = path + ": log ends at seq " + std::to_string(log->last_seq_) + " but its head file says seq " +
				std::to_string(head.head.seq) +
				": truncated or replaced by an older copy; run tripath-audit verify and move the log aside";
			return nullptr;
		}
		if (head.head.seq == log->last_seq_ && head.head.hash != log->last_hash_) {
			error = path + ": record seq " + std::to_string(log->last_seq_) +
				" is not the one the head file names: the log was rewritten";
			return nullptr;
		}
		if (!log->head_->open_existing(log->head_path_, head.newest_slot, error))
			return nullptr;
	}
	log->synced_seq_ = log->last_seq_;
	log->head_seq_ = log->head_durable_seq_ = head.head.seq;
	log->file_size_ = scan.good_end;
	if (scan.torn_bytes > 0) {
		// Nothing after the last '\n' ever authenticated; its bytes go into the recovery record.
		if (ftruncate(log->fd_, off_t(scan.good_end)) != 0) {
			error = path + ": cannot cut the torn last record: " + std::strerror(errno);
			return nullptr;
		}
		if (!record_torn(*log, scan, error))
			return nullptr;
	}
	if (!resume(*log, head, error))
		return nullptr;
	log->ready_ = true;
	log->last_checkpoint_ns_ = log->steady_now();
	return log->sync(true, error) ? std::move(log) : nullptr;
}

std::unique_ptr<AuditLog> AuditLog::open(const std::string &path, const std::string &key_file,
					 const LogOptions &options, std::string &error)
{
	return LogOpener::run(path, key_file, options, error);
}

} // namespace tripath::audit
