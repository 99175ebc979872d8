// Rule and tenant commands: every change is checked like the config file, compiled off the
// workers and published under RCU; a refused change leaves the tables in force untouched.
#include <algorithm>
#include <sstream>

#include <tripath/classify/rule_table.h>
#include <tripath/quota/quota_table.h>

#include "rule_text.h"
#include "runtime.h"

namespace tripath::app {

using control::Args;
using control::CommandResult;
using control::fail;
using control::ok;

namespace {

// Check, compile, audit (the guardian's log) and publish; on any refusal the running tables stay.
CommandResult apply_lists(Runtime &rt, StagedTables staged, const std::string &source, const std::string &done)
{
	std::string error;
	if (!stage_tables(rt, staged, source, error))
		return fail("error: " + error + "\n");
	if (!audit_operator_change(rt, source, staged, error))
		return fail("error: " + source + ": not applied: " + error + "\n");
	std::vector<std::string> warnings = std::move(staged.warnings);
	publish_tables(rt, staged);
	adopt_operator_change(rt);
	std::string out = done;
	for (const std::string &w : warnings)
		out += w + "\n";
	return ok(out);
}

CommandResult apply_rules(Runtime &rt, std::vector<config::RuleConfig> rules, const std::string &source, const std::string &done)
{
	StagedTables staged;
	staged.rules = std::move(rules);
	return apply_lists(rt, std::move(staged), source, done);
}

size_t find_rule(const std::vector<config::RuleConfig> &rules, const std::string &name)
{
	for (size_t i = 0; i < rules.size(); i++)
		if (rules[i].name == name)
			return i;
	return rules.size();
}

CommandResult add_or_replace(Runtime &rt, const std::string &spec, bool replace)
{
	const std::string source = replace ? "rule replace" : "rule add";
	config::RuleConfig rule;
	try {
		rule = config::parse_rule(spec, source, rt.dp->config());
	} catch (const config::ConfigError &e) {
		return fail(std::string("error: ") + e.what() + "\n");
	}
	std::vector<config::RuleConfig> rules = rt.dp->config().rules;
	size_t at = find_rule(rules, rule.name);
	if (replace && at == rules.size())
		return fail("error: rule replace: no rule '" + rule.name + "' (rule add creates one)\n");
	if (!replace && at != rules.size())
		return fail("error: rule add: rule '" + rule.name + "' exists (rule replace changes it)\n");
	if (replace)
		rules[at] = rule;
	else
		rules.push_back(rule);
	return apply_rules(rt, std::move(rules), source, "rule '" + rule.name + "' " + (replace ? "replaced" : "added") + "\n");
}

CommandResult set_quota(Runtime &rt, const std::string &tenant, const std::string &path, const std::string &spec)
{
	std::vector<config::TenantConfig> tenants = rt.dp->config().tenants;
	auto t = std::find_if(tenants.begin(), tenants.end(), [&](const config::TenantConfig &x) { return x.name == tenant; });
	if (t == tenants.end())
		return fail("error: tenant quota: no tenant '" + tenant + "' (show tenants lists them)\n");
	const size_t which = size_t(t - tenants.begin());
	int index = path == "kernel" ? 0 : path == "fast" ? 1 : path == "bulk" ? 2 : -1;
	if (index < 0)
		return fail("error: tenant quota: path '" + path + "' is not kernel, fast or bulk\n");
	try {
		if (spec == "none")
			t->quota[size_t(index)].reset();
		else
			t->quota[size_t(index)] = config::parse_quota(spec, "tenant quota");
	} catch (const config::ConfigError &e) {
		return fail(std::string("error: ") + e.what() + "\n");
	}
	StagedTables staged;
	staged.tenants = std::move(tenants);
	CommandResult r = apply_lists(rt, std::move(staged), "tenant quota", "");
	if (r.status != control::Status::ok)
		return r;
	return ok("tenant '" + tenant + "' quota on path " + path + ": " + quota_text(rt.dp->config().tenants[which].quota[size_t(index)]) + "\n");
}

} // namespace

bool attach_split_ports(Runtime &rt, std::string &error)
{
	for (const config::PortConfig &p : rt.cfg.ports) {
		if (p.ingress != config::Ingress::split)
			continue;
		std::string iface;
		for (const auto &[k, v] : p.args)
			if (k == "iface")
				iface = v;
		try {
			auto rules = classify::xdp::XdpRules::from_interface(iface);
			rules->publish(rt.cfg);
			rt.split_ports.push_back({p.name, iface, std::move(rules)});
		} catch (const std::exception &e) {
			error = p.loc.str() + ": port " + p.name + ": " + e.what();
			return false;
		}
	}
	return true;
}

void register_rule_commands(Runtime &rt)
{
	control::CommandRegistry &r = rt.registry;
	r.add("show rules", "rules", "the rules in force, in match order", [&rt](const Args &) {
		const config::Config &cfg = rt.dp->config();
		std::ostringstream out;
		out << "  generation " << rt.dp->rule_generation() << ", " << cfg.rules.size() << " rules ("
		    << rt.dp->rules().acl_rules() << " ACL entries)\n";
		char line[96];
		std::snprintf(line, sizeof(line), "  %-5s %-20s %8s  %-16s %-12s %s\n", "#", "name", "priority", "path", "tenant", "match");
		out << line;
		for (size_t i = 0; i < cfg.rules.size(); i++) {
			const config::RuleConfig &rc = cfg.rules[i];
			std::snprintf(line, sizeof(line), "  %-5zu %-20s %8u  %-16s %-12s ", i, rc.name.c_str(), rc.priority,
				      path_text(rc).c_str(), rc.tenant.empty() ? "-" : rc.tenant.c_str());
			out << line << match_text(rc.match) << "\n";
		}
		return ok(out.str());
	});
	r.add("show xdp stats", "rules", "split-mode ports: what the XDP classifier decided at the driver", [&rt](const Args &) {
		if (rt.split_ports.empty())
			return ok("  no port runs in split mode (ports[].ingress: split)\n");
		std::ostringstream out;
		for (const Runtime::SplitPort &sp : rt.split_ports) {
			classify::xdp::Counters c = sp.rules->read_counters();
			out << "  port " << sp.port << " (" << sp.iface << "): " << sp.rules->active_rules() << " rules in force\n";
			for (unsigned p = 0; p < c.path.size(); p++)
				out << "    " << config::path_kind_name(config::PathKind(p)) << ": " << c.path[p].packets << " packets, "
				    << c.path[p].bytes << " bytes\n";
			out << "    fast/bulk with no XSK on the queue (passed to the kernel): " << c.xsk_missing.packets << "\n";
			for (unsigned s = 1; s < c.parse.size(); s++)
				if (c.parse[s])
					out << "    dropped " << packet::parse_status_name(packet::ParseStatus(s)) << ": " << c.parse[s] << "\n";
		}
		return ok(out.str());
	});
	r.add("show tenants", "tenants", "each tenant's quotas and what its meters passed, dropped and demoted", [&rt](const Args &) {
		const quota::QuotaTable &q = rt.dp->quotas();
		std::ostringstream out;
		for (uint16_t t = 0; t < q.tenant_count(); t++) {
			const config::TenantConfig &tc = rt.dp->config().tenants[t];
			out << "  tenant " << q.tenant_name(t) << " (over quota: "
			    << (tc.over_quota == config::OverQuota::demote ? "demote" : "drop") << ") prefixes:";
			for (const config::Prefix &p : tc.prefixes)
				out << " " << prefix_text(p);
			out << "\n";
			quota::TenantStats st = q.stats(t);
			for (unsigned p = 0; p < quota::kQuotaPaths; p++) {
				const quota::PathStats &ps = st.path[p];
				char row[200];
				std::snprintf(row, sizeof(row), "    %-7s quota %-32s passed %lu pkts %lu B, dropped %lu, demoted %lu\n",
					      config::path_kind_name(config::PathKind(p)),
					      quota_text(q.quota(t, config::PathKind(p))).c_str(), (unsigned long)ps.passed_packets,
					      (unsigned long)ps.passed_bytes, (unsigned long)ps.dropped, (unsigned long)ps.demoted);
				out << row;
			}
		}
		return ok(q.tenant_count() ? out.str() : "  no tenants\n");
	});
	r.add("tenant quota <tenant> <path> <spec...>", "tenants",
	      "set a tenant's quota on kernel|fast|bulk: {pps: N, bps: N, burst_ms: N}, or none",
	      [&rt](const Args &a) { return set_quota(rt, a[0], a[1], a[2]); });
	r.add("rule add <spec...>", "rules", "add a rule: {name: N, priority: P, match: {...}, path: kernel|fast|bulk|drop, ...}",
	      [&rt](const Args &a) { return add_or_replace(rt, a[0], false); });
	r.add("rule replace <spec...>", "rules", "replace the rule of the same name",
	      [&rt](const Args &a) { return add_or_replace(rt, a[0], true); });
	r.add("rule del <rule>", "rules", "delete a rule (the default rule stays last and cannot go)", [&rt](const Args &a) {
		std::vector<config::RuleConfig> rules = rt.dp->config().rules;
		size_t at = find_rule(rules, a[0]);
		if (at == rules.size())
			return fail("error: rule del: no rule '" + a[0] + "' (show rules lists them)\n");
		rules.erase(rules.begin() + long(at));
		return apply_rules(rt, std::move(rules), "rule del", "rule '" + a[0] + "' deleted\n");
	});
}

} // namespace tripath::app
