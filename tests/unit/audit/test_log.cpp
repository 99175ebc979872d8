// The writer: chain and HMAC on every record, checkpoints, fsync policies, the head file, and
// what open accepts and refuses.
#include <csignal>
#include <sys/resource.h>
#include <sys/stat.h>

#include <gtest/gtest.h>

#include <tripath/audit/log.h>

#include "audit_test_util.h"

namespace tripath::audit::test {
namespace {

struct Seen {
	Record record;
	uint64_t line;
	std::string hash;
};

std::vector<Seen> read_back(const LogFixture &f, VerifyReport *report = nullptr)
{
	std::vector<Seen> seen;
	VerifyReport r = verify_log(f.log, load(f.key), {}, [&](const Record &rec, uint64_t line, std::string_view hash) {
		seen.push_back({rec, line, std::string(hash)});
	});
	if (report)
		*report = r;
	return seen;
}

TEST(AuditLog, RoundTripChainsEveryRecordAndEndsWithACloseCheckpoint)
{
	ScratchDir dir;
	LogFixture f{dir.path("log"), dir.path("key"), 0};
	std::string error;
	LogOptions options = quiet_options();
	uint64_t now = 1763712000000000000ull;
	options.wall_clock_ns = [&] { return now += 1000; };
	auto log = AuditLog::open(f.log, f.key, options, error);
	ASSERT_TRUE(log) << error;
	EXPECT_TRUE(log->open_report().created);
	std::vector<Record> sent;
	for (uint64_t i = 1; i <= 20; i++) {
		Record r = decision(i, i % 2 ? std::vector<std::string>{"acme"} : std::vector<std::string>{"beta", "acme"});
		sent.push_back(r);
		EXPECT_EQ(log->append(r, error), i + 1) << error;
	}
	std::string log_id = log->log_id();
	ASSERT_TRUE(log->close(error)) << error;

	VerifyReport report;
	std::vector<Seen> seen = read_back(f, &report);
	EXPECT_TRUE(report.ok()) << describe(report);
	EXPECT_TRUE(report.notices.empty()) << describe(report);
	EXPECT_TRUE(report.closed);
	EXPECT_EQ(report.records, 22u);
	EXPECT_EQ(report.head_seq, 22u);
	ASSERT_EQ(seen.size(), 22u);
	EXPECT_EQ(seen[0].record.kind, RecordKind::open);
	EXPECT_EQ(seen[0].record.prev, std::string(kZeroHash));
	EXPECT_EQ(seen[0].record.observed.at("log_id"), log_id);
	for (size_t i = 1; i <= 20; i++) {
		Record want = sent[i - 1];
		want.seq = i + 1;
		want.time_ns = seen[i].record.time_ns; // from the injected clock, rising
		EXPECT_GT(seen[i].record.time_ns, seen[i - 1].record.time_ns);
		EXPECT_GT(seen[i].record.time_ns, 1763712000000000000ull);
		want.prev = seen[i - 1].hash;
		std::sort(want.tenants.begin(), want.tenants.end());
		EXPECT_EQ(seen[i].record, want) << "seq " << i + 1;
		EXPECT_EQ(seen[i].line, i + 1);
	}
	const Record &close = seen[21].record;
	EXPECT_EQ(close.kind, RecordKind::checkpoint);
	EXPECT_EQ(close.reason, "close");
	EXPECT_EQ(close.observed.at("count"), "21");
	EXPECT_EQ(close.observed.at("last_hash"), seen[20].hash);
	EXPECT_EQ(close.prev, seen[20].hash);
}

TEST(AuditLog, AppendRefusesBadFieldsAndTheLogsOwnKindsWithoutWritingAnything)
{
	ScratchDir dir;
	std::string error;
	auto log = AuditLog::open(dir.path("log"), dir.path("key"), quiet_options(), error);
	ASSERT_TRUE(log) << error;
	Record r = decision(1);
	r.proposer = "mallory";
	EXPECT_EQ(log->append(r, error), 0u);
	EXPECT_NE(error.find("proposer 'mallory'"), std::string::npos) << error;
	r = decision(1);
	r.kind = RecordKind::checkpoint;
	EXPECT_EQ(log->append(r, error), 0u);
	r = decision(1);
	r.proposer = "audit";
	EXPECT_EQ(log->append(r, error), 0u);
	r = decision(1);
	r.diff = std::string(kMaxLineBytes, 'x');
	EXPECT_EQ(log->append(r, error), 0u);
	EXPECT_NE(error.find("larger than"), std::string::npos) << error;
	EXPECT_EQ(log->last_seq(), 1u);
	EXPECT_EQ(log->append(decision(2), error), 2u) << error; // a refused record does not break the log
}

TEST(AuditLog, CheckpointsEveryNRecordsAndEveryInterval)
{
	ScratchDir dir;
	LogFixture f{dir.path("log"), dir.path("key"), 0};
	std::string error;
	LogOptions options = quiet_options(4);
	options.checkpoint_interval_ms = 1000;
	uint64_t steady = 0;
	options.steady_clock_ns = [&] { return steady; };
	auto log = AuditLog::open(f.log, f.key, options, error);
	ASSERT_TRUE(log) << error;
	for (uint64_t i = 1; i <= 6; i++) // open + 3 decisions -> checkpoint at seq 5; then 3 more
		ASSERT_NE(log->append(decision(i), error), 0u) << error;
	EXPECT_EQ(log->stats().checkpoints, 1u);
	ASSERT_TRUE(log->tick(error)) << error;
	EXPECT_EQ(log->stats().checkpoints, 1u); // no time has passed
	steady += 1000000000ull;
	ASSERT_TRUE(log->tick(error)) << error;
	EXPECT_EQ(log->stats().checkpoints, 2u);
	steady += 5000000000ull;
	ASSERT_TRUE(log->tick(error)) << error;
	EXPECT_EQ(log->stats().checkpoints, 2u); // nothing new to checkpoint
	ASSERT_TRUE(log->close(error)) << error;

	std::vector<std::string> checkpoints;
	for (const Seen &s : read_back(f))
		if (s.record.kind == RecordKind::checkpoint)
			checkpoints.push_back(std::to_string(s.record.seq) + ":" + s.record.reason + ":" + s.record.observed.at("count"));
	EXPECT_EQ(checkpoints, (std::vector<std::string>{"5:records:4", "9:interval:8", "10:close:9"}));
}

TEST(AuditLog, FsyncPolicyDecidesWhenLogAndHeadAreSynced)
{
	struct Case {
		std::string policy;
		uint64_t syncs_after_12; // a new log's first record is synced apart from these
		uint64_t head_after_12;
	};
	for (const Case &c : {Case{"always", 12, 12}, Case{"every 4", 3, 3}, Case{"never", 0, 0}}) {
		ScratchDir dir;
		std::string error;
		LogOptions options = quiet_options();
		ASSERT_TRUE(FsyncPolicy::parse(c.policy, options.fsync, error)) << error;
		EXPECT_EQ(options.fsync.to_string(), c.policy);
		auto log = AuditLog::open(dir.path("log"), dir.path("key"), options, error);
		ASSERT_TRUE(log) << error;
		for (uint64_t i = 1; i <= 12; i++)
			ASSERT_NE(log->append(decision(i), error), 0u) << error;
		EXPECT_EQ(log->stats().log_syncs, c.syncs_after_12) << c.policy;
		EXPECT_EQ(log->stats().head_updates, c.head_after_12) << c.policy;
		LogFixture f{dir.path("log"), dir.path("key"), 0};
		VerifyReport running = verify(f);
		EXPECT_EQ(running.head_seq, c.policy == "always" ? 13u : c.policy == "every 4" ? 13u : 1u) << c.policy;
		EXPECT_TRUE(running.ok()) << describe(running); // a head behind the log is fine
		ASSERT_TRUE(log->close(error)) << error;
		EXPECT_EQ(verify(f).head_seq, 14u) << c.policy;
	}
}

TEST(AuditLog, IntervalPolicySyncsOnceARecordIsOlderThanTheInterval)
{
	ScratchDir dir;
	std::string error;
	LogOptions options = quiet_options();
	ASSERT_TRUE(FsyncPolicy::parse("interval 50", options.fsync, error));
	uint64_t steady = 0;
	options.steady_clock_ns = [&] { return steady; };
	auto log = AuditLog::open(dir.path("log"), dir.path("key"), options, error);
	ASSERT_TRUE(log) << error;
	uint64_t base = log->stats().log_syncs;
	ASSERT_NE(log->append(decision(1), error), 0u);
	steady += 49000000;
	ASSERT_NE(log->append(decision(2), error), 0u);
	EXPECT_EQ(log->stats().log_syncs, base);
	steady += 1000000;
	ASSERT_TRUE(log->tick(error)) << error;
	EXPECT_EQ(log->stats().log_syncs, base + 1);
}

TEST(AuditLog, FsyncPolicyParseNamesTheBadText)
{
	FsyncPolicy p;
	std::string error;
	for (const char *bad : {"sometimes", "every", "every 0", "every x", "interval", "always 3"}) {
		EXPECT_FALSE(FsyncPolicy::parse(bad, p, error)) << bad;
		EXPECT_NE(error.find(std::string("'") + bad + "'"), std::string::npos) << error;
	}
}

TEST(AuditLog, ReopenResumesTheChainAndRecordsTheRestart)
{
	ScratchDir dir;
	LogFixture f = make_log(dir, 3);
	std::string error;
	auto log = AuditLog::open(f.log, f.key, quiet_options(), error);
	ASSERT_TRUE(log) << error;
	EXPECT_FALSE(log->open_report().created);
	EXPECT_EQ(log->open_report().resumed_after_seq, f.last_seq);
	EXPECT_EQ(log->open_report().torn_bytes, 0u);
	EXPECT_EQ(log->last_seq(), f.last_seq + 1); // its "open" record
	EXPECT_EQ(log->append(decision(4), error), f.last_seq + 2) << error;
	ASSERT_TRUE(log->close(error)) << error;
	VerifyReport report = verify(f);
	EXPECT_TRUE(report.ok()) << describe(report);
	EXPECT_TRUE(report.notices.empty()) << describe(report); // a clean close, then a clean restart
	EXPECT_EQ(report.last_seq, f.last_seq + 3);
}

TEST(AuditLog, OnlyOneWriterAtATime)
{
	ScratchDir dir;
	std::string error;
	auto first = AuditLog::open(dir.path("log"), dir.path("key"), quiet_options(), error);
	ASSERT_TRUE(first) << error;
	EXPECT_FALSE(AuditLog::open(dir.path("log"), dir.path("key"), quiet_options(), error));
	EXPECT_NE(error.find("another writer has the log open"), std::string::npos) << error;
}

TEST(AuditLog, OpenRefusesALogItCannotContinueSafely)
{
	ScratchDir dir;
	LogFixture f = make_log(dir, 5);
	std::string error;
	std::string log_text = read_file(f.log), head_text = read_file(f.log + ".head");

	// Log gone, head still there: a deleted log is not silently replaced by a new chain.
	std::filesystem::rename(f.log, dir.path("moved"));
	EXPECT_FALSE(AuditLog::open(f.log, f.key, quiet_options(), error));
	EXPECT_NE(error.find("log is missing but its head file"), std::string::npos) << error;
	std::filesystem::rename(dir.path("moved"), f.log);

	// Cut while the writer was down: the head knows more.
	std::vector<std::string> lines = read_lines(f.log);
	lines.pop_back();
	write_lines(f.log, lines);
	EXPECT_FALSE(AuditLog::open(f.log, f.key, quiet_options(), error));
	EXPECT_NE(error.find("log ends at seq " + std::to_string(f.last_seq - 1) + " but its head file says seq " +
			     std::to_string(f.last_seq)),
		  std::string::npos)
		<< error;
	write_file(f.log, log_text);

	// Head deleted: a later cut could not be noticed.
	std::filesystem::remove(f.log + ".head");
	EXPECT_FALSE(AuditLog::open(f.log, f.key, quiet_options(), error));
	EXPECT_NE(error.find("is missing"), std::string::npos) << error;
	write_file(f.log + ".head", head_text);

	// Another key: nothing authenticates.
	ASSERT_TRUE(create_key_file(dir.path("other-key"), error)) << error;
	EXPECT_FALSE(AuditLog::open(f.log, dir.path("other-key"), quiet_options(), error));
	EXPECT_NE(error.find("head file"), std::string::npos) << error;

	// The last record edited.
	lines = read_lines(f.log);
	lines.back() = edit_record(lines.back(), [](Record &r) { r.reason = "forged"; });
	write_lines(f.log, lines);
	EXPECT_FALSE(AuditLog::open(f.log, f.key, quiet_options(), error));
	EXPECT_NE(error.find("HMAC mismatch"), std::string::npos) << error;
	write_file(f.log, log_text);

	EXPECT_TRUE(AuditLog::open(f.log, f.key, quiet_options(), error)) << error;
}


TEST(AuditLog, DeferredRecordsAreWrittenTogetherAndChainLikeAppendedOnes)
{
	ScratchDir dir;
	LogFixture f{dir.path("log"), dir.path("key"), 0};
	std::string error;
	auto log = AuditLog::open(f.log, f.key, quiet_options(), error);
	ASSERT_TRUE(log) << error;
	const size_t lines_before = read_lines(f.log).size();
	for (uint64_t i = 1; i <= 5; i++)
		EXPECT_EQ(log->append_deferred(decision(i), error), i + 1) << error;
	EXPECT_TRUE(log->has_deferred());
	EXPECT_EQ(read_lines(f.log).size(), lines_before); // nothing written yet
	ASSERT_TRUE(log->flush(error)) << error;
	EXPECT_FALSE(log->has_deferred());
	EXPECT_EQ(read_lines(f.log).size(), lines_before + 5);
	EXPECT_EQ(log->append_deferred(decision(6), error), 7u);
	EXPECT_EQ(log->append(decision(7), error), 8u) << error; // writes the deferred one first, in order
	EXPECT_EQ(read_lines(f.log).size(), lines_before + 7);
	EXPECT_EQ(log->append_deferred(decision(8), error), 9u);
	ASSERT_TRUE(log->close(error)) << error; // a close writes what was deferred
	VerifyReport report;
	std::vector<Seen> seen = read_back(f, &report);
	EXPECT_TRUE(report.ok()) << describe(report);
	ASSERT_EQ(seen.size(), 10u); // open, 8 decisions, close
	for (uint64_t i = 1; i <= 8; i++)
		EXPECT_EQ(seen[i].record.proposal, decision(i).proposal);
}

TEST(AuditLog, AFailedWriteOfDeferredRecordsRollsTheChainBackToTheFile)
{
	ScratchDir dir;
	LogFixture f{dir.path("log"), dir.path("key"), 0};
	std::string error;
	auto log = AuditLog::open(f.log, f.key, quiet_options(), error);
	ASSERT_TRUE(log) << error;
	ASSERT_EQ(log->append(decision(1), error), 2u) << error;
	const uint64_t size = std::filesystem::file_size(f.log);
	for (uint64_t i = 2; i <= 4; i++)
		EXPECT_EQ(log->append_deferred(decision(i), error), i + 1) << error;
	// The file may not grow: the write of the deferred lines fails (EFBIG), as on a full disk.
	auto old_handler = signal(SIGXFSZ, SIG_IGN);
	rlimit old_limit;
	getrlimit(RLIMIT_FSIZE, &old_limit);
	rlimit limit = old_limit;
	limit.rlim_cur = size;
	setrlimit(RLIMIT_FSIZE, &limit);
	bool flushed = log->flush(error);
	setrlimit(RLIMIT_FSIZE, &old_limit);
	signal(SIGXFSZ, old_handler);
	EXPECT_FALSE(flushed);
	EXPECT_NE(error.find("cannot write record"), std::string::npos) << error;
	EXPECT_EQ(log->last_seq(), 2u); // the lost records never were: the next one follows the file
	EXPECT_EQ(std::filesystem::file_size(f.log), size);
	EXPECT_EQ(log->append(decision(5), error), 3u) << error;
	ASSERT_TRUE(log->close(error)) << error;
	VerifyReport report;
	std::vector<Seen> seen = read_back(f, &report);
	EXPECT_TRUE(report.ok()) << describe(report);
	ASSERT_EQ(seen.size(), 4u);
	EXPECT_EQ(seen[2].record.proposal, decision(5).proposal);
}

} // namespace
} // namespace tripath::audit::test
