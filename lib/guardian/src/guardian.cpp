// Guardian::decide: the decision table of doc/guardian.md, checks in that order.
#include <tripath/guardian/connectivity.h>
#include <tripath/guardian/guardian.h>

#include <algorithm>
#include <cmath>
#include <set>

namespace tripath::guardian {

namespace {

using config::PathKind;

constexpr uint64_t kNsPerS = 1'000'000'000;

std::string number(double v)
{
	char buf[32];
	std::snprintf(buf, sizeof buf, "%.6g", v);
	return buf;
}

// The tenants a proposal concerns, for the audit scope: the named one, the moved rule's, the
// client's own (a client touching another tenant's rule shows in both).
std::vector<std::string> scope_of(const Proposal &p, const std::vector<config::RuleConfig> &rules)
{
	std::set<std::string> s(p.source.tenants.begin(), p.source.tenants.end());
	if (!p.tenant.empty())
		s.insert(p.tenant);
	if (p.kind == ProposalKind::move_rule) {
		auto it = std::ranges::find(rules, p.rule, &config::RuleConfig::name);
		if (it != rules.end() && !it->tenant.empty())
			s.insert(it->tenant);
	}
	return {s.begin(), s.end()};
}

size_t rules_of(const std::vector<config::RuleConfig> &rules, const std::string &tenant)
{
	return size_t(std::ranges::count(rules, tenant, &config::RuleConfig::tenant));
}

} // namespace

Guardian::Guardian(const config::Config &cfg, uint64_t now_ns)
	: static_(cfg), autonomy_(cfg.intent.autonomy), rules_(cfg.rules), tenants_(cfg.tenants),
	  tokens_(uint64_t(cfg.intent.limits.mutation_burst) * kNsPerS), refilled_ns_(now_ns)
{
}

// Integer token units (kNsPerS per mutation) so that injected times give exact results.
void Guardian::refill(uint64_t now_ns)
{
	const auto &l = static_.intent.limits;
	if (now_ns > refilled_ns_)
		tokens_ = std::min(uint64_t(l.mutation_burst) * kNsPerS, tokens_ + (now_ns - refilled_ns_) * l.mutations_per_s);
	refilled_ns_ = std::max(refilled_ns_, now_ns);
}

void Guardian::prune_rejects(uint64_t now_ns)
{
	uint64_t window = uint64_t(static_.intent.failsafe.reject_window_s) * kNsPerS;
	while (!reject_times_.empty() && reject_times_.front() + window <= now_ns)
		reject_times_.pop_front();
}

size_t Guardian::adaptive_in_flight() const
{
	return size_t(std::ranges::count_if(canaries_, [](const Canary &c) { return c.adaptive; }));
}

Change Guardian::restore_static() const
{
	Change c;
	c.rules = static_.rules;
	c.tenants = static_.tenants;
	c.rules_changed = c.tenants_changed = true;
	c.diff = diff_lists(rules_, c.rules, tenants_, c.tenants);
	return c;
}

Decision Guardian::reject(Decision d, Reason reason, std::string detail, uint64_t now_ns)
{
	d.verdict = Verdict::reject;
	d.reason = reason;
	d.detail = std::move(detail);
	d.change.reset();
	counts_.rejected++;
	if (!counts_towards_failsafe(reason) || d.proposal.source.kind == SourceKind::operator_ || failsafe_)
		return d;
	prune_rejects(now_ns);
	reject_times_.push_back(now_ns);
	d.observed["recent_rejects"] = std::to_string(reject_times_.size());
	if (reject_times_.size() < static_.intent.failsafe.rejects)
		return d;
	// This reject tips the balance: the decision becomes FAILSAFE, carrying the static profile.
	Action a = failsafe_action(Reason::failsafe_rejects,
				   std::to_string(reject_times_.size()) + " invariant rejects within " +
					   std::to_string(static_.intent.failsafe.reject_window_s) + " s, the last: " +
					   std::string(reason_name(reason)) + ": " + d.detail,
				   d.proposal.source.name(), now_ns);
	d.verdict = Verdict::failsafe;
	d.reason = Reason::failsafe_rejects;
	d.detail = a.detail;
	d.change = std::move(a.change);
	return d;
}

// Meters: magnitude (autonomous proposals only) then reserved minimums (everyone).
bool Guardian::clamp_meter(Decision &d, const ObservedState &observed, std::string &detail, Reason &why)
{
	Proposal &p = d.effective;
	auto t = std::ranges::find(tenants_, p.tenant, &config::TenantConfig::name);
	const auto &current = t->quota[size_t(p.path)];
	const auto *seen = observed.tenants.count(p.tenant) ? &observed.tenants.at(p.tenant).rate[size_t(p.path)] : nullptr;
	bool clamped = false;
	double pct = static_.intent.limits.max_change_pct / 100.0;
	auto limit = [&](std::optional<uint64_t> &want, std::optional<uint64_t> now, double seen_rate, const char *unit) {
		if (!want)
			return true;
		std::string key = "tenant/" + p.tenant + "/" + config::path_kind_name(p.path) + "_" + unit;
		double ref = now ? double(*now) : seen_rate;
		d.observed[key + (now ? "_meter" : "_observed")] = number(ref);
		if (p.source.kind == SourceKind::operator_)
			return true;
		if (ref <= 0) {
			detail = std::string(unit) + ": no current meter and no observed rate to measure the change against";
			return false;
		}
		double lo = std::ceil(ref * (1 - pct)), hi = std::floor(ref * (1 + pct));
		double v = std::clamp(double(*want), std::max(lo, 1.0), hi);
		if (v != double(*want)) {
			detail += std::string(detail.empty() ? "" : "; ") + unit + " " + std::to_string(*want) + " -> " +
				  number(v) + " (at most " + std::to_string(static_.intent.limits.max_change_pct) + "% from " +
				  number(ref) + ")";
			want = uint64_t(v);
			why = Reason::magnitude_limit;
			clamped = true;
		}
		return true;
	};
	if (!limit(p.pps, current ? current->pps : std::nullopt, seen ? seen->pps : 0, "pps") ||
	    !limit(p.bps, current ? current->bps : std::nullopt, seen ? seen->bps : 0, "bps")) {
		why = Reason::magnitude_no_reference;
		return false;
	}
	if (const auto *r = static_.intent.reserved_for(p.tenant)) {
		const auto &floor = r->path[size_t(p.path)];
		auto raise = [&](std::optional<uint64_t> &want, const std::optional<uint64_t> &min, const char *unit) {
			if (want && min && *want < *min) {
				detail += std::string(detail.empty() ? "" : "; ") + unit + " " + std::to_string(*want) + " -> " +
					  std::to_string(*min) + " (reserved minimum)";
				want = *min;
				why = Reason::reserved_minimum;
				clamped = true;
			}
		};
		raise(p.pps, floor.pps, "pps");
		raise(p.bps, floor.bps, "bps");
	}
	if (clamped)
		d.verdict = Verdict::clamp;
	return true;
}

Decision Guardian::decide(const Proposal &proposal, const ObservedState &observed, uint64_t now_ns)
{
	counts_.decisions++;
	last_observed_ = observed;
	refill(now_ns);
	Decision d;
	d.proposal = d.effective = proposal;
	d.tenants = scope_of(proposal, rules_);
	d.observed["tokens"] = number(double(tokens_) / kNsPerS);
	d.observed["canaries"] = std::to_string(canaries_.size());
	bool autonomous = proposal.source.kind != SourceKind::operator_;

	if (failsafe_ && autonomous)
		return reject(d, Reason::failsafe_active, "in FAILSAFE (" + failsafe_reason_ + "); only the operator may change steering", now_ns);
	if (autonomy_ == config::Autonomy::off && autonomous)
		return reject(d, Reason::autonomy_off, "autonomy is off; only the operator may change steering", now_ns);
	if (proposal.kind == ProposalKind::set_weight)
		return reject(d, Reason::unsupported, "set_weight: tripath has no queue or endpoint weights", now_ns);
	if (autonomous && tokens_ < kNsPerS)
		return reject(d, Reason::rate_limit, "more than " + std::to_string(static_.intent.limits.mutations_per_s) +
			" mutations per second (burst " + std::to_string(static_.intent.limits.mutation_burst) + ")", now_ns);
	if (autonomous && adaptive_in_flight() >= static_.intent.limits.max_adaptive_actions)
		return reject(d, Reason::concurrent_actions, std::to_string(adaptive_in_flight()) +
			" adaptive changes are in their canary window (limit " + std::to_string(static_.intent.limits.max_adaptive_actions) + ")", now_ns);
	d.verdict = Verdict::approve;
	if (proposal.kind == ProposalKind::set_meter && std::ranges::find(tenants_, proposal.tenant, &config::TenantConfig::name) != tenants_.end() &&
	    proposal.source.may_touch(proposal.tenant)) {
		std::string detail;
		Reason why = Reason::ok;
		if (!clamp_meter(d, observed, detail, why))
			return reject(d, why, detail, now_ns);
		d.reason = why;
		d.detail = detail;
	}
	ApplyResult applied = apply_proposal(d.effective, static_, rules_, tenants_);
	if (!applied.ok) {
		// A clamp that lands exactly on the current value: the floor leaves nothing to change.
		if (applied.reason == Reason::no_change && d.reason == Reason::reserved_minimum)
			return reject(d, Reason::isolation_reserved, d.detail + ": the tenant's meter is already at its reserved minimum", now_ns);
		return reject(d, applied.reason, applied.detail, now_ns);
	}
	Change &c = applied.change;
	for (const auto &name : c.touched_rules) {
		auto r = std::ranges::find(c.rules, name, &config::RuleConfig::name);
		size_t n = rules_of(c.rules, r->tenant);
		d.observed[(r->tenant.empty() ? std::string() : "tenant/" + r->tenant + "/") + "rules"] = std::to_string(n);
		if (n > static_.intent.limits.max_rules_per_tenant && n > rules_of(rules_, r->tenant))
			return reject(d, Reason::rules_per_tenant, (r->tenant.empty() ? std::string("rules of no tenant") : "tenant '" + r->tenant + "'") +
				" would have " + std::to_string(n) + " rules (limit " + std::to_string(static_.intent.limits.max_rules_per_tenant) + ")", now_ns);
	}
	std::vector<size_t> changed;
	for (size_t i = 0; i < c.rules.size(); i++)
		if (std::ranges::find(c.touched_rules, c.rules[i].name) != c.touched_rules.end())
			changed.push_back(i);
	if (auto v = check_connectivity(static_.intent.protected_classes, c.rules, changed))
		return reject(d, Reason::connectivity_protected, "protected class '" + v->protected_class + "': " + v->example, now_ns);
	if (autonomy_ == config::Autonomy::propose_only && autonomous) {
		d.would_be = d.verdict;
		return reject(d, Reason::autonomy_propose_only, "passes every check (" + std::string(verdict_name(d.verdict)) +
			"), not applied: autonomy is propose-only; the operator may submit it", now_ns);
	}
	if (autonomous)
		tokens_ -= kNsPerS;
	d.change = std::move(c);
	(d.verdict == Verdict::clamp ? counts_.clamped : counts_.approved)++;
	return d;
}

void Guardian::commit(const Decision &d, uint64_t now_ns)
{
	if (!d.change)
		return;
	if (d.verdict == Verdict::approve || d.verdict == Verdict::clamp) {
		Canary c;
		c.ends_ns = now_ns + uint64_t(static_.intent.canary.window_ms) * 1'000'000;
		c.adaptive = d.proposal.source.kind != SourceKind::operator_;
		c.prev_rules = rules_;
		c.prev_tenants = tenants_;
		c.baseline = last_observed_;
		c.proposer = d.proposal.source.name();
		c.proposal = to_json(d.effective);
		c.tenants = d.tenants;
		canaries_.push_back(std::move(c));
	}
	rules_ = d.change->rules;
	tenants_ = d.change->tenants;
}

void Guardian::commit(const Action &a, uint64_t)
{
	if (!a.change)
		return;
	rules_ = a.change->rules;
	tenants_ = a.change->tenants;
}

GuardianStatus Guardian::status(uint64_t now_ns) const
{
	GuardianStatus s = counts_;
	s.autonomy = autonomy_;
	s.failsafe = failsafe_;
	s.failsafe_reason = failsafe_reason_;
	s.canaries = canaries_.size();
	s.adaptive_canaries = adaptive_in_flight();
	const auto &l = static_.intent.limits;
	uint64_t units = std::min(uint64_t(l.mutation_burst) * kNsPerS, tokens_ + (now_ns > refilled_ns_ ? (now_ns - refilled_ns_) * l.mutations_per_s : 0));
	s.tokens = double(units) / kNsPerS;
	uint64_t window = uint64_t(static_.intent.failsafe.reject_window_s) * kNsPerS;
	s.recent_rejects = size_t(std::ranges::count_if(reject_times_, [&](uint64_t t) { return t + window > now_ns; }));
	return s;
}

} // namespace tripath::guardian
