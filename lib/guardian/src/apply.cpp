// Proposal -> new rule and tenant lists, and the diff between two pairs of lists.
#include <tripath/guardian/apply.h>
#include <tripath/guardian/connectivity.h>

#include <algorithm>
#include <map>

namespace tripath::guardian {

namespace {

using config::PathKind;

bool prefix_within(const config::Prefix &inner, const config::Prefix &outer)
{
	if (inner.family != outer.family || inner.len < outer.len)
		return false;
	for (unsigned bit = 0; bit < outer.len; bit++) {
		uint8_t mask = uint8_t(0x80 >> (bit % 8));
		if ((inner.addr[bit / 8] & mask) != (outer.addr[bit / 8] & mask))
			return false;
	}
	return true;
}

bool has_target(const config::Config &ctx, PathKind path, const std::string &target)
{
	if (path == PathKind::fast)
		return std::ranges::any_of(ctx.paths.fast_endpoints, [&](const auto &e) { return e.name == target; });
	if (path == PathKind::bulk)
		return std::ranges::any_of(ctx.paths.bulk.peers, [&](const auto &p) { return p.name == target; });
	return target.empty();
}

std::string scope_prefix(const std::string &tenant) { return tenant.empty() ? "" : "tenant/" + tenant + "/"; }

std::string destination(const config::RuleConfig &r)
{
	std::string d = config::path_kind_name(r.path);
	return r.target.empty() ? d : d + " " + r.target;
}

std::string rate(const std::optional<uint64_t> &v) { return v ? std::to_string(*v) : "unlimited"; }

bool same_match(const config::RuleMatch &a, const config::RuleMatch &b) { return describe_match(a) == describe_match(b); }

std::string fresh_name(const std::vector<config::RuleConfig> &rules, const char *stem)
{
	for (unsigned n = 1;; n++) {
		std::string name = std::string(stem) + "-" + std::to_string(n);
		if (std::ranges::none_of(rules, [&](const auto &r) { return r.name == name; }))
			return name;
	}
}

// Ahead of ties at an explicit priority; else ahead of the first rule that could catch the flow.
size_t insertion_point(const std::vector<config::RuleConfig> &rules, const Proposal &p, uint32_t &priority)
{
	if (p.priority) {
		priority = *p.priority;
		auto it = std::ranges::find_if(rules, [&](const auto &r) { return r.priority >= priority; });
		return size_t(it - rules.begin());
	}
	for (size_t i = 0; i < rules.size(); i++)
		if (matches_overlap(rules[i].match, p.flow)) {
			priority = rules[i].priority;
			return i;
		}
	priority = 65535;
	return rules.size();
}

struct Result {
	ApplyResult out;
	Result &fail(Reason r, std::string detail)
	{
		out.ok = false;
		out.reason = r;
		out.detail = std::move(detail);
		return *this;
	}
};

ApplyResult move_rule(const Proposal &p, const config::Config &ctx, Change c)
{
	Result res;
	auto it = std::ranges::find(c.rules, p.rule, &config::RuleConfig::name);
	if (it == c.rules.end())
		return res.fail(Reason::unknown_rule, "no rule named '" + p.rule + "'").out;
	if (!p.source.may_touch(it->tenant))
		return res.fail(Reason::isolation_scope, "rule '" + p.rule + "' belongs to " +
			(it->tenant.empty() ? std::string("no tenant") : "tenant '" + it->tenant + "'") +
			", outside " + p.source.name() + "'s tenants").out;
	if (!has_target(ctx, p.path, p.target))
		return res.fail(Reason::unknown_target, std::string("path ") + config::path_kind_name(p.path) +
			" has no " + (p.path == PathKind::fast ? "endpoint" : "peer") + " '" + p.target + "'").out;
	if (it->path == p.path && it->target == p.target)
		return res.fail(Reason::no_change, "rule '" + p.rule + "' already goes to " + destination(*it)).out;
	it->path = p.path;
	it->target = p.target;
	c.touched_rules.push_back(p.rule);
	c.rules_changed = true;
	res.out.ok = true;
	res.out.change = std::move(c);
	return res.out;
}

ApplyResult insert_flow(const Proposal &p, const config::Config &ctx, Change c)
{
	Result res;
	const char *what = p.kind == ProposalKind::promote_flow ? "promote" : "demote";
	const config::TenantConfig *tenant = nullptr;
	if (!p.tenant.empty()) {
		auto t = std::ranges::find(c.tenants, p.tenant, &config::TenantConfig::name);
		if (t == c.tenants.end())
			return res.fail(Reason::unknown_tenant, "no tenant named '" + p.tenant + "'").out;
		tenant = &*t;
	}
	if (p.source.kind == SourceKind::client) {
		// A client steers only its own tenants' traffic: the flow's sources must be theirs.
		if (!tenant || !p.source.may_touch(p.tenant))
			return res.fail(Reason::isolation_scope, "tenant '" + p.tenant + "' is outside " + p.source.name() + "'s tenants").out;
		if (!p.flow.src || std::ranges::none_of(tenant->prefixes, [&](const auto &pre) { return prefix_within(*p.flow.src, pre); }))
			return res.fail(Reason::isolation_scope, "the flow's src must lie within tenant '" + p.tenant + "' prefixes").out;
	}
	if (!has_target(ctx, p.path, p.target))
		return res.fail(Reason::unknown_target, std::string("path ") + config::path_kind_name(p.path) + " has no " +
			(p.path == PathKind::fast ? "endpoint" : "peer") + " '" + p.target + "'").out;
	if (!p.rule.empty() && std::ranges::find(c.rules, p.rule, &config::RuleConfig::name) != c.rules.end())
		return res.fail(Reason::invalid, "a rule named '" + p.rule + "' exists").out;
	for (const auto &r : c.rules)
		if (same_match(r.match, p.flow) && r.path == p.path && r.target == p.target && r.tenant == p.tenant)
			return res.fail(Reason::no_change, "rule '" + r.name + "' already sends this flow to " + destination(r)).out;
	config::RuleConfig rule;
	rule.name = p.rule.empty() ? fresh_name(c.rules, what) : p.rule;
	rule.match = p.flow;
	rule.path = p.path;
	rule.target = p.target;
	rule.tenant = p.tenant;
	rule.loc = {"guardian", 0, 0};
	size_t at = insertion_point(c.rules, p, rule.priority);
	c.touched_rules.push_back(rule.name);
	c.rules.insert(c.rules.begin() + long(at), std::move(rule));
	c.rules_changed = true;
	res.out.ok = true;
	res.out.change = std::move(c);
	return res.out;
}

ApplyResult set_meter(const Proposal &p, Change c)
{
	Result res;
	auto t = std::ranges::find(c.tenants, p.tenant, &config::TenantConfig::name);
	if (t == c.tenants.end())
		return res.fail(Reason::unknown_tenant, "no tenant named '" + p.tenant + "'").out;
	if (!p.source.may_touch(p.tenant))
		return res.fail(Reason::isolation_scope, "tenant '" + p.tenant + "' is outside " + p.source.name() + "'s tenants").out;
	if (p.path == PathKind::drop || (!p.pps && !p.bps))
		return res.fail(Reason::invalid, "set_meter needs path kernel, fast or bulk and pps and/or bps").out;
	auto &quota = t->quota[size_t(p.path)];
	config::PathQuota q = quota.value_or(config::PathQuota{});
	if (p.pps)
		q.pps = p.pps;
	if (p.bps)
		q.bps = p.bps;
	if (quota && quota->pps == q.pps && quota->bps == q.bps)
		return res.fail(Reason::no_change, "tenant '" + p.tenant + "' " + config::path_kind_name(p.path) + " meter is already that").out;
	quota = q;
	c.tenants_changed = true;
	res.out.ok = true;
	res.out.change = std::move(c);
	return res.out;
}

void rule_lines(std::string &out, const std::vector<config::RuleConfig> &old_rules, const std::vector<config::RuleConfig> &new_rules)
{
	std::map<std::string, const config::RuleConfig *> before;
	for (const auto &r : old_rules)
		before[r.name] = &r;
	std::map<std::string, bool> seen;
	for (const auto &r : new_rules) {
		seen[r.name] = true;
		std::string head = scope_prefix(r.tenant) + "rule " + r.name + ": ";
		auto it = before.find(r.name);
		if (it == before.end()) {
			out += head + "added at priority " + std::to_string(r.priority) + ", match " + describe_match(r.match) +
			       " -> " + destination(r) + "\n";
			continue;
		}
		const config::RuleConfig &o = *it->second;
		if (o.path != r.path || o.target != r.target)
			out += head + "path " + destination(o) + " -> " + destination(r) + "\n";
		if (o.priority != r.priority)
			out += head + "priority " + std::to_string(o.priority) + " -> " + std::to_string(r.priority) + "\n";
		if (!same_match(o.match, r.match))
			out += head + "match " + describe_match(o.match) + " -> " + describe_match(r.match) + "\n";
		if (o.tenant != r.tenant)
			out += head + "tenant '" + o.tenant + "' -> '" + r.tenant + "'\n";
	}
	for (const auto &r : old_rules)
		if (!seen.count(r.name))
			out += scope_prefix(r.tenant) + "rule " + r.name + ": removed (was match " + describe_match(r.match) +
			       " -> " + destination(r) + ")\n";
}

void meter_lines(std::string &out, const std::vector<config::TenantConfig> &old_tenants, const std::vector<config::TenantConfig> &new_tenants)
{
	for (const auto &t : new_tenants) {
		auto o = std::ranges::find(old_tenants, t.name, &config::TenantConfig::name);
		for (size_t path = 0; path < t.quota.size(); path++) {
			std::optional<uint64_t> old_pps, old_bps, pps, bps;
			if (o != old_tenants.end() && o->quota[path])
				old_pps = o->quota[path]->pps, old_bps = o->quota[path]->bps;
			if (t.quota[path])
				pps = t.quota[path]->pps, bps = t.quota[path]->bps;
			std::string head = scope_prefix(t.name) + "meter " + config::path_kind_name(PathKind(path)) + ": ";
			if (old_pps != pps)
				out += head + "pps " + rate(old_pps) + " -> " + rate(pps) + "\n";
			if (old_bps != bps)
				out += head + "bps " + rate(old_bps) + " -> " + rate(bps) + "\n";
		}
	}
}

} // namespace

ApplyResult apply_proposal(const Proposal &p, const config::Config &ctx, const std::vector<config::RuleConfig> &rules,
			   const std::vector<config::TenantConfig> &tenants)
{
	Change c;
	c.rules = rules;
	c.tenants = tenants;
	ApplyResult out;
	switch (p.kind) {
	case ProposalKind::move_rule: out = move_rule(p, ctx, std::move(c)); break;
	case ProposalKind::promote_flow:
	case ProposalKind::demote_flow: out = insert_flow(p, ctx, std::move(c)); break;
	case ProposalKind::set_meter: out = set_meter(p, std::move(c)); break;
	case ProposalKind::set_weight:
		out.reason = Reason::unsupported;
		out.detail = "tripath has no queue or endpoint weights";
		return out;
	}
	if (out.ok)
		out.change.diff = diff_lists(rules, out.change.rules, tenants, out.change.tenants);
	return out;
}

std::string diff_lists(const std::vector<config::RuleConfig> &old_rules, const std::vector<config::RuleConfig> &new_rules,
		       const std::vector<config::TenantConfig> &old_tenants, const std::vector<config::TenantConfig> &new_tenants)
{
	std::string out;
	rule_lines(out, old_rules, new_rules);
	meter_lines(out, old_tenants, new_tenants);
	if (!out.empty())
		out.pop_back(); // no trailing newline
	return out;
}

} // namespace tripath::guardian
