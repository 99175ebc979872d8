// Trace: the workers' records (trace_stage, trace_commit) and the control lcore's side (Trace).
#include <algorithm>
#include <cstring>

#include <rte_cycles.h>
#include <rte_ether.h>
#include <rte_lcore.h>
#include <rte_malloc.h>
#include <rte_rcu_qsbr.h>

#include <tripath/pipeline/dataplane.h>
#include <tripath/pipeline/trace.h>

#include "trace_tap.h"

namespace tripath::pipeline {

namespace {

using config::PathKind;

enum List : uint8_t { kKernel, kFast, kBulk, kDropped, kOverQuota, kMalformed };

int find(rte_mbuf *const *list, unsigned n, const rte_mbuf *m)
{
	for (unsigned i = 0; i < n; i++)
		if (list[i] == m)
			return int(i);
	return -1;
}

void copy_name(char (&out)[kTraceNameLen], const std::string &name)
{
	size_t len = std::min(name.size(), size_t(kTraceNameLen - 1));
	std::memcpy(out, name.data(), len);
	out[len] = '\0';
}

// Where the worker put `m`, or kMalformed when it did not parse.
List locate(const BurstView &v, const rte_mbuf *m, unsigned &pos)
{
	const std::pair<rte_mbuf *const *, unsigned> lists[] = {
		{v.kernel, v.n_kernel}, {v.fast, v.n_fast}, {v.bulk, v.n_bulk}, {v.dropped, v.n_dropped}, {v.over_quota, v.n_over}};
	for (uint8_t l = 0; l < 5; l++) {
		int i = find(lists[l].first, lists[l].second, m);
		if (i >= 0) {
			pos = unsigned(i);
			return List(l);
		}
	}
	pos = 0;
	return kMalformed;
}

bool matches(const TraceTap &tap, const BurstView &v, List list)
{
	switch (tap.where) {
	case TraceWhere::rx: return true;
	case TraceWhere::port: return v.pq->port_id == tap.port_id;
	case TraceWhere::classify: return list != kMalformed;
	case TraceWhere::kernel: return list == kKernel;
	case TraceWhere::fast: return list == kFast;
	case TraceWhere::bulk: return list == kBulk;
	case TraceWhere::drop: return list == kDropped || list == kOverQuota || list == kMalformed;
	}
	return false;
}

TraceRoute route_of(List list, const classify::Verdict &v, quota::Outcome q)
{
	switch (list) {
	case kFast: return TraceRoute::fast;
	case kBulk: return TraceRoute::bulk;
	case kDropped: return TraceRoute::rule_drop;
	case kOverQuota: return TraceRoute::over_quota;
	case kMalformed: return TraceRoute::malformed;
	case kKernel: break;
	}
	if (q == quota::Outcome::demote)
		return TraceRoute::kernel_demoted;
	return v.path == PathKind::kernel ? TraceRoute::kernel : TraceRoute::kernel_fallback;
}

void fill(TraceRecord &r, const WorkerContext &w, const classify::RuleTable &rules, const quota::QuotaTable &quotas,
	  const BurstView &v, rte_mbuf *m, List list, unsigned pos)
{
	r = TraceRecord{};
	r.tsc = v.rx_tsc;
	r.lcore = uint16_t(w.lcore_id);
	r.port_id = v.pq->port_id;
	r.queue = v.pq->queue;
	r.pkt_len = m->pkt_len;
	if (m->data_len >= 12) {
		const auto *p = rte_pktmbuf_mtod(m, const uint8_t *);
		std::memcpy(r.mac_dst, p, 6);
		std::memcpy(r.mac_src, p + 6, 6);
	}
	int i = find(v.parsed, v.n_parsed, m);
	if (i < 0) {
		// Parse it again for the fault and what was read before it (pure, bounds-checked).
		uint8_t copy[256];
		uint32_t len = std::min<uint32_t>(m->pkt_len, sizeof(copy));
		const auto *p = static_cast<const uint8_t *>(rte_pktmbuf_read(m, 0, len, copy));
		packet::ParseStatus st = p ? packet::parse_frame(p, len, m->pkt_len, r.key) : packet::ParseStatus::truncated_ethernet;
		r.parse_status = uint8_t(st);
		r.route = uint8_t(TraceRoute::malformed);
		r.outcome = uint8_t(TraceOutcome::dropped);
		r.drop_reason = uint8_t(drop_reason_of(st));
		return;
	}
	const classify::Verdict &vd = v.verdicts[i];
	r.key = v.keys[i];
	r.rule = vd.rule;
	if (vd.rule < rules.size())
		copy_name(r.rule_name, rules.rule_name(vd.rule));
	r.verdict_path = uint8_t(vd.path);
	r.target = vd.target;
	r.tenant = v.has_tenants ? vd.tenant : quota::kNoTenant;
	if (r.tenant < quotas.tenant_count())
		copy_name(r.tenant_name, quotas.tenant_name(r.tenant));
	r.quota = uint8_t(v.outcomes[i]);
	r.route = uint8_t(route_of(list, vd, v.outcomes[i]));
	if (list == kKernel)
		r.out_port = v.pq->tap_port;
	else if (list == kFast)
		r.out_port = w.endpoints[v.fast_endpoint[pos]].port_id;
}

} // namespace

const char *trace_where_name(TraceWhere w)
{
	switch (w) {
	case TraceWhere::rx: return "rx";
	case TraceWhere::port: return "port";
	case TraceWhere::classify: return "classify";
	case TraceWhere::kernel: return "kernel";
	case TraceWhere::fast: return "fast";
	case TraceWhere::bulk: return "bulk";
	case TraceWhere::drop: return "drop";
	}
	return "?";
}

const char *trace_route_name(TraceRoute r)
{
	switch (r) {
	case TraceRoute::malformed: return "malformed";
	case TraceRoute::kernel: return "kernel";
	case TraceRoute::kernel_fallback: return "kernel (fallback: no endpoint or peer down)";
	case TraceRoute::kernel_demoted: return "kernel (demoted: over quota)";
	case TraceRoute::fast: return "fast";
	case TraceRoute::bulk: return "bulk";
	case TraceRoute::rule_drop: return "drop (rule)";
	case TraceRoute::over_quota: return "drop (over quota)";
	}
	return "?";
}

// ---- worker side ----------------------------------------------------------------------------

void trace_stage(TraceTap &tap, TraceBurst &tb, const WorkerContext &w, const classify::RuleTable &rules,
		 const quota::QuotaTable &quotas, const BurstView &v)
{
	tb.n = 0;
	if (tap.claimed.load(std::memory_order_relaxed) >= tap.limit)
		return; // full: one load per burst until the trace is cleared
	unsigned match[kBurst], n_match = 0;
	for (unsigned i = 0; i < v.n; i++) {
		unsigned pos;
		List l = locate(v, v.pkts[i], pos);
		if (matches(tap, v, l)) {
			tb.list[n_match] = l;
			tb.pos[n_match] = uint8_t(pos);
			match[n_match++] = i;
		}
	}
	if (n_match == 0)
		return;
	uint64_t first = tap.claimed.fetch_add(n_match, std::memory_order_relaxed);
	if (first >= tap.limit)
		return;
	unsigned take = unsigned(std::min<uint64_t>(n_match, tap.limit - first));
	TraceSlot &s = tap.slots[w.slot];
	for (unsigned k = 0; k < take; k++) {
		TraceRecord &r = s.records[s.count + k];
		fill(r, w, rules, quotas, v, v.pkts[match[k]], List(tb.list[k]), tb.pos[k]);
		r.seq = first + k;
	}
	tb.n = take;
}

void trace_commit(TraceTap &tap, const TraceBurst &tb, unsigned slot, const HandoffResult &h)
{
	TraceSlot &s = tap.slots[slot];
	for (unsigned k = 0; k < tb.n; k++) {
		TraceRecord &r = s.records[s.count + k];
		unsigned pos = tb.pos[k];
		auto dropped = [&r](DropReason why) {
			r.outcome = uint8_t(TraceOutcome::dropped);
			r.drop_reason = uint8_t(why);
		};
		switch (List(tb.list[k])) {
		case kKernel:
			if (h.no_tap)
				dropped(DropReason::no_kernel_tap);
			else if (pos < h.kernel_sent)
				r.outcome = uint8_t(TraceOutcome::queued_kernel);
			else
				dropped(DropReason::kernel_ring_full);
			break;
		case kFast:
			if (h.fast_result && h.fast_result[pos] == FastResult::sent)
				r.outcome = uint8_t(TraceOutcome::sent_fast);
			else if (h.fast_result && h.fast_result[pos] == FastResult::endpoint_down)
				dropped(DropReason::endpoint_down);
			else
				dropped(DropReason::fast_tx_full);
			break;
		case kBulk:
			if (pos < h.bulk_sent)
				r.outcome = uint8_t(TraceOutcome::queued_bulk);
			else
				dropped(DropReason::bulk_ring_full);
			break;
		case kDropped: dropped(DropReason::rule_drop); break;
		case kOverQuota: dropped(DropReason::quota_exceeded); break;
		case kMalformed: break; // filled when staged
		}
	}
	if (tb.n)
		__atomic_store_n(&s.count, s.count + tb.n, __ATOMIC_RELEASE);
}

// ---- control lcore side ---------------------------------------------------------------------

Trace::Trace(Dataplane &dp) : dp_(dp) {}

Trace::~Trace() { clear(); }

void Trace::release()
{
	if (tap_ == nullptr)
		return;
	dp_.trace_.store(nullptr, std::memory_order_release);
	// Workers pass a quiescent state once per loop (or are stopped): then none holds the tap.
	uint64_t token = rte_rcu_qsbr_start(dp_.qsbr);
	// With path C polled here this lcore is a reader too; it holds nothing of the trace now
	// (waiting for it to report from inside this call would never end).
	if (dp_.bulk_on_control())
		rte_rcu_qsbr_quiescent(dp_.qsbr, rte_lcore_id());
	rte_rcu_qsbr_check(dp_.qsbr, token, true);
	for (TraceSlot &s : slots_)
		rte_free(s.records);
	slots_.clear();
	delete tap_;
	tap_ = nullptr;
}

void Trace::clear()
{
	release();
	target_.clear();
	limit_ = 0;
}

bool Trace::add(TraceWhere where, uint16_t port_id, const std::string &target, uint32_t limit, std::string &error)
{
	if (limit == 0 || limit > kTraceMax) {
		error = "the packet count must be 1.." + std::to_string(kTraceMax);
		return false;
	}
	release();
	slots_ = std::vector<TraceSlot>(dp_.workers().size());
	for (TraceSlot &s : slots_) {
		s.records = static_cast<TraceRecord *>(rte_zmalloc("tripath_trace", sizeof(TraceRecord) * kTraceMax, RTE_CACHE_LINE_SIZE));
		if (s.records == nullptr) {
			for (TraceSlot &f : slots_)
				rte_free(f.records);
			slots_.clear();
			error = "cannot allocate the trace buffers (raise eal.memory_mb)";
			return false;
		}
	}
	tap_ = new TraceTap();
	tap_->where = where;
	tap_->port_id = port_id;
	tap_->limit = limit;
	tap_->slots = slots_.data();
	where_ = where;
	target_ = target;
	limit_ = limit;
	dp_.trace_.store(tap_, std::memory_order_release);
	return true;
}

std::vector<TraceRecord> Trace::records() const
{
	std::vector<TraceRecord> out;
	for (const TraceSlot &s : slots_) {
		uint32_t n = __atomic_load_n(&s.count, __ATOMIC_ACQUIRE);
		out.insert(out.end(), s.records, s.records + n);
	}
	std::sort(out.begin(), out.end(), [](const TraceRecord &a, const TraceRecord &b) { return a.seq < b.seq; });
	return out;
}

} // namespace tripath::pipeline
