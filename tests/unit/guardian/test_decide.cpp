// Guardian::decide: each invariant refusing the proposal that breaks it, CLAMP, autonomy levels.
#include "guardian_test.h"

#include <tripath/guardian/connectivity.h>

namespace tripath::guardian::test {
namespace {

TEST(GuardianDecide, ApprovesAndApplies)
{
	Guardian g(lab());
	Decision d = g.decide(parse(R"({"kind":"move_rule","rule":"acme-rpc","path":"fast","endpoint":"agent0"})"), calm(), 0);
	ASSERT_EQ(d.verdict, Verdict::approve) << d.detail;
	EXPECT_EQ(d.reason, Reason::ok);
	ASSERT_TRUE(d.change);
	EXPECT_TRUE(d.change->rules_changed);
	EXPECT_FALSE(d.change->tenants_changed);
	EXPECT_EQ(rule(d.change->rules, "acme-rpc")->path, config::PathKind::fast);
	EXPECT_EQ(d.change->diff, "tenant/acme/rule acme-rpc: path kernel -> fast agent0");
	EXPECT_EQ(d.tenants, std::vector<std::string>{"acme"});
	// Nothing changes until the daemon commits what it published.
	EXPECT_EQ(rule(g.rules(), "acme-rpc")->path, config::PathKind::kernel);
	g.commit(d, 0);
	EXPECT_EQ(rule(g.rules(), "acme-rpc")->path, config::PathKind::fast);
	EXPECT_EQ(g.status(0).canaries, 1u);
}

TEST(GuardianDecide, PromoteInsertsAheadOfTheRuleThatHasTheFlow)
{
	Guardian g(lab());
	Decision d = g.decide(parse(R"({"kind":"promote_flow","flow":{"src":"10.1.0.7","dst":"10.9.0.1","proto":"udp","src_port":5000,"dst_port":7000},"endpoint":"agent0","tenant":"acme"})"), calm(), 0);
	ASSERT_EQ(d.verdict, Verdict::approve) << d.detail;
	const auto &rules = d.change->rules;
	ASSERT_EQ(rules.size(), 6u);
	EXPECT_EQ(rules[1].name, "promote-1");
	EXPECT_EQ(rules[1].priority, 100u); // acme-rpc's, and ahead of it
	EXPECT_EQ(rules[2].name, "acme-rpc");
	EXPECT_EQ(rules[1].tenant, "acme");
	EXPECT_NE(d.change->diff.find("tenant/acme/rule promote-1: added at priority 100"), std::string::npos) << d.change->diff;
}

TEST(GuardianDecide, ConnectivityRefusesCapturingProtectedTraffic)
{
	Guardian g(tolerant_lab());
	// A whole-prefix rule ahead of everything would take ICMP, ARP-less but IP, DNS, BGP...
	Decision d = g.decide(parse(R"({"kind":"demote_flow","flow":{"dst":"10.9.0.0/16"},"peer":"peer0","priority":0})"), calm(), 0);
	EXPECT_EQ(d.verdict, Verdict::reject);
	EXPECT_EQ(d.reason, Reason::connectivity_protected);
	EXPECT_NE(d.detail.find("protected class 'icmp'"), std::string::npos) << d.detail;
	EXPECT_NE(d.detail.find("rule 'demote-1' sends it to path bulk"), std::string::npos) << d.detail;
	EXPECT_FALSE(d.change);

	// Moving the SSH rule itself off path A.
	d = g.decide(parse(R"({"kind":"move_rule","rule":"ssh","path":"fast","endpoint":"agent0"})"), calm(), 0);
	EXPECT_EQ(d.reason, Reason::connectivity_protected);
	EXPECT_NE(d.detail.find("'ssh'"), std::string::npos);

	// DNS over TCP inside acme's prefix: the acme-all rule (no port) moved to fast would take it.
	d = g.decide(parse(R"({"kind":"move_rule","rule":"acme-all","path":"fast","endpoint":"agent0"})"), calm(), 0);
	EXPECT_EQ(d.reason, Reason::connectivity_protected);

	// tcp/80 cannot be DNS, SSH, BGP, ICMP or ARP: fine. (ssh at priority 10 also shadows tcp/22.)
	d = g.decide(parse(R"({"kind":"move_rule","rule":"beta-web","path":"fast","endpoint":"agent0"})"), calm(), 0);
	EXPECT_EQ(d.verdict, Verdict::approve) << d.detail;

	// Everything tcp from acme, but behind the ssh rule: SSH is shadowed, BGP and DNS/tcp are not.
	d = g.decide(parse(R"({"kind":"promote_flow","flow":{"src":"10.1.0.0/16","proto":"tcp"},"endpoint":"agent0","priority":50})"), calm(), 0);
	EXPECT_EQ(d.reason, Reason::connectivity_protected);
	EXPECT_EQ(d.detail.find("'ssh'"), std::string::npos) << d.detail;
}

TEST(GuardianDecide, ConnectivityExamplesAreRealPackets)
{
	// Field by field: VLAN stacks, families, ports against ranges.
	config::Config cfg = lab();
	auto classes = cfg.intent.protected_classes;
	std::vector<config::RuleConfig> rules(2);
	rules[0].name = "vlan-7";
	rules[0].match.vlan = 7;
	rules[0].path = config::PathKind::fast;
	rules[1].name = "default";
	std::vector<size_t> changed{0};
	auto v = check_connectivity(classes, rules, changed);
	ASSERT_TRUE(v); // ARP on VLAN 7
	EXPECT_EQ(v->protected_class, "arp");
	rules[0].match = {};
	rules[0].match.proto = 17;
	rules[0].match.dst_port = config::Range{1000, 2000};
	EXPECT_FALSE(check_connectivity(classes, rules, changed)); // udp 1000-2000 is not DNS
	rules[0].match.dst_port = config::Range{1, 100};
	v = check_connectivity(classes, rules, changed);
	ASSERT_TRUE(v);
	EXPECT_EQ(v->protected_class, "dns");
	EXPECT_NE(v->example.find("\"dst_port\":\"53\""), std::string::npos) << v->example;
	// An IPv6-only rule on udp cannot capture ARP, but can capture DNS over IPv6.
	rules[0].match = config::parse_match("{dst: 'fd00::/8', proto: udp}", "t", "m");
	v = check_connectivity(classes, rules, changed);
	ASSERT_TRUE(v);
	EXPECT_EQ(v->protected_class, "dns");
	EXPECT_TRUE(matches_overlap(config::parse_match("{vlan: 7}", "t", "m"), config::parse_match("{vlan: 8}", "t", "m"))); // a 2-tag stack
	EXPECT_FALSE(matches_overlap(config::parse_match("{ether_type: arp}", "t", "m"), config::parse_match("{proto: udp}", "t", "m")));
	EXPECT_FALSE(matches_overlap(config::parse_match("{src: 10.1.0.0/16}", "t", "m"), config::parse_match("{src: 10.2.0.0/16}", "t", "m")));
}

TEST(GuardianDecide, IsolationScope)
{
	Guardian g(tolerant_lab());
	Proposer acme_bot = Proposer::client("bot", {"acme"});
	// beta's rule, acme's client.
	Decision d = g.decide(parse(R"({"kind":"move_rule","rule":"beta-web","path":"fast","endpoint":"agent0"})", acme_bot), calm(), 0);
	EXPECT_EQ(d.reason, Reason::isolation_scope);
	EXPECT_EQ(d.tenants, (std::vector<std::string>{"acme", "beta"}));
	// A rule of no tenant.
	d = g.decide(parse(R"({"kind":"move_rule","rule":"default","path":"fast","endpoint":"agent0"})", acme_bot), calm(), 0);
	EXPECT_EQ(d.reason, Reason::isolation_scope);
	// beta's meter.
	d = g.decide(parse(R"({"kind":"set_meter","tenant":"beta","path":"fast","pps":19000})", acme_bot), calm(), 0);
	EXPECT_EQ(d.reason, Reason::isolation_scope);
	// A flow claimed for acme whose source is beta's.
	d = g.decide(parse(R"({"kind":"promote_flow","flow":{"src":"10.2.0.9","proto":"udp","dst_port":9000},"endpoint":"agent0","tenant":"acme"})", acme_bot), calm(), 0);
	EXPECT_EQ(d.reason, Reason::isolation_scope);
	EXPECT_NE(d.detail.find("within tenant 'acme' prefixes"), std::string::npos);
	// Its own flow is fine.
	d = g.decide(parse(R"({"kind":"promote_flow","flow":{"src":"10.1.0.9","proto":"udp","dst_port":9000},"endpoint":"agent0","tenant":"acme"})", acme_bot), calm(), 0);
	EXPECT_EQ(d.verdict, Verdict::approve) << d.detail;
}

TEST(GuardianDecide, MeterMagnitudeClamp)
{
	Guardian g(lab());
	// beta at 20000 pps: at most 20% per change.
	Decision d = g.decide(parse(R"({"kind":"set_meter","tenant":"beta","path":"fast","pps":5000})"), calm(), 0);
	ASSERT_EQ(d.verdict, Verdict::clamp) << d.detail;
	EXPECT_EQ(d.reason, Reason::magnitude_limit);
	EXPECT_EQ(d.effective.pps, 16000u);
	EXPECT_EQ(d.proposal.pps, 5000u);
	EXPECT_EQ(d.change->diff, "tenant/beta/meter fast: pps 20000 -> 16000");
	EXPECT_EQ(d.change->tenants[1].quota[1]->pps, 16000u);
	d = g.decide(parse(R"({"kind":"set_meter","tenant":"beta","path":"fast","pps":90000})"), calm(), 0);
	EXPECT_EQ(d.effective.pps, 24000u);
	// The operator is not bound by magnitude, only by the invariants.
	d = g.decide(parse(R"({"kind":"set_meter","tenant":"beta","path":"fast","pps":5000})", Proposer::operator_shell()), calm(), 0);
	EXPECT_EQ(d.verdict, Verdict::approve);
	EXPECT_EQ(d.effective.pps, 5000u);
}

TEST(GuardianDecide, MeterWithoutQuotaMeasuresAgainstObservedRate)
{
	Guardian g(lab());
	ObservedState o = calm();
	o.tenants["beta"].rate[2] = {0, 1e9}; // beta on path C, no bulk quota
	Decision d = g.decide(parse(R"({"kind":"set_meter","tenant":"beta","path":"bulk","bps":1000000})"), o, 0);
	ASSERT_EQ(d.verdict, Verdict::clamp);
	EXPECT_EQ(d.effective.bps, 800000000u);
	EXPECT_EQ(d.observed.at("tenant/beta/bulk_bps_observed"), "1e+09");
	d = g.decide(parse(R"({"kind":"set_meter","tenant":"acme","path":"bulk","bps":1000000})"), o, 0);
	EXPECT_EQ(d.reason, Reason::magnitude_no_reference);
}

TEST(GuardianDecide, ReservedMinimumClampsUpOrRefuses)
{
	Guardian g(lab());
	// acme: quota 10000, reserved 6000. The operator asks for 1000: raised to 6000.
	Decision d = g.decide(parse(R"({"kind":"set_meter","tenant":"acme","path":"fast","pps":1000})", Proposer::operator_shell()), calm(), 0);
	ASSERT_EQ(d.verdict, Verdict::clamp) << d.detail;
	EXPECT_EQ(d.reason, Reason::reserved_minimum);
	EXPECT_EQ(d.effective.pps, 6000u);
	g.commit(d, 0);
	// Already at the floor: nothing left to cut.
	d = g.decide(parse(R"({"kind":"set_meter","tenant":"acme","path":"fast","pps":5000})", Proposer::operator_shell()), calm(), 0);
	EXPECT_EQ(d.verdict, Verdict::reject);
	EXPECT_EQ(d.reason, Reason::isolation_reserved);
}

TEST(GuardianDecide, RateLimitWithInjectedTime)
{
	// Nothing is committed here, so no canary windows get in the way.
	config::Config cfg = lab();
	cfg.intent.limits.max_adaptive_actions = 100;
	Guardian h(cfg, 0);
	auto promote = [&](int port) {
		return parse(R"({"kind":"promote_flow","flow":{"src":"10.1.0.9","proto":"udp","dst_port":)" + std::to_string(port) + R"(},"endpoint":"agent0","tenant":"acme"})");
	};
	// Burst 2, 2 per second.
	EXPECT_EQ(h.decide(promote(9001), calm(), 0).verdict, Verdict::approve);
	EXPECT_EQ(h.decide(promote(9002), calm(), 0).verdict, Verdict::approve);
	Decision d = h.decide(promote(9003), calm(), 100 * ms);
	EXPECT_EQ(d.reason, Reason::rate_limit);
	EXPECT_EQ(d.observed.at("tokens"), "0.2");
	EXPECT_EQ(h.decide(promote(9003), calm(), 499 * ms).reason, Reason::rate_limit);
	EXPECT_EQ(h.decide(promote(9003), calm(), 500 * ms).verdict, Verdict::approve);
	EXPECT_EQ(h.decide(promote(9004), calm(), 600 * ms).reason, Reason::rate_limit);
	// Refills to the burst, not beyond.
	EXPECT_EQ(h.decide(promote(9004), calm(), 60 * s).verdict, Verdict::approve);
	EXPECT_EQ(h.decide(promote(9005), calm(), 60 * s).verdict, Verdict::approve);
	EXPECT_EQ(h.decide(promote(9006), calm(), 60 * s).reason, Reason::rate_limit);
	// Rejected proposals spend no token, and the operator is not rate limited.
	EXPECT_EQ(h.decide(promote(9006), calm(), 60 * s).reason, Reason::rate_limit);
	EXPECT_EQ(h.decide(parse(R"({"kind":"move_rule","rule":"beta-web","path":"fast","endpoint":"agent0"})", Proposer::operator_shell()), calm(), 60 * s).verdict,
		  Verdict::approve);
}

TEST(GuardianDecide, ConcurrentAdaptiveActions)
{
	Guardian g(lab());
	Decision a = g.decide(parse(R"({"kind":"move_rule","rule":"acme-rpc","path":"fast","endpoint":"agent0"})"), calm(), 0);
	g.commit(a, 0);
	Decision b = g.decide(parse(R"({"kind":"move_rule","rule":"beta-web","path":"fast","endpoint":"agent0"})"), calm(), 0);
	g.commit(b, 0);
	Decision c = g.decide(parse(R"({"kind":"set_meter","tenant":"beta","path":"fast","pps":19000})"), calm(), 10 * s);
	EXPECT_EQ(c.reason, Reason::concurrent_actions);
	// Once the windows end clean, room again.
	auto actions = g.observe(calm(), 10 * s);
	ASSERT_EQ(actions.size(), 2u);
	EXPECT_EQ(actions[0].kind, ActionKind::canary_passed);
	EXPECT_EQ(g.decide(parse(R"({"kind":"set_meter","tenant":"beta","path":"fast","pps":19000})"), calm(), 10 * s).verdict, Verdict::approve);
}

TEST(GuardianDecide, RulesPerTenant)
{
	config::Config cfg = lab();
	cfg.intent.limits.max_adaptive_actions = 100;
	cfg.intent.limits.mutation_burst = 100;
	Guardian g(cfg);
	// acme has 2 rules, limit 3.
	Decision d = g.decide(parse(R"({"kind":"promote_flow","flow":{"src":"10.1.0.9","proto":"udp","dst_port":9001},"endpoint":"agent0","tenant":"acme"})"), calm(), 0);
	ASSERT_EQ(d.verdict, Verdict::approve);
	g.commit(d, 0);
	d = g.decide(parse(R"({"kind":"promote_flow","flow":{"src":"10.1.0.9","proto":"udp","dst_port":9002},"endpoint":"agent0","tenant":"acme"})"), calm(), 0);
	EXPECT_EQ(d.reason, Reason::rules_per_tenant);
	EXPECT_EQ(d.observed.at("tenant/acme/rules"), "4");
	// beta has room.
	EXPECT_EQ(g.decide(parse(R"({"kind":"promote_flow","flow":{"src":"10.2.0.9","proto":"udp","dst_port":9002},"endpoint":"agent0","tenant":"beta"})"), calm(), 0).verdict,
		  Verdict::approve);
}

TEST(GuardianDecide, ReferencesAndNoChange)
{
	Guardian g(lab());
	EXPECT_EQ(g.decide(parse(R"({"kind":"move_rule","rule":"nope","path":"fast","endpoint":"agent0"})"), calm(), 0).reason, Reason::unknown_rule);
	EXPECT_EQ(g.decide(parse(R"({"kind":"move_rule","rule":"acme-rpc","path":"fast","endpoint":"agent9"})"), calm(), 0).reason, Reason::unknown_target);
	EXPECT_EQ(g.decide(parse(R"({"kind":"move_rule","rule":"acme-rpc","path":"bulk","peer":"peer0"})"), calm(), 0).verdict, Verdict::approve);
	EXPECT_EQ(g.decide(parse(R"({"kind":"move_rule","rule":"acme-rpc","path":"kernel"})"), calm(), 0).reason, Reason::no_change);
	EXPECT_EQ(g.decide(parse(R"({"kind":"set_meter","tenant":"gamma","path":"fast","pps":5})"), calm(), 0).reason, Reason::unknown_tenant);
	Decision w = g.decide(parse(R"({"kind":"set_weight","target":"agent0","weight":3})"), calm(), 0);
	EXPECT_EQ(w.reason, Reason::unsupported);
	EXPECT_EQ(reason_name(w.reason), "unsupported");
}

TEST(GuardianDecide, AutonomyLevels)
{
	const char *move = R"({"kind":"move_rule","rule":"acme-rpc","path":"fast","endpoint":"agent0"})";
	config::Config cfg = lab();
	cfg.intent.autonomy = config::Autonomy::off;
	Guardian off(cfg);
	EXPECT_EQ(off.decide(parse(move), calm(), 0).reason, Reason::autonomy_off);
	EXPECT_EQ(off.decide(parse(move, Proposer::client("bot", {"acme"})), calm(), 0).reason, Reason::autonomy_off);
	EXPECT_EQ(off.decide(parse(move, Proposer::operator_shell()), calm(), 0).verdict, Verdict::approve);

	cfg.intent.autonomy = config::Autonomy::propose_only;
	Guardian propose(cfg);
	Decision d = propose.decide(parse(move), calm(), 0);
	EXPECT_EQ(d.verdict, Verdict::reject);
	EXPECT_EQ(d.reason, Reason::autonomy_propose_only);
	EXPECT_EQ(d.would_be, Verdict::approve);
	EXPECT_FALSE(d.change);
	// ... but an invalid one is still refused for what it is.
	EXPECT_EQ(propose.decide(parse(R"({"kind":"move_rule","rule":"ssh","path":"fast","endpoint":"agent0"})"), calm(), 0).reason,
		  Reason::connectivity_protected);
	EXPECT_EQ(propose.decide(parse(move, Proposer::operator_shell()), calm(), 0).verdict, Verdict::approve);

	propose.set_autonomy(config::Autonomy::bounded);
	EXPECT_EQ(propose.decide(parse(move), calm(), 0).verdict, Verdict::approve);
	EXPECT_EQ(propose.status(0).autonomy, config::Autonomy::bounded);
}

TEST(GuardianDecide, Deterministic)
{
	auto run = [] {
		Guardian g(lab());
		std::string log;
		uint64_t t = 0;
		for (const char *p : {R"({"kind":"set_meter","tenant":"beta","path":"fast","pps":5000})",
				      R"({"kind":"move_rule","rule":"ssh","path":"fast","endpoint":"agent0"})",
				      R"({"kind":"move_rule","rule":"acme-rpc","path":"fast","endpoint":"agent0"})",
				      R"({"kind":"move_rule","rule":"beta-web","path":"fast","endpoint":"agent0"})"}) {
			Decision d = g.decide(parse(p), calm(), t += 100 * ms);
			log += std::string(verdict_name(d.verdict)) + " " + std::string(reason_name(d.reason)) + " " + d.detail + "\n";
			g.commit(d, t);
		}
		return log;
	};
	std::string first = run();
	EXPECT_EQ(first, run());
	EXPECT_NE(first.find("CLAMP magnitude.limit"), std::string::npos) << first;
	EXPECT_NE(first.find("REJECT rate.limit"), std::string::npos) << first;
}

} // namespace
} // namespace tripath::guardian::test
