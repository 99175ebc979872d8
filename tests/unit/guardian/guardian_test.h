// A small lab for the guardian tests: two tenants, one fast endpoint, one bulk peer, an SSH
// rule and a bounded intent with tight limits so each one is easy to hit.
#pragma once

#include <tripath/config/config.h>
#include <tripath/guardian/guardian.h>

#include <gtest/gtest.h>

#include <string>

namespace tripath::guardian::test {

inline constexpr const char *lab_yaml = R"(ports:
  - { name: wire0, driver: ring }
  - { name: agent0, driver: ring }
lcores:
  - { id: 0, role: control }
  - { id: 1, role: worker, poll: [{ port: wire0, queue: 0 }] }
paths:
  fast: { endpoints: [{ name: agent0, port: agent0, wire: wire0 }] }
tenants:
  - { name: acme, prefixes: [10.1.0.0/16], quota: { fast: { pps: 10000 } } }
  - { name: beta, prefixes: [10.2.0.0/16], quota: { fast: { pps: 20000 } } }
intent:
  autonomy: bounded
  slo: { fast_p99_us: 1000, tenants: [{ tenant: acme, fast_p99_us: 500 }] }
  reserved: [{ tenant: acme, fast: { pps: 6000 } }]
  limits: { mutations_per_s: 2, mutation_burst: 2, max_change_pct: 20, max_adaptive_actions: 2, max_rules_per_tenant: 3 }
  canary: { window_ms: 1000, regression_pct: 20 }
  failsafe: { rejects: 3, reject_window_s: 10, breach_ms: 2000 }
rules:
  - { name: ssh, priority: 10, match: { proto: tcp, dst_port: 22 }, path: kernel }
  - { name: acme-rpc, priority: 100, match: { src: 10.1.0.0/16, proto: udp, dst_port: 7000 }, path: kernel, tenant: acme }
  - { name: beta-web, priority: 100, match: { src: 10.2.0.0/16, proto: tcp, dst_port: 80 }, path: kernel, tenant: beta }
  - { name: acme-all, priority: 200, match: { src: 10.1.0.0/16 }, path: kernel, tenant: acme }
  - { name: default, priority: 65535, path: kernel }
)";

inline config::Config lab(const std::string &extra_intent_yaml = "")
{
	std::string text = lab_yaml;
	if (!extra_intent_yaml.empty())
		text.replace(text.find("intent:\n"), 8, "intent:\n" + extra_intent_yaml);
	config::Config cfg = config::load_config_text(text, "lab.yaml");
	// Peers are added by hand: their YAML is another module's and may change.
	config::BulkPeerConfig peer;
	peer.name = "peer0";
	cfg.paths.bulk.peers.push_back(peer);
	return cfg;
}

// The same without FAILSAFE by rejects, for tests that refuse many proposals in a row.
inline config::Config tolerant_lab()
{
	config::Config cfg = lab();
	cfg.intent.failsafe.rejects = 1000;
	return cfg;
}

inline constexpr uint64_t ms = 1'000'000;
inline constexpr uint64_t s = 1'000'000'000;

inline Proposal parse(const std::string &json, const Proposer &who = Proposer::policy())
{
	ParseResult r = parse_proposal(json, who);
	EXPECT_TRUE(r.proposal.has_value()) << r.error;
	return r.proposal.value_or(Proposal{});
}

inline ObservedState calm()
{
	ObservedState o;
	o.tenants["acme"].fast_p99_us = 300;
	o.tenants["acme"].rate[1] = {8000, 8e7};
	o.tenants["beta"].fast_p99_us = 400;
	o.tenants["beta"].rate[1] = {15000, 1.5e8};
	o.kernel_share_pct = 30;
	return o;
}

inline const config::RuleConfig *rule(const std::vector<config::RuleConfig> &rules, const std::string &name)
{
	for (const auto &r : rules)
		if (r.name == name)
			return &r;
	return nullptr;
}

} // namespace tripath::guardian::test
