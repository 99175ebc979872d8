// Tenant of a packet: the rule's tenant, else the longest source prefix (IPv4, IPv6), else none.
#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "quota_fixtures.h"

namespace tripath::quota::test {
namespace {

using config::PathKind;

config::Config nested_prefixes()
{
	config::Config cfg;
	cfg.tenants = {
		tenant("wide", {"10.0.0.0/8", "2001:db8::/32"}),
		tenant("narrow", {"10.1.0.0/16", "2001:db8:1::/48"}),
		tenant("host", {"10.1.2.3/32", "2001:db8:1:2::7/128"}),
		tenant("by_rule"),
		tenant("mid", {"10.1.2.0/25", "2001:db8:1:2::/64"}),
	};
	return cfg;
}

// One burst through tenants_of: src addresses and the tenant each verdict's rule names.
std::vector<uint16_t> lookup(const QuotaTable &qt, const std::vector<std::pair<std::string, uint16_t>> &pkts)
{
	std::vector<packet::FlowKey> keys;
	std::vector<classify::Verdict> verdicts;
	for (const auto &[src, rule_tenant] : pkts) {
		keys.push_back(src.empty() ? packet::FlowKey{} : key_from(src));
		verdicts.push_back(on(PathKind::fast, rule_tenant));
	}
	std::vector<uint16_t> out(pkts.size(), 0xbeef);
	qt.tenants_of(keys.data(), verdicts.data(), out.data(), unsigned(out.size()));
	return out;
}

constexpr uint16_t kNone = classify::kNoTarget;

TEST(TenantLookup, LongestIpv4PrefixWins)
{
	auto qt = QuotaTable::build(nested_prefixes(), 1);
	EXPECT_EQ(lookup(*qt, {{"10.1.2.3", kNone}, {"10.1.2.4", kNone}, {"10.1.2.200", kNone}, {"10.1.9.9", kNone},
			       {"10.200.0.1", kNone}, {"11.0.0.1", kNone}, {"9.255.255.255", kNone}}),
		  (std::vector<uint16_t>{2, 4, 1, 1, 0, kNoTenant, kNoTenant}));
}

TEST(TenantLookup, LongestIpv6PrefixWins)
{
	auto qt = QuotaTable::build(nested_prefixes(), 1);
	EXPECT_EQ(lookup(*qt, {{"2001:db8:1:2::7", kNone}, {"2001:db8:1:2::8", kNone}, {"2001:db8:1:3::1", kNone},
			       {"2001:db8:ffff::1", kNone}, {"2001:db9::1", kNone}, {"fe80::1", kNone}}),
		  (std::vector<uint16_t>{2, 4, 1, 0, kNoTenant, kNoTenant}));
}

TEST(TenantLookup, RuleTenantBeatsPrefix)
{
	auto qt = QuotaTable::build(nested_prefixes(), 1);
	EXPECT_EQ(lookup(*qt, {{"10.1.2.3", 3}, {"2001:db8:1:2::7", 3}, {"192.0.2.1", 3}, {"", 3}, {"10.1.2.3", 0}}),
		  (std::vector<uint16_t>{3, 3, 3, 3, 0}));
}

TEST(TenantLookup, NonIpHasNoTenantUnlessTheRuleNamesOne)
{
	auto qt = QuotaTable::build(nested_prefixes(), 1);
	EXPECT_EQ(lookup(*qt, {{"", kNone}}), (std::vector<uint16_t>{kNoTenant}));
}

TEST(TenantLookup, DefaultRoutesCatchTheRest)
{
	config::Config cfg = nested_prefixes();
	cfg.tenants.push_back(tenant("rest", {"0.0.0.0/0", "::/0"}));
	auto qt = QuotaTable::build(cfg, 1);
	EXPECT_EQ(lookup(*qt, {{"11.0.0.1", kNone}, {"fe80::1", kNone}, {"10.1.2.3", kNone}, {"", kNone}}),
		  (std::vector<uint16_t>{5, 5, 2, kNoTenant}));
}

TEST(TenantLookup, OnlyOneFamilyOrNone)
{
	config::Config cfg;
	cfg.tenants = {tenant("v4", {"192.0.2.0/24"})};
	auto qt = QuotaTable::build(cfg, 1);
	EXPECT_EQ(lookup(*qt, {{"192.0.2.9", kNone}, {"2001:db8::1", kNone}}), (std::vector<uint16_t>{0, kNoTenant}));

	config::Config empty;
	auto none = QuotaTable::build(empty, 1);
	EXPECT_EQ(none->tenant_count(), 0u);
	EXPECT_EQ(lookup(*none, {{"192.0.2.9", kNone}, {"2001:db8::1", kNone}}),
		  (std::vector<uint16_t>{kNoTenant, kNoTenant}));
}

// More than one internal chunk of 64 keys, mixed families.
TEST(TenantLookup, LongBurst)
{
	auto qt = QuotaTable::build(nested_prefixes(), 1);
	std::vector<std::pair<std::string, uint16_t>> pkts;
	std::vector<uint16_t> want;
	for (unsigned i = 0; i < 200; i++) {
		switch (i % 4) {
		case 0: pkts.push_back({"10.1.2.3", kNone}), want.push_back(2); break;
		case 1: pkts.push_back({"2001:db8:1::9", kNone}), want.push_back(1); break;
		case 2: pkts.push_back({"172.16.0.1", kNone}), want.push_back(kNoTenant); break;
		default: pkts.push_back({"10.9.9.9", 3}), want.push_back(3); break;
		}
	}
	EXPECT_EQ(lookup(*qt, pkts), want);
}

TEST(TenantLookup, PrefixOwnedTwiceIsRefusedNamingTheTenant)
{
	config::Config cfg = nested_prefixes();
	cfg.tenants.push_back(tenant("thief", {"192.0.2.0/24", "10.1.0.0/16"}));
	try {
		QuotaTable::build(cfg, 1);
		FAIL() << "expected an error";
	} catch (const std::runtime_error &e) {
		EXPECT_STREQ(e.what(), "tenant 'thief': prefix 10.1.0.0/16 already belongs to tenant 'narrow'");
	}
	// The same tenant listing a prefix twice is harmless.
	config::Config twice;
	twice.tenants = {tenant("t", {"192.0.2.0/24", "192.0.2.0/24"})};
	EXPECT_NO_THROW(QuotaTable::build(twice, 1));
}

TEST(TenantLookup, NamesAndQuotasForDisplay)
{
	config::Config cfg = nested_prefixes();
	set_quota(cfg.tenants[1], PathKind::bulk, rate({}, 1'000'000'000));
	auto qt = QuotaTable::build(cfg, 2);
	ASSERT_EQ(qt->tenant_count(), 5u);
	EXPECT_EQ(qt->tenant_name(4), "mid");
	EXPECT_EQ(qt->worker_slots(), 2u);
	EXPECT_EQ(qt->meters(), 1u);
	ASSERT_TRUE(qt->quota(1, PathKind::bulk).has_value());
	EXPECT_EQ(*qt->quota(1, PathKind::bulk)->bps, 1'000'000'000u);
	EXPECT_FALSE(qt->quota(1, PathKind::fast).has_value());
}

} // namespace
} // namespace tripath::quota::test

namespace tripath::quota::test {
namespace {

// A meter change rebuilds on the previous table's prefix tables; a prefix change does not.
TEST(QuotaTenantLookup, RebuildSharesPrefixTablesOnlyWhenPrefixesStay)
{
	config::Config cfg = nested_prefixes();
	auto first = QuotaTable::build(cfg, 1);
	set_quota(cfg.tenants[1], PathKind::fast, rate(5000, {}));
	auto meter_only = QuotaTable::build(cfg, 1, first.get());
	first.reset(); // the shared prefix tables outlive the table that built them
	EXPECT_EQ(meter_only->quota(1, PathKind::fast)->pps, 5000u);
	EXPECT_EQ(lookup(*meter_only, {{"10.1.2.3", kNoTenant}, {"10.1.9.9", kNoTenant}, {"2001:db8:1:2::1", kNoTenant}}),
		  (std::vector<uint16_t>{2, 1, 4}));

	cfg.tenants[1].prefixes.clear(); // narrow gives up 10.1.0.0/16: a fresh lookup table
	auto moved = QuotaTable::build(cfg, 1, meter_only.get());
	EXPECT_EQ(lookup(*moved, {{"10.1.9.9", kNoTenant}, {"10.1.2.3", kNoTenant}}), (std::vector<uint16_t>{0, 2}));
}

} // namespace
} // namespace tripath::quota::test
