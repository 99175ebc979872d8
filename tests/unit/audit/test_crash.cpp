// Crashes: a torn last record is reported before the writer comes back, then cut, kept in a
// recovery record and named by verify; a killed writer leaves an intact log that says so.
#include <csignal>
#include <sys/wait.h>
#include <unistd.h>

#include <gtest/gtest.h>

#include <tripath/audit/log.h>
#include <tripath/audit/verify.h>

#include "audit_test_util.h"

namespace tripath::audit::test {
namespace {

using Findings = std::vector<std::string>;

std::string hex(const std::string &bytes)
{
	static const char *digits = "0123456789abcdef";
	std::string out;
	for (unsigned char c : bytes) {
		out += digits[c >> 4];
		out += digits[c & 15];
	}
	return out;
}

// What the disk holds when the writer dies with 5 decisions written and `torn` half-written.
LogFixture crash_image(const ScratchDir &dir, const std::string &torn)
{
	LogFixture image{dir.path("crashed"), dir.path("key"), 0};
	std::string error;
	LogOptions options = quiet_options();
	options.fsync.mode = FsyncMode::always;
	auto log = AuditLog::open(dir.path("log"), image.key, options, error);
	EXPECT_TRUE(log) << error;
	for (uint64_t i = 1; i <= 5; i++)
		EXPECT_NE(log->append(decision(i), error), 0u) << error;
	image.last_seq = log->last_seq();
	write_file(image.log, read_file(dir.path("log")) + torn);
	write_file(image.log + ".head", read_file(dir.path("log.head")));
	return image;
}

TEST(AuditCrash, TornLastRecordIsReportedCutRecordedAndNamed)
{
	ScratchDir dir;
	std::string whole = record_line(canonical_bytes(decision(6)), std::string(64, 'c'));
	std::string torn = whole.substr(0, whole.size() / 2);
	LogFixture f = crash_image(dir, torn);
	ASSERT_EQ(f.last_seq, 6u);
	uint64_t good_size = read_file(f.log).size() - torn.size();

	VerifyReport before = verify(f);
	EXPECT_EQ(summarize(before.problems), Findings{"torn-tail seq 7 line 7"}) << describe(before);
	EXPECT_NE(before.problems.at(0).message.find("torn last record (" + std::to_string(torn.size()) + " bytes"),
		  std::string::npos);

	std::string error;
	auto log = AuditLog::open(f.log, f.key, quiet_options(), error);
	ASSERT_TRUE(log) << error;
	EXPECT_EQ(log->open_report().resumed_after_seq, 6u);
	EXPECT_EQ(log->open_report().torn_bytes, torn.size());
	EXPECT_EQ(log->open_report().torn_offset, good_size);
	EXPECT_EQ(log->open_report().recovery_seq, 7u);
	EXPECT_EQ(log->stats().torn_records_recovered, 1u);
	EXPECT_EQ(log->append(decision(7), error), 9u) << error; // recovery 7, open 8
	ASSERT_TRUE(log->close(error)) << error;

	VerifyReport after = verify(f);
	EXPECT_TRUE(after.ok()) << describe(after);
	EXPECT_EQ(summarize(after.notices), Findings{"torn-recovered seq 7 line 7"}) << describe(after);
	EXPECT_NE(after.notices.at(0).message.find(std::to_string(torn.size()) + " bytes at offset " + std::to_string(good_size)),
		  std::string::npos)
		<< after.notices.at(0).message;
	// The cut bytes are kept, authenticated, in the recovery record; every line is a record now.
	std::vector<std::string> lines = read_lines(f.log);
	ParsedLine recovery;
	ASSERT_TRUE(parse_record_line(lines.at(6), recovery, error)) << error;
	EXPECT_EQ(recovery.record.kind, RecordKind::recovery);
	EXPECT_EQ(recovery.record.diff, hex(torn));
	EXPECT_EQ(recovery.record.observed.at("torn_bytes"), std::to_string(torn.size()));
	for (const std::string &line : lines)
		EXPECT_TRUE(parse_record_line(line, recovery, error)) << line;
}

TEST(AuditCrash, ZeroFilledTailFromALostPageIsTornToo)
{
	ScratchDir dir;
	LogFixture f = crash_image(dir, std::string(4096, '\0'));
	EXPECT_EQ(summarize(verify(f).problems), Findings{"torn-tail seq 7 line 7"});
	std::string error;
	auto log = AuditLog::open(f.log, f.key, quiet_options(), error);
	ASSERT_TRUE(log) << error;
	EXPECT_EQ(log->open_report().torn_bytes, 4096u);
	ASSERT_TRUE(log->close(error)) << error;
	VerifyReport after = verify(f);
	EXPECT_TRUE(after.ok()) << describe(after);
	EXPECT_EQ(summarize(after.notices), Findings{"torn-recovered seq 7 line 7"});
}

TEST(AuditCrash, TornFirstRecordStartsTheLogAgain)
{
	ScratchDir dir;
	LogFixture f{dir.path("log"), dir.path("key"), 0};
	std::string error;
	ASSERT_TRUE(create_key_file(f.key, error)) << error;
	write_file(f.log, "{\"seq\":1,\"time_ns\":17637");
	auto log = AuditLog::open(f.log, f.key, quiet_options(), error);
	ASSERT_TRUE(log) << error;
	EXPECT_TRUE(log->open_report().created);
	EXPECT_EQ(log->open_report().recovery_seq, 2u);
	ASSERT_TRUE(log->close(error)) << error;
	VerifyReport after = verify(f);
	EXPECT_TRUE(after.ok()) << describe(after);
	EXPECT_EQ(summarize(after.notices), Findings{"torn-recovered seq 2 line 2"});
}

TEST(AuditCrash, KilledWriterLeavesAnIntactLogThatSaysItWasNotClosed)
{
	ScratchDir dir;
	LogFixture f{dir.path("log"), dir.path("key"), 0};
	pid_t child = fork();
	ASSERT_GE(child, 0);
	if (child == 0) {
		std::string error;
		LogOptions options = quiet_options(16);
		options.fsync.mode = FsyncMode::every_n;
		options.fsync.every_n = 8;
		auto log = AuditLog::open(f.log, f.key, options, error);
		for (uint64_t i = 1; log && i <= 50; i++)
			log->append(decision(i), error);
		raise(SIGKILL);
		_exit(1);
	}
	int status = 0;
	ASSERT_EQ(waitpid(child, &status, 0), child);
	ASSERT_TRUE(WIFSIGNALED(status));

	VerifyReport r = verify(f);
	EXPECT_TRUE(r.ok()) << describe(r);
	EXPECT_EQ(r.last_seq, 54u); // open + 50 decisions + 3 checkpoints
	EXPECT_EQ(summarize(r.notices), Findings{"not-closed seq 54 line 54"});
	EXPECT_EQ(r.head_seq, 51u); // synced every 8 records and at each checkpoint, the last at seq 51

	std::string error;
	auto log = AuditLog::open(f.log, f.key, quiet_options(), error);
	ASSERT_TRUE(log) << error;
	EXPECT_EQ(log->open_report().torn_bytes, 0u);
	ASSERT_TRUE(log->close(error)) << error;
	r = verify(f);
	EXPECT_TRUE(r.ok()) << describe(r);
	EXPECT_EQ(summarize(r.notices), Findings{"unclean-restart seq 55 line 55"});
}

} // namespace
} // namespace tripath::audit::test
