// count_passed: what the worker calls instead of police() when no tenant has a quota. It must
// count exactly what police() counts there, by tenant and path, and nothing for rule drops or
// packets of no tenant.
#include <vector>

#include <gtest/gtest.h>

#include "quota_fixtures.h"

namespace tripath::quota::test {
namespace {

using config::PathKind;

config::Config unmetered_config()
{
	config::Config cfg;
	cfg.tenants = {tenant("alpha"), tenant("beta")};
	return cfg;
}

struct Burst {
	std::vector<uint16_t> tenants;
	std::vector<classify::Verdict> verdicts;
	std::vector<uint32_t> bytes;

	void add(uint16_t t, PathKind path, uint32_t len)
	{
		tenants.push_back(t);
		verdicts.push_back(on(path, t));
		bytes.push_back(len);
	}
};

// alpha: 3 fast, 1 kernel, 1 rule drop; beta: 2 bulk; one packet of no tenant.
Burst mixed_burst()
{
	Burst b;
	b.add(0, PathKind::fast, 100);
	b.add(1, PathKind::bulk, 1500);
	b.add(0, PathKind::fast, 200);
	b.add(0, PathKind::drop, 64);
	b.add(classify::kNoTarget, PathKind::fast, 90);
	b.add(0, PathKind::kernel, 60);
	b.add(1, PathKind::bulk, 1400);
	b.add(0, PathKind::fast, 300);
	return b;
}

TEST(QuotaCountPassed, CountsByTenantAndPathLikePolice)
{
	auto counted = QuotaTable::build(unmetered_config(), 2);
	auto policed = QuotaTable::build(unmetered_config(), 2);
	ASSERT_EQ(counted->meters(), 0u);
	Burst b = mixed_burst();
	const unsigned n = unsigned(b.bytes.size());
	for (unsigned slot = 0; slot < 2; slot++) { // both slots: stats() sums them
		counted->count_passed(slot, b.verdicts.data(), b.bytes.data(), n);
		std::vector<Outcome> out(n, Outcome::drop);
		policed->police(slot, b.tenants.data(), b.verdicts.data(), b.bytes.data(), out.data(), n, 12345);
		for (Outcome o : out)
			EXPECT_EQ(o, Outcome::pass);
	}

	const TenantStats alpha = counted->stats(0), beta = counted->stats(1);
	EXPECT_EQ(alpha.path[size_t(PathKind::fast)].passed_packets, 6u);
	EXPECT_EQ(alpha.path[size_t(PathKind::fast)].passed_bytes, 1200u);
	EXPECT_EQ(alpha.path[size_t(PathKind::kernel)].passed_packets, 2u);
	EXPECT_EQ(alpha.path[size_t(PathKind::kernel)].passed_bytes, 120u);
	EXPECT_EQ(alpha.path[size_t(PathKind::bulk)].passed_packets, 0u);
	EXPECT_EQ(beta.path[size_t(PathKind::bulk)].passed_packets, 4u);
	EXPECT_EQ(beta.path[size_t(PathKind::bulk)].passed_bytes, 5800u);
	EXPECT_EQ(beta.path[size_t(PathKind::fast)].passed_packets, 0u);

	for (uint16_t t = 0; t < 2; t++)
		for (size_t p = 0; p < kQuotaPaths; p++) {
			const PathStats c = counted->stats(t).path[p], q = policed->stats(t).path[p];
			EXPECT_EQ(c.passed_packets, q.passed_packets) << "tenant " << t << " path " << p;
			EXPECT_EQ(c.passed_bytes, q.passed_bytes) << "tenant " << t << " path " << p;
			EXPECT_EQ(c.dropped + c.demoted, 0u);
		}
}

} // namespace
} // namespace tripath::quota::test
