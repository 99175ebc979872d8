// After a change: rollback on an injected SLO regression, FAILSAFE by rejects and by a
// persisting breach, and the operator's exit.
#include "guardian_test.h"

namespace tripath::guardian::test {
namespace {

const char *move_acme = R"({"kind":"move_rule","rule":"acme-rpc","path":"fast","endpoint":"agent0"})";
const char *move_beta = R"({"kind":"move_rule","rule":"beta-web","path":"fast","endpoint":"agent0"})";
const char *bad_ssh = R"({"kind":"move_rule","rule":"ssh","path":"fast","endpoint":"agent0"})";

TEST(GuardianCanary, RollbackAfterRegression)
{
	Guardian g(lab());
	g.observe(calm(), 0);
	Decision a = g.decide(parse(move_acme), calm(), 0);
	g.commit(a, 0);
	Decision b = g.decide(parse(R"({"kind":"set_meter","tenant":"beta","path":"fast","pps":19000})"), calm(), 100 * ms);
	g.commit(b, 100 * ms);
	EXPECT_EQ(g.status(100 * ms).canaries, 2u);
	// Within the window: acme's p99 goes from 300 to 400 us (+33% > 20%).
	ObservedState worse = calm();
	EXPECT_TRUE(g.observe(worse, 500 * ms).empty());
	worse.tenants["acme"].fast_p99_us = 400;
	auto actions = g.observe(worse, 600 * ms);
	ASSERT_EQ(actions.size(), 1u);
	const Action &r = actions[0];
	EXPECT_EQ(r.kind, ActionKind::rollback);
	EXPECT_EQ(r.reason, Reason::canary_regression);
	EXPECT_NE(r.detail.find("tenant 'acme' fast p99 400 us vs 300 us before; rolling back 2 change(s)"), std::string::npos) << r.detail;
	ASSERT_TRUE(r.change);
	// Both changes undone: the lists from before the oldest one.
	EXPECT_EQ(rule(r.change->rules, "acme-rpc")->path, config::PathKind::kernel);
	EXPECT_EQ(r.change->tenants[1].quota[1]->pps, 20000u);
	EXPECT_TRUE(r.change->rules_changed);
	EXPECT_TRUE(r.change->tenants_changed);
	EXPECT_EQ(r.change->diff, "tenant/acme/rule acme-rpc: path fast agent0 -> kernel\ntenant/beta/meter fast: pps 19000 -> 20000");
	EXPECT_EQ(r.tenants, (std::vector<std::string>{"acme", "beta"}));
	EXPECT_EQ(r.observed.at("tenant/acme/fast_p99_us_baseline"), "300");
	g.commit(r, 600 * ms);
	EXPECT_EQ(rule(g.rules(), "acme-rpc")->path, config::PathKind::kernel);
	EXPECT_EQ(g.status(600 * ms).canaries, 0u);
	EXPECT_EQ(g.status(600 * ms).rollbacks, 1u);
}

TEST(GuardianCanary, CleanWindowPasses)
{
	Guardian g(lab());
	g.observe(calm(), 0);
	g.commit(g.decide(parse(move_acme), calm(), 0), 0);
	ObservedState better = calm();
	better.tenants["acme"].fast_p99_us = 200;
	EXPECT_TRUE(g.observe(better, 999 * ms).empty());
	auto actions = g.observe(better, 1000 * ms);
	ASSERT_EQ(actions.size(), 1u);
	EXPECT_EQ(actions[0].kind, ActionKind::canary_passed);
	EXPECT_EQ(actions[0].proposer, "policy");
	EXPECT_FALSE(actions[0].change);
	// After the window a regression is no longer blamed on the change.
	better.tenants["acme"].fast_p99_us = 450;
	EXPECT_TRUE(g.observe(better, 1100 * ms).empty());
	EXPECT_EQ(rule(g.rules(), "acme-rpc")->path, config::PathKind::fast);
}

TEST(GuardianCanary, KernelShareRegression)
{
	config::Config cfg = lab();
	cfg.intent.slo.min_kernel_share_pct = 10;
	Guardian g(cfg);
	g.observe(calm(), 0); // 30%
	g.commit(g.decide(parse(move_acme), calm(), 0), 0);
	ObservedState o = calm();
	o.kernel_share_pct = 5;
	auto actions = g.observe(o, 100 * ms);
	ASSERT_EQ(actions.size(), 1u);
	EXPECT_EQ(actions[0].kind, ActionKind::rollback);
	EXPECT_NE(actions[0].detail.find("path A share 5% fell below 10%"), std::string::npos);
}

TEST(GuardianFailsafe, EnteredByRepeatedRejects)
{
	Guardian g(lab());
	// A reject that is not an invariant's (rate, autonomy, malformed) does not count.
	EXPECT_EQ(g.decide(parse(R"({"kind":"set_weight","target":"agent0","weight":3})"), calm(), 0).reason, Reason::unsupported);
	EXPECT_EQ(g.decide(parse(bad_ssh), calm(), 1 * s).reason, Reason::connectivity_protected);
	// ... and the operator's never do.
	EXPECT_EQ(g.decide(parse(bad_ssh, Proposer::operator_shell()), calm(), 1 * s).reason, Reason::connectivity_protected);
	EXPECT_EQ(g.decide(parse(bad_ssh), calm(), 2 * s).reason, Reason::connectivity_protected);
	EXPECT_EQ(g.status(2 * s).recent_rejects, 2u);
	// The first of them has left the 10 s window: still two.
	EXPECT_EQ(g.decide(parse(bad_ssh), calm(), 11 * s).reason, Reason::connectivity_protected);
	EXPECT_FALSE(g.in_failsafe());
	Decision d = g.decide(parse(bad_ssh), calm(), 11500 * ms);
	EXPECT_EQ(d.verdict, Verdict::failsafe);
	EXPECT_EQ(d.reason, Reason::failsafe_rejects);
	EXPECT_NE(d.detail.find("3 invariant rejects within 10 s, the last: connectivity.protected"), std::string::npos) << d.detail;
	ASSERT_TRUE(d.change);
	EXPECT_TRUE(g.in_failsafe());

	// Autonomy pauses; the operator still acts.
	EXPECT_EQ(g.decide(parse(move_beta), calm(), 13 * s).reason, Reason::failsafe_active);
	EXPECT_EQ(g.decide(parse(move_beta, Proposer::client("bot", {"beta"})), calm(), 13 * s).reason, Reason::failsafe_active);
	EXPECT_EQ(g.decide(parse(move_beta, Proposer::operator_shell()), calm(), 13 * s).verdict, Verdict::approve);

	auto exit = g.exit_failsafe(20 * s);
	ASSERT_TRUE(exit);
	EXPECT_EQ(exit->kind, ActionKind::failsafe_exit);
	EXPECT_EQ(exit->proposer, "operator");
	EXPECT_FALSE(g.in_failsafe());
	EXPECT_FALSE(g.exit_failsafe(21 * s));
	EXPECT_EQ(g.status(20 * s).recent_rejects, 0u);
	EXPECT_EQ(g.decide(parse(move_beta), calm(), 21 * s).verdict, Verdict::approve);
}

TEST(GuardianFailsafe, RestoresTheStaticProfile)
{
	config::Config cfg = lab();
	Guardian g(cfg);
	g.commit(g.decide(parse(move_acme), calm(), 0), 0);
	g.commit(g.decide(parse(R"({"kind":"set_meter","tenant":"beta","path":"fast","pps":17000})"), calm(), 0), 0);
	ASSERT_EQ(rule(g.rules(), "acme-rpc")->path, config::PathKind::fast);
	Action a = g.enter_failsafe(Reason::failsafe_operator, "guardian failsafe enter", 1 * s);
	EXPECT_EQ(a.kind, ActionKind::failsafe);
	EXPECT_EQ(a.proposer, "operator");
	ASSERT_TRUE(a.change);
	EXPECT_EQ(a.change->rules.size(), cfg.rules.size());
	EXPECT_EQ(rule(a.change->rules, "acme-rpc")->path, config::PathKind::kernel);
	EXPECT_EQ(a.change->tenants[1].quota[1]->pps, 20000u);
	EXPECT_EQ(a.change->diff, "tenant/acme/rule acme-rpc: path fast agent0 -> kernel\ntenant/beta/meter fast: pps 17000 -> 20000");
	g.commit(a, 1 * s);
	EXPECT_EQ(g.status(1 * s).canaries, 0u); // superseded
	EXPECT_TRUE(g.status(1 * s).failsafe);
	EXPECT_EQ(g.status(1 * s).failsafe_reason, "failsafe.operator");
}

TEST(GuardianFailsafe, EnteredByPersistingBreach)
{
	Guardian g(lab());
	ObservedState o = calm();
	o.tenants["acme"].fast_p99_us = 600; // SLO 500
	EXPECT_TRUE(g.observe(o, 0).empty());
	EXPECT_TRUE(g.observe(o, 1500 * ms).empty());
	// A good sample in between restarts the clock.
	EXPECT_TRUE(g.observe(calm(), 1600 * ms).empty());
	EXPECT_TRUE(g.observe(o, 1700 * ms).empty());
	EXPECT_TRUE(g.observe(o, 3600 * ms).empty());
	auto actions = g.observe(o, 3700 * ms);
	ASSERT_EQ(actions.size(), 1u);
	EXPECT_EQ(actions[0].kind, ActionKind::failsafe);
	EXPECT_EQ(actions[0].reason, Reason::failsafe_slo_breach);
	EXPECT_EQ(actions[0].detail, "tenant 'acme' fast p99 600 us > 500 us for 2000 ms");
	EXPECT_TRUE(g.in_failsafe());
	// Once in FAILSAFE, the breach does not enter it again.
	EXPECT_TRUE(g.observe(o, 9 * s).empty());
	ASSERT_TRUE(g.exit_failsafe(10 * s));
	// After the exit a breach must last breach_ms afresh.
	EXPECT_TRUE(g.observe(o, 11 * s).empty());
	EXPECT_FALSE(g.in_failsafe());
	EXPECT_EQ(g.observe(o, 13 * s).size(), 1u);
}

TEST(GuardianFailsafe, BulkBudgetAndSharedSlo)
{
	config::Config cfg = lab();
	cfg.intent.slo.bulk_budget_bytes_per_s = 1000;
	Guardian g(cfg);
	ObservedState o = calm();
	o.bulk_bytes_per_s = 5000;
	g.observe(o, 0);
	auto actions = g.observe(o, 2 * s);
	ASSERT_EQ(actions.size(), 1u);
	EXPECT_NE(actions[0].detail.find("path C 5000 B/s > budget 1000"), std::string::npos);
	// beta has no SLO of its own: the shared 1000 us applies.
	Guardian h(lab());
	o = calm();
	o.tenants["beta"].fast_p99_us = 1200;
	h.observe(o, 0);
	ASSERT_EQ(h.observe(o, 2 * s).size(), 1u);
}

} // namespace
} // namespace tripath::guardian::test
