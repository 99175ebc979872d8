// The writer: appends records to the hash-chained, HMAC'd log, writes checkpoints and keeps the
// head file. One writer per log (flock) on one thread: the guardian's control lcore, never a
// worker. Not thread-safe.
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <string_view>

#include <tripath/audit/key.h>
#include <tripath/audit/record.h>

namespace tripath::audit {

class HeadWriter;

inline constexpr size_t kMaxDeferredBytes = 256 * 1024; // deferred lines beyond this are written at once

enum class FsyncMode {
	always,   // fdatasync the log and the head after every record
	every_n,  // ... after every N records
	interval, // ... once a record is older than interval_ms (checked by append and tick)
	never,    // never on append or checkpoint; creation and a clean close still sync
};

struct FsyncPolicy {
	FsyncMode mode = FsyncMode::always;
	uint32_t every_n = 0;
	uint32_t interval_ms = 0;

	// "always" | "every N" | "interval MS" | "never"
	static bool parse(std::string_view text, FsyncPolicy &policy, std::string &error);
	std::string to_string() const;
};

struct LogOptions {
	FsyncPolicy fsync;
	uint32_t checkpoint_every = 1000;        // records between checkpoints; 0: not by count
	uint32_t checkpoint_interval_ms = 60000; // 0: not by time
	bool create_key = false;                 // make a 0600 key file if key_file does not exist
	std::string head_path;                   // "" = log path + ".head"
	std::function<uint64_t()> wall_clock_ns; // UTC for time_ns; tests inject
	std::function<uint64_t()> steady_clock_ns; // for intervals; tests inject
};

// What open found in an existing log; the guardian logs it.
struct OpenReport {
	bool created = false;           // a new log (and head file) was started
	uint64_t resumed_after_seq = 0; // last good record found
	uint64_t torn_bytes = 0;        // a torn last record was cut and recorded (recovery record)
	uint64_t torn_offset = 0;
	uint64_t recovery_seq = 0;      // the recovery record that holds it
};

struct LogStats {
	uint64_t appends = 0; // records written, checkpoints and the log's own included
	uint64_t checkpoints = 0;
	uint64_t log_syncs = 0;
	uint64_t head_updates = 0;
	uint64_t bytes = 0;
	uint64_t torn_records_recovered = 0;
	uint64_t failures = 0;
};

class AuditLog {
public:
	// Opens or creates `path`. An existing log resumes its chain from its last good record (a
	// torn last record is cut and recorded); refuses a log that fails authentication at its
	// ends, that is shorter than its head file says, or whose head file is missing.
	static std::unique_ptr<AuditLog> open(const std::string &path, const std::string &key_file,
					      const LogOptions &options, std::string &error);
	~AuditLog();
	AuditLog(const AuditLog &) = delete;
	AuditLog &operator=(const AuditLog &) = delete;

	// Sets seq, time_ns and prev; returns the seq, or 0 with `error` when the record was not
	// written or not made durable as the policy asks (the guardian treats that as an audit
	// failure). After a failed write the log refuses further appends.
	uint64_t append(Record record, std::string &error);

	// The same record, chained and MACed now but kept in memory until flush() (or the next
	// append, tick or close) writes every deferred line with one write(): a caller that
	// answers many proposals in one round records them with one syscall. The caller must flush
	// before it answers or applies anything those records decide; a change is never deferred.
	uint64_t append_deferred(Record record, std::string &error);
	// Writes the deferred records, then syncs and checkpoints as append would have. False (and
	// the deferred records are lost, the chain rolled back to the file's end) on a failed write.
	bool flush(std::string &error);
	bool has_deferred() const { return !pending_.empty(); }

	// Interval fsync and time-based checkpoints when no record arrives; call from the loop.
	bool tick(std::string &error);

	// A closing checkpoint, fsync of log and head. Also done by the destructor (errors lost).
	bool close(std::string &error);

	uint64_t last_seq() const { return last_seq_; }
	const std::string &last_hash() const { return last_hash_; }
	const std::string &log_id() const { return log_id_; }
	const OpenReport &open_report() const { return report_; }
	const LogStats &stats() const { return stats_; }
	const std::string &path() const { return path_; }

private:
	AuditLog() = default;
	friend class LogOpener;

	bool accepts(const Record &record, std::string &error); // what append and append_deferred take
	uint64_t write_record(Record record, std::string &error);
	uint64_t chain_record(Record record, std::string &error); // onto pending_, written by write_pending
	bool write_pending(std::string &error);
	bool checkpoint(std::string_view trigger, std::string &error);
	bool sync(bool durable, std::string &error);
	bool maybe_checkpoint(std::string &error);
	bool sync_due() const;
	bool fail(std::string message, std::string &error);
	uint64_t wall_now() const;
	uint64_t steady_now() const;

	std::string path_;
	std::string head_path_;
	Key key_;
	LogOptions options_;
	int fd_ = -1;
	std::unique_ptr<HeadWriter> head_;
	std::string log_id_;
	uint64_t last_seq_ = 0;
	std::string last_hash_;
	uint64_t file_size_ = 0;
	uint64_t synced_seq_ = 0;         // last seq fdatasync'ed
	uint64_t head_seq_ = 0;           // last seq written to the head file
	uint64_t head_durable_seq_ = 0;   // ... and fdatasync'ed there
	uint64_t unsynced_records_ = 0;
	uint64_t oldest_unsynced_ns_ = 0; // steady clock
	uint64_t records_since_checkpoint_ = 0;
	uint64_t last_checkpoint_ns_ = 0; // steady clock
	std::string pending_;             // deferred lines, chained, not yet written
	uint64_t pending_records_ = 0;
	uint64_t pending_since_ns_ = 0;   // steady clock: the oldest deferred record
	uint64_t file_seq_ = 0;           // last seq and hash on file when pending_ began: a failed write returns there
	std::string file_hash_;
	bool broken_ = false;
	bool closed_ = false;
	bool ready_ = false; // open finished; only then does close write its checkpoint
	OpenReport report_;
	LogStats stats_;
};

} // namespace tripath::audit
