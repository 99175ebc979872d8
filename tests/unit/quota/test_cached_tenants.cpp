// The workers' flow cache keeps each packet's tenant with its verdict: what it answers must be
// what tenants_of would, on a miss and on a hit, and a change of tenant prefixes must not be
// answered from the old ones (a meter change, which keeps the prefixes, may be).
#include <memory>
#include <vector>

#include <gtest/gtest.h>

#include <rte_lcore.h>

#include <tripath/classify/flow_cache.h>

#include "quota_fixtures.h"

namespace tripath::quota::test {
namespace {

using config::PathKind;

// Rule "ssh" (tenant 1 by rule), then a default rule with no tenant: the prefixes decide.
config::Config two_tenants(const std::string &alpha_prefix)
{
	config::Config cfg;
	cfg.tenants.push_back(tenant("alpha", {alpha_prefix}));
	cfg.tenants.push_back(tenant("beta", {"10.2.0.0/16", "fd00:2::/32"}));
	config::RuleConfig ssh;
	ssh.name = "ssh";
	ssh.path = PathKind::kernel;
	ssh.tenant = "beta";
	ssh.match.proto = 6;
	ssh.match.dst_port = config::Range{22, 22};
	cfg.rules.push_back(ssh);
	config::RuleConfig dflt;
	dflt.name = "default";
	dflt.path = PathKind::fast;
	cfg.rules.push_back(dflt);
	return cfg;
}

packet::FlowKey with_ports(packet::FlowKey k, uint8_t proto, uint16_t dport)
{
	k.proto = proto;
	k.src_port = 40000;
	k.dst_port = dport;
	k.l4_offset = k.ip_version == 4 ? 34 : 54;
	return k;
}

std::vector<packet::FlowKey> sample_keys()
{
	return {with_ports(key_from("10.1.0.5"), 17, 7000),  // alpha by prefix
		with_ports(key_from("10.2.3.4"), 17, 7000),  // beta by prefix
		with_ports(key_from("10.1.0.5"), 6, 22),     // beta by rule, though alpha's source
		with_ports(key_from("fd00:2::9"), 17, 7000), // beta by IPv6 prefix
		with_ports(key_from("192.0.2.1"), 17, 7000)}; // nobody's
}

// Looks `keys` up twice through `cache` (a miss, then a hit) and checks both against tenants_of.
void expect_tenants(classify::FlowCache &cache, const classify::RuleTable &rules, const QuotaTable &qt,
		    const std::vector<packet::FlowKey> &keys, unsigned want_misses)
{
	const unsigned n = unsigned(keys.size());
	for (unsigned pass = 0; pass < 2; pass++) {
		std::vector<classify::Verdict> got(n), plain(n);
		unsigned misses = cache.lookup_burst(rules, &qt, keys.data(), got.data(), n);
		EXPECT_EQ(misses, pass == 0 ? want_misses : 0u) << "pass " << pass;
		rules.lookup_burst(keys.data(), plain.data(), n);
		std::vector<uint16_t> want(n);
		qt.tenants_of(keys.data(), plain.data(), want.data(), n);
		for (unsigned i = 0; i < n; i++) {
			EXPECT_EQ(got[i].tenant, want[i]) << "pass " << pass << " key " << i;
			EXPECT_EQ(got[i].rule, plain[i].rule) << "pass " << pass << " key " << i;
		}
	}
}

// Two tenants' config, its rule and quota tables, and the sample keys.
class CachedTenants : public ::testing::Test {
protected:
	config::Config cfg = two_tenants("10.1.0.0/16");
	std::unique_ptr<classify::RuleTable> rules = classify::RuleTable::build(cfg);
	std::unique_ptr<QuotaTable> qt = QuotaTable::build(cfg, 1);
	std::vector<packet::FlowKey> keys = sample_keys();
	unsigned n = unsigned(keys.size());
};

TEST_F(CachedTenants, HitsAnswerWhatTenantsOfWouldByRuleAndByPrefix)
{
	classify::FlowCache cache(256, int(rte_socket_id()));
	expect_tenants(cache, *rules, *qt, keys, n);

	std::vector<classify::Verdict> got(n);
	cache.lookup_burst(*rules, qt.get(), keys.data(), got.data(), n);
	EXPECT_EQ(got[0].tenant, 0u);
	EXPECT_EQ(got[1].tenant, 1u);
	EXPECT_EQ(got[2].tenant, 1u) << "the rule's tenant wins over the source prefix";
	EXPECT_EQ(got[3].tenant, 1u);
	EXPECT_EQ(got[4].tenant, kNoTenant);
}

TEST_F(CachedTenants, AMeterChangeKeepsThemAPrefixChangeDoesNot)
{
	classify::FlowCache cache(256, int(rte_socket_id()));
	expect_tenants(cache, *rules, *qt, keys, n);

	config::Config metered = cfg;
	set_quota(metered.tenants[0], PathKind::fast, rate(1000, {}));
	auto qt_metered = QuotaTable::build(metered, 1, qt.get());
	EXPECT_EQ(qt_metered->epoch(), qt->epoch()) << "same prefix tables";
	expect_tenants(cache, *rules, *qt_metered, keys, 0);

	config::Config moved = two_tenants("10.9.0.0/16"); // alpha no longer owns 10.1.0.5
	auto qt_moved = QuotaTable::build(moved, 1, qt_metered.get());
	EXPECT_NE(qt_moved->epoch(), qt->epoch());
	expect_tenants(cache, *rules, *qt_moved, keys, n);
	std::vector<classify::Verdict> got(n);
	cache.lookup_burst(*rules, qt_moved.get(), keys.data(), got.data(), n);
	EXPECT_EQ(got[0].tenant, kNoTenant) << "answered from the old prefixes";

	// Back to the first table: its entries were left behind by the swaps, never trusted again.
	expect_tenants(cache, *rules, *qt, keys, n);
}

TEST_F(CachedTenants, ACacheThatIsOffResolvesEveryPacket)
{
	classify::FlowCache off(0, int(rte_socket_id()));
	std::vector<classify::Verdict> got(n);
	EXPECT_EQ(off.lookup_burst(*rules, qt.get(), keys.data(), got.data(), n), keys.size());
	EXPECT_EQ(got[0].tenant, 0u);
	EXPECT_EQ(got[4].tenant, kNoTenant);
}

} // namespace
} // namespace tripath::quota::test
