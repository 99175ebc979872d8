#include <tripath/guardian/audit_record.h>

namespace tripath::guardian {

namespace {

void observe_state(audit::Record &r, const ObservedState &o, const std::vector<std::string> &tenants)
{
	r.observe("kernel_share_pct", o.kernel_share_pct);
	r.observe("bulk_bytes_per_s", o.bulk_bytes_per_s);
	for (const auto &name : tenants) {
		auto it = o.tenants.find(name);
		if (it == o.tenants.end())
			continue;
		std::string key = "tenant/" + name + "/";
		if (it->second.fast_p99_us)
			r.observe(key + "fast_p99_us", *it->second.fast_p99_us);
		for (size_t p = 0; p < it->second.rate.size(); p++) {
			std::string path = config::path_kind_name(config::PathKind(p));
			r.observe(key + path + "_pps", it->second.rate[p].pps);
			r.observe(key + path + "_bps", it->second.rate[p].bps);
		}
	}
}

// lib/audit takes observed values of at most 256 bytes; longer words (a connectivity example)
// are cut there, whole in a shared record's diff.
constexpr size_t kMaxObserved = 256;

std::string fit(const std::string &value)
{
	return value.size() <= kMaxObserved ? value : value.substr(0, kMaxObserved - 3) + "...";
}

// The words may name other tenants. Export shows unscoped observed keys to every tenant of the
// record but hides unscoped diff lines from a shared record: so a shared record keeps them there.
void add_detail(audit::Record &r, const std::string &detail)
{
	if (detail.empty())
		return;
	if (r.tenants.size() <= 1)
		r.observed["detail"] = fit(detail);
	else
		r.diff += (r.diff.empty() ? "" : "\n") + std::string("detail: ") + detail;
}

} // namespace

audit::Record make_record(const Decision &d, const ObservedState &observed)
{
	audit::Record r;
	r.proposer = d.proposal.source.name();
	r.tenants = d.tenants;
	r.proposal = to_json(d.proposal);
	observe_state(r, observed, d.tenants);
	for (const auto &[k, v] : d.observed)
		r.observed[k] = fit(v);
	if (d.would_be)
		r.observed["would_be"] = std::string(verdict_name(*d.would_be));
	if (std::string effective = to_json(d.effective); effective != r.proposal)
		r.observed["effective"] = fit(effective);
	r.decision = std::string(verdict_name(d.verdict));
	r.reason = std::string(reason_name(d.reason));
	if (d.change)
		r.diff = d.change->diff;
	add_detail(r, d.detail);
	return r;
}

audit::Record make_record(const Action &a, const ObservedState &observed)
{
	audit::Record r;
	r.proposer = a.proposer;
	r.tenants = a.tenants;
	r.proposal = a.proposal;
	observe_state(r, observed, a.tenants);
	for (const auto &[k, v] : a.observed)
		r.observed[k] = fit(v);
	r.decision = std::string(action_name(a.kind));
	r.reason = std::string(reason_name(a.reason));
	if (a.change)
		r.diff = a.change->diff;
	add_detail(r, a.detail);
	return r;
}

} // namespace tripath::guardian
