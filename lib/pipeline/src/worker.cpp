// Worker lcore: rx burst -> parse -> classify (whole burst) -> dispatch; then send the
// kernel's output for the wire queues it owns. No locks, no syscalls but the PMDs' own.
#include <algorithm>

#include <rte_branch_prediction.h>
#include <rte_cycles.h>
#include <rte_mbuf.h>
#include <rte_prefetch.h>

#include <tripath/packet/uninit_array.h>
#include <tripath/pipeline/dataplane.h>

#include <tripath/pipeline/idle_backoff.h>

#include "capture_tap.h"
#include "kernel_handoff.h"
#include "stages.h"
#include "trace_tap.h"

namespace tripath::pipeline {

namespace {

using classify::Verdict;
using config::PathKind;

// Headers of a multi-segment frame may straddle segments: parse from a linear copy.
constexpr uint32_t kHeaderCopy = 256;

packet::ParseStatus parse_mbuf(const rte_mbuf *m, packet::FlowKey &key)
{
	if (likely(m->nb_segs == 1 || m->data_len >= kHeaderCopy))
		return packet::parse_frame(rte_pktmbuf_mtod(m, const uint8_t *), m->data_len, m->pkt_len, key);
	uint8_t copy[kHeaderCopy];
	uint32_t len = RTE_MIN(m->pkt_len, kHeaderCopy);
	auto *p = static_cast<const uint8_t *>(rte_pktmbuf_read(m, 0, len, copy));
	return packet::parse_frame(p, len, m->pkt_len, key);
}

// Hand a path's packets to the lcore behind `ring` (path A: the exception lcore, which borrows
// their buffers; path C: the bulk lcore, mbuf->hash.usr naming the peer); what the ring refuses
// is counted and freed.
unsigned send_to_ring(WorkerContext &w, rte_ring *ring, rte_mbuf **pkts, unsigned n, PathId path, DropReason full)
{
	LcoreCounters &c = *w.counters;
	uint32_t len[kBurst];   // read before the enqueue: the consumer may free them at once
	for (unsigned i = 0; i < n; i++)
		len[i] = pkts[i]->pkt_len;
	unsigned sent = path == PathId::kernel ? enqueue_handoffs(ring, pkts, n, true)
					       : rte_ring_sp_enqueue_burst(ring, reinterpret_cast<void **>(pkts), n, nullptr);
	uint64_t bytes = 0;
	for (unsigned i = 0; i < sent; i++)
		bytes += len[i];
	bump(c.path_packets[unsigned(path)], sent);
	bump(c.path_bytes[unsigned(path)], bytes);
	drop(c, pkts + sent, n - sent, full);
	return sent;
}

// Path A's ring costs the worker the same lines, taken back from the exception lcore, whether
// an enqueue carries 2 packets or 64: so path A's packets are held until a burst's worth is
// ready (worker_main sends them sooner when the wire goes quiet or they have waited too long).
void flush_kernel_held(WorkerContext &w)
{
	if (w.n_kernel_held == 0)
		return;
	send_to_ring(w, w.to_kernel, w.kernel_held.data(), w.n_kernel_held, PathId::kernel, DropReason::kernel_ring_full);
	w.n_kernel_held = 0;
}

void hold_for_kernel(WorkerContext &w, rte_mbuf *const *pkts, unsigned n, uint64_t now)
{
	if (w.n_kernel_held + n > kBurst)
		flush_kernel_held(w);
	if (w.n_kernel_held == 0)
		w.kernel_held_since = now;
	std::copy_n(pkts, n, w.kernel_held.begin() + w.n_kernel_held);
	w.n_kernel_held += n;
}

static_assert(unsigned(PathKind::drop) == telemetry::PathSketches::kPaths, "a sample's path is a PathKind short of drop");

// Every sample_every-th parsed IP packet goes to the control lcore, which counts it into its
// path's sketch: one compare per burst when no sample falls in it, a copy per sample, and one
// ring enqueue for the burst's samples. No locks, no allocation.
void sample_flows(WorkerContext &w, const packet::FlowKey *keys, const Verdict *verdicts, rte_mbuf *const *pkts, unsigned n)
{
	if (likely(w.sample_countdown > n)) {
		w.sample_countdown -= n;
		return;
	}
	packet::UninitArray<telemetry::FlowSample, kBurst> samples; // not zeroed: 3 KiB a sampled burst
	unsigned n_samples = 0;
	unsigned i = w.sample_countdown - 1;
	for (; i < n; i += w.sample_every) {
		const packet::FlowKey &k = keys[i];
		unsigned path = unsigned(verdicts[i].path);
		if (k.ip_version == 0 || path >= telemetry::PathSketches::kPaths)
			continue; // non-IP (ARP) and drop verdicts: no flow to steer
		telemetry::FlowSample &s = samples[n_samples++];
		s.flow.family = k.ip_version;
		s.flow.proto = k.proto;
		s.flow.src_port = k.src_port;
		s.flow.dst_port = k.dst_port;
		s.flow.src = k.src;
		s.flow.dst = k.dst;
		s.bytes = pkts[i]->pkt_len;
		s.path = uint8_t(path);
	}
	w.sample_countdown = i - n + 1;
	if (n_samples == 0)
		return;
	unsigned sent = rte_ring_sp_enqueue_burst_elem(w.flow_samples, samples.v, sizeof(samples[0]), n_samples, nullptr);
	if (unlikely(sent < n_samples))
		bump(w.counters->flow_samples_lost, n_samples - sent); // the control lcore is behind
}

// One poll of a queue. now: when the poll began (the end of the previous step of this loop),
// moved to when it ended; every step's cycles run from the last one's end (one TSC read each).
unsigned poll_queue(WorkerContext &w, const PollQueue &pq, StageCounters &rxs, uint64_t &now,
		    const classify::RuleTable &rules, quota::QuotaTable &quotas)
{
	if (pq.endpoint != UINT16_MAX)
		return forward_answers(w, pq, rxs, now);
	rte_mbuf *pkts[kBurst];
	unsigned n = rte_eth_rx_burst(pq.port_id, pq.queue, pkts, kBurst);
	uint64_t rx_tsc = rte_rdtsc();
	bump(rxs.calls);
	bump(rxs.cycles, rx_tsc - now);
	now = rx_tsc;
	if (n == 0)
		return 0;
	bump(rxs.busy);
	bump(rxs.packets, n);
	const CaptureTap *cap = w.dp->capture_.load(std::memory_order_acquire); // null unless armed
	capture(cap, w.slot, pq, CaptureWhere::port, pkts, n);
	if (!w.endpoints.empty())
		learn_next_hop(pq, pkts[n - 1]);
	LcoreCounters &c = *w.counters;
	auto stage = [&c](Stage s) -> StageCounters & { return c.stages[unsigned(s)]; };

	packet::UninitArray<packet::FlowKey, kBurst> keys;
	rte_mbuf *parsed[kBurst];
	uint32_t parsed_len[kBurst]; // their frame lengths: what the meters and counters charge
	rte_mbuf *malformed[kBurst];
	unsigned n_parsed = 0, n_malformed = 0;
	uint64_t rx_bytes = 0;
	for (unsigned i = 0; i < n; i++) {
		// A burst's frames fill L1 as rx copies them: the first are gone again by now.
		if (i + 8 < n)
			rte_prefetch0(pkts[i + 8]);
		if (i + 4 < n)
			rte_prefetch0(rte_pktmbuf_mtod(pkts[i + 4], void *));
		rte_mbuf *m = pkts[i];
		m->port = pq.port_id; // the exception lcore routes by it
		rx_bytes += m->pkt_len;
		packet::FlowKey &key = keys[n_parsed];
		packet::ParseStatus st = parse_mbuf(m, key);
		if (likely(st == packet::ParseStatus::ok)) {
			parsed_len[n_parsed] = m->pkt_len;
			parsed[n_parsed++] = m;
		} else {
			bump(c.drops[unsigned(drop_reason_of(st))]);
			malformed[n_malformed++] = m;
		}
	}
	bump(c.rx_packets, n);
	bump(c.rx_bytes, rx_bytes);
	bump(c.rx_bursts);
	now = stage_done(stage(Stage::parse), now, rte_rdtsc(), n);

	packet::UninitArray<Verdict, kBurst> verdicts;
	const bool has_tenants = quotas.tenant_count() != 0;
	if (n_parsed) {
		// With tenants, each verdict comes back with its packet's tenant (cached with it).
		unsigned misses = w.flow_cache->lookup_burst(rules, has_tenants ? &quotas : nullptr, keys, verdicts, n_parsed);
		if (w.flow_cache->entries()) {
			bump(c.flow_cache_hits, n_parsed - misses);
			bump(c.flow_cache_misses, misses);
		}
	}
	const uint32_t default_rule = rules.default_rule();
	if (w.sample_every != 0)
		sample_flows(w, keys, verdicts, parsed, n_parsed);
	now = stage_done(stage(Stage::classify), now, rte_rdtsc(), n_parsed);

	// The tenant (rule, else source prefix: resolved with the verdict), then its meters: one
	// clock read per burst. With no quota to police, every packet passes and dispatch's loop
	// counts it for its tenant (a default tally, with no tenants, counts nothing).
	quota::Outcome outcomes[kBurst];
	quota::PassedTally tally;
	if (!has_tenants || quotas.meters() == 0) {
		std::fill_n(outcomes, n_parsed, quota::Outcome::pass);
		if (has_tenants)
			tally = quotas.passed_tally(w.slot);
	} else {
		uint16_t tenants[kBurst];
		for (unsigned i = 0; i < n_parsed; i++)
			tenants[i] = verdicts[i].tenant;
		quotas.police(w.slot, tenants, verdicts, parsed_len, outcomes, n_parsed, now);
		now = stage_done(stage(Stage::quota), now, rte_rdtsc(), n_parsed);
	}

	rte_mbuf *kernel[kBurst];
	rte_mbuf *fast[kBurst];
	uint16_t fast_endpoint[kBurst];
	rte_mbuf *dropped[kBurst];
	rte_mbuf *over_quota[kBurst];
	rte_mbuf *bulk[kBurst];
	unsigned n_kernel = 0, n_fast = 0, n_dropped = 0, n_over = 0, n_bulk = 0;
	const size_t n_endpoints = w.endpoints.size();
	uint64_t unmatched = 0, fallback = 0, demoted = 0;
	for (unsigned i = 0; i < n_parsed; i++) {
		const Verdict &v = verdicts[i];
		unmatched += v.rule == classify::kNoRule || v.rule == default_rule;
		tally.count(v, parsed_len[i]);
		if (unlikely(outcomes[i] != quota::Outcome::pass)) {
			if (outcomes[i] == quota::Outcome::drop) {
				over_quota[n_over++] = parsed[i];
			} else {
				demoted++;
				kernel[n_kernel++] = parsed[i];
			}
			continue;
		}
		switch (v.path) {
		case PathKind::drop:
			dropped[n_dropped++] = parsed[i];
			break;
		case PathKind::fast:
			if (likely(v.target < n_endpoints)) {
				fast_endpoint[n_fast] = v.target;
				fast[n_fast++] = parsed[i];
				break;
			}
			fallback++;   // no such endpoint (none configured): fail open to path A
			kernel[n_kernel++] = parsed[i];
			break;
		case PathKind::bulk:
			// Path C while its peer is up; otherwise (no path C, peer down) fail open to path A.
			if (likely(v.target < w.bulk_peers.size()) && w.bulk_peers[v.target]->up.load(std::memory_order_relaxed)) {
				parsed[i]->hash.usr = v.target;
				bulk[n_bulk++] = parsed[i];
				break;
			}
			fallback++;
			kernel[n_kernel++] = parsed[i];
			break;
		case PathKind::kernel:
			kernel[n_kernel++] = parsed[i];
			break;
		}
	}
	if (unmatched)
		bump(c.unmatched, unmatched);
	if (fallback)
		bump(c.fallback_to_kernel, fallback);
	if (demoted)
		bump(c.demoted, demoted);
	now = stage_done(stage(Stage::dispatch), now, rte_rdtsc(), n_parsed);

	// A trace (null unless armed) stages its records while the headers are still ours.
	TraceTap *trace = w.dp->trace_.load(std::memory_order_acquire);
	TraceBurst traced;
	FastResult fast_result[kBurst];
	if (unlikely(trace != nullptr)) {
		BurstView v{&pq, rx_tsc, pkts, n, parsed, keys, verdicts, has_tenants, outcomes, n_parsed,
			    kernel, n_kernel, fast, fast_endpoint, n_fast, bulk, n_bulk, dropped, n_dropped, over_quota, n_over};
		trace_stage(*trace, traced, w, rules, quotas, v);
		now = rte_rdtsc(); // the trace's cost is nobody's stage
	}
	HandoffResult handed;

	const bool no_tap = unlikely(pq.tap_port == kNoPort);
	unsigned n_drop = n_malformed + n_dropped + n_over + (no_tap ? n_kernel : 0);
	if (n_drop) {
		capture(cap, w.slot, pq, CaptureWhere::drop, malformed, n_malformed);
		capture(cap, w.slot, pq, CaptureWhere::drop, dropped, n_dropped);
		capture(cap, w.slot, pq, CaptureWhere::drop, over_quota, n_over);
		if (n_malformed)
			rte_pktmbuf_free_bulk(malformed, n_malformed); // counted by reason at parse
		drop(c, dropped, n_dropped, DropReason::rule_drop);
		drop(c, over_quota, n_over, DropReason::quota_exceeded);
		if (no_tap) {
			capture(cap, w.slot, pq, CaptureWhere::kernel, kernel, n_kernel);
			drop(c, kernel, n_kernel, DropReason::no_kernel_tap);
			handed.no_tap = true;
		}
		now = stage_done(stage(Stage::drop), now, rte_rdtsc(), n_drop);
	}
	if (n_fast) {
		capture(cap, w.slot, pq, CaptureWhere::fast, fast, n_fast);
		send_to_endpoints(w, fast, fast_endpoint, n_fast, rx_tsc, trace ? fast_result : nullptr);
		handed.fast_result = fast_result;
		now = stage_done(stage(Stage::fast_tx), now, rte_rdtsc(), n_fast);
	}
	if (n_bulk) {
		capture(cap, w.slot, pq, CaptureWhere::bulk, bulk, n_bulk);
		handed.bulk_sent = send_to_ring(w, w.to_bulk, bulk, n_bulk, PathId::bulk, DropReason::bulk_ring_full);
		now = stage_done(stage(Stage::bulk_handoff), now, rte_rdtsc(), n_bulk);
	}
	if (n_kernel && !no_tap) {
		capture(cap, w.slot, pq, CaptureWhere::kernel, kernel, n_kernel);
		if (likely(trace == nullptr)) {
			hold_for_kernel(w, kernel, n_kernel, now);
		} else { // a trace records what the ring took: no holding back while one is armed
			flush_kernel_held(w);
			handed.kernel_sent = send_to_ring(w, w.to_kernel, kernel, n_kernel, PathId::kernel, DropReason::kernel_ring_full);
		}
		now = stage_done(stage(Stage::kernel_handoff), now, rte_rdtsc(), n_kernel);
	}
	if (unlikely(trace != nullptr))
		trace_commit(*trace, traced, w.slot, handed);
	return n;
}

// The kernel's output for a wire port goes out on the queue this worker owns. An empty poll is
// counted, not timed (the loop reads the clock again only when something moved).
unsigned drain_return(WorkerContext &w, const ReturnDrain &d, uint64_t &now)
{
	StageCounters &s = w.counters->stages[unsigned(Stage::return_tx)];
	rte_mbuf *pkts[kBurst];
	unsigned n = rte_ring_sc_dequeue_burst(d.ring, reinterpret_cast<void **>(pkts), kBurst, nullptr);
	if (n == 0) {
		bump(s.calls);
		return 0;
	}
	unsigned sent = rte_eth_tx_burst(d.port_id, d.queue, pkts, n);
	bump(w.counters->wire_tx_packets, sent);
	drop(*w.counters, pkts + sent, n - sent, DropReason::wire_tx_full);
	now = stage_done(s, now, rte_rdtsc(), n);
	return n;
}

} // namespace

int worker_main(void *arg)
{
	WorkerContext &w = *static_cast<WorkerContext *>(arg);
	Dataplane &dp = *w.dp;
	LcoreCounters &c = *w.counters;
	IdleBackoff backoff(w.idle);

	rte_rcu_qsbr_thread_register(dp.qsbr, w.qsbr_id);
	rte_rcu_qsbr_thread_online(dp.qsbr, w.qsbr_id);
	while (dp.running_.load(std::memory_order_relaxed)) {
		uint64_t start = rte_rdtsc();
		// Read once per loop: a new table is picked up here, after the quiescent report.
		const classify::RuleTable &rules = *dp.rules_.load(std::memory_order_acquire);
		quota::QuotaTable &quotas = *dp.quotas_.load(std::memory_order_acquire);
		unsigned moved = 0;
		bool full = false;   // some queue gave a whole burst: the wire is keeping us busy
		uint64_t now = start;
		for (size_t i = 0; i < w.polls.size(); i++) {
			unsigned got = poll_queue(w, w.polls[i], w.poll_stages[i], now, rules, quotas);
			moved += got;
			full |= got == kBurst;
		}
		for (const ReturnDrain &d : w.drains)
			moved += drain_return(w, d, now);
		if (w.n_kernel_held != 0 && (!full || now - w.kernel_held_since > w.kernel_hold_max)) {
			flush_kernel_held(w);
			uint64_t t = rte_rdtsc(); // path A's stage: its packets were counted when held
			bump(c.stages[unsigned(Stage::kernel_handoff)].cycles, t - now);
			now = t;
		}
		free_given_back(w.give_back); // path A's mbufs, back into this lcore's mempool cache
		rte_rcu_qsbr_quiescent(dp.qsbr, w.qsbr_id);
		bump(c.loops);
		if (moved) {
			bump(c.busy_loops);
			bump(c.busy_cycles, rte_rdtsc() - start);
			backoff.reset();
		} else if (backoff.idle()) {
			bump(c.idle_sleeps);
		}
	}
	flush_kernel_held(w); // stop() frees what the exception lcore leaves on the ring
	rte_rcu_qsbr_thread_offline(dp.qsbr, w.qsbr_id);
	rte_rcu_qsbr_thread_unregister(dp.qsbr, w.qsbr_id);
	return 0;
}

} // namespace tripath::pipeline
