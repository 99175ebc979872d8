// The bulk lcore's own state per peer and per worker ring (bulk_*.cpp only).
#pragma once

#include <deque>
#include <span>
#include <vector>

#include <tripath/pipeline/bulk_path.h>
#include <tripath/pipeline/dataplane.h>

namespace tripath::pipeline {

struct BulkPath::Peer {
	size_t index = 0;
	BulkPeerStats stats;                      // shared: see bulk_path.h
	std::atomic<bool> inject_rkey{false};     // control lcore sets, bulk lcore clears
	std::atomic<uint32_t> described_seq{0};   // seqlock over `described`: odd while written
	char described[160] = {};

	std::unique_ptr<bulk::BulkTransport> t;   // null while down
	BulkPeerState state = BulkPeerState::down;
	bulk::BulkError pending_error = bulk::BulkError::none; // seen while posting; handled by maintain()
	uint64_t next_attempt = 0;                // TSC of the next dial while down
	uint64_t next_redial_check = 0;           // TSC of the next look at a listening peer's socket
	bool dial_failing = false;                // a failed dial was reported; quiet until one succeeds
	uint64_t stall_since = 0;                 // TSC since a packet waits for credit; 0: none waits

	// The batch being filled (claimed slot, not posted yet).
	bool open = false;
	uint32_t open_slot = 0;
	uint64_t open_seq = 0;
	uint64_t open_tsc = 0;
	bulk::BatchWriter writer;

	// Posted batches by slot, kept until the peer has them: to post again after a reconnect,
	// or to carry on path A when the peer is lost.
	std::vector<std::span<std::byte>> slot_payload;
	std::vector<uint32_t> slot_bytes;
	std::vector<uint32_t> slot_packets;
	std::deque<uint32_t> rx_pending;          // received slots not yet emitted, oldest first
	uint32_t rx_offset = 0;                   // where the oldest one's emitting stands
	uint64_t acked_end = 0;                   // first sequence the peer has not acknowledged
	uint64_t posted_end = 0;                  // first sequence not posted
};

// Packets taken off a worker ring but not packed yet (their peer had no credit).
struct BulkPath::Held {
	rte_mbuf *pkts[kBurst];
	unsigned n = 0;
	unsigned next = 0;
};

inline void set_state(BulkPath::Peer &p, BulkPeerState s)
{
	p.state = s;
	p.stats.state.store(uint8_t(s), std::memory_order_relaxed);
	// A short repair (broken) keeps the workers' ring filling: falling back for it would
	// reorder the flow; only a lost peer sends its traffic to path A.
	p.stats.up.store(s != BulkPeerState::down, std::memory_order_release);
}

} // namespace tripath::pipeline
