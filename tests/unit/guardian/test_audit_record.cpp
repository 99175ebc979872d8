// Decisions and actions as audit records: valid for lib/audit, scoped for tenant export.
#include "guardian_test.h"

#include <tripath/audit/export.h>
#include <tripath/audit/log.h>
#include <tripath/guardian/audit_record.h>

#include <filesystem>
#include <fstream>

namespace tripath::guardian::test {
namespace {

TEST(GuardianAudit, DecisionRecord)
{
	Guardian g(lab());
	Decision d = g.decide(parse(R"({"kind":"set_meter","tenant":"beta","path":"fast","pps":5000})", Proposer::client("bot-1", {"beta"})), calm(), 0);
	ASSERT_EQ(d.verdict, Verdict::clamp);
	audit::Record r = make_record(d, calm());
	EXPECT_EQ(audit::check_fields(r), "");
	EXPECT_EQ(r.proposer, "client:bot-1");
	EXPECT_EQ(r.tenants, std::vector<std::string>{"beta"});
	EXPECT_EQ(r.decision, "CLAMP");
	EXPECT_EQ(r.reason, "magnitude.limit");
	EXPECT_EQ(r.proposal, R"({"kind":"set_meter","path":"fast","pps":5000,"tenant":"beta"})");
	EXPECT_EQ(r.observed.at("effective"), R"({"kind":"set_meter","path":"fast","pps":16000,"tenant":"beta"})");
	EXPECT_EQ(r.observed.at("tenant/beta/fast_p99_us"), "400");
	EXPECT_EQ(r.observed.at("tenant/beta/fast_pps_meter"), "20000");
	EXPECT_EQ(r.observed.count("tenant/acme/fast_p99_us"), 0u); // not this record's tenant
	EXPECT_EQ(r.diff, "tenant/beta/meter fast: pps 20000 -> 16000");
	EXPECT_NE(r.observed.at("detail").find("pps 5000 -> 16000"), std::string::npos);
}

TEST(GuardianAudit, LongDetailFitsTheLog)
{
	Guardian g(lab());
	// A connectivity refusal's words carry an example packet: longer than an observed value may be.
	Decision d = g.decide(parse(R"({"kind":"promote_flow","flow":{"src":"10.1.0.7","proto":"udp","dst_port":53},"endpoint":"agent0","tenant":"acme","name":"hot-dns-flow-of-acme-promoted-by-its-scheduler-0001"})",
				    Proposer::client("bot", {"acme"})), calm(), 0);
	ASSERT_EQ(d.reason, Reason::connectivity_protected);
	ASSERT_GT(d.detail.size(), 256u);
	audit::Record r = make_record(d, calm());
	EXPECT_EQ(audit::check_fields(r), "");
	EXPECT_EQ(r.observed.at("detail").size(), 256u);
	EXPECT_EQ(r.observed.at("detail").substr(0, 40), d.detail.substr(0, 40));
}

TEST(GuardianAudit, SharedRecordKeepsDetailFromExport)
{
	Guardian g(lab());
	// acme's client on beta's rule: both tenants, and the words name beta.
	Decision d = g.decide(parse(R"({"kind":"move_rule","rule":"beta-web","path":"fast","endpoint":"agent0"})", Proposer::client("bot", {"acme"})), calm(), 0);
	audit::Record r = make_record(d, calm());
	EXPECT_EQ(audit::check_fields(r), "");
	EXPECT_EQ(r.tenants, (std::vector<std::string>{"acme", "beta"}));
	EXPECT_EQ(r.reason, "isolation.scope");
	EXPECT_EQ(r.observed.count("detail"), 0u);
	EXPECT_EQ(r.diff.rfind("detail: rule 'beta-web' belongs to tenant 'beta'", 0), 0u) << r.diff;
}

TEST(GuardianAudit, ActionsAndTheLog)
{
	std::filesystem::path dir = std::filesystem::temp_directory_path() / ("guardian-audit-" + std::to_string(::getpid()));
	std::filesystem::create_directories(dir);
	audit::LogOptions o;
	std::string error;
	ASSERT_TRUE(audit::FsyncPolicy::parse("never", o.fsync, error));
	o.create_key = true;
	auto log = audit::AuditLog::open((dir / "audit.log").string(), (dir / "audit.key").string(), o, error);
	ASSERT_TRUE(log) << error;

	Guardian g(lab());
	g.observe(calm(), 0);
	Decision d = g.decide(parse(R"({"kind":"move_rule","rule":"acme-rpc","path":"fast","endpoint":"agent0"})"), calm(), 0);
	ASSERT_NE(log->append(make_record(d, calm()), error), 0u) << error;
	g.commit(d, 0);
	ObservedState worse = calm();
	worse.tenants["acme"].fast_p99_us = 900;
	auto actions = g.observe(worse, 10 * ms);
	ASSERT_EQ(actions.size(), 1u);
	audit::Record r = make_record(actions[0], worse);
	EXPECT_EQ(r.decision, "ROLLBACK");
	EXPECT_EQ(r.reason, "canary.regression");
	EXPECT_EQ(r.proposer, "policy");
	EXPECT_EQ(r.tenants, std::vector<std::string>{"acme"});
	EXPECT_EQ(r.diff, "tenant/acme/rule acme-rpc: path fast agent0 -> kernel");
	ASSERT_NE(log->append(r, error), 0u) << error;
	Action f = g.enter_failsafe(Reason::failsafe_operator, "by hand", 20 * ms);
	ASSERT_NE(log->append(make_record(f, calm()), error), 0u) << error;
	EXPECT_EQ(log->last_seq(), 4u); // open + three
	ASSERT_TRUE(log->close(error)) << error;
	std::filesystem::remove_all(dir);
}

} // namespace
} // namespace tripath::guardian::test
