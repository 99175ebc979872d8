#include <tripath/bulk/loopback_transport.h>

#include <algorithm>
#include <deque>
#include <vector>

#include <tripath/bulk/receive_window.h>
#include <tripath/bulk/send_window.h>

#include "slot_header.h"

namespace tripath::bulk {

// One end's memory and windows; `inbox` holds what the peer "sent" and this end has not polled.
struct LoopbackTransport::Endpoint {
	Endpoint(uint32_t slots, uint32_t size)
		: slot_size(size), ring(size_t(slots) * size), send_area(size_t(slots) * size), send(slots),
		  receive(slots), received_bytes(slots, 0)
	{
	}

	uint32_t slot_size;
	std::vector<std::byte> ring;
	std::vector<std::byte> send_area;
	SendWindow send;
	ReceiveWindow receive;
	std::vector<uint32_t> received_bytes;
	std::deque<BulkEvent> inbox;      // batch_received and credits, as the peer's NIC would deliver
	std::deque<BulkEvent> completions; // batch_sent for our own posts
	BulkState state = BulkState::connected;
	bool claimed = false;
	BulkStats stats;

	std::byte *ring_slot(uint32_t slot) { return ring.data() + size_t(slot) * slot_size; }
	std::byte *send_slot(uint32_t slot) { return send_area.data() + size_t(slot) * slot_size; }
};

std::pair<std::unique_ptr<LoopbackTransport>, std::unique_ptr<LoopbackTransport>>
make_loopback_pair(uint32_t slot_count, uint32_t slot_size)
{
	auto a = std::make_shared<LoopbackTransport::Endpoint>(slot_count, slot_size);
	auto b = std::make_shared<LoopbackTransport::Endpoint>(slot_count, slot_size);
	return {std::unique_ptr<LoopbackTransport>(new LoopbackTransport(a, b)),
		std::unique_ptr<LoopbackTransport>(new LoopbackTransport(b, a))};
}

LoopbackTransport::LoopbackTransport(std::shared_ptr<Endpoint> self, std::shared_ptr<Endpoint> peer)
	: self_(std::move(self)), peer_(std::move(peer))
{
}

LoopbackTransport::~LoopbackTransport() = default;

BulkState LoopbackTransport::state() const { return self_->state; }
uint32_t LoopbackTransport::slot_count() const { return self_->send.slot_count(); }
uint32_t LoopbackTransport::slot_payload() const { return self_->slot_size - kSlotHeaderSize; }
uint32_t LoopbackTransport::credits() const { return self_->state == BulkState::connected ? self_->send.credits() : 0; }
uint64_t LoopbackTransport::next_sequence() const { return self_->send.next_sequence(); }
BulkStats LoopbackTransport::stats() const { return self_->stats; }

std::optional<SendSlot> LoopbackTransport::claim_send_slot()
{
	Endpoint &e = *self_;
	if (e.state != BulkState::connected)
		return std::nullopt;
	if (e.send.credits() == 0) {
		++e.stats.credit_stalls;
		return std::nullopt;
	}
	e.claimed = true;
	uint32_t slot = e.send.next_slot();
	return SendSlot{slot, {e.send_slot(slot) + kSlotHeaderSize, slot_payload()}};
}

BulkError LoopbackTransport::post_batch(uint32_t slot, uint32_t bytes)
{
	Endpoint &e = *self_;
	if (e.state != BulkState::connected)
		return e.stats.last_error;
	if (!e.claimed || slot != e.send.next_slot() || bytes > slot_payload())
		return BulkError::local;
	uint64_t sequence = e.send.next_sequence();
	write_slot_header(e.send_slot(slot), SlotHeader{bytes, sequence});
	// The "WRITE": header and payload land in the peer's ring slot of the same index.
	std::copy_n(e.send_slot(slot), kSlotHeaderSize + bytes, peer_->ring_slot(slot));
	e.send.consume();
	e.claimed = false;
	peer_->inbox.push_back(BulkEvent{BulkEventKind::batch_received, BulkError::none, slot, bytes, sequence});
	e.completions.push_back(BulkEvent{BulkEventKind::batch_sent, BulkError::none, slot, bytes, sequence});
	++e.stats.batches_sent;
	e.stats.bytes_sent += bytes;
	return BulkError::none;
}

size_t LoopbackTransport::poll(std::span<BulkEvent> events)
{
	Endpoint &e = *self_;
	size_t out = 0;
	auto drain = [&](std::deque<BulkEvent> &queue) {
		while (out < events.size() && !queue.empty()) {
			BulkEvent ev = queue.front();
			queue.pop_front();
			if (ev.kind == BulkEventKind::error) {
				e.state = BulkState::broken;
				e.stats.last_error = ev.error;
				++e.stats.errors;
			} else if (e.state != BulkState::connected) {
				continue; // as on a QP in error: nothing counts until the reconnect
			} else if (ev.kind == BulkEventKind::batch_received) {
				SlotHeader header;
				if (!read_slot_header(e.ring_slot(ev.slot), header) || !e.receive.on_batch(ev.slot, header.sequence)) {
					ev = BulkEvent{BulkEventKind::error, BulkError::protocol, ev.slot, 0, ev.sequence};
					e.state = BulkState::broken;
				} else {
					e.received_bytes[ev.slot] = header.bytes;
					++e.stats.batches_received;
					e.stats.bytes_received += header.bytes;
				}
			} else if (ev.kind == BulkEventKind::credits) {
				uint32_t before = e.send.credits();
				e.send.on_credit(uint32_t(ev.sequence));
				ev.bytes = e.send.credits() - before;
				ev.sequence = 0;
			}
			events[out++] = ev;
		}
	};
	drain(e.completions);
	drain(e.inbox);
	return out;
}

std::span<const std::byte> LoopbackTransport::received(uint32_t slot) const
{
	if (slot >= slot_count())
		return {};
	return {self_->ring_slot(slot) + kSlotHeaderSize, self_->received_bytes[slot]};
}

bool LoopbackTransport::release(uint32_t slot)
{
	Endpoint &e = *self_;
	if (!e.receive.release(slot))
		return false;
	// Same policy as the verbs transport: a quarter of the ring, or everything free.
	uint32_t threshold = std::max<uint32_t>(1, slot_count() / 4);
	if (e.state == BulkState::connected && e.receive.credit_due(threshold)) {
		// The running count rides in `sequence` until the peer's poll turns it into a delta.
		peer_->inbox.push_back(BulkEvent{BulkEventKind::credits, BulkError::none, 0, 0, e.receive.take_report()});
		++e.stats.credit_messages_sent;
	}
	return true;
}

void LoopbackTransport::break_link(BulkError error)
{
	for (Endpoint *e : {self_.get(), peer_.get()}) {
		e->inbox.clear(); // in flight: lost
		e->completions.clear();
		e->inbox.push_back(BulkEvent{BulkEventKind::error, error, 0, 0, 0});
	}
}

bool LoopbackTransport::reconnect(int, std::string &error)
{
	// Both ends restart from where each ring stands, as the HELLO exchange does.
	Endpoint &e = *self_, &p = *peer_;
	if (e.state == BulkState::closed || p.state == BulkState::closed) {
		error = "the peer is closed";
		return false;
	}
	for (auto [from, to] : {std::pair{&e, &p}, std::pair{&p, &e}}) {
		from->send.restart(to->receive.next_expected(), to->receive.free_slots(), to->receive.released_total());
		to->receive.reported_by_hello();
		from->inbox.clear();
		from->completions.clear();
		from->claimed = false;
		if (from->state == BulkState::broken)
			++from->stats.reconnects;
		from->state = BulkState::connected;
	}
	return true;
}

} // namespace tripath::bulk
