// Path C, sending side: the workers' rings -> per-peer batches in send slots -> RDMA writes.
#include <cstring>

#include <rte_branch_prediction.h>
#include <rte_mbuf.h>

#include "bulk_peer.h"

namespace tripath::pipeline {

using bulk::BulkError;

unsigned BulkPath::drain_workers(uint64_t now)
{
	unsigned moved = 0;
	for (size_t r = 0; r < w_.from_workers.size(); r++) {
		Held &h = *held_[r];
		if (h.next == h.n) {
			h.n = rte_ring_sc_dequeue_burst(w_.from_workers[r], reinterpret_cast<void **>(h.pkts), kBurst, nullptr);
			h.next = 0;
		}
		while (h.next < h.n) {
			rte_mbuf *m = h.pkts[h.next];
			uint32_t peer = m->hash.usr;
			if (unlikely(peer >= peers_.size())) {   // cannot happen: workers check the index
				to_kernel(&m, 1);
			} else if (!pack(*peers_[peer], m, now)) {
				break;   // no credit yet: the rest of this ring waits (head of line, per worker)
			}
			h.next++;
			moved++;
		}
	}
	return moved;
}

// Copy one packet into its peer's open batch. False: no credit, keep it for later.
bool BulkPath::pack(Peer &p, rte_mbuf *m, uint64_t now)
{
	if (p.state == BulkPeerState::broken)
		return false;
	if (p.state != BulkPeerState::up || m->pkt_len > bulk::kMaxRecordFrame) {
		bump(p.stats.packets_fallback);
		bump(w_.counters->fallback_to_kernel);
		to_kernel(&m, 1);
		return true;
	}
	uint32_t len = m->pkt_len;
	if (p.open && !p.writer.fits(len))
		post(p);
	if (!p.open && (p.pending_error != BulkError::none || !open_batch(p, now))) {
		if (p.stall_since == 0) {
			p.stall_since = now;
			bump(p.stats.credit_stalls);
		} else if (now - p.stall_since > hz_ * cfg_.stall_ms / 1000) {
			// The peer took nothing for stall_ms: it is alive but stuck. Fail open.
			lose(p, BulkError::none, now, PeerEventKind::stalled);
			return pack(p, m, now);
		}
		return false;
	}
	p.stall_since = 0;
	std::span<std::byte> dst = p.writer.append(len, m->port);
	const void *src = rte_pktmbuf_read(m, 0, len, dst.data());
	if (src != dst.data())
		std::memcpy(dst.data(), src, len);
	bump(p.stats.packets_packed);
	bump(p.stats.bytes_packed, len);
	rte_pktmbuf_free(m);
	uint32_t limit = cfg_.batch_bytes ? cfg_.batch_bytes : p.t->slot_payload();
	if (p.writer.bytes() >= limit)
		post(p);
	return true;
}

bool BulkPath::open_batch(Peer &p, uint64_t now)
{
	std::optional<bulk::SendSlot> s = p.t->claim_send_slot();
	if (!s)
		return false;
	p.open = true;
	p.open_slot = s->slot;
	p.open_seq = p.t->next_sequence();
	p.open_tsc = now;
	p.slot_payload[s->slot] = s->payload;
	p.writer.reset(s->payload);
	return true;
}

// Post the open batch. An error is handled by maintain() on the next round (not from inside
// packing); the batch counts as posted either way, so a reconnect posts it again or a loss
// hands its packets to path A.
void BulkPath::post(Peer &p)
{
	uint32_t slot = p.open_slot;
	p.slot_bytes[slot] = p.writer.bytes();
	p.slot_packets[slot] = p.writer.packets();
	p.open = false;
	p.posted_end = p.open_seq + 1;
	BulkError e = p.t->post_batch(slot, p.writer.bytes());
	if (e != BulkError::none) {
		p.pending_error = e;
		return;
	}
	bump(p.stats.batches_posted);
	bump(p.stats.batch_bytes_posted, p.writer.bytes());
	p.stats.credits.store(p.t->credits(), std::memory_order_relaxed);
}

unsigned BulkPath::post_aged(uint64_t now)
{
	unsigned posted = 0;
	for (auto &pp : peers_) {
		Peer &p = *pp;
		if (p.open && p.state == BulkPeerState::up && now - p.open_tsc >= batch_cycles_) {
			post(p);
			posted++;
		}
	}
	return posted;
}

// After both ends reset their QPs: what the peer already has is delivered; what it has not
// is still in our send slots and goes again, in order. UINT32_MAX: the slots do not line up.
unsigned BulkPath::repost_after_reconnect(Peer &p)
{
	const uint64_t resume = p.t->next_sequence();
	for (; p.acked_end < resume && p.acked_end < p.posted_end; p.acked_end++) {
		uint32_t slot = uint32_t(p.acked_end % p.slot_payload.size());
		bump(p.stats.packets_acked, p.slot_packets[slot]);
		bump(p.stats.batches_acked);
	}
	p.acked_end = std::max(p.acked_end, resume);
	unsigned n = 0;
	for (uint64_t seq = resume; seq < p.posted_end; seq++, n++) {
		std::optional<bulk::SendSlot> s = p.t->claim_send_slot();
		uint32_t slot = uint32_t(seq % p.slot_payload.size());
		if (!s || s->slot != slot)
			return UINT32_MAX;
		if (p.t->post_batch(slot, p.slot_bytes[slot]) != BulkError::none)
			return UINT32_MAX;
		bump(p.stats.batches_reposted);
	}
	if (p.open) {
		// The open batch's slot was claimed on the old connection: claim it again.
		std::optional<bulk::SendSlot> s = p.t->claim_send_slot();
		if (!s || s->slot != p.open_slot)
			return UINT32_MAX;
		p.open_seq = p.t->next_sequence();
	}
	p.stats.credits.store(p.t->credits(), std::memory_order_relaxed);
	return n;
}

} // namespace tripath::pipeline
