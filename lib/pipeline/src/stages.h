// The worker's stages beyond rx/classify (worker.cpp), one file each. All run on a worker lcore.
#pragma once

#include <rte_mbuf.h>

#include <tripath/pipeline/dataplane.h>

namespace tripath::pipeline {

// Count `n` packets under `reason` and free them.
inline void drop(LcoreCounters &c, rte_mbuf **pkts, unsigned n, DropReason reason)
{
	if (n == 0)
		return;
	bump(c.drops[unsigned(reason)], n);
	rte_pktmbuf_free_bulk(pkts, n);
}

// The wire's next hop (its router, or the lab's client) is whoever sent the last frame of a
// burst: agents' answers go back to it.
void learn_next_hop(const PollQueue &wire, const rte_mbuf *last);

// What became of a path B packet, for a trace.
enum class FastResult : uint8_t { refused, sent, endpoint_down };

// Path B: send packets to their endpoints (endpoint[i] for pkts[i]).
// rx_tsc: when the burst was read, for the latency histogram. result (a trace is armed): what
// became of each packet (the endpoint's port refused it, took it, or its endpoint was down).
void send_to_endpoints(WorkerContext &w, rte_mbuf **pkts, const uint16_t *endpoint,
		       unsigned n, uint64_t rx_tsc, FastResult *result = nullptr);

// Path B's return: read agents' answers from an endpoint queue and send them on its wire.
// rx: the poll's stage counters; now: when the poll began, moved to when it ended.
unsigned forward_answers(WorkerContext &w, const PollQueue &pq, StageCounters &rx, uint64_t &now);

} // namespace tripath::pipeline
