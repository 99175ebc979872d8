// Over-quota outcomes: drop, demote to path A (charged to path A's quota), path A always drops.
#include <vector>

#include <gtest/gtest.h>

#include <rte_cycles.h>

#include "quota_fixtures.h"

namespace tripath::quota::test {
namespace {

using config::OverQuota;
using config::PathKind;

constexpr uint64_t kTsc = 12345;   // every packet at one instant: no refill, the burst is all there is

// Police `n` packets of one tenant on one path at one instant; returns their outcomes.
std::vector<Outcome> police_n(QuotaTable &qt, uint16_t t, PathKind path, unsigned n, uint32_t bytes = 100,
			      uint64_t tsc = kTsc)
{
	std::vector<uint16_t> tenants(n, t);
	std::vector<classify::Verdict> verdicts(n, on(path));
	std::vector<uint32_t> sizes(n, bytes);
	std::vector<Outcome> out(n);
	qt.police(0, tenants.data(), verdicts.data(), sizes.data(), out.data(), n, tsc);
	return out;
}

const auto P = Outcome::pass, D = Outcome::drop, M = Outcome::demote;

// 100 pps with a 10 ms burst: exactly one packet's worth of tokens per slot.
config::Config outcome_config()
{
	config::Config cfg;
	cfg.tenants = {tenant("dropper"), tenant("demoter", {}, OverQuota::demote),
		       tenant("demoter_capped", {}, OverQuota::demote), tenant("kernel_only", {}, OverQuota::demote)};
	set_quota(cfg.tenants[0], PathKind::fast, rate(100, {}));
	set_quota(cfg.tenants[1], PathKind::fast, rate(100, {}));
	set_quota(cfg.tenants[1], PathKind::bulk, rate(100, {}));
	set_quota(cfg.tenants[2], PathKind::fast, rate(100, {}));
	set_quota(cfg.tenants[2], PathKind::kernel, rate(100, {}));
	set_quota(cfg.tenants[3], PathKind::kernel, rate(100, {}));
	return cfg;
}

TEST(QuotaOutcomes, DropTenantDrops)
{
	auto qt = QuotaTable::build(outcome_config(), 1);
	EXPECT_EQ(police_n(*qt, 0, PathKind::fast, 4), (std::vector<Outcome>{P, D, D, D}));
	const PathStats f = qt->stats(0).path[size_t(PathKind::fast)];
	EXPECT_EQ(f.passed_packets, 1u);
	EXPECT_EQ(f.passed_bytes, 100u);
	EXPECT_EQ(f.dropped, 3u);
	EXPECT_EQ(f.demoted, 0u);
	// No quota on bulk or kernel: everything passes there.
	EXPECT_EQ(police_n(*qt, 0, PathKind::bulk, 3), (std::vector<Outcome>{P, P, P}));
	EXPECT_EQ(police_n(*qt, 0, PathKind::kernel, 3), (std::vector<Outcome>{P, P, P}));
}

TEST(QuotaOutcomes, DemoteTenantDemotesFromFastAndBulk)
{
	auto qt = QuotaTable::build(outcome_config(), 1);
	EXPECT_EQ(police_n(*qt, 1, PathKind::fast, 4), (std::vector<Outcome>{P, M, M, M}));
	EXPECT_EQ(police_n(*qt, 1, PathKind::bulk, 3), (std::vector<Outcome>{P, M, M}));
	TenantStats s = qt->stats(1);
	EXPECT_EQ(s.path[size_t(PathKind::fast)].passed_packets, 1u);
	EXPECT_EQ(s.path[size_t(PathKind::fast)].demoted, 3u);
	EXPECT_EQ(s.path[size_t(PathKind::bulk)].demoted, 2u);
	EXPECT_EQ(s.path[size_t(PathKind::kernel)].passed_packets, 5u);   // the demoted ones
	EXPECT_EQ(s.path[size_t(PathKind::kernel)].passed_bytes, 500u);
}

TEST(QuotaOutcomes, DemotedPacketsAreChargedToPathA)
{
	auto qt = QuotaTable::build(outcome_config(), 1);
	EXPECT_EQ(police_n(*qt, 2, PathKind::fast, 4), (std::vector<Outcome>{P, M, D, D}));
	TenantStats s = qt->stats(2);
	EXPECT_EQ(s.path[size_t(PathKind::fast)].demoted, 3u);
	EXPECT_EQ(s.path[size_t(PathKind::kernel)].passed_packets, 1u);
	EXPECT_EQ(s.path[size_t(PathKind::kernel)].dropped, 2u);
}

TEST(QuotaOutcomes, KernelPathOverQuotaAlwaysDrops)
{
	auto qt = QuotaTable::build(outcome_config(), 1);
	EXPECT_EQ(police_n(*qt, 3, PathKind::kernel, 4), (std::vector<Outcome>{P, D, D, D}));
	const PathStats k = qt->stats(3).path[size_t(PathKind::kernel)];
	EXPECT_EQ(k.dropped, 3u);
	EXPECT_EQ(k.demoted, 0u);
}

TEST(QuotaOutcomes, RefillAfterTime)
{
	auto qt = QuotaTable::build(outcome_config(), 1);
	EXPECT_EQ(police_n(*qt, 0, PathKind::fast, 2), (std::vector<Outcome>{P, D}));
	// 100 pps: one token per 10 ms.
	uint64_t later = kTsc + rte_get_tsc_hz() / 100 + 1;
	EXPECT_EQ(police_n(*qt, 0, PathKind::fast, 2, 100, later), (std::vector<Outcome>{P, D}));
}

TEST(QuotaOutcomes, NoTenantAndRuleDropAreNotPoliced)
{
	auto qt = QuotaTable::build(outcome_config(), 1);
	EXPECT_EQ(police_n(*qt, kNoTenant, PathKind::fast, 3), (std::vector<Outcome>{P, P, P}));
	EXPECT_EQ(police_n(*qt, 0, PathKind::drop, 3), (std::vector<Outcome>{P, P, P}));
	const PathStats f = qt->stats(0).path[size_t(PathKind::fast)];
	EXPECT_EQ(f.passed_packets + f.dropped, 0u);
	// The fast bucket is untouched by them.
	EXPECT_EQ(police_n(*qt, 0, PathKind::fast, 2), (std::vector<Outcome>{P, D}));
}

// A packet the bit meter refuses must not spend a packet token.
TEST(QuotaOutcomes, RefusedPacketChargesNeitherMeter)
{
	config::Config cfg;
	cfg.tenants = {tenant("both")};
	set_quota(cfg.tenants[0], PathKind::fast, rate(1000, 8'000'000));   // 10 packets, 10,000 -> 16,128 bytes
	auto qt = QuotaTable::build(cfg, 1);
	EXPECT_EQ(police_n(*qt, 0, PathKind::fast, 1, 20000), (std::vector<Outcome>{D}));   // over the bit burst
	std::vector<Outcome> ten = police_n(*qt, 0, PathKind::fast, 11, 64);
	EXPECT_EQ(std::count(ten.begin(), ten.end(), P), 10);
	EXPECT_EQ(ten.back(), D);
}

} // namespace
} // namespace tripath::quota::test
