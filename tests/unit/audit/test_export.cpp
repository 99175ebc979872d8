// A tenant sees its own records only, and nothing of another tenant in a record they share.
#include <gtest/gtest.h>

#include <tripath/audit/export.h>
#include <tripath/audit/log.h>

#include "audit_test_util.h"

namespace tripath::audit::test {
namespace {

class Export : public ::testing::Test {
protected:
	void SetUp() override
	{
		f_ = {dir_.path("log"), dir_.path("key"), 0};
		std::string error;
		auto log = AuditLog::open(f_.log, f_.key, quiet_options(3), error);
		ASSERT_TRUE(log) << error;
		Record acme_only;
		acme_only.proposer = "client:acme-agent";
		acme_only.tenants = {"acme"};
		acme_only.proposal = "{\"promote\":\"acme-flow\"}";
		acme_only.observed = {{"tenant/acme/fast_p99_us", "410"}, {"tenant/beta/fast_p99_us", "beta-secret-1"},
				      {"path_a_share", "0.4"}};
		acme_only.decision = "APPROVE";
		acme_only.reason = "ok";
		acme_only.diff = "tenant/acme/rule 3: path A -> B\ntenant/beta/rule 9: beta-secret-2";
		acme_seq_ = log->append(acme_only, error);

		Record beta_only = acme_only;
		beta_only.proposer = "client:beta-agent";
		beta_only.tenants = {"beta"};
		beta_only.proposal = "beta-secret-3";
		beta_only.observed = {{"tenant/beta/fast_p99_us", "beta-secret-4"}};
		beta_only.diff = "tenant/beta/rule 9: beta-secret-5";
		beta_seq_ = log->append(beta_only, error);

		Record shared;
		shared.proposer = "client:beta-agent";
		shared.tenants = {"beta", "acme"};
		shared.proposal = "{\"cut_meter\":\"acme\",\"by\":\"beta-secret-6\"}";
		shared.observed = {{"tenant/acme/rate_mbps", "900"}, {"tenant/beta/rate_mbps", "beta-secret-7"},
				   {"link_util", "0.97"}};
		shared.decision = "REJECT";
		shared.reason = "isolation.scope";
		shared.diff = "tenant/acme/meter: unchanged\ntenant/beta/meter: beta-secret-8\nglobal: beta-secret-9";
		shared_seq_ = log->append(shared, error);

		Record operator_only = acme_only;
		operator_only.proposer = "operator";
		operator_only.tenants = {};
		operator_only.proposal = "operator-secret";
		log->append(operator_only, error);
		ASSERT_TRUE(log->close(error)) << error;
	}

	ScratchDir dir_;
	LogFixture f_;
	uint64_t acme_seq_ = 0, beta_seq_ = 0, shared_seq_ = 0;
};

TEST_F(Export, ShowsOnlyTheTenantsRecords)
{
	ExportResult acme = export_tenant(f_.log, load(f_.key), "acme");
	EXPECT_TRUE(acme.report.ok()) << describe(acme.report);
	ASSERT_EQ(acme.lines.size(), 2u);
	EXPECT_TRUE(acme.lines[0].starts_with("{\"seq\":" + std::to_string(acme_seq_) + ",")) << acme.lines[0];
	EXPECT_TRUE(acme.lines[1].starts_with("{\"seq\":" + std::to_string(shared_seq_) + ",")) << acme.lines[1];

	ExportResult beta = export_tenant(f_.log, load(f_.key), "beta");
	ASSERT_EQ(beta.lines.size(), 2u);
	EXPECT_TRUE(beta.lines[0].starts_with("{\"seq\":" + std::to_string(beta_seq_) + ",")) << beta.lines[0];

	EXPECT_TRUE(export_tenant(f_.log, load(f_.key), "gamma").lines.empty());
}

TEST_F(Export, NeverLeaksAnotherTenantsData)
{
	ExportResult acme = export_tenant(f_.log, load(f_.key), "acme");
	std::string all;
	for (const auto &line : acme.lines)
		all += line + "\n";
	for (const char *secret : {"beta", "operator-secret"})
		EXPECT_EQ(all.find(secret), std::string::npos) << secret << " in:\n" << all;

	// Its own record, whole but for another tenant's keys and diff lines.
	EXPECT_NE(acme.lines[0].find("\"tenant\":\"acme\",\"shared\":false,\"proposer\":\"client:acme-agent\","
				     "\"proposal\":\"{\\\"promote\\\":\\\"acme-flow\\\"}\","
				     "\"observed\":{\"path_a_share\":\"0.4\",\"tenant/acme/fast_p99_us\":\"410\"},"
				     "\"decision\":\"APPROVE\",\"reason\":\"ok\",\"diff\":\"tenant/acme/rule 3: path A -> B\""),
		  std::string::npos)
		<< acme.lines[0];
	// The shared record: the client's id, the proposal and unscoped diff lines are withheld.
	EXPECT_NE(acme.lines[1].find("\"tenant\":\"acme\",\"shared\":true,\"proposer\":\"client\","
				     "\"proposal\":\"[redacted: shared with other tenants]\","
				     "\"observed\":{\"link_util\":\"0.97\",\"tenant/acme/rate_mbps\":\"900\"},"
				     "\"decision\":\"REJECT\",\"reason\":\"isolation.scope\",\"diff\":\"tenant/acme/meter: unchanged\""),
		  std::string::npos)
		<< acme.lines[1];
}

TEST_F(Export, ExportsOnlyAuthenticRecordsAndReportsTheRest)
{
	std::vector<std::string> lines = read_lines(f_.log);
	lines[acme_seq_ - 1] = edit_record(lines[acme_seq_ - 1], [](Record &r) { r.decision = "CLAMP"; });
	write_lines(f_.log, lines);
	ExportResult acme = export_tenant(f_.log, load(f_.key), "acme");
	EXPECT_EQ(summarize(acme.report.problems),
		  std::vector<std::string>{"edited seq " + std::to_string(acme_seq_) + " line " + std::to_string(acme_seq_)});
	ASSERT_EQ(acme.lines.size(), 1u);
	EXPECT_TRUE(acme.lines[0].starts_with("{\"seq\":" + std::to_string(shared_seq_) + ","));
}

} // namespace
} // namespace tripath::audit::test
