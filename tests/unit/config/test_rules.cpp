// The rule list as a whole (default rule, shadowed rules) and the shell's rule APIs:
// parse_rule and check_rules.
#include "config_test.h"

#include <chrono>

namespace tripath::config::test {
namespace {

// Ports, lcores, an endpoint, a peer and a tenant; tests append rules from line 12.
constexpr const char *base = R"(
ports:
  - { name: wire0, driver: ring }
  - { name: agent0, driver: ring }
lcores:
  - { id: 0, role: control }
  - { id: 1, role: worker, poll: [{ port: wire0, queue: 0 }] }
paths:
  fast: { endpoints: [{ name: ep1, port: agent0 }] }
  bulk: { peers: [{ name: peer1, address: "10.0.0.9:7000" }] }
tenants:
  - { name: acme, prefixes: [10.1.0.0/16] }
)";

std::string with_base(std::string_view rest)
{
	return base + std::string(yaml_text(rest));
}

// "B<A" for each warning "rule 'B' can never match: rule 'A' ...", joined by spaces.
std::string shadows(const Config &cfg)
{
	std::string out;
	for (const std::string &w : cfg.warnings) {
		auto name_after = [&](const std::string &marker) {
			size_t at = w.find(marker);
			if (at == std::string::npos)
				return std::string("?");
			at += marker.size();
			return w.substr(at, w.find('\'', at) - at);
		};
		out += (out.empty() ? "" : " ") + name_after("warning: rule '") + "<" +
			name_after("can never match: rule '");
	}
	return out;
}

// The warnings of the base config with these rules (a default rule is added at the end).
std::string shadows_in(std::string_view rules)
{
	return shadows(load(with_base("rules:\n" + std::string(yaml_text(rules)) + default_rule)));
}

TEST(ConfigRules, DefaultRuleMustComeLast)
{
	EXPECT_TRUE(fails_at(with_base(R"(
rules:
  - { name: ssh, priority: 20, match: { proto: tcp, dst_port: 22 }, path: kernel }
  - { name: default, priority: 10, path: kernel }
)"), "t.yaml:12:1",
			     "rules: no default rule: end the rules with one that has no match, e.g. { name: "
			     "default, priority: 65535, path: kernel } (the last rule by priority, 'ssh' at "
			     "t.yaml:13:5, has a match)"));
	EXPECT_TRUE(fails_at(with_base(R"(
rules:
  - { name: ssh, match: { proto: tcp, dst_port: 22 }, path: kernel }
)"), "t.yaml:12:1", "rules: no default rule: end the rules with one that has no match"));
	EXPECT_TRUE(fails_at(with_base(R"(
rules: []
)"), "t.yaml:12:1",
			     "rules: no default rule: end the rules with one that has no match, e.g. { name: "
			     "default, priority: 65535, path: kernel }"));
	// Equal priorities keep file order, so a default written first is not last.
	EXPECT_TRUE(fails_at(with_base(R"(
rules:
  - { name: default, priority: 65535, path: kernel }
  - { name: late, priority: 65535, match: { dscp: 1 }, path: drop }
)"), "t.yaml:12:1", "(the last rule by priority, 'late' at t.yaml:14:5, has a match)"));
}

TEST(ConfigRules, NoRulesSection)
{
	EXPECT_TRUE(fails_at(base, "t.yaml:1:1",
			     "no default rule: there is no rules section; add one that ends with a rule "
			     "that has no match, e.g. rules: [{ name: default, priority: 65535, path: "
			     "kernel }]"));
}

TEST(ConfigRules, DefaultRuleMayTakeAnyPath)
{
	Config cfg = load(with_base(R"(
rules:
  - { name: last, priority: 7, path: fast, endpoint: ep1, tenant: acme }
  - { name: ssh, priority: 5, match: { proto: tcp, dst_port: 22 }, path: kernel }
)"));
	ASSERT_EQ(cfg.rules.size(), 2u);
	EXPECT_EQ(cfg.rules[1].name, "last");
	EXPECT_TRUE(cfg.warnings.empty());
}

TEST(ConfigRules, ShadowedRuleWarningText)
{
	Config cfg = load(with_base(R"(
rules:
  - { name: web, priority: 10, match: { dst: 10.0.0.0/8, proto: tcp }, path: kernel }
  - { name: api, priority: 20, match: { dst: 10.1.0.0/16, proto: tcp, dst_port: 443 }, path: drop }
  - { name: default, priority: 65535, path: kernel }
)"));
	ASSERT_EQ(cfg.warnings.size(), 1u);
	EXPECT_EQ(cfg.warnings[0], "t.yaml:14:5: warning: rule 'api' can never match: rule 'web' "
				   "(t.yaml:13:5) comes first and matches everything it matches");
}

TEST(ConfigRules, RuleWithoutMatchShadowsEveryLaterRule)
{
	Config cfg = load(with_base(R"(
rules:
  - { name: a, priority: 1, match: { proto: udp }, path: kernel }
  - { name: early, priority: 2, path: drop }
  - { name: b, priority: 3, match: { proto: tcp }, path: kernel }
  - { name: default, priority: 65535, path: kernel }
)"));
	EXPECT_EQ(shadows(cfg), "b<early default<early");
	EXPECT_EQ(cfg.warnings[0].substr(0, 12), "t.yaml:15:5:");
}

TEST(ConfigRules, ShadowingFieldByField)
{
	// Each case: A then B; "B<A" when A matches everything B does.
	EXPECT_EQ(shadows_in(R"(
  - { name: a, match: { proto: tcp, dst_port: 22 }, path: kernel }
  - { name: b, match: { proto: tcp, dst_port: 22 }, path: drop }
)"), "b<a") << "identical";
	EXPECT_EQ(shadows_in(R"(
  - { name: b, match: { dst: 10.1.0.0/16, proto: tcp }, path: drop }
  - { name: a, match: { dst: 10.0.0.0/8 }, path: kernel }
)"), "") << "the narrower rule first is how it should be";
	EXPECT_EQ(shadows_in(R"(
  - { name: a, match: { src: "fd00::/8" }, path: kernel }
  - { name: b, match: { src: "fd00:1::/32", dst: "fd00::1" }, path: drop }
  - { name: c, match: { src: "fe00::/8" }, path: drop }
  - { name: d, match: { dst: "fd00::/8" }, path: drop }
)"), "b<a") << "IPv6 prefixes; src and dst are not interchangeable";
	EXPECT_EQ(shadows_in(R"(
  - { name: a, match: { src: "::/0" }, path: kernel }
  - { name: b, match: { src: 10.0.0.0/8 }, path: drop }
  - { name: c, match: { dst: "fd00::/8" }, path: drop }
  - { name: d, match: { proto: tcp }, path: drop }
)"), "c<a") << "::/0 matches every IPv6 packet and no IPv4 one";
	EXPECT_EQ(shadows_in(R"(
  - { name: a, match: { src: 0.0.0.0/0 }, path: kernel }
  - { name: b, match: { ether_type: ipv4 }, path: drop }
  - { name: c, match: { dst: 192.168.0.0/16 }, path: drop }
)"), "c<a") << "ether_type ipv4 alone does not promise an IPv4 header";
	EXPECT_EQ(shadows_in(R"(
  - { name: a, match: { proto: udp, dst_port: 1000-2000 }, path: kernel }
  - { name: b, match: { proto: udp, dst_port: 1500 }, path: drop }
  - { name: c, match: { proto: tcp, dst_port: 1500 }, path: drop }
  - { name: d, match: { proto: udp, dst_port: 1500-2001 }, path: drop }
  - { name: e, match: { proto: udp, src_port: 1500 }, path: drop }
)"), "b<a") << "port ranges";
	EXPECT_EQ(shadows_in(R"(
  - { name: a, match: { proto: tcp, src_port: 0-65535 }, path: kernel }
  - { name: b, match: { proto: tcp, dst_port: 80 }, path: drop }
  - { name: c, match: { proto: tcp }, path: drop }
)"), "b<a") << "a full port range needs only an L4 header, which a non-first fragment lacks";
	EXPECT_EQ(shadows_in(R"(
  - { name: a, match: { proto: tcp }, path: kernel }
  - { name: b, match: { proto: tcp, src: 10.0.0.0/8, dst_port: 22 }, path: drop }
  - { name: c, match: { proto: 6, dscp: 46, vlan: 7, frame_size: 64-128 }, path: drop }
  - { name: d, match: { proto: udp }, path: drop }
)"), "b<a c<a");
	EXPECT_EQ(shadows_in(R"(
  - { name: a, match: { dscp: 46, vlan: 100, ether_type: ipv4 }, path: kernel }
  - { name: b, match: { dscp: 46, vlan: 100, ether_type: ipv4, proto: udp }, path: drop }
  - { name: c, match: { dscp: 45, vlan: 100, ether_type: ipv4 }, path: drop }
  - { name: d, match: { dscp: 46, vlan: 101, ether_type: ipv4 }, path: drop }
  - { name: e, match: { dscp: 46, vlan: 100, ether_type: ipv6 }, path: drop }
  - { name: f, match: { dscp: 46, vlan: 100 }, path: drop }
)"), "b<a") << "exact fields must be equal";
	EXPECT_EQ(shadows_in(R"(
  - { name: a, match: { frame_size: 64-1518 }, path: kernel }
  - { name: b, match: { frame_size: 100-200, proto: tcp }, path: drop }
  - { name: c, match: { frame_size: 1000-2000 }, path: drop }
  - { name: d, match: { proto: tcp }, path: drop }
)"), "b<a");
	EXPECT_EQ(shadows_in(R"(
  - { name: b, priority: 20, match: { proto: tcp, dst_port: 80 }, path: drop }
  - { name: a, priority: 10, match: { proto: tcp }, path: kernel }
)"), "b<a") << "order is by priority, not by file";
	EXPECT_EQ(shadows_in(R"(
  - { name: a, match: { proto: tcp }, path: kernel }
  - { name: b, match: { proto: tcp }, path: drop }
  - { name: c, match: { proto: tcp, dst_port: 1 }, path: drop }
)"), "b<a c<a") << "the first rule that covers is named";
}

RuleConfig rule(std::string name, uint32_t priority, RuleMatch match = {})
{
	RuleConfig r;
	r.name = std::move(name);
	r.priority = priority;
	r.match = match;
	r.loc = {"api", 1, 1};
	return r;
}

TEST(ConfigRulesApi, CheckRulesSortsAndWarns)
{
	RuleMatch tcp;
	tcp.proto = 6;
	std::vector<RuleConfig> rules = {rule("default", 65535), rule("b", 20, tcp), rule("a", 10, tcp),
					 rule("c", 20)};
	rules[1].loc = {"x.yaml", 4, 5};
	rules[2].loc = {"rule add", 1, 1};
	std::vector<std::string> warnings = {"kept"};
	check_rules(rules, "rule add", warnings);
	std::string order;
	for (const auto &r : rules)
		order += r.name + " ";
	EXPECT_EQ(order, "a b c default ");
	ASSERT_EQ(warnings.size(), 3u);
	EXPECT_EQ(warnings[0], "kept");
	EXPECT_EQ(warnings[1], "x.yaml:4:5: warning: rule 'b' can never match: rule 'a' (rule add:1:1) "
			       "comes first and matches everything it matches");
	EXPECT_EQ(warnings[2].substr(0, 44), "api:1:1: warning: rule 'default' can never m");
}

TEST(ConfigRulesApi, CheckRulesErrors)
{
	std::vector<std::string> warnings;
	auto check = [&](std::vector<RuleConfig> rules) { check_rules(rules, "rule del", warnings); };
	EXPECT_TRUE(throws_at([&] { check({}); }, "rule del:1:1", "rules: no default rule: end the rules"));
	RuleMatch udp;
	udp.proto = 17;
	EXPECT_TRUE(throws_at([&] { check({rule("default", 100), rule("dns", 200, udp)}); }, "rule del:1:1",
			      "(the last rule by priority, 'dns' at api:1:1, has a match)"));
	std::vector<RuleConfig> twice = {rule("x", 1, udp), rule("x", 2)};
	twice[1].loc = {"rule add", 1, 2};
	EXPECT_TRUE(throws_at([&] { check(twice); }, "rule add:1:2", "duplicate rule name 'x' (first at api:1:1)"));
	RuleMatch backwards = udp;
	backwards.dst_port = Range{2000, 1000};
	EXPECT_TRUE(throws_at([&] { check({rule("r", 1, backwards), rule("d", 2)}); }, "api:1:1",
			      "rule 'r': match.dst_port range 2000-1000 is backwards (LO must be <= HI)"));
	backwards.dst_port.reset();
	backwards.src_port = Range{9, 8};
	EXPECT_TRUE(throws_at([&] { check({rule("r", 1, backwards), rule("d", 2)}); }, "api:1:1",
			      "rule 'r': match.src_port range 9-8 is backwards"));
	RuleMatch wide = udp;
	wide.src_port = Range{1, 70000};
	EXPECT_TRUE(throws_at([&] { check({rule("r", 1, wide), rule("d", 2)}); }, "api:1:1",
			      "rule 'r': match.src_port 1-70000 is out of range (0..65535)"));
}

TEST(ConfigRulesApi, TwentyThousandRulesAreCheckedAndMoreAreNot)
{
	// Distinct /32s: nothing shadows anything, so every pair is compared.
	std::vector<RuleConfig> rules;
	for (uint32_t i = 0; i < 19999; i++) {
		RuleMatch m;
		m.proto = 6;
		m.dst_port = Range{443, 443};
		Prefix p;
		p.addr = {10, uint8_t(i >> 16), uint8_t(i >> 8), uint8_t(i)};
		p.len = 32;
		m.dst = p;
		rules.push_back(rule("r" + std::to_string(i), 10, m));
	}
	rules.push_back(rule("default", 65535));
	std::vector<RuleConfig> more = rules;
	std::vector<std::string> warnings;
	auto start = std::chrono::steady_clock::now();
	check_rules(rules, "big", warnings);
	double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
	EXPECT_TRUE(warnings.empty());
	EXPECT_LT(seconds, 5.0);
	std::printf("shadow check of %zu rules: %.2f s\n", rules.size(), seconds);

	more.insert(more.begin(), rule("dup", 5, more[0].match));
	check_rules(more, "big", warnings);
	ASSERT_EQ(warnings.size(), 1u);
	EXPECT_EQ(warnings[0], "big:1:1: warning: rules: 20001 rules; the check for rules that can never "
			       "match was skipped (it runs up to 20000 rules)");
}

TEST(ConfigRulesApi, ParseRule)
{
	Config ctx = load(with_base(R"(
rules: [{ name: default, path: kernel }]
)"));
	RuleConfig r = parse_rule(
		"{name: web, priority: 100, match: {dst: 10.1.0.0/16, proto: tcp, dst_port: 80}, path: kernel}",
		"rule add", ctx);
	EXPECT_EQ(r.name, "web");
	EXPECT_EQ(r.priority, 100u);
	EXPECT_EQ(r.path, PathKind::kernel);
	ASSERT_TRUE(r.match.dst);
	EXPECT_EQ(r.match.dst->len, 16);
	EXPECT_EQ(r.match.proto, 6);
	EXPECT_EQ(r.match.dst_port->lo, 80u);
	EXPECT_EQ(r.loc.str(), "rule add:1:1");

	RuleConfig fast = parse_rule("{name: rpc, path: fast, endpoint: ep1, tenant: acme}", "rule add", ctx);
	EXPECT_EQ(fast.target, "ep1");
	EXPECT_EQ(fast.tenant, "acme");
	EXPECT_EQ(fast.priority, 1000u);
	RuleConfig block = parse_rule("name: sync\npath: bulk\npeer: peer1\n", "rule add", ctx);
	EXPECT_EQ(block.target, "peer1");

	// The result goes through check_rules like the file's rules.
	std::vector<RuleConfig> rules = ctx.rules;
	rules.push_back(parse_rule("{name: late, priority: 65535, match: {dscp: 1}, path: drop}", "rule add", ctx));
	std::vector<std::string> warnings;
	EXPECT_TRUE(throws_at([&] { check_rules(rules, "rule add", warnings); }, "rule add:1:1",
			      "'late' at rule add:1:1, has a match"));
}

TEST(ConfigRulesApi, ParseRuleErrors)
{
	Config ctx = load(with_base(R"(
rules: [{ name: default, path: kernel }]
)"));
	auto parse = [&](std::string_view yaml) { return [&ctx, yaml] { parse_rule(yaml, "rule add", ctx); }; };
	EXPECT_TRUE(throws_at(parse("{name: web, path: fast, endpoint: nope}"), "rule add:1:35",
			      "rule 'web': path fast names endpoint 'nope', which is not defined in "
			      "paths.fast.endpoints"));
	EXPECT_TRUE(throws_at(parse("{name: web, path: bulk, peer: west}"), "rule add:1:31",
			      "rule 'web': path bulk names peer 'west', which is not defined in paths.bulk.peers"));
	EXPECT_TRUE(throws_at(parse("{name: web, path: kernel, tenant: lab}"), "rule add:1:35",
			      "rule 'web': tenant 'lab' is not defined in tenants"));
	EXPECT_TRUE(throws_at(parse("{name: web, match: {dst_port: 80}, path: kernel}"), "rule add:1:31",
			      "rule.match.dst_port: ports only apply to proto tcp, udp or sctp (this rule has no "
			      "proto)"));
	EXPECT_TRUE(throws_at(parse("{name: web, match: {proto: tcp, dst_port: 90-80}, path: kernel}"),
			      "rule add:1:43", "rule.match.dst_port: range 90-80 is backwards (LO must be <= HI)"));
	EXPECT_TRUE(throws_at(parse("{name: web, match: {dst: 10.1.0.1/16}, path: kernel}"), "rule add:1:26",
			      "rule.match.dst: 10.1.0.1/16 has host bits set; did you mean 10.1.0.0/16?"));
	EXPECT_TRUE(throws_at(parse("{name: web, priority: 70000, path: drop}"), "rule add:1:23",
			      "rule.priority: expected an integer 0..65535, got '70000'"));
	EXPECT_TRUE(throws_at(parse("{name: web, path: kernel, prio: 1}"), "rule add:1:27",
			      "unknown key 'prio' in rule (expected one of: name, priority, match, path, "
			      "endpoint, peer, tenant)"));
	EXPECT_TRUE(throws_at(parse("{name: web}"), "rule add:1:1", "missing required key 'path' in rule"));
	EXPECT_TRUE(throws_at(parse("{name: web, path: kernel"), "rule add:1:1",
			      "YAML syntax error: end of map flow not found"));
	EXPECT_TRUE(throws_at(parse(""), "rule add:1:1", "rule: expected a map with keys name, priority"));
	EXPECT_TRUE(throws_at(parse("web"), "rule add:1:1", "rule: expected a map with keys name"));
}

} // namespace
} // namespace tripath::config::test
