// Path C, receiving side and the way out: transport events, unpacking a peer's batch into
// mbufs, classifying them with our rules and emitting them; and path A for what we could not
// send (fallback).
#include <cstring>

#include <rte_branch_prediction.h>
#include <rte_mbuf.h>

#include <tripath/packet/flow_key.h>

#include "bulk_peer.h"
#include "kernel_handoff.h"

namespace tripath::pipeline {

using bulk::BulkError;
using bulk::BulkEventKind;
using config::PathKind;

namespace {

// A frame into a (possibly chained) mbuf from `pool`; nullptr when the pool is empty.
rte_mbuf *mbuf_from(rte_mempool *pool, std::span<const std::byte> frame)
{
	rte_mbuf *head = nullptr;
	size_t off = 0;
	while (off < frame.size()) {
		rte_mbuf *seg = rte_pktmbuf_alloc(pool);
		if (seg == nullptr || (head != nullptr && rte_pktmbuf_chain(head, seg) != 0)) {
			rte_pktmbuf_free(seg);
			rte_pktmbuf_free(head);
			return nullptr;
		}
		if (head == nullptr)
			head = seg;
		uint16_t take = uint16_t(std::min<size_t>(rte_pktmbuf_tailroom(seg), frame.size() - off));
		std::memcpy(rte_pktmbuf_mtod(seg, char *), frame.data() + off, take);
		seg->data_len = take;
		if (seg != head)
			head->pkt_len += take;
		else
			head->pkt_len = take;
		off += take;
	}
	return head;
}

} // namespace

unsigned BulkPath::poll_transports()
{
	unsigned work = 0;
	bulk::BulkEvent events[32];
	for (auto &pp : peers_) {
		Peer &p = *pp;
		if (!p.t || p.state != BulkPeerState::up)
			continue;
		size_t n = p.t->poll(events);
		for (size_t i = 0; i < n; i++) {
			const bulk::BulkEvent &ev = events[i];
			switch (ev.kind) {
			case BulkEventKind::batch_received:
				bump(p.stats.batches_received);
				p.rx_pending.push_back(ev.slot);
				break;
			case BulkEventKind::batch_sent:
				if (ev.sequence >= p.acked_end && ev.sequence < p.posted_end) {
					for (; p.acked_end <= ev.sequence; p.acked_end++) {
						bump(p.stats.packets_acked, p.slot_packets[p.acked_end % p.slot_packets.size()]);
						bump(p.stats.batches_acked);
					}
				}
				break;
			case BulkEventKind::credits:
				break;
			case BulkEventKind::error:
				if (p.pending_error == BulkError::none)
					p.pending_error = ev.error;
				break;
			}
		}
		work += unsigned(n) + emit_received(p);
		p.stats.credits.store(p.t->credits(), std::memory_order_relaxed);
	}
	return work;
}

// Peers' batches, oldest first: every packet into an mbuf, classified, emitted in bursts. A
// burst starts only when the rings it may go to have room for all of it; otherwise the slot
// stays held and the rest waits for the next round, so a slow way out (the TAP, the wire)
// holds back the peer's credit instead of dropping. A slot is released once it is emptied.
// force: the transport is about to go; emit everything now, counting what the rings refuse.
unsigned BulkPath::emit_received(Peer &p, bool force)
{
	unsigned emitted = 0;
	LcoreCounters &c = *w_.counters;
	const uint16_t wire_port = w_.peer_wire[p.index];
	rte_ring *wire_ring = wire_port == kNoPort ? nullptr : w_.return_of_port[wire_port];
	while (!p.rx_pending.empty()) {
		const uint32_t slot = p.rx_pending.front();
		std::span<const std::byte> batch = p.t->received(slot).subspan(p.rx_offset);
		bulk::BatchReader reader(batch);
		bulk::BatchRecord rec;
		bool room = true;
		while (room) {
			room = force || (rte_ring_free_count(w_.to_kernel) >= kBurst &&
					 (wire_ring == nullptr || rte_ring_free_count(wire_ring) >= kBurst));
			if (!room)
				break;
			rte_mbuf *pkts[kBurst];
			unsigned n = 0, read = 0;
			while (read < kBurst && reader.next(rec)) {
				read++;
				bump(p.stats.packets_received);
				bump(p.stats.bytes_received, rec.frame.size());
				bump(c.bulk_rx_packets);
				rte_mbuf *m = mbuf_from(pool_, rec.frame);
				if (unlikely(m == nullptr)) {
					bump(c.drops[unsigned(DropReason::bulk_no_mbuf)]);
					continue;
				}
				m->port = wire_port;
				pkts[n++] = m;
			}
			if (n)
				emit(p, pkts, n);
			emitted += n;
			if (read < kBurst)
				break;   // the batch is done (or malformed)
		}
		if (room || reader.malformed()) {
			if (reader.malformed())
				bump(c.drops[unsigned(DropReason::bulk_bad_batch)]);
			p.t->release(slot);
			p.rx_pending.pop_front();
			p.rx_offset = 0;
		} else {
			p.rx_offset += reader.offset();
			break;
		}
	}
	return emitted;
}

// Our rules decide: kernel -> path A on the peer's wire's TAP; bulk -> out on that wire (the
// destination is past this host); fast -> path A too (the bulk lcore owns no endpoint queue);
// drop -> counted.
void BulkPath::emit(Peer &p, rte_mbuf **pkts, unsigned n)
{
	LcoreCounters &c = *w_.counters;
	packet::FlowKey keys[kBurst];
	rte_mbuf *parsed[kBurst];
	unsigned n_parsed = 0;
	for (unsigned i = 0; i < n; i++) {
		rte_mbuf *m = pkts[i];
		uint8_t copy[256];
		uint32_t len = RTE_MIN(m->pkt_len, uint32_t(sizeof(copy)));
		auto *hdr = static_cast<const uint8_t *>(rte_pktmbuf_read(m, 0, len, copy));
		packet::ParseStatus st = packet::parse_frame(hdr, len, m->pkt_len, keys[n_parsed]);
		if (likely(st == packet::ParseStatus::ok)) {
			parsed[n_parsed++] = m;
		} else {
			bump(c.drops[unsigned(drop_reason_of(st))]);
			rte_pktmbuf_free(m);
		}
	}
	classify::Verdict verdicts[kBurst];
	dp_.rules().lookup_burst(keys, verdicts, n_parsed);
	rte_mbuf *kernel[kBurst], *wire[kBurst], *dropped[kBurst];
	unsigned n_kernel = 0, n_wire = 0, n_dropped = 0;
	for (unsigned i = 0; i < n_parsed; i++) {
		switch (verdicts[i].path) {
		case PathKind::bulk: wire[n_wire++] = parsed[i]; break;
		case PathKind::drop: dropped[n_dropped++] = parsed[i]; break;
		case PathKind::kernel:
		case PathKind::fast: kernel[n_kernel++] = parsed[i]; break;
		}
	}
	if (n_dropped) {
		bump(c.drops[unsigned(DropReason::rule_drop)], n_dropped);
		rte_pktmbuf_free_bulk(dropped, n_dropped);
	}
	if (n_kernel)
		bump(c.bulk_emitted, to_kernel(kernel, n_kernel));
	const uint16_t wire_port = w_.peer_wire[p.index];
	if (n_wire && wire_port == kNoPort) {   // no wire with a TAP configured for this peer
		bump(c.drops[unsigned(DropReason::no_kernel_tap)], n_wire);
		rte_pktmbuf_free_bulk(wire, n_wire);
	} else if (n_wire) {
		rte_ring *ring = w_.return_of_port[wire_port];
		unsigned q = rte_ring_mp_enqueue_burst(ring, reinterpret_cast<void **>(wire), n_wire, nullptr);
		bump(c.bulk_emitted, q);
		if (q < n_wire) {
			bump(c.drops[unsigned(DropReason::bulk_emit_full)], n_wire - q);
			rte_pktmbuf_free_bulk(wire + q, n_wire - q);
		}
	}
}

// Our own batch that the peer may not have: back into mbufs, onto path A where they came in.
void BulkPath::fall_back_batch(Peer &p, std::span<const std::byte> payload, uint32_t packets)
{
	bulk::BatchReader reader(payload);
	bulk::BatchRecord rec;
	rte_mbuf *pkts[kBurst];
	unsigned n = 0, seen = 0;
	LcoreCounters &c = *w_.counters;
	while (reader.next(rec)) {
		seen++;
		rte_mbuf *m = mbuf_from(pool_, rec.frame);
		if (unlikely(m == nullptr)) {
			bump(c.drops[unsigned(DropReason::bulk_no_mbuf)]);
			continue;
		}
		m->port = rec.port;
		pkts[n++] = m;
		if (n == kBurst) {
			to_kernel(pkts, n);
			n = 0;
		}
	}
	if (n)
		to_kernel(pkts, n);
	if (seen < packets)   // our own batch cannot be malformed; if it were, say so
		bump(c.drops[unsigned(DropReason::bulk_bad_batch)], packets - seen);
	bump(p.stats.packets_fallback, seen);
	bump(c.fallback_to_kernel, seen);
}

// Returns how many the exception lcore's ring took; the rest are counted and freed.
unsigned BulkPath::to_kernel(rte_mbuf **pkts, unsigned n)
{
	LcoreCounters &c = *w_.counters;
	rte_mbuf *ok[kBurst];
	unsigned n_ok = 0;
	for (unsigned i = 0; i < n; i++) {
		uint16_t port = pkts[i]->port;
		if (port >= w_.tap_of_port.size() || w_.tap_of_port[port] == kNoPort) {
			bump(c.drops[unsigned(DropReason::no_kernel_tap)]);
			rte_pktmbuf_free(pkts[i]);
		} else {
			ok[n_ok++] = pkts[i];
		}
	}
	// Not counted under path_packets: the worker already counted these once (as bulk), or
	// they came from a peer; bulk_emitted and fallback_to_kernel say where they went.
	unsigned q = enqueue_handoffs(w_.to_kernel, ok, n_ok, false); // no give-back ring here: never lent
	if (q < n_ok) {
		bump(c.drops[unsigned(DropReason::bulk_emit_full)], n_ok - q);
		rte_pktmbuf_free_bulk(ok + q, n_ok - q);
	}
	return q;
}

} // namespace tripath::pipeline
