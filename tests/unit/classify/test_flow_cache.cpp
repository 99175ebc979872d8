// The flow cache must never change a verdict: for every key it answers what the table (and the
// reference first-match) would, across evictions, frame-size classes and table swaps.
#include <cstring>
#include <stdexcept>

#include <gtest/gtest.h>

#include <rte_lcore.h>

#include <tripath/classify/flow_cache.h>
#include <tripath/classify/reference.h>
#include <tripath/classify/rule_table.h>

#include "random_rules.h"

using namespace tripath;
using namespace tripath::testing;

namespace {

config::RuleConfig rule(const std::string &name, config::PathKind path, config::RuleMatch m = {})
{
	config::RuleConfig r;
	r.name = name;
	r.path = path;
	r.match = m;
	return r;
}

packet::FlowKey udp4(uint8_t last_src_byte, uint16_t dport, uint32_t frame_len)
{
	packet::FlowKey k;
	k.ether_type = 0x0800;
	k.ip_version = 4;
	k.proto = 17;
	k.src = {10, 0, 0, last_src_byte};
	k.dst = {10, 0, 1, 1};
	k.src_port = 40000;
	k.dst_port = dport;
	k.l4_offset = 34;
	k.frame_len = frame_len;
	return k;
}

// Runs `keys` through the cache in bursts of 32 and checks each verdict against the reference.
unsigned check_bursts(classify::FlowCache &cache, const classify::RuleTable &table, const config::Config &cfg,
		      const std::vector<packet::FlowKey> &keys, unsigned set)
{
	unsigned misses = 0;
	for (size_t base = 0; base < keys.size(); base += 32) {
		unsigned n = unsigned(std::min<size_t>(32, keys.size() - base));
		classify::Verdict got[32];
		misses += cache.lookup_burst(table, &keys[base], got, n);
		for (unsigned i = 0; i < n; i++) {
			classify::Verdict want = classify::reference_lookup(cfg, keys[base + i]);
			EXPECT_EQ(got[i].rule, want.rule) << "set " << set << " key " << base + i << ": " << describe(keys[base + i]);
			EXPECT_EQ(got[i].path, want.path);
		}
	}
	return misses;
}

} // namespace

TEST(FlowCache, AgreesWithTheReferenceThroughEvictionsAndSizeClasses)
{
	Gen g(1121);
	unsigned hits = 0, total = 0;
	for (unsigned set = 0; set < 20; set++) {
		config::Config cfg = random_rules(g, 1 + g.below(set < 15 ? 24 : 300));
		auto table = classify::RuleTable::build(cfg);
		// A small cache collides and evicts; a large one mostly hits.
		classify::FlowCache cache(set % 2 ? 64 : 4096, int(rte_socket_id()));
		std::vector<packet::FlowKey> flows(set % 2 ? 400 : 200);
		for (packet::FlowKey &k : flows)
			k = random_key(g, cfg);
		std::vector<packet::FlowKey> keys(4000);
		for (packet::FlowKey &k : keys) {
			k = flows[g.below(uint32_t(flows.size()))];
			if (g.chance(30)) // the same flow with another frame length: maybe another class
				k.frame_len = g.below(2100);
		}
		unsigned misses = check_bursts(cache, *table, cfg, keys, set);
		hits += unsigned(keys.size()) - misses;
		total += unsigned(keys.size());
	}
	EXPECT_GT(hits, total / 4) << "the cache should answer repeated flows";
}

