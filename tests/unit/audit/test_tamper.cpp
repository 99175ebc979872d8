// Every kind of tampering, made the way an attacker without the key would, is detected by
// verify and named by record (seq) and line.
#include <gtest/gtest.h>

#include <tripath/audit/log.h>
#include <tripath/audit/verify.h>

#include "audit_test_util.h"

namespace tripath::audit::test {
namespace {

using Findings = std::vector<std::string>;

// open(1), decisions 2-4, checkpoint 5, decisions 6-9, checkpoint 10, decisions 11-13, close 14.
class Tamper : public ::testing::Test {
protected:
	void SetUp() override
	{
		f_ = make_log(dir_, 10, 4);
		ASSERT_EQ(f_.last_seq, 14u);
		original_ = read_lines(f_.log);
		ASSERT_EQ(original_.size(), 14u);
	}
	VerifyReport check(const std::vector<std::string> &lines, VerifyOptions options = {})
	{
		write_lines(f_.log, lines);
		return verify(f_, options);
	}
	Findings problems(const std::vector<std::string> &lines) { return summarize(check(lines).problems); }
	const std::string &line(uint64_t seq) const { return original_.at(seq - 1); }

	ScratchDir dir_;
	LogFixture f_;
	std::vector<std::string> original_;
};

TEST_F(Tamper, IntactLogHasNoProblems)
{
	VerifyReport r = check(original_);
	EXPECT_TRUE(r.ok()) << describe(r);
	EXPECT_TRUE(r.notices.empty()) << describe(r);
	EXPECT_EQ(r.records, 14u);
	EXPECT_TRUE(r.closed);
}

TEST_F(Tamper, EditingAnyFieldIsAnHmacMismatchAtThatRecord)
{
	const std::vector<std::pair<std::string, std::function<void(Record &)>>> edits = {
		{"seq", [](Record &r) { r.seq = 99; }},
		{"time_ns", [](Record &r) { r.time_ns += 1; }},
		{"kind", [](Record &r) { r.kind = RecordKind::recovery; }},
		{"proposer", [](Record &r) { r.proposer = "operator"; }},
		{"tenants: added", [](Record &r) { r.tenants.push_back("beta"); }},
		{"tenants: removed", [](Record &r) { r.tenants.clear(); }},
		{"proposal", [](Record &r) { r.proposal += " "; }},
		{"observed: value", [](Record &r) { r.observed["path_a_pps"] = "1"; }},
		{"observed: key added", [](Record &r) { r.observed["x"] = "1"; }},
		{"decision", [](Record &r) { r.decision = "APPROVE" == r.decision ? "REJECT" : "APPROVE"; }},
		{"reason", [](Record &r) { r.reason = "ok2"; }},
		{"diff", [](Record &r) { r.diff = "rule 1: path A -> C"; }},
		{"prev", [](Record &r) { r.prev[0] = r.prev[0] == '0' ? '1' : '0'; }},
	};
	for (const auto &[what, edit] : edits) {
		std::vector<std::string> lines = original_;
		lines[5] = edit_record(lines[5], edit);
		ASSERT_NE(lines[5], original_[5]) << what;
		EXPECT_EQ(problems(lines), Findings{"edited seq 6 line 6"}) << what;
	}
	// The MAC itself, a checkpoint, the opening record, and bytes that no longer parse.
	std::vector<std::string> lines = original_;
	char &mac = lines[5][lines[5].size() - 3];
	mac = mac == 'a' ? 'b' : 'a';
	EXPECT_EQ(problems(lines), Findings{"edited seq 6 line 6"}) << "hmac";
	lines = original_;
	lines[9] = edit_record(lines[9], [](Record &r) { r.observed["count"] = "3"; });
	EXPECT_EQ(problems(lines), Findings{"edited seq 10 line 10"}) << "checkpoint";
	lines = original_;
	lines[0] = edit_record(lines[0], [](Record &r) { r.observed["log_id"] = std::string(32, '0'); });
	EXPECT_EQ(problems(lines), Findings{"edited seq 1 line 1"}) << "open record";
	lines = original_;
	lines[5].replace(lines[5].find("\"kind\""), 6, "\"kinx\"");
	VerifyReport r = check(lines);
	EXPECT_EQ(summarize(r.problems), Findings{"edited seq 6 line 6"}) << "unparseable";
	EXPECT_NE(r.problems.at(0).message.find("not a valid record"), std::string::npos);
	EXPECT_EQ(format_finding("audit.log", r.problems.at(0)).substr(0, 28), "audit.log:6: edited: seq 6: ");
}

TEST_F(Tamper, DeletingRecordsNamesTheMissingSeqs)
{
	std::vector<std::string> lines = original_;
	lines.erase(lines.begin() + 5);
	VerifyReport r = check(lines);
	EXPECT_EQ(summarize(r.problems), Findings{"deleted seq 6 line 6"});
	EXPECT_NE(r.problems.at(0).message.find("seq 6 missing between seq 5 (line 5) and seq 7 (line 6)"), std::string::npos)
		<< r.problems.at(0).message;

	lines = original_;
	lines.erase(lines.begin() + 5, lines.begin() + 8);
	r = check(lines);
	EXPECT_EQ(summarize(r.problems), Findings{"deleted seq 6 line 6"});
	EXPECT_NE(r.problems.at(0).message.find("seq 6-8 missing"), std::string::npos) << r.problems.at(0).message;

	lines = original_;
	lines.erase(lines.begin());
	r = check(lines);
	EXPECT_EQ(summarize(r.problems), Findings{"deleted seq 1 line 1"});
	EXPECT_NE(r.problems.at(0).message.find("start of the log was deleted"), std::string::npos);
}

TEST_F(Tamper, ReorderedRecordsAreNamed)
{
	std::vector<std::string> lines = original_;
	std::swap(lines[5], lines[6]); // seq 7 now before seq 6
	VerifyReport r = check(lines);
	EXPECT_EQ(summarize(r.problems), Findings{"reordered seq 7 line 6"}) << describe(r);
	EXPECT_NE(r.problems.at(0).message.find("after seq 5 (line 5) and before seq 6 (line 7)"), std::string::npos)
		<< r.problems.at(0).message;

	lines = original_;
	std::swap(lines[2], lines[10]);
	EXPECT_EQ(problems(lines), (Findings{"reordered seq 11 line 3", "reordered seq 3 line 11"}));

	lines = original_;
	std::rotate(lines.begin() + 2, lines.begin() + 3, lines.begin() + 9); // seq 3 moved to line 9
	EXPECT_EQ(problems(lines), Findings{"reordered seq 3 line 9"});
}

TEST_F(Tamper, InsertedForgeriesAreNotPartOfTheChain)
{
	// An edited copy of a real record, and a record made with a key the attacker invented.
	std::vector<std::string> lines = original_;
	lines.insert(lines.begin() + 6, edit_record(line(6), [](Record &r) { r.decision = "CLAMP"; }));
	VerifyReport r = check(lines);
	EXPECT_EQ(summarize(r.problems), Findings{"inserted seq 6 line 7"}) << describe(r);
	EXPECT_NE(r.problems.at(0).message.find("not part of the chain after seq 6 (line 6) and before seq 7 (line 8)"),
		  std::string::npos)
		<< r.problems.at(0).message;

	std::array<uint8_t, 32> secret{};
	secret.fill(7);
	Key attacker = Key::from_secret(secret);
	ParsedLine parsed;
	std::string error;
	ASSERT_TRUE(parse_record_line(line(7), parsed, error));
	Record forged = parsed.record;
	forged.decision = "APPROVE";
	forged.diff = "rule 1: path A -> B (forged)";
	std::string canonical = canonical_bytes(forged);
	lines = original_;
	lines.insert(lines.begin() + 6, record_line(canonical, attacker.record_mac(canonical)));
	EXPECT_EQ(problems(lines), Findings{"inserted seq 7 line 7"});

	lines = original_;
	lines.insert(lines.begin(), "{\"seq\":0}");
	EXPECT_EQ(problems(lines), Findings{"inserted seq 0 line 1"});
}

TEST_F(Tamper, ACopiedRecordIsADuplicate)
{
	std::vector<std::string> lines = original_;
	lines.insert(lines.begin() + 9, line(6));
	VerifyReport r = check(lines);
	EXPECT_EQ(summarize(r.problems), Findings{"duplicated seq 6 line 10"}) << describe(r);
	EXPECT_NE(r.problems.at(0).message.find("a copy of line 6"), std::string::npos);
}

TEST_F(Tamper, TruncatedTailIsCaughtByTheHeadFile)
{
	// Right after a checkpoint, and between two checkpoints.
	for (size_t keep : {10u, 7u}) {
		std::vector<std::string> lines(original_.begin(), original_.begin() + long(keep));
		VerifyReport r = check(lines);
		EXPECT_EQ(summarize(r.problems), Findings{"truncated seq " + std::to_string(keep + 1) + " line 0"}) << describe(r);
		EXPECT_NE(r.problems.at(0).message.find("log ends at seq " + std::to_string(keep) + " but head file " + f_.log +
							".head says seq 14: seq " + std::to_string(keep + 1) + "-14 missing"),
			  std::string::npos)
			<< r.problems.at(0).message;
		EXPECT_FALSE(r.closed);
	}
	// Cut and the closing checkpoint edited in between: both named.
	std::vector<std::string> lines(original_.begin(), original_.begin() + 12);
	lines.push_back(edit_record(line(13), [](Record &rec) { rec.reason = "x"; }));
	EXPECT_EQ(problems(lines), (Findings{"edited seq 13 line 13", "truncated seq 14 line 0"}));
}

TEST_F(Tamper, WithoutTheHeadFileATruncationCannotBeSeen)
{
	std::filesystem::remove(f_.log + ".head");
	std::vector<std::string> lines(original_.begin(), original_.begin() + 7);
	EXPECT_EQ(problems(lines), Findings{"head-missing seq 0 line 0"});
	VerifyOptions no_head;
	no_head.require_head = false;
	VerifyReport r = check(lines, no_head);
	EXPECT_TRUE(r.ok()) << describe(r); // the limit doc/guardian-audit.md states
	EXPECT_EQ(summarize(r.notices), Findings{"not-closed seq 7 line 7"});
}

TEST_F(Tamper, HeadFileEditedOrSwappedForAnotherLogsIsRefused)
{
	std::string head = read_file(f_.log + ".head");
	std::string edited = head;
	for (size_t at = edited.find("\"seq\":"); at != std::string::npos; at = edited.find("\"seq\":", at + 1))
		edited[at + 6] = '9'; // both slots
	write_file(f_.log + ".head", edited);
	EXPECT_EQ(problems(original_), Findings{"head-invalid seq 0 line 0"});

	ScratchDir other_dir;
	LogFixture other = make_log(other_dir, 10, 4);
	std::filesystem::copy_file(f_.key, other.key, std::filesystem::copy_options::overwrite_existing);
	LogFixture same_key{other_dir.path("log2"), other.key, 0};
	std::string error;
	ASSERT_TRUE(AuditLog::open(same_key.log, same_key.key, quiet_options(4), error)) << error;
	write_file(f_.log + ".head", read_file(same_key.log + ".head"));
	VerifyReport r = check(original_);
	ASSERT_FALSE(r.problems.empty());
	for (const Finding &finding : r.problems)
		EXPECT_EQ(finding.kind, FindingKind::head_mismatch) << describe(r);
	EXPECT_NE(r.problems.back().message.find("belongs to log"), std::string::npos) << describe(r);
}

TEST_F(Tamper, ARecordFromAnotherLogWithTheSameKeyBreaksTheChain)
{
	ScratchDir other_dir;
	std::filesystem::copy_file(f_.key, other_dir.path("key"));
	LogFixture other = make_log(other_dir, 10, 4);
	std::vector<std::string> lines = original_;
	lines[5] = read_lines(other.log)[5];
	EXPECT_EQ(problems(lines), (Findings{"chain-break seq 6 line 6", "chain-break seq 7 line 7"}));
}

TEST_F(Tamper, ReplayOfAnOlderCopyOfTheLog)
{
	std::string old_log = read_file(f_.log), old_head = read_file(f_.log + ".head");
	std::string error;
	{
		auto log = AuditLog::open(f_.log, f_.key, quiet_options(4), error);
		ASSERT_TRUE(log) << error;
		for (uint64_t i = 11; i <= 15; i++)
			ASSERT_NE(log->append(decision(i), error), 0u) << error;
		ASSERT_TRUE(log->close(error)) << error;
	}
	VerifyReport now = verify(f_);
	ASSERT_TRUE(now.ok()) << describe(now);
	Anchor anchor{now.last_seq, now.last_hash};

	// The old log put back, the head left alone: the head knows the log went further.
	write_file(f_.log, old_log);
	VerifyReport r = verify(f_);
	EXPECT_EQ(summarize(r.problems), Findings{"truncated seq 15 line 0"}) << describe(r);
	EXPECT_FALSE(AuditLog::open(f_.log, f_.key, quiet_options(4), error));
	EXPECT_NE(error.find("older copy"), std::string::npos) << error;

	// Old log and old head together are consistent: only an anchor kept elsewhere tells.
	write_file(f_.log + ".head", old_head);
	EXPECT_TRUE(verify(f_).ok());
	VerifyOptions anchored;
	anchored.anchors = {anchor};
	r = verify(f_, anchored);
	EXPECT_EQ(summarize(r.problems), Findings{"anchor-mismatch seq " + std::to_string(anchor.seq) + " line 0"});
	EXPECT_NE(r.problems.at(0).message.find("past the end of the log (seq 14)"), std::string::npos);
}

TEST_F(Tamper, WrongKeyFailsEveryRecordAndTheHead)
{
	ScratchDir other;
	std::string error;
	ASSERT_TRUE(create_key_file(other.path("key"), error)) << error;
	Key wrong = load(other.path("key"));
	VerifyReport r = verify_log(f_.log, wrong);
	Findings want;
	for (uint64_t seq = 1; seq <= 14; seq++)
		want.push_back("edited seq " + std::to_string(seq) + " line " + std::to_string(seq));
	want.push_back("head-invalid seq 0 line 0");
	EXPECT_EQ(summarize(r.problems), want);
	EXPECT_EQ(r.records, 0u);
}

TEST_F(Tamper, SeveralTamperingsAreEachNamed)
{
	std::vector<std::string> lines = original_;
	lines[3] = edit_record(lines[3], [](Record &r) { r.decision = "APPROVE"; r.reason = "ok"; });
	lines.erase(lines.begin() + 8);   // seq 9
	std::swap(lines[10], lines[11]); // seq 13 and 12 (after the deletion)
	EXPECT_EQ(problems(lines), (Findings{"edited seq 4 line 4", "deleted seq 9 line 9", "reordered seq 13 line 11"}));
}

} // namespace
} // namespace tripath::audit::test
