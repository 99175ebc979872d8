// The XDP classifier and the C++ parser + RuleTable must agree on every frame: parse status
// (drop reason), matched rule index, path and XDP action. Frames are fuzzed (random mutations
// of valid frames, truncations at every length) and aimed at rule boundaries.
#include <algorithm>
#include <chrono>
#include <cstdio>

#include <gtest/gtest.h>

#include "frames.h"
#include "rule_sets.h"
#include "xdp_fixture.h"

using namespace tripath;
using namespace tripath::test;

namespace {

// One frame of the usual mix: valid, aimed at a rule edge, mutated or truncated.
std::vector<uint8_t> mixed_frame(Rng &g, const config::Config &cfg)
{
	const unsigned kind = g.below(100);
	if (kind < 30)
		return build_frame(random_spec(g));
	std::vector<uint8_t> f = build_frame(boundary_spec(g, cfg));
	if (kind < 75)
		return f;
	if (kind < 92) {
		mutate(g, f);
		return f;
	}
	f.resize(g.below(uint32_t(std::min<size_t>(f.size(), 120)) + 1));
	return f;
}

} // namespace

TEST_F(XdpTest, HandWrittenEdgeRulesAgree)
{
	Rng g(7);
	h->publish(edge_rules());
	for (unsigned i = 0; i < 20000; i++)
		ASSERT_TRUE(h->check(mixed_frame(g, h->config()))) << "frame " << i;
	EXPECT_TRUE(h->counters_match());
}

TEST_F(XdpTest, RandomRuleSetsAgree)
{
	Rng g(20261121);
	for (unsigned set = 0; set < 30; set++) {
		h->publish(random_rules(g, 1 + g.below(set < 20 ? 24 : 300)));
		for (unsigned i = 0; i < 2500; i++)
			ASSERT_TRUE(h->check(mixed_frame(g, h->config()))) << "rule set " << set << " frame " << i;
	}
	EXPECT_TRUE(h->counters_match());
}

TEST_F(XdpTest, EveryTruncationAgrees)
{
	Rng g(99);
	h->publish(edge_rules());
	for (unsigned base = 0; base < 300; base++) {
		FrameSpec spec = boundary_spec(g, h->config());
		spec.pad_to = std::min<size_t>(spec.pad_to, 160);
		std::vector<uint8_t> f = build_frame(spec);
		if (base % 3 == 0)
			mutate(g, f);
		for (size_t len = 0; len <= f.size(); len++)
			ASSERT_TRUE(h->check(std::vector<uint8_t>(f.begin(), f.begin() + len)))
				<< "base " << base << " cut " << len;
	}
	EXPECT_TRUE(h->counters_match());
}

// Chains of every extension type and length, up to one past the limit, whole and cut.
TEST_F(XdpTest, Ipv6ExtensionChainsAgree)
{
	Rng g(44);
	h->publish(edge_rules());
	const uint8_t types[] = {0, 43, 44, 51, 60};
	for (unsigned chain = 0; chain < 2000; chain++) {
		FrameSpec s;
		s.ip_version = 6;
		s.ether_type = 0x86dd;
		s.proto = g.chance(50) ? 6 : 17;
		s.dst = {0xfd, 0, 0, 1, uint8_t(g.below(256))};
		s.sport = g.chance(50) ? 1024 : 1023;
		s.dport = uint16_t(7000 + g.below(3));
		const unsigned n = g.below(11);
		for (unsigned i = 0; i < n; i++)
			s.ext.push_back({types[g.below(5)], uint8_t(g.chance(80) ? g.below(4) : g.below(256))});
		s.frag6 = uint16_t(g.chance(50) ? 0 : g.chance(50) ? 1 : 8 * g.below(100) + g.below(2));
		std::vector<uint8_t> f = build_frame(s);
		ASSERT_TRUE(h->check(f)) << "chain " << chain;
		std::vector<uint8_t> cut(f.begin(), f.begin() + g.below(uint32_t(f.size())));
		ASSERT_TRUE(h->check(cut)) << "chain " << chain << " cut";
	}
	EXPECT_TRUE(h->counters_match());
}

// A full rule set (the cap) scanned to its end: the last rule, then no rule.
TEST_F(XdpTest, RuleSetAtTheCapAgrees)
{
	Rng g(4096);
	config::Config cfg = random_rules(g, classify::xdp::kMaxRules);
	h->publish(cfg);
	EXPECT_EQ(h->rules().active_rules(), classify::xdp::kMaxRules);
	for (unsigned i = 0; i < 1500; i++)
		ASSERT_TRUE(h->check(mixed_frame(g, h->config()))) << "frame " << i;
	// Only the last rule matches this frame's destination: scanned all the way down.
	for (auto &r : cfg.rules)
		r.match = config::RuleMatch{}, r.match.dst_port = config::Range{1, 1};
	cfg.rules.back().match.dst_port = config::Range{5000, 5000};
	h->publish(cfg);
	FrameSpec s;
	s.dport = 5000;
	ASSERT_TRUE(h->check(build_frame(s)));
	EXPECT_EQ(h->run(build_frame(s)).decision.rule, classify::xdp::kMaxRules - 1);
	s.dport = 5001;
	EXPECT_EQ(h->run(build_frame(s)).decision.rule, classify::kNoRule);
}

TEST_F(XdpTest, NoRulesPassesEveryWellFormedFrame)
{
	Rng g(0);
	h->publish(config::Config{});
	for (unsigned i = 0; i < 2000; i++)
		ASSERT_TRUE(h->check(mixed_frame(g, h->config()))) << "frame " << i;
	EXPECT_TRUE(h->counters_match());
}

// Fast/bulk frames on a queue without an XSK go to the stack and are counted as such.
TEST_F(XdpTest, MissingXskFallsBackToTheKernel)
{
	Rng g(1);
	h->publish(edge_rules());
	h->bind_xsk(false);
	for (unsigned i = 0; i < 3000; i++)
		ASSERT_TRUE(h->check(mixed_frame(g, h->config()))) << "frame " << i;
	h->bind_xsk(true);
	EXPECT_TRUE(h->counters_match());
	EXPECT_GT(h->rules().read_counters().xsk_missing.packets, 0u);
}

// Runs last in this file (gtest keeps definition order): reports the totals.
TEST_F(XdpTest, ZzReportFramesChecked)
{
	const double seconds = std::chrono::duration<double>(h->time_checking).count();
	std::printf("[ XDP      ] %llu frames checked against parse_frame + RuleTable in %.2f s (%.1f us/frame); "
		    "%llu runts (< 14 bytes) checked on the C++ side only\n",
		    (unsigned long long)h->frames_checked, seconds,
		    1e6 * seconds / double(std::max<uint64_t>(h->frames_checked, 1)),
		    (unsigned long long)h->runts_checked);
	std::printf("[ XDP      ] by status:");
	for (size_t i = 0; i < h->by_status.size(); i++)
		std::printf(" %s=%llu", packet::parse_status_name(packet::ParseStatus(i)), (unsigned long long)h->by_status[i]);
	std::printf("\n[ XDP      ] ok frames that matched a rule: %llu; multi-buffer frames: %llu\n",
		    (unsigned long long)h->matched_a_rule, (unsigned long long)h->multi_buffer);
	RecordProperty("frames_checked", std::to_string(h->frames_checked));
	if (::testing::GTEST_FLAG(filter) == "*") {
		EXPECT_GE(h->frames_checked, 100000u);
	}
}
