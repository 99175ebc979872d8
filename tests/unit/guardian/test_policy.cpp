// The adaptive policy on synthetic windows: promotions, demotions, meter cuts, and what it
// leaves alone.
#include "guardian_test.h"

#include <tripath/guardian/policy.h>

namespace tripath::guardian::test {
namespace {

telemetry::FlowEstimate flow(std::array<uint8_t, 4> src, uint8_t proto, uint16_t dport, uint64_t packets, uint64_t bytes)
{
	telemetry::FlowEstimate e;
	e.flow.family = 4;
	e.flow.proto = proto;
	std::copy(src.begin(), src.end(), e.flow.src.begin());
	e.flow.dst = {10, 9, 0, 1};
	e.flow.src_port = 40000;
	e.flow.dst_port = dport;
	e.packets = packets;
	e.bytes = bytes;
	e.ranked = bytes;
	return e;
}

TEST(GuardianPolicy, PromotesHotSmallFlowsOnPathA)
{
	config::Config cfg = lab();
	Guardian g(cfg);
	PolicyInput in;
	in.window_s = 2;
	auto &a = in.flows[0];
	a.push_back(flow({10, 1, 0, 5}, 17, 7000, 10000, 10000 * 1400));  // hot but large: no
	a.push_back(flow({10, 1, 0, 6}, 17, 7001, 4000, 4000 * 100));     // 2000 pps of 100 B: yes
	a.push_back(flow({10, 2, 0, 7}, 6, 8080, 9000, 9000 * 80));       // 4500 pps of 80 B: yes, first
	a.push_back(flow({10, 2, 0, 8}, 17, 7002, 1000, 1000 * 60));      // 500 pps: too cold
	a.push_back(flow({10, 1, 0, 9}, 17, 53, 50000, 50000 * 80));      // DNS: protected, never
	in.observed = calm();
	AdaptivePolicy policy;
	std::vector<Proposal> out = policy.propose(in, cfg, g.rules(), g.tenants());
	ASSERT_EQ(out.size(), 2u);
	EXPECT_EQ(out[0].kind, ProposalKind::promote_flow);
	EXPECT_EQ(out[0].tenant, "beta");
	EXPECT_EQ(out[0].target, "agent0");
	EXPECT_EQ(out[0].flow.dst_port->lo, 8080u);
	EXPECT_EQ(out[0].flow.src->len, 32);
	EXPECT_EQ(out[1].tenant, "acme");
	EXPECT_EQ(out[1].flow.dst_port->lo, 7001u);
	EXPECT_EQ(out[1].source.name(), "policy");
	// The guardian takes them.
	Decision d = g.decide(out[0], in.observed, 0);
	EXPECT_EQ(d.verdict, Verdict::approve) << d.detail;
	g.commit(d, 0);
	// Already ruled: not proposed again.
	out = policy.propose(in, cfg, g.rules(), g.tenants());
	ASSERT_EQ(out.size(), 1u);
	EXPECT_EQ(out[0].flow.dst_port->lo, 7001u);
}

TEST(GuardianPolicy, DemotesElephantsOnPathB)
{
	config::Config cfg = lab();
	PolicyInput in;
	in.window_s = 1;
	auto &b = in.flows[1];
	b.push_back(flow({10, 1, 0, 5}, 6, 9000, 20000, 20000ull * 1500)); // 30 MB/s of 1500 B
	b.push_back(flow({10, 1, 0, 6}, 6, 9001, 200000, 200000ull * 64)); // 12.8 MB/s of 64 B: RPC, stays
	b.push_back(flow({10, 2, 0, 7}, 6, 9002, 1000, 1000ull * 1500));   // 1.5 MB/s: small
	AdaptivePolicy policy;
	auto out = policy.propose(in, cfg, cfg.rules, cfg.tenants);
	ASSERT_EQ(out.size(), 1u);
	EXPECT_EQ(out[0].kind, ProposalKind::demote_flow);
	EXPECT_EQ(out[0].target, "peer0");
	EXPECT_EQ(out[0].tenant, "acme");
	// No peer configured: nothing to demote to.
	cfg.paths.bulk.peers.clear();
	EXPECT_TRUE(policy.propose(in, cfg, cfg.rules, cfg.tenants).empty());
}

TEST(GuardianPolicy, MeterCutForTheTenantBreakingAnothersSlo)
{
	config::Config cfg = lab();
	Guardian g(cfg);
	PolicyInput in;
	in.observed = calm();
	AdaptivePolicy policy;
	EXPECT_TRUE(policy.propose(in, cfg, g.rules(), g.tenants()).empty()); // all within SLO
	in.observed.tenants["acme"].fast_p99_us = 800; // acme's SLO is 500; beta is the heavy one
	auto out = policy.propose(in, cfg, g.rules(), g.tenants());
	ASSERT_EQ(out.size(), 1u);
	EXPECT_EQ(out[0].kind, ProposalKind::set_meter);
	EXPECT_EQ(out[0].tenant, "beta");
	EXPECT_EQ(out[0].path, config::PathKind::fast);
	EXPECT_EQ(out[0].pps, 12000u); // 15000 observed - 20%
	// The guardian clamps it to 20% of beta's 20000 meter: 16000.
	Decision d = g.decide(out[0], in.observed, 0);
	EXPECT_EQ(d.verdict, Verdict::clamp);
	EXPECT_EQ(d.effective.pps, 16000u);
	// Deterministic.
	EXPECT_EQ(to_json(policy.propose(in, cfg, g.rules(), g.tenants())[0]), to_json(out[0]));
}

TEST(GuardianPolicy, MaxProposalsPerWindow)
{
	config::Config cfg = lab();
	PolicyInput in;
	for (uint8_t i = 0; i < 20; i++)
		in.flows[0].push_back(flow({10, 1, 1, i}, 17, uint16_t(7000 + i), 5000, 5000 * 100));
	PolicyOptions o;
	o.max_proposals = 3;
	EXPECT_EQ(AdaptivePolicy(o).propose(in, cfg, cfg.rules, cfg.tenants).size(), 3u);
}

} // namespace
} // namespace tripath::guardian::test
