// The worker's side of a trace (trace.h): a burst's matching packets are staged after dispatch
// (their headers still in hand) and published after the hand-offs (their outcome known).
#pragma once

#include <rte_mbuf.h>

#include <tripath/classify/rule_table.h>
#include <tripath/pipeline/dataplane.h>
#include <tripath/pipeline/trace.h>
#include <tripath/quota/quota_table.h>

#include "stages.h" // FastResult

namespace tripath::pipeline {

// A wire rx burst as the worker has sorted it; every array is the worker's own.
struct BurstView {
	const PollQueue *pq = nullptr;
	uint64_t rx_tsc = 0;
	rte_mbuf *const *pkts = nullptr;   // as received
	unsigned n = 0;
	rte_mbuf *const *parsed = nullptr; // and their keys, verdicts, tenants, quota outcomes
	const packet::FlowKey *keys = nullptr;
	const classify::Verdict *verdicts = nullptr;
	bool has_tenants = false;          // false: no tenants configured (verdicts carry none)
	const quota::Outcome *outcomes = nullptr;
	unsigned n_parsed = 0;
	rte_mbuf *const *kernel = nullptr;
	unsigned n_kernel = 0;
	rte_mbuf *const *fast = nullptr;
	const uint16_t *fast_endpoint = nullptr;
	unsigned n_fast = 0;
	rte_mbuf *const *bulk = nullptr;
	unsigned n_bulk = 0;
	rte_mbuf *const *dropped = nullptr; // rule drops
	unsigned n_dropped = 0;
	rte_mbuf *const *over_quota = nullptr;
	unsigned n_over = 0;
};

// The staged records of one burst (worker stack).
struct TraceBurst {
	unsigned n = 0;            // records staged at slot.count .. slot.count + n
	uint8_t list[kBurst];      // 0 kernel, 1 fast, 2 bulk, 3 dropped, 4 over_quota, 5 malformed
	uint8_t pos[kBurst];       // index in that list
};

// How the hand-offs went.
struct HandoffResult {
	bool no_tap = false;        // path A had no TAP: kernel[] dropped no_kernel_tap
	unsigned kernel_sent = 0;   // kernel[0 .. kernel_sent) queued, the rest kernel_ring_full
	unsigned bulk_sent = 0;     // the same for bulk[] (bulk_ring_full)
	const FastResult *fast_result = nullptr; // by index in fast[]
};

// Stage the burst's packets that match the tap, up to its limit (call before the hand-offs).
void trace_stage(TraceTap &tap, TraceBurst &tb, const WorkerContext &w, const classify::RuleTable &rules,
		 const quota::QuotaTable &quotas, const BurstView &v);
// Fill in their outcomes and publish them.
void trace_commit(TraceTap &tap, const TraceBurst &tb, unsigned slot, const HandoffResult &r);

} // namespace tripath::pipeline
