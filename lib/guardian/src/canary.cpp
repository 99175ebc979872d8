// After a change: canary windows, rollback on regression, FAILSAFE on a persisting breach.
#include <tripath/guardian/guardian.h>

#include <algorithm>
#include <cstdio>
#include <set>

namespace tripath::guardian {

namespace {

std::string number(double v)
{
	char buf[32];
	std::snprintf(buf, sizeof buf, "%.6g", v);
	return buf;
}

std::string tenant_key(const std::string &tenant, const char *what)
{
	return tenant.empty() ? std::string(what) : "tenant/" + tenant + "/" + what;
}

} // namespace

std::string_view action_name(ActionKind kind)
{
	switch (kind) {
	case ActionKind::rollback: return "ROLLBACK";
	case ActionKind::failsafe: return "FAILSAFE";
	case ActionKind::failsafe_exit: return "FAILSAFE_EXIT";
	case ActionKind::canary_passed: return "CANARY_PASSED";
	}
	return "?";
}

Action Guardian::failsafe_action(Reason reason, const std::string &detail, const std::string &proposer, uint64_t)
{
	Action a;
	a.kind = ActionKind::failsafe;
	a.reason = reason;
	a.detail = detail;
	a.proposer = proposer;
	a.change = restore_static();
	for (const auto &t : static_.tenants)
		a.tenants.push_back(t.name);
	failsafe_ = true;
	failsafe_reason_ = std::string(reason_name(reason));
	canaries_.clear(); // the static profile supersedes every change in flight
	counts_.failsafes++;
	return a;
}

Action Guardian::enter_failsafe(Reason reason, const std::string &detail, uint64_t now_ns)
{
	return failsafe_action(reason, detail, "operator", now_ns);
}

std::optional<Action> Guardian::exit_failsafe(uint64_t)
{
	if (!failsafe_)
		return std::nullopt;
	failsafe_ = false;
	failsafe_reason_.clear();
	reject_times_.clear();
	breach_since_.clear(); // a breach must persist afresh before it counts again
	Action a;
	a.kind = ActionKind::failsafe_exit;
	a.reason = Reason::failsafe_exit;
	a.proposer = "operator";
	a.detail = std::string("autonomy resumes at ") + config::autonomy_name(autonomy_);
	return a;
}

// Every SLO the intent declares, breached or not in this sample; a breach that lasts
// failsafe.breach_ms enters FAILSAFE.
std::optional<Action> Guardian::check_breach(const ObservedState &o, uint64_t now_ns)
{
	const config::SloConfig &slo = static_.intent.slo;
	std::map<std::string, std::string> breached; // key -> words
	for (const auto &[tenant, t] : o.tenants) {
		uint32_t target = slo.fast_p99_us_for(tenant);
		if (target && t.fast_p99_us && *t.fast_p99_us > target)
			breached[tenant_key(tenant, "fast_p99_us")] = (tenant.empty() ? std::string("traffic of no tenant") : "tenant '" + tenant + "'") +
				" fast p99 " + number(*t.fast_p99_us) + " us > " + std::to_string(target) + " us";
	}
	if (slo.min_kernel_share_pct && o.kernel_share_pct < *slo.min_kernel_share_pct)
		breached["kernel_share_pct"] = "path A share " + number(o.kernel_share_pct) + "% < " + std::to_string(*slo.min_kernel_share_pct) + "%";
	if (slo.bulk_budget_bytes_per_s && o.bulk_bytes_per_s > double(*slo.bulk_budget_bytes_per_s))
		breached["bulk_bytes_per_s"] = "path C " + number(o.bulk_bytes_per_s) + " B/s > budget " + std::to_string(*slo.bulk_budget_bytes_per_s);
	std::erase_if(breach_since_, [&](const auto &kv) { return !breached.count(kv.first); });
	uint64_t limit = uint64_t(static_.intent.failsafe.breach_ms) * 1'000'000;
	for (const auto &[key, words] : breached) {
		uint64_t since = breach_since_.try_emplace(key, now_ns).first->second;
		if (!failsafe_ && now_ns - since >= limit) {
			Action a = failsafe_action(Reason::failsafe_slo_breach, words + " for " + std::to_string((now_ns - since) / 1'000'000) + " ms", "policy", now_ns);
			a.observed[key] = words;
			return a;
		}
	}
	return std::nullopt;
}

// A tenant's fast p99 more than regression_pct above its baseline, or path A's share falling
// below its minimum from above it: blame every change still in its window.
std::optional<Action> Guardian::check_regression(const ObservedState &o)
{
	if (canaries_.empty())
		return std::nullopt;
	const Canary &oldest = canaries_.front();
	double factor = 1 + static_.intent.canary.regression_pct / 100.0;
	std::string why;
	std::map<std::string, std::string> numbers;
	for (const auto &[tenant, t] : o.tenants) {
		auto base = oldest.baseline.tenants.find(tenant);
		if (!t.fast_p99_us || base == oldest.baseline.tenants.end() || !base->second.fast_p99_us)
			continue;
		if (*t.fast_p99_us > *base->second.fast_p99_us * factor) {
			numbers[tenant_key(tenant, "fast_p99_us")] = number(*t.fast_p99_us);
			numbers[tenant_key(tenant, "fast_p99_us_baseline")] = number(*base->second.fast_p99_us);
			if (why.empty())
				why = (tenant.empty() ? std::string("traffic of no tenant") : "tenant '" + tenant + "'") + " fast p99 " +
				      number(*t.fast_p99_us) + " us vs " + number(*base->second.fast_p99_us) + " us before";
		}
	}
	const auto &min_share = static_.intent.slo.min_kernel_share_pct;
	if (min_share && o.kernel_share_pct < *min_share && oldest.baseline.kernel_share_pct >= *min_share) {
		numbers["kernel_share_pct"] = number(o.kernel_share_pct);
		if (why.empty())
			why = "path A share " + number(o.kernel_share_pct) + "% fell below " + std::to_string(*min_share) + "%";
	}
	if (why.empty())
		return std::nullopt;
	Action a;
	a.kind = ActionKind::rollback;
	a.reason = Reason::canary_regression;
	a.detail = why + "; rolling back " + std::to_string(canaries_.size()) + " change(s)";
	a.proposer = canaries_.back().proposer;
	a.proposal = canaries_.back().proposal;
	std::set<std::string> scope;
	for (const auto &c : canaries_)
		scope.insert(c.tenants.begin(), c.tenants.end());
	a.tenants.assign(scope.begin(), scope.end());
	Change c;
	c.rules = oldest.prev_rules;
	c.tenants = oldest.prev_tenants;
	c.rules_changed = !diff_lists(rules_, c.rules, {}, {}).empty();
	c.tenants_changed = !diff_lists({}, {}, tenants_, c.tenants).empty();
	c.diff = diff_lists(rules_, c.rules, tenants_, c.tenants);
	a.change = std::move(c);
	a.observed = std::move(numbers);
	canaries_.clear();
	counts_.rollbacks++;
	return a;
}

std::vector<Action> Guardian::observe(const ObservedState &observed, uint64_t now_ns)
{
	last_observed_ = observed;
	std::vector<Action> out;
	if (auto a = check_breach(observed, now_ns)) {
		out.push_back(std::move(*a));
		return out;
	}
	if (auto a = check_regression(observed)) {
		out.push_back(std::move(*a));
		return out;
	}
	while (!canaries_.empty() && canaries_.front().ends_ns <= now_ns) {
		const Canary &c = canaries_.front();
		Action a;
		a.kind = ActionKind::canary_passed;
		a.reason = Reason::canary_passed;
		a.proposer = c.proposer;
		a.proposal = c.proposal;
		a.tenants = c.tenants;
		a.detail = "no regression within " + std::to_string(static_.intent.canary.window_ms) + " ms";
		out.push_back(std::move(a));
		canaries_.pop_front();
	}
	return out;
}

} // namespace tripath::guardian
