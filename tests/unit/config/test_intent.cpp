// The guardian's sections: intent (SLOs, protected classes, reserved minimums, autonomy, limits,
// canary, failsafe), audit, and parse_match for proposals.
#include "config_test.h"

namespace tripath::config::test {
namespace {

// Lines 1-6; the test's own YAML starts on line 7 and a default rule follows it.
constexpr const char *base = R"(
ports: [{ name: wire0, driver: ring }]
lcores:
  - { id: 0, role: control }
  - { id: 1, role: worker, poll: [{ port: wire0, queue: 0 }] }
tenants:
  - { name: acme, prefixes: [10.1.0.0/16], quota: { fast: { pps: 50000, bps: 100000000 } } }
)";

std::string with(std::string_view rest)
{
	return base + std::string(yaml_text(rest)) + "rules:\n" + default_rule;
}

const ProtectedClass *find_class(const IntentConfig &i, std::string_view name)
{
	for (const auto &c : i.protected_classes)
		if (c.name == name)
			return &c;
	return nullptr;
}

TEST(ConfigIntent, DefaultsWhenAbsent)
{
	Config cfg = load(with(""));
	EXPECT_FALSE(cfg.intent.present);
	EXPECT_EQ(cfg.intent.autonomy, Autonomy::off);
	ASSERT_EQ(cfg.intent.protected_classes.size(), 5u);
	const ProtectedClass *dns = find_class(cfg.intent, "dns");
	ASSERT_NE(dns, nullptr);
	ASSERT_EQ(dns->matches.size(), 2u);
	EXPECT_EQ(dns->matches[0].proto, 17);
	EXPECT_EQ(dns->matches[1].proto, 6);
	EXPECT_EQ(dns->matches[1].dst_port->lo, 53u);
	EXPECT_EQ(find_class(cfg.intent, "arp")->matches[0].ether_type, 0x0806);
	EXPECT_EQ(find_class(cfg.intent, "icmp")->matches.size(), 2u);
	EXPECT_EQ(find_class(cfg.intent, "bgp")->matches[0].dst_port->hi, 179u);
	EXPECT_EQ(cfg.intent.limits.mutations_per_s, 10u);
	EXPECT_EQ(cfg.intent.canary.window_ms, 2000u);
	EXPECT_TRUE(cfg.audit.log.empty());
	EXPECT_EQ(cfg.audit.fsync, "interval 10");
}

TEST(ConfigIntent, FullSection)
{
	Config cfg = load(with(R"(
intent:
  autonomy: bounded
  slo:
    fast_p99_us: 800
    tenants: [{ tenant: acme, fast_p99_us: 300 }]
    min_kernel_share_pct: 5
    bulk_budget_bytes_per_s: 1000000000
  protected:
    builtin: [arp, ssh]
    extra: [{ name: ntp, match: { proto: udp, dst_port: 123 } }]
  reserved:
    - { tenant: acme, fast: { pps: 1000 }, kernel: { pps: 10, bps: 8000 } }
  limits: { mutations_per_s: 5, mutation_burst: 2, max_change_pct: 25, max_adaptive_actions: 3, max_rules_per_tenant: 9 }
  canary: { window_ms: 500, regression_pct: 10 }
  failsafe: { rejects: 4, reject_window_s: 2, breach_ms: 700 }
audit:
  log: /var/lib/tripath/audit.log
  key: /etc/tripath/audit.key
  fsync: every 16
  checkpoint_every: 100
  create_key: true
)"));
	const IntentConfig &i = cfg.intent;
	EXPECT_TRUE(i.present);
	EXPECT_EQ(i.autonomy, Autonomy::bounded);
	EXPECT_EQ(i.slo.fast_p99_us_for("acme"), 300u);
	EXPECT_EQ(i.slo.fast_p99_us_for("other"), 800u);
	EXPECT_EQ(i.slo.fast_p99_us_for(""), 800u);
	EXPECT_EQ(i.slo.min_kernel_share_pct, 5u);
	EXPECT_EQ(i.slo.bulk_budget_bytes_per_s, 1000000000u);
	ASSERT_EQ(i.protected_classes.size(), 3u);
	EXPECT_EQ(i.protected_classes[0].name, "arp");
	EXPECT_EQ(i.protected_classes[1].name, "ssh");
	EXPECT_EQ(i.protected_classes[2].name, "ntp");
	EXPECT_FALSE(i.protected_classes[2].builtin);
	EXPECT_EQ(i.protected_classes[2].matches[0].dst_port->lo, 123u);
	const ReservedMinimum *r = i.reserved_for("acme");
	ASSERT_NE(r, nullptr);
	EXPECT_EQ(r->path[size_t(PathKind::fast)].pps, 1000u);
	EXPECT_FALSE(r->path[size_t(PathKind::fast)].bps);
	EXPECT_EQ(r->path[size_t(PathKind::kernel)].bps, 8000u);
	EXPECT_EQ(i.reserved_for("nobody"), nullptr);
	EXPECT_EQ(i.limits.mutations_per_s, 5u);
	EXPECT_EQ(i.limits.mutation_burst, 2u);
	EXPECT_EQ(i.limits.max_change_pct, 25u);
	EXPECT_EQ(i.limits.max_adaptive_actions, 3u);
	EXPECT_EQ(i.limits.max_rules_per_tenant, 9u);
	EXPECT_EQ(i.canary.window_ms, 500u);
	EXPECT_EQ(i.canary.regression_pct, 10u);
	EXPECT_EQ(i.failsafe.rejects, 4u);
	EXPECT_EQ(i.failsafe.reject_window_s, 2u);
	EXPECT_EQ(i.failsafe.breach_ms, 700u);
	EXPECT_EQ(cfg.audit.log, "/var/lib/tripath/audit.log");
	EXPECT_EQ(cfg.audit.key, "/etc/tripath/audit.key");
	EXPECT_EQ(cfg.audit.fsync, "every 16");
	EXPECT_EQ(cfg.audit.checkpoint_every, 100u);
	EXPECT_EQ(cfg.audit.checkpoint_interval_ms, 60000u);
	EXPECT_TRUE(cfg.audit.create_key);
	EXPECT_STREQ(autonomy_name(Autonomy::propose_only), "propose-only");
}

TEST(ConfigIntent, AutonomyAndKeyErrors)
{
	EXPECT_TRUE(fails_at(with(R"(
intent: { autonomy: yolo }
)"), "t.yaml:7:21", "intent.autonomy: expected one of off, propose-only, bounded, got 'yolo'"));
	EXPECT_TRUE(fails_at(with(R"(
intent: { autonomie: off }
)"), "t.yaml:7:11", "unknown key 'autonomie' in intent"));
	EXPECT_TRUE(fails_at(with(R"(
intent:
  limits: { mutations_per_s: 0 }
)"), "t.yaml:8:30", "intent.limits.mutations_per_s: expected an integer 1..100000, got '0'"));
	EXPECT_TRUE(fails_at(with(R"(
intent:
  canary: { window_ms: soon }
)"), "t.yaml:8:24", "intent.canary.window_ms: expected an integer"));
	EXPECT_TRUE(fails_at(with(R"(
intent:
  failsafe: { breach_ms: -1 }
)"), "t.yaml:8:26", "intent.failsafe.breach_ms"));
}

TEST(ConfigIntent, SloErrors)
{
	EXPECT_TRUE(fails_at(with(R"(
intent:
  slo:
    tenants: [{ tenant: nobody, fast_p99_us: 300 }]
)"), "t.yaml:9:25", "intent.slo.tenants[0].tenant: tenant 'nobody' is not defined in tenants"));
	EXPECT_TRUE(fails_at(with(R"(
intent:
  slo:
    tenants: [{ tenant: acme, fast_p99_us: 300 }, { tenant: acme, fast_p99_us: 1 }]
)"), "t.yaml:9:61", "duplicate tenant in intent.slo.tenants 'acme'"));
	EXPECT_TRUE(fails_at(with(R"(
intent:
  slo: { min_kernel_share_pct: 101 }
)"), "t.yaml:8:32", "intent.slo.min_kernel_share_pct: expected an integer 0..100, got '101'"));
}

TEST(ConfigIntent, ProtectedErrors)
{
	EXPECT_TRUE(fails_at(with(R"(
intent:
  protected: { builtin: [arp, smtp] }
)"), "t.yaml:8:31", "intent.protected.builtin[1]: expected one of arp, icmp, ssh, bgp, dns"));
	EXPECT_TRUE(fails_at(with(R"(
intent:
  protected:
    extra: [{ name: web, match: { proto: tcp, dst_port: 99999 } }]
)"), "t.yaml:9:57", "intent.protected.extra[0].match.dst_port: expected an integer 0..65535"));
	EXPECT_TRUE(fails_at(with(R"(
intent:
  protected:
    extra: [{ name: web, match: { dst_port: 80 } }]
)"), "t.yaml:9:45", "ports only apply to proto tcp, udp or sctp"));
	EXPECT_TRUE(fails_at(with(R"(
intent:
  protected:
    extra: [{ name: all, match: {} }]
)"), "t.yaml:9:33", "an empty match would protect every packet"));
	EXPECT_TRUE(fails_at(with(R"(
intent:
  protected:
    extra: [{ name: ssh, match: { proto: tcp, dst_port: 2222 } }]
)"), "t.yaml:9:21", "duplicate protected class name 'ssh'"));
}

TEST(ConfigIntent, ReservedErrors)
{
	EXPECT_TRUE(fails_at(with(R"(
intent:
  reserved: [{ tenant: ghost, fast: { pps: 1 } }]
)"), "t.yaml:8:24", "intent.reserved[0].tenant: tenant 'ghost' is not defined"));
	EXPECT_TRUE(fails_at(with(R"(
intent:
  reserved: [{ tenant: acme, fast: { pps: 60000 } }]
)"), "t.yaml:8:36", "reserved fast.pps 60000 is above tenant 'acme' quota.fast.pps 50000"));
	EXPECT_TRUE(fails_at(with(R"(
intent:
  reserved: [{ tenant: acme, drop: { pps: 1 } }]
)"), "t.yaml:8:30", "unknown key 'drop' in intent.reserved[0]"));
	EXPECT_TRUE(fails_at(with(R"(
intent:
  reserved: [{ tenant: acme, bulk: {} }]
)"), "t.yaml:8:36", "intent.reserved[0].bulk: needs pps, bps or both"));
}

TEST(ConfigIntent, Clients)
{
	Config cfg = load(with(R"(
intent:
  clients: [{ name: scheduler, tenants: [acme] }]
)"));
	ASSERT_EQ(cfg.intent.clients.size(), 1u);
	ASSERT_NE(cfg.intent.client_named("scheduler"), nullptr);
	EXPECT_EQ(cfg.intent.client_named("scheduler")->tenants, std::vector<std::string>{"acme"});
	EXPECT_EQ(cfg.intent.client_named("ghost"), nullptr);
	EXPECT_TRUE(fails_at(with(R"(
intent:
  clients: [{ name: scheduler, tenants: [ghost] }]
)"), "t.yaml:8:42", "intent.clients[0].tenants[0]: tenant 'ghost' is not defined"));
	EXPECT_TRUE(fails_at(with(R"(
intent:
  clients: [{ name: scheduler, tenants: [] }]
)"), "t.yaml:8:41", "a client needs at least one tenant"));
	EXPECT_TRUE(fails_at(with(R"(
intent:
  clients: [{ name: a, tenants: [acme] }, { name: a, tenants: [acme] }]
)"), "t.yaml:8:51", "intent.clients[1].name: duplicate client name in intent.clients 'a'"));
}

TEST(ConfigIntent, ClientCredentials)
{
	Config cfg = load(with(R"(
intent:
  clients: [{ name: scheduler, tenants: [acme], uid: 1001 }, { name: batch, tenants: [acme], group: agents }]
)"));
	EXPECT_EQ(cfg.intent.client_named("scheduler")->uid, 1001u);
	EXPECT_EQ(cfg.intent.client_named("scheduler")->group, "");
	EXPECT_FALSE(cfg.intent.client_named("batch")->uid.has_value());
	EXPECT_EQ(cfg.intent.client_named("batch")->group, "agents");
	EXPECT_TRUE(fails_at(with(R"(
intent:
  clients: [{ name: root-agent, tenants: [acme], uid: 0 }]
)"), "t.yaml:8:55", "intent.clients[0].uid: expected an integer 1..4294967294")) << "uid 0 is the operator, never a client";
	EXPECT_TRUE(fails_at(with(R"(
intent:
  clients: [{ name: x, tenants: [acme], group: "two words" }]
)"), "t.yaml:8:48", "intent.clients[0].group: expected a name"));
}

TEST(ConfigIntent, AuditErrors)
{
	EXPECT_TRUE(fails_at(with(R"(
audit: { log: /tmp/a.log, key: /tmp/k, fsync: sometimes }
)"), "t.yaml:7:47", "audit.fsync: expected always, every N (records), interval MS (milliseconds) or never, got 'sometimes'"));
	EXPECT_TRUE(fails_at(with(R"(
audit: { log: /tmp/a.log, key: /tmp/k, fsync: every 0 }
)"), "t.yaml:7:47", "audit.fsync"));
	EXPECT_TRUE(fails_at(with(R"(
audit: { log: /tmp/a.log }
)"), "t.yaml:7:8", "missing required key 'key' in audit"));
	EXPECT_TRUE(fails_at(with(R"(
audit: { log: /tmp/a.log, key: /tmp/k, checkpoint_every: many }
)"), "t.yaml:7:58", "audit.checkpoint_every: expected an integer 0..10000000"));
	Config cfg = load(with(R"(
audit: { log: /tmp/a.log, key: /tmp/k, fsync: interval 100, checkpoint_interval_ms: 0 }
)"));
	EXPECT_EQ(cfg.audit.fsync, "interval 100");
	EXPECT_EQ(cfg.audit.checkpoint_interval_ms, 0u);
}

TEST(ConfigIntent, ParseMatch)
{
	RuleMatch m = parse_match(R"({"proto":"tcp","dst":"10.1.0.5","dst_port":7000})", "proposal", "flow");
	EXPECT_EQ(m.proto, 6);
	ASSERT_TRUE(m.dst);
	EXPECT_EQ(m.dst->len, 32);
	EXPECT_EQ(m.dst_port->lo, 7000u);
	EXPECT_TRUE(throws_at([] { parse_match(R"({"proto":"tcp","dst_port":70000})", "proposal", "flow"); },
			      "proposal:1:27", "flow.dst_port: expected an integer 0..65535"));
	EXPECT_TRUE(throws_at([] { parse_match(R"({"prot":"tcp"})", "proposal", "flow"); }, "proposal:1:2",
			      "unknown key 'prot' in flow"));
}

} // namespace
} // namespace tripath::config::test
