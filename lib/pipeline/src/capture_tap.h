// The worker's side of a capture (capture.h): copy what matches onto the worker's ring.
#pragma once

#include <rte_branch_prediction.h>
#include <rte_mbuf.h>

#include <tripath/pipeline/capture.h>
#include <tripath/pipeline/dataplane.h>

namespace tripath::pipeline {

// Copy `n` packets for the capture; what the pool or the ring refuses is counted, not lost:
// the originals go on as before.
void capture_copy(const CaptureTap &cap, unsigned slot, const PollQueue &pq, rte_mbuf *const *pkts, unsigned n);

// One compare when no capture is armed (`cap` was loaded once per burst).
inline void capture(const CaptureTap *cap, unsigned slot, const PollQueue &pq, CaptureWhere where,
		    rte_mbuf *const *pkts, unsigned n)
{
	if (likely(cap == nullptr) || cap->where != where || n == 0)
		return;
	if (where == CaptureWhere::port && cap->port_id != pq.port_id)
		return;
	capture_copy(*cap, slot, pq, pkts, n);
}

} // namespace tripath::pipeline
