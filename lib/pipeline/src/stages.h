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

// Path B: send packets to their endpoints (endpoint[i] for pkts[i]), learning the wire's next
// hop from them. rx_tsc: when the burst was read, for the latency histogram.
void send_to_endpoints(WorkerContext &w, const PollQueue &from, rte_mbuf **pkts, const uint16_t *endpoint,
		       unsigned n, uint64_t rx_tsc);

// Path B's return: read agents' answers from an endpoint queue and send them on its wire.
unsigned forward_answers(WorkerContext &w, const PollQueue &pq);

} // namespace tripath::pipeline