TEST(FlowCache, AFrameSizeBoundarySplitsAFlow)
{
	config::Config cfg;
	config::RuleMatch big;
	big.frame_size = config::Range{1000, 1499};
	cfg.rules.push_back(rule("big", config::PathKind::drop, big));
	cfg.rules.push_back(rule("default", config::PathKind::kernel));
	auto table = classify::RuleTable::build(cfg);
	EXPECT_EQ(table->size_class(999), 0);
	EXPECT_EQ(table->size_class(1000), 1);
	EXPECT_EQ(table->size_class(1499), 1);
	EXPECT_EQ(table->size_class(1500), 2);
	classify::FlowCache cache(1024, int(rte_socket_id()));
	std::vector<packet::FlowKey> keys = {udp4(1, 53, 999), udp4(1, 53, 1000), udp4(1, 53, 1499), udp4(1, 53, 1500),
					     udp4(1, 53, 999), udp4(1, 53, 1200), udp4(1, 53, 70000)};
	classify::Verdict v[7];
	EXPECT_EQ(cache.lookup_burst(*table, keys.data(), v, 7), 7u) << "a burst probes before it inserts";
	const config::PathKind want[7] = {config::PathKind::kernel, config::PathKind::drop, config::PathKind::drop,
					  config::PathKind::kernel, config::PathKind::kernel, config::PathKind::drop,
					  config::PathKind::kernel};
	for (unsigned i = 0; i < 7; i++)
		EXPECT_EQ(v[i].path, want[i]) << "frame_len " << keys[i].frame_len;
	EXPECT_EQ(cache.lookup_burst(*table, keys.data(), v, 7), 0u) << "every class is cached now";
}

TEST(FlowCache, ANewTableIsNeverAnsweredFromTheOldOne)
{
	config::Config a, b;
	config::RuleMatch dns;
	dns.proto = 17;
	dns.dst_port = config::Range{53, 53};
	a.rules.push_back(rule("dns", config::PathKind::kernel, dns));
	a.rules.push_back(rule("default", config::PathKind::drop));
	b.rules.push_back(rule("dns", config::PathKind::drop, dns));
	b.rules.push_back(rule("default", config::PathKind::drop));
	auto ta = classify::RuleTable::build(a);
	auto tb = classify::RuleTable::build(b);
	EXPECT_NE(ta->generation(), tb->generation());
	classify::FlowCache cache(256, int(rte_socket_id()));
	packet::FlowKey k = udp4(7, 53, 80);
	classify::Verdict v;
	cache.lookup_burst(*ta, &k, &v, 1);
	EXPECT_EQ(cache.lookup_burst(*ta, &k, &v, 1), 0u);
	EXPECT_EQ(v.path, config::PathKind::kernel);
	EXPECT_EQ(cache.lookup_burst(*tb, &k, &v, 1), 1u) << "the swap must miss";
	EXPECT_EQ(v.path, config::PathKind::drop);
	// The same address freed and reused by a rebuilt table still carries a new generation.
	ta.reset();
	auto tc = classify::RuleTable::build(a);
	EXPECT_EQ(cache.lookup_burst(*tc, &k, &v, 1), 1u);
	EXPECT_EQ(v.path, config::PathKind::kernel);
}

TEST(FlowCache, StaleBytesPastAnIpv4AddressDoNotSplitAFlow)
{
	config::Config cfg;
	cfg.rules.push_back(rule("default", config::PathKind::kernel));
	auto table = classify::RuleTable::build(cfg);
	packet::FlowKey clean = udp4(9, 80, 100), dirty = clean;
	dirty.src[12] = 0xee; // left over from an IPv6 frame parsed into the same slot
	dirty.dst[15] = 0xff;
	dirty.l3_offset = 18;  // not a rule field
	classify::FlowCacheKey a = classify::flow_cache_key(*table, clean), b = classify::flow_cache_key(*table, dirty);
	EXPECT_EQ(std::memcmp(&a, &b, sizeof(a)), 0);
}

TEST(FlowCache, OffMeansEveryKeyGoesToTheTable)
{
	config::Config cfg;
	cfg.rules.push_back(rule("default", config::PathKind::kernel));
	auto table = classify::RuleTable::build(cfg);
	classify::FlowCache off(0, int(rte_socket_id()));
	EXPECT_EQ(off.entries(), 0u);
	packet::FlowKey keys[3] = {udp4(1, 1, 64), udp4(1, 1, 64), udp4(2, 1, 64)};
	classify::Verdict v[3];
	EXPECT_EQ(off.lookup_burst(*table, keys, v, 3), 3u);
	EXPECT_EQ(v[2].rule, 0u);
}

TEST(FlowCache, RefusesSizesThatAreNotPowersOfTwoInRange)
{
	for (uint32_t bad : {32u, 100u, 3000u, (1u << 21)})
		EXPECT_THROW(classify::FlowCache(bad, int(rte_socket_id())), std::runtime_error) << bad;
	classify::FlowCache ok(64, int(rte_socket_id()));
	EXPECT_EQ(ok.entries(), 64u);
}
