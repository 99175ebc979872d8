// VerbsTransport's connection side: the TCP exchange, the QP walk RESET -> INIT -> RTR -> RTS,
// and recovery, which is the same walk again with the rings' positions carried over.
#include <tripath/bulk/verbs_transport.h>

#include <random>

#include "queue_pair.h"
#include "verbs_resources.h"

namespace tripath::bulk {

namespace {

uint32_t random_psn()
{
	static std::mt19937 generator{std::random_device{}()};
	return generator() & 0xffffff;
}

PeerInfo local_info(const VerbsTransport::Resources &r, uint32_t psn)
{
	PeerInfo info;
	info.epoch = r.epoch;
	info.qp_number = r.qp->qp_num;
	info.psn = psn;
	info.gid = r.port.gid;
	info.lid = r.port.lid;
	info.mtu = uint8_t(r.port.active_mtu);
	info.rkey = r.ring_mr->rkey;
	info.ring_address = reinterpret_cast<uint64_t>(r.ring);
	info.slot_count = r.config.slot_count;
	info.slot_size = r.config.slot_size;
	info.next_expected = r.receive.next_expected();
	info.free_slots = r.receive.free_slots();
	info.released_total = r.receive.released_total();
	return info;
}

// RESET drops every posted request; completions already queued are stale and go too.
bool reset_queue_pair(VerbsTransport::Resources &r, std::string &error)
{
	if (!qp_to_reset(r.qp, error))
		return false;
	ibv_wc wc[16];
	while (ibv_poll_cq(r.cq, 16, wc) > 0) {
	}
	r.credit_sends_in_flight = 0;
	r.claimed = false;
	return true;
}

bool receive_hello(VerbsTransport::Resources &r, int timeout_ms, PeerInfo &peer, std::string &error)
{
	if (r.pending_hello) {
		peer = *r.pending_hello;
		r.pending_hello.reset();
		return true;
	}
	ControlMessage message;
	if (!r.control.receive(message, timeout_ms, error))
		return false;
	auto info = message.type == ControlType::hello
		? decode_peer_info(message.payload.data(), message.payload.size())
		: std::nullopt;
	if (!info) {
		error = message.type == ControlType::bye ? "the peer closed the connection" : "the peer sent no valid HELLO";
		return false;
	}
	peer = *info;
	return true;
}

bool check_peer(const VerbsTransport::Resources &r, const PeerInfo &peer, std::string &error)
{
	// Send slots mirror the peer's ring one to one, so the geometry must match.
	if (peer.slot_count != r.config.slot_count || peer.slot_size != r.config.slot_size) {
		error = "ring geometry differs: ours " + std::to_string(r.config.slot_count) + " x " +
			std::to_string(r.config.slot_size) + ", the peer's " + std::to_string(peer.slot_count) + " x " +
			std::to_string(peer.slot_size);
		return false;
	}
	if (peer.epoch != r.epoch) {
		error = "the peer is at exchange " + std::to_string(peer.epoch) + ", we are at " + std::to_string(r.epoch);
		return false;
	}
	// It can only have received batches we sent, and not lost any it already counted.
	uint64_t sent = r.send.next_sequence();
	if (peer.free_slots > peer.slot_count || peer.next_expected > sent || peer.next_expected + r.config.slot_count < sent) {
		error = "the peer's ring position does not match what we sent";
		return false;
	}
	return true;
}

// Both ends run this at the same time; the READY round makes sure neither writes before the
// other's QP can receive.
bool exchange(VerbsTransport::Resources &r, int timeout_ms, std::string &error)
{
	r.state = BulkState::broken;
	if (!reset_queue_pair(r, error) || !qp_to_init(r.qp, r.port, error))
		return false;
	if (!post_receives(r, r.recv_depth)) {
		error = "ibv_post_recv failed";
		return false;
	}
	uint32_t psn = random_psn();
	std::array<uint8_t, kPeerInfoSize> hello;
	encode_peer_info(local_info(r, psn), hello);
	PeerInfo peer;
	if (!r.control.send(ControlType::hello, hello.data(), hello.size(), error) ||
		!receive_hello(r, timeout_ms, peer, error) || !check_peer(r, peer, error))
		return false;
	if (!qp_to_rtr(r.qp, r.port, r.config, peer, error) || !qp_to_rts(r.qp, r.config, psn, error))
		return false;
	ControlMessage ready;
	if (!r.control.send(ControlType::ready, nullptr, 0, error) || !r.control.receive(ready, timeout_ms, error))
		return false;
	if (ready.type != ControlType::ready) {
		error = "the peer sent no READY";
		return false;
	}
	r.peer = peer;
	r.remote_rkey = peer.rkey;
	r.wrong_rkey_once = false;
	r.send.restart(peer.next_expected, peer.free_slots, peer.released_total);
	r.receive.reported_by_hello();
	++r.epoch;
	r.state = BulkState::connected;
	return true;
}

} // namespace

bool VerbsTransport::connect(const std::string &address, uint16_t port, int timeout_ms, std::string &error)
{
	if (!r_->control.connect(address, port, timeout_ms, error))
		return false;
	return exchange(*r_, timeout_ms, error);
}

bool VerbsTransport::accept(int listen_fd, int timeout_ms, std::string &error)
{
	if (!r_->control.accept(listen_fd, timeout_ms, error))
		return false;
	return exchange(*r_, timeout_ms, error);
}

bool VerbsTransport::reconnect(int timeout_ms, std::string &error)
{
	if (!r_->control.is_open()) {
		r_->state = BulkState::closed;
		error = "no control connection to the peer";
		return false;
	}
	if (!exchange(*r_, timeout_ms, error))
		return false;
	++r_->stats.reconnects;
	return true;
}

void VerbsTransport::close()
{
	std::string ignored;
	if (r_->control.is_open())
		r_->control.send(ControlType::bye, nullptr, 0, ignored);
	r_->control.close();
	qp_to_error(r_->qp, ignored);
	r_->state = BulkState::closed;
}

} // namespace tripath::bulk
