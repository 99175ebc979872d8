// Counters -> ObservedState. Histograms and stats are totals since start: a period is the
// difference between two reads (a new quota table starts its stats at zero: then the new totals).
#include <algorithm>

#include <rte_cycles.h>

#include "guardian_observe.h"

namespace tripath::app {

namespace {

pipeline::LatencyHist minus(const pipeline::LatencyHist &now, const pipeline::LatencyHist &before)
{
	pipeline::LatencyHist d{};
	for (size_t b = 0; b < d.size(); b++)
		d[b] = now[b] >= before[b] ? now[b] - before[b] : 0;
	return d;
}

bool empty(const pipeline::LatencyHist &h)
{
	for (uint64_t n : h)
		if (n)
			return false;
	return true;
}

} // namespace

// Path B's part of a round trip: the p99 of wire -> agent plus the p99 of agent -> wire over all
// endpoints (an upper bound of the sum's p99). The histograms are per endpoint, not per tenant:
// every tenant that carried fast traffic in the period gets it, and so does "" (no tenant).
void Observer::fast_p99(const pipeline::Dataplane &dp, guardian::ObservedState &out, uint64_t now_ns)
{
	const size_t endpoints = dp.config().paths.fast_endpoints.size();
	to_agent_.resize(endpoints);
	answer_.resize(endpoints);
	pipeline::LatencyHist to{}, back{};
	for (size_t e = 0; e < endpoints; e++) {
		pipeline::EndpointCounters c = dp.endpoint_totals(e);
		pipeline::LatencyHist d_to = minus(c.to_agent_cycles, to_agent_[e]);
		pipeline::LatencyHist d_back = minus(c.answer_cycles, answer_[e]);
		for (size_t b = 0; b < to.size(); b++) {
			to[b] += d_to[b];
			back[b] += d_back[b];
		}
		to_agent_[e] = c.to_agent_cycles;
		answer_[e] = c.answer_cycles;
	}
	std::optional<double> p99;
	if (!empty(to)) {
		uint64_t cycles = pipeline::latency_quantile(to, 0.99) + pipeline::latency_quantile(back, 0.99);
		p99 = double(cycles) * 1e6 / double(rte_get_tsc_hz());
	}
	const bool injected = now_ns < injected_until_ns_;
	if (injected)
		p99 = injected_us_;
	if (!p99)
		return;
	out.tenants[""].fast_p99_us = p99;
	for (auto &[name, t] : out.tenants)
		if (t.rate[size_t(config::PathKind::fast)].pps > 0 || injected)
			t.fast_p99_us = p99;
}

guardian::ObservedState Observer::sample(const pipeline::Dataplane &dp, uint64_t now_ns)
{
	guardian::ObservedState out;
	const double seconds = last_ns_ && now_ns > last_ns_ ? double(now_ns - last_ns_) / 1e9 : 0;
	pipeline::LcoreCounters totals = dp.totals();
	std::array<uint64_t, pipeline::kPaths> d_packets{}, d_bytes{};
	uint64_t all = 0;
	for (unsigned p = 0; p < pipeline::kPaths; p++) {
		d_packets[p] = totals.path_packets[p] - packets_[p];
		d_bytes[p] = totals.path_bytes[p] - bytes_[p];
		all += d_packets[p];
	}
	packets_ = totals.path_packets;
	bytes_ = totals.path_bytes;
	if (all)
		out.kernel_share_pct = 100.0 * double(d_packets[unsigned(pipeline::PathId::kernel)]) / double(all);
	if (seconds > 0)
		out.bulk_bytes_per_s = double(d_bytes[unsigned(pipeline::PathId::bulk)]) / seconds;

	// Tenants: what their meters passed in the period; "" gets what no tenant carried.
	const quota::QuotaTable &q = dp.quotas();
	if (&q != quotas_) {
		quotas_ = &q;
		tenant_stats_.assign(q.tenant_count(), quota::TenantStats{});
	}
	std::array<double, 3> tenant_pps{}, tenant_bps{};
	for (uint16_t t = 0; t < q.tenant_count(); t++) {
		quota::TenantStats now = q.stats(t);
		guardian::TenantObserved &to = out.tenants[q.tenant_name(t)];
		for (size_t p = 0; p < 3; p++) {
			uint64_t packets = now.path[p].passed_packets - tenant_stats_[t].path[p].passed_packets;
			uint64_t bytes = now.path[p].passed_bytes - tenant_stats_[t].path[p].passed_bytes;
			if (seconds > 0) {
				to.rate[p] = {double(packets) / seconds, 8.0 * double(bytes) / seconds};
				tenant_pps[p] += to.rate[p].pps;
				tenant_bps[p] += to.rate[p].bps;
			}
		}
		tenant_stats_[t] = now;
	}
	if (seconds > 0) {
		guardian::TenantObserved &none = out.tenants[""];
		for (size_t p = 0; p < 3; p++) {
			none.rate[p].pps = std::max(0.0, double(d_packets[p]) / seconds - tenant_pps[p]);
			none.rate[p].bps = std::max(0.0, 8.0 * double(d_bytes[p]) / seconds - tenant_bps[p]);
		}
	}
	fast_p99(dp, out, now_ns);
	last_ns_ = now_ns;
	return out;
}

} // namespace tripath::app
