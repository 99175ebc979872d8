// Tenant quotas (tenants[].quota, over_quota) and the shell's parse_quota.
#include "config_test.h"

namespace tripath::config::test {
namespace {

// A valid plan; tests append tenants from line 5 and end with a default rule.
constexpr const char *base = R"(
ports: [{ name: wire0, driver: ring }]
lcores:
  - { id: 0, role: control }
  - { id: 1, role: worker, poll: [{ port: wire0, queue: 0 }] }
)";

std::string tenants(std::string_view rest)
{
	return base + std::string(yaml_text(rest)) + "rules:\n" + default_rule;
}

TEST(ConfigTenants, Quotas)
{
	Config cfg = load(tenants(R"(
tenants:
  - name: acme
    prefixes: [10.1.0.0/16]
    quota: { kernel: { pps: 1000, bps: 8000000, burst_ms: 10 }, fast: { pps: 50000 } }
    over_quota: demote
  - name: big
    prefixes: ["fd00::/8"]
    quota:
      bulk: { bps: 400000000000, burst_ms: 10000 }
      fast: { pps: 1000000000, bps: 1000, burst_ms: 1 }
  - { name: free, prefixes: [10.2.0.0/16] }
)"));
	EXPECT_TRUE(cfg.warnings.empty());
	ASSERT_EQ(cfg.tenants.size(), 3u);
	const TenantConfig &acme = cfg.tenants[0];
	EXPECT_EQ(acme.over_quota, OverQuota::demote);
	const auto &kernel = acme.quota[size_t(PathKind::kernel)];
	ASSERT_TRUE(kernel);
	EXPECT_EQ(kernel->pps, 1000u);
	EXPECT_EQ(kernel->bps, 8000000u);
	EXPECT_EQ(kernel->burst_ms, 10u);
	EXPECT_EQ(kernel->loc.str(), "t.yaml:8:22");
	const auto &fast = acme.quota[size_t(PathKind::fast)];
	ASSERT_TRUE(fast);
	EXPECT_EQ(fast->pps, 50000u);
	EXPECT_FALSE(fast->bps);
	EXPECT_EQ(fast->burst_ms, 10u); // the default
	EXPECT_EQ(fast->loc.str(), "t.yaml:8:71");
	EXPECT_FALSE(acme.quota[size_t(PathKind::bulk)]);

	const TenantConfig &big = cfg.tenants[1];
	EXPECT_EQ(big.over_quota, OverQuota::drop);
	EXPECT_FALSE(big.quota[size_t(PathKind::kernel)]);
	EXPECT_EQ(big.quota[size_t(PathKind::bulk)]->bps, 400000000000u);
	EXPECT_FALSE(big.quota[size_t(PathKind::bulk)]->pps);
	EXPECT_EQ(big.quota[size_t(PathKind::bulk)]->burst_ms, 10000u);
	EXPECT_EQ(big.quota[size_t(PathKind::fast)]->pps, 1000000000u);
	EXPECT_EQ(big.quota[size_t(PathKind::fast)]->bps, 1000u);
	EXPECT_EQ(big.quota[size_t(PathKind::fast)]->burst_ms, 1u);
	EXPECT_EQ(big.quota[size_t(PathKind::fast)]->loc.str(), "t.yaml:14:13");

	for (const auto &q : cfg.tenants[2].quota)
		EXPECT_FALSE(q);
}

TEST(ConfigTenants, ZeroQuotaIsRefused)
{
	EXPECT_TRUE(fails_at(tenants(R"(
tenants:
  - name: acme
    prefixes: [10.1.0.0/16]
    quota: { kernel: { pps: 0 } }
)"), "t.yaml:8:29", "tenant 'acme': quota.kernel.pps is 0; remove it for no limit"));
	EXPECT_TRUE(fails_at(tenants(R"(
tenants:
  - name: acme
    prefixes: [10.1.0.0/16]
    quota:
      bulk:
        pps: 10
        bps: 0x0
)"), "t.yaml:11:14", "tenant 'acme': quota.bulk.bps is 0; remove it for no limit"));
}

TEST(ConfigTenants, QuotaRanges)
{
	auto quota = [](std::string_view q) {
		return tenants("tenants:\n  - { name: acme, prefixes: [10.1.0.0/16], quota: { fast: " + std::string(q) +
			       " } }\n");
	};
	EXPECT_TRUE(fails_at(quota("{ pps: 1000000001 }"), "t.yaml:6:66",
			     "tenants[0].quota.fast.pps: expected an integer 1..1000000000, got '1000000001'"));
	EXPECT_TRUE(fails_at(quota("{ bps: 999 }"), "t.yaml:6:66",
			     "tenants[0].quota.fast.bps: expected an integer 1000..400000000000, got '999'"));
	EXPECT_TRUE(fails_at(quota("{ bps: 400000000001 }"), "t.yaml:6:66",
			     "tenants[0].quota.fast.bps: expected an integer 1000..400000000000"));
	EXPECT_TRUE(fails_at(quota("{ pps: many }"), "t.yaml:6:66",
			     "tenants[0].quota.fast.pps: expected an integer 1..1000000000, got 'many'"));
	EXPECT_TRUE(fails_at(quota("{ pps: 10, burst_ms: 0 }"), "t.yaml:6:80",
			     "tenants[0].quota.fast.burst_ms: expected an integer 1..10000, got '0'"));
	EXPECT_TRUE(fails_at(quota("{ pps: 10, burst_ms: 10001 }"), "t.yaml:6:80",
			     "tenants[0].quota.fast.burst_ms: expected an integer 1..10000, got '10001'"));
	EXPECT_TRUE(fails_at(quota("{ burst_ms: 5 }"), "t.yaml:6:59",
			     "tenant 'acme': quota.fast needs pps, bps or both (a quota without either limits "
			     "nothing)"));
	EXPECT_TRUE(fails_at(quota("{ }"), "t.yaml:6:59", "tenant 'acme': quota.fast needs pps, bps or both"));
	EXPECT_TRUE(fails_at(quota(""), "t.yaml:6:53",
			     "tenants[0].quota.fast: expected a map with keys pps, bps, burst_ms, got nothing"));
	EXPECT_TRUE(fails_at(quota("{ pps: 10, rate: 5 }"), "t.yaml:6:70",
			     "unknown key 'rate' in tenants[0].quota.fast (expected one of: pps, bps, burst_ms)"));
}

TEST(ConfigTenants, QuotaPathKeys)
{
	EXPECT_TRUE(fails_at(tenants(R"(
tenants:
  - name: acme
    prefixes: [10.1.0.0/16]
    quota: { kernel: { pps: 10 }, drop: { pps: 10 } }
)"), "t.yaml:8:35", "unknown key 'drop' in tenants[0].quota (expected one of: kernel, fast, bulk)"));
	EXPECT_TRUE(fails_at(tenants(R"(
tenants:
  - name: acme
    prefixes: [10.1.0.0/16]
    quota: { kernel: { pps: 10 }, kernel: { pps: 20 } }
)"), "t.yaml:8:35", "duplicate key 'kernel' in tenants[0].quota (first at t.yaml:8:14)"));
	EXPECT_TRUE(fails_at(tenants(R"(
tenants:
  - name: acme
    prefixes: [10.1.0.0/16]
    quota: 1000
)"), "t.yaml:8:12", "tenants[0].quota: expected a map with keys kernel, fast, bulk, got '1000'"));
	EXPECT_TRUE(fails_at(tenants(R"(
tenants:
  - name: acme
    prefixes: [10.1.0.0/16]
    over_quota: queue
)"), "t.yaml:8:17", "tenants[0].over_quota: expected one of drop, demote, got 'queue'"));
}

TEST(ConfigTenants, DemoteWithNothingToDemoteWarns)
{
	Config cfg = load(tenants(R"(
tenants:
  - name: acme
    prefixes: [10.1.0.0/16]
    quota: { kernel: { pps: 1000 } }
    over_quota: demote
  - { name: idle, prefixes: [10.2.0.0/16], over_quota: demote }
  - { name: ok, prefixes: [10.3.0.0/16], quota: { bulk: { bps: 1000000 } }, over_quota: demote }
  - { name: dropper, prefixes: [10.4.0.0/16], quota: { kernel: { pps: 1 } }, over_quota: drop }
)"));
	ASSERT_EQ(cfg.warnings.size(), 2u);
	EXPECT_EQ(cfg.warnings[0], "t.yaml:9:17: warning: tenant 'acme': over_quota: demote has nothing to "
				   "demote to: only path kernel has a quota, and path kernel traffic over quota is "
				   "dropped");
	EXPECT_EQ(cfg.warnings[1], "t.yaml:10:56: warning: tenant 'idle': over_quota: demote has no effect: "
				   "the tenant has no quota");
	EXPECT_EQ(cfg.tenants[0].over_quota, OverQuota::demote);
	EXPECT_EQ(cfg.tenants[3].over_quota, OverQuota::drop);
}

TEST(ConfigTenants, ParseQuota)
{
	PathQuota q = parse_quota("{pps: 1000, bps: 8000000, burst_ms: 20}", "tenant quota");
	EXPECT_EQ(q.pps, 1000u);
	EXPECT_EQ(q.bps, 8000000u);
	EXPECT_EQ(q.burst_ms, 20u);
	EXPECT_EQ(q.loc.str(), "tenant quota:1:1");
	q = parse_quota("{bps: 1000}", "tenant quota");
	EXPECT_FALSE(q.pps);
	EXPECT_EQ(q.burst_ms, 10u);

	auto parse = [](std::string_view yaml) { return [yaml] { parse_quota(yaml, "tenant quota"); }; };
	EXPECT_TRUE(throws_at(parse("{pps: 0}"), "tenant quota:1:7", "quota.pps is 0; remove it for no limit"));
	EXPECT_TRUE(throws_at(parse("{pps: 5, bps: 0}"), "tenant quota:1:15", "quota.bps is 0; remove it for no limit"));
	EXPECT_TRUE(throws_at(parse("{bps: 10}"), "tenant quota:1:7",
			      "quota.bps: expected an integer 1000..400000000000, got '10'"));
	EXPECT_TRUE(throws_at(parse("{pps: 5, burst_ms: 20000}"), "tenant quota:1:20",
			      "quota.burst_ms: expected an integer 1..10000, got '20000'"));
	EXPECT_TRUE(throws_at(parse("{burst_ms: 5}"), "tenant quota:1:1", "quota needs pps, bps or both"));
	EXPECT_TRUE(throws_at(parse("{pps: 5, ppm: 1}"), "tenant quota:1:10",
			      "unknown key 'ppm' in quota (expected one of: pps, bps, burst_ms)"));
	EXPECT_TRUE(throws_at(parse("{pps: 5"), "tenant quota:1:1", "YAML syntax error"));
	EXPECT_TRUE(throws_at(parse(""), "tenant quota:1:1",
			      "quota: expected a map with keys pps, bps, burst_ms, got nothing"));
}

} // namespace
} // namespace tripath::config::test
