// Path C's bulk lcore: construction, the poll round, and a peer's life (dial, error, recovery,
// loss and the fallback to path A that goes with it).
#include <cstdio>
#include <cstring>
#include <utility>

#include <rte_cycles.h>
#include <rte_errno.h>
#include <rte_rcu_qsbr.h>

#include "bulk_peer.h"

namespace tripath::pipeline {

using bulk::BulkError;

const char *bulk_peer_state_name(BulkPeerState s)
{
	switch (s) {
	case BulkPeerState::down: return "down";
	case BulkPeerState::up: return "up";
	case BulkPeerState::broken: return "broken";
	}
	return "unknown";
}

const char *peer_event_name(PeerEventKind k)
{
	switch (k) {
	case PeerEventKind::up: return "up";
	case PeerEventKind::down: return "down";
	case PeerEventKind::error: return "error";
	case PeerEventKind::stalled: return "stalled";
	}
	return "unknown";
}

BulkPath::BulkPath(Dataplane &dp, BulkWiring wiring, std::unique_ptr<BulkConnector> connector, rte_mempool *pool)
	: dp_(dp), cfg_(dp.config().paths.bulk), w_(std::move(wiring)), connector_(std::move(connector)), pool_(pool)
{
	hz_ = rte_get_tsc_hz();
	batch_cycles_ = hz_ * cfg_.batch_us / 1000000;
	for (size_t i = 0; i < cfg_.peers.size(); i++) {
		auto p = std::make_unique<Peer>();
		p->index = i;
		p->slot_payload.resize(cfg_.slots);
		p->slot_bytes.resize(cfg_.slots);
		p->slot_packets.resize(cfg_.slots);
		peers_.push_back(std::move(p));
	}
	for (size_t i = 0; i < w_.from_workers.size(); i++)
		held_.push_back(std::make_unique<Held>());
	events_ = rte_ring_create_elem("tp_bulk_events", sizeof(PeerEvent), 1024, rte_socket_id(),
				       RING_F_SP_ENQ | RING_F_SC_DEQ);
	if (events_ == nullptr)
		throw std::runtime_error(std::string("cannot create the bulk event ring: ") + rte_strerror(rte_errno));
}

BulkPath::~BulkPath()
{
	shutdown();
	rte_ring_free(events_);
}

void BulkPath::attach_thread(unsigned qsbr_id)
{
	qsbr_id_ = qsbr_id;
	rte_rcu_qsbr_thread_register(dp_.qsbr, qsbr_id_);
	rte_rcu_qsbr_thread_online(dp_.qsbr, qsbr_id_);
	attached_ = true;
}

void BulkPath::detach_thread()
{
	if (!attached_)
		return;
	rte_rcu_qsbr_thread_offline(dp_.qsbr, qsbr_id_);
	rte_rcu_qsbr_thread_unregister(dp_.qsbr, qsbr_id_);
	attached_ = false;
}

unsigned BulkPath::poll()
{
	uint64_t now = rte_rdtsc();
	LcoreCounters &c = *w_.counters;
	// Each step's calls and cycles (show runtime); busy when it did something.
	auto timed = [&c](Stage s, uint64_t since, unsigned work) { return stage_call(c.stages[unsigned(s)], since, rte_rdtsc(), work); };
	unsigned step = maintain(now), work = step;
	uint64_t t = timed(Stage::bulk_connect, now, step);
	work += step = drain_workers(now);
	t = timed(Stage::bulk_pack, t, step);
	work += step = post_aged(now);
	t = timed(Stage::bulk_post, t, step);
	work += step = poll_transports();
	timed(Stage::bulk_receive, t, step);
	if (attached_)
		rte_rcu_qsbr_quiescent(dp_.qsbr, qsbr_id_);
	return work;
}

unsigned BulkPath::maintain(uint64_t now)
{
	unsigned work = 0;
	for (size_t i = 0; i < peers_.size(); i++) {
		Peer &p = *peers_[i];
		// Kept until there is a connection to corrupt (the test may ask before the first dial).
		if (p.t && p.state == BulkPeerState::up && p.inject_rkey.exchange(false, std::memory_order_acq_rel))
			connector_->inject_wrong_rkey(*p.t);
		if (p.pending_error != BulkError::none) {
			BulkError e = p.pending_error;
			p.pending_error = BulkError::none;
			on_error(p, e, now);
			work++;
		} else if (p.state == BulkPeerState::up) {
			// A listening peer dialing again has restarted; looked at every 10 ms (a syscall).
			if (now >= p.next_redial_check) {
				p.next_redial_check = now + hz_ / 100;
				if (connector_->redialing(i)) {
					lose(p, BulkError::peer_reset, now, PeerEventKind::down);
					work += try_connect(i);
				}
			}
		} else if (p.state == BulkPeerState::down && now >= p.next_attempt) {
			work += try_connect(i);
		}
	}
	return work;
}

bool BulkPath::try_connect(size_t index)
{
	Peer &p = *peers_[index];
	std::string error;
	std::unique_ptr<bulk::BulkTransport> t = connector_->connect(index, error);
	if (!t) {
		if (!error.empty()) {
			bump(p.stats.connect_failures);
			// Once per failure streak, not every reconnect_ms.
			if (!std::exchange(p.dial_failing, true))
				std::fprintf(stderr, "tripath: bulk peer %s: %s; its traffic takes path A, retrying every %u ms\n",
					     cfg_.peers[index].name.c_str(), error.c_str(), cfg_.reconnect_ms);
		}
		p.next_attempt = rte_rdtsc() + hz_ * cfg_.reconnect_ms / 1000;
		return false;
	}
	p.dial_failing = false;
	p.t = std::move(t);
	p.acked_end = p.posted_end = p.t->next_sequence();
	p.stall_since = 0;
	std::string d = connector_->describe(*p.t);
	p.described_seq.fetch_add(1, std::memory_order_acq_rel);
	std::snprintf(p.described, sizeof(p.described), "%s", d.c_str());
	p.described_seq.fetch_add(1, std::memory_order_release);
	bump(p.stats.connects);
	p.stats.credits.store(p.t->credits(), std::memory_order_relaxed);
	set_state(p, BulkPeerState::up);
	raise(p, PeerEventKind::up, BulkError::none);
	return true;
}

// An error from the transport: same peer, so reset both QPs and go on; else give it up.
void BulkPath::on_error(Peer &p, BulkError error, uint64_t now)
{
	bump(p.stats.errors);
	p.stats.last_error.store(uint8_t(error), std::memory_order_relaxed);
	raise(p, PeerEventKind::error, error);
	if (error == BulkError::peer_closed || !p.t || p.t->state() == bulk::BulkState::closed || !recover(p))
		lose(p, error, now, PeerEventKind::down);
}

bool BulkPath::recover(Peer &p)
{
	set_state(p, BulkPeerState::broken);
	std::string error;
	if (!p.t->reconnect(int(cfg_.connect_timeout_ms), error)) {
		std::fprintf(stderr, "tripath: bulk peer %s: reconnect failed: %s\n", cfg_.peers[p.index].name.c_str(), error.c_str());
		return false;
	}
	bump(p.stats.reconnects);
	if (repost_after_reconnect(p) == UINT32_MAX)
		return false;
	set_state(p, BulkPeerState::up);
	raise(p, PeerEventKind::up, BulkError::none);
	return true;
}

// The peer is gone: what it may not have (the open batch, batches it never acknowledged)
// is carried by path A, and workers send its traffic there until it is back.
void BulkPath::lose(Peer &p, BulkError why, uint64_t now, PeerEventKind kind)
{
	set_state(p, BulkPeerState::down);
	if (p.t) {
		for (uint64_t seq = p.acked_end; seq < p.posted_end; seq++) {
			uint32_t slot = uint32_t(seq % p.slot_payload.size());
			fall_back_batch(p, p.slot_payload[slot].first(p.slot_bytes[slot]), p.slot_packets[slot]);
		}
		if (p.open)
			fall_back_batch(p, p.slot_payload[p.open_slot].first(p.writer.bytes()), p.writer.packets());
		emit_received(p, true);   // what the peer sent is in our ring: out with it before the ring goes
		p.t.reset();
	}
	p.rx_pending.clear();
	p.rx_offset = 0;
	p.open = false;
	p.acked_end = p.posted_end = 0;
	p.stall_since = 0;
	p.stats.credits.store(0, std::memory_order_relaxed);
	p.stats.last_error.store(uint8_t(why), std::memory_order_relaxed);
	bump(p.stats.losses);
	p.next_attempt = now + hz_ * cfg_.reconnect_ms / 1000;
	raise(p, kind, why);
}

void BulkPath::raise(const Peer &p, PeerEventKind kind, BulkError error)
{
	PeerEvent ev;
	ev.tsc = rte_rdtsc();
	ev.peer = uint16_t(p.index);
	ev.kind = kind;
	ev.error = error;
	rte_ring_sp_enqueue_elem(events_, &ev, sizeof(ev)); // full: the control lcore is far behind; counters still tell
}

void BulkPath::request_wrong_rkey(size_t index) { peers_[index]->inject_rkey.store(true, std::memory_order_release); }

const BulkPeerStats &BulkPath::stats(size_t index) const { return peers_[index]->stats; }

std::vector<PeerEvent> BulkPath::take_events()
{
	std::vector<PeerEvent> out;
	PeerEvent ev;
	while (rte_ring_sc_dequeue_elem(events_, &ev, sizeof(ev)) == 0)
		out.push_back(ev);
	return out;
}

std::string BulkPath::describe(size_t index) const
{
	const Peer &p = *peers_[index];
	char copy[sizeof(p.described)];
	for (int tries = 0; tries < 100; tries++) {
		uint32_t before = p.described_seq.load(std::memory_order_acquire);
		if (before & 1)
			continue;
		std::memcpy(copy, p.described, sizeof(copy));
		std::atomic_thread_fence(std::memory_order_acquire);
		if (p.described_seq.load(std::memory_order_relaxed) == before)
			return std::string(copy, strnlen(copy, sizeof(copy)));
	}
	return {};
}

void BulkPath::shutdown()
{
	LcoreCounters &c = *w_.counters;
	for (auto &pp : peers_) {
		Peer &p = *pp;
		if (!p.t)
			continue;
		uint64_t stranded = p.open ? p.writer.packets() : 0;
		for (uint64_t seq = p.acked_end; seq < p.posted_end; seq++)
			stranded += p.slot_packets[seq % p.slot_packets.size()];
		bump(c.drops[unsigned(DropReason::shutdown)], stranded);
		emit_received(p, true);
		p.rx_pending.clear();
		p.rx_offset = 0;
		p.open = false;
		p.t.reset();
		set_state(p, BulkPeerState::down);
	}
	for (auto &h : held_) {
		if (h->next < h->n) {
			bump(c.drops[unsigned(DropReason::shutdown)], h->n - h->next);
			rte_pktmbuf_free_bulk(h->pkts + h->next, h->n - h->next);
		}
		h->n = h->next = 0;
	}
}

} // namespace tripath::pipeline
