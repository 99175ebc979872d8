// VerbsTransport's per-batch side: posting writes and credits, polling the CQ.
#include <tripath/bulk/verbs_transport.h>

#include <algorithm>
#include <cstring>
#include <endian.h>

#include <tripath/bulk/immediate.h>

#include "slot_header.h"
#include "verbs_resources.h"

namespace tripath::bulk {

namespace {

constexpr uint64_t kTagShift = 62;
constexpr uint64_t kTagReceive = 1, kTagBatch = 2, kTagCredit = 3;
constexpr uint64_t kSequenceMask = (uint64_t(1) << kTagShift) - 1;
constexpr uint32_t kControlCheckEvery = 32; // idle polls between looks at the control socket (a syscall)
constexpr int kPollBatch = 16;

uint64_t tag(uint64_t kind, uint64_t value = 0) { return (kind << kTagShift) | (value & kSequenceMask); }

BulkError classify(ibv_wc_status status)
{
	switch (status) {
	case IBV_WC_REM_ACCESS_ERR: return BulkError::remote_access;
	case IBV_WC_RETRY_EXC_ERR: return BulkError::retry_exceeded;
	case IBV_WC_RNR_RETRY_EXC_ERR: return BulkError::rnr_retry_exceeded;
	case IBV_WC_WR_FLUSH_ERR: return BulkError::flushed;
	case IBV_WC_LOC_LEN_ERR:
	case IBV_WC_LOC_QP_OP_ERR:
	case IBV_WC_LOC_PROT_ERR:
	case IBV_WC_LOC_ACCESS_ERR:
	case IBV_WC_MW_BIND_ERR: return BulkError::local;
	default: return BulkError::other;
	}
}

BulkEvent error_event(BulkError error, uint32_t slot = 0, uint64_t sequence = 0)
{
	BulkEvent e;
	e.kind = BulkEventKind::error;
	e.error = error;
	e.slot = slot;
	e.sequence = sequence;
	return e;
}

} // namespace

bool post_receives(VerbsTransport::Resources &r, uint32_t count)
{
	// No scatter list: a WRITE_WITH_IMM lands in the ring, a credit SEND has no payload.
	ibv_recv_wr wr{};
	wr.wr_id = tag(kTagReceive);
	for (uint32_t i = 0; i < count; ++i) {
		ibv_recv_wr *bad = nullptr;
		if (ibv_post_recv(r.qp, &wr, &bad) != 0)
			return false;
	}
	return true;
}

namespace {

// The connection is unusable from here on: one error event says why, later ones are counted.
bool break_connection(VerbsTransport::Resources &r, BulkError error, const std::string &detail)
{
	++r.stats.errors;
	if (r.state != BulkState::connected)
		return false;
	r.state = error == BulkError::peer_closed ? BulkState::closed : BulkState::broken;
	r.stats.last_error = error;
	r.detail = detail;
	return true;
}

bool send_credit(VerbsTransport::Resources &r)
{
	ibv_send_wr wr{};
	wr.wr_id = tag(kTagCredit);
	wr.opcode = IBV_WR_SEND_WITH_IMM;
	wr.send_flags = IBV_SEND_SIGNALED;
	wr.imm_data = htobe32(encode_immediate({ImmediateKind::credit, r.receive.take_report()}));
	ibv_send_wr *bad = nullptr;
	if (ibv_post_send(r.qp, &wr, &bad) != 0)
		return false;
	++r.credit_sends_in_flight;
	++r.stats.credit_messages_sent;
	return true;
}

uint32_t credit_threshold(const VerbsTransport::Resources &r)
{
	uint32_t t = r.config.credit_threshold != 0 ? r.config.credit_threshold : r.config.slot_count / 4;
	return t == 0 ? 1 : t;
}

// Returns credit when worth a message; false only when the post failed.
bool return_credits(VerbsTransport::Resources &r)
{
	if (r.state != BulkState::connected || r.credit_sends_in_flight >= kCreditSendsInFlight ||
		!r.receive.credit_due(credit_threshold(r)))
		return true;
	return send_credit(r);
}

bool on_batch(VerbsTransport::Resources &r, uint32_t slot, BulkEvent &event)
{
	SlotHeader header;
	if (slot >= r.config.slot_count || !read_slot_header(r.ring_slot(slot), header) ||
		header.bytes > r.config.slot_size - kSlotHeaderSize || !r.receive.on_batch(slot, header.sequence)) {
		if (break_connection(r, BulkError::protocol, "a batch arrived out of order or malformed (slot " +
				std::to_string(slot) + ")")) {
			event = error_event(BulkError::protocol, slot, header.sequence);
			return true;
		}
		return false;
	}
	r.received_bytes[slot] = header.bytes;
	++r.stats.batches_received;
	r.stats.bytes_received += header.bytes;
	event = BulkEvent{BulkEventKind::batch_received, BulkError::none, slot, header.bytes, header.sequence};
	return true;
}

bool on_credit(VerbsTransport::Resources &r, uint32_t released, BulkEvent &event)
{
	uint32_t before = r.send.credits();
	if (!r.send.on_credit(released)) {
		if (break_connection(r, BulkError::protocol, "the peer returned more credit than it had")) {
			event = error_event(BulkError::protocol);
			return true;
		}
		return false;
	}
	event = BulkEvent{BulkEventKind::credits, BulkError::none, 0, r.send.credits() - before, 0};
	return true;
}

bool on_completion(VerbsTransport::Resources &r, const ibv_wc &wc, BulkEvent &event)
{
	uint64_t kind = wc.wr_id >> kTagShift;
	uint64_t sequence = wc.wr_id & kSequenceMask;
	uint32_t slot = uint32_t(sequence % r.config.slot_count);
	if (kind == kTagCredit && r.credit_sends_in_flight > 0)
		--r.credit_sends_in_flight;
	// After the first error nothing counts: the next exchange says where both rings stand.
	if (r.state != BulkState::connected) {
		if (wc.status != IBV_WC_SUCCESS)
			++r.stats.errors;
		return false;
	}
	if (wc.status != IBV_WC_SUCCESS) {
		BulkError error = classify(wc.status);
		std::string detail = std::string(ibv_wc_status_str(wc.status)) + " (vendor error " +
			std::to_string(wc.vendor_err) + ")";
		if (!break_connection(r, error, detail))
			return false;
		event = kind == kTagBatch ? error_event(error, slot, sequence) : error_event(error);
		return true;
	}
	if (kind == kTagBatch) {
		SlotHeader header; // the length we wrote, still in the send slot
		read_slot_header(r.send_slot(slot), header);
		++r.stats.batches_sent;
		r.stats.bytes_sent += header.bytes;
		event = BulkEvent{BulkEventKind::batch_sent, BulkError::none, slot, header.bytes, sequence};
		return true;
	}
	if (kind != kTagReceive)
		return false;
	// A receive is consumed by every incoming message: put one back at once.
	if (!post_receives(r, 1) && break_connection(r, BulkError::local, "ibv_post_recv failed")) {
		event = error_event(BulkError::local);
		return true;
	}
	auto imm = (wc.wc_flags & IBV_WC_WITH_IMM) ? decode_immediate(be32toh(wc.imm_data)) : std::nullopt;
	if (imm && wc.opcode == IBV_WC_RECV_RDMA_WITH_IMM && imm->kind == ImmediateKind::batch)
		return on_batch(r, imm->value, event);
	if (imm && wc.opcode == IBV_WC_RECV && imm->kind == ImmediateKind::credit)
		return on_credit(r, imm->value, event);
	if (break_connection(r, BulkError::protocol, "a message without a known immediate")) {
		event = error_event(BulkError::protocol);
		return true;
	}
	return false;
}

// The peer speaks on the control connection only to reset or to leave.
bool check_control(VerbsTransport::Resources &r, BulkEvent &event)
{
	ControlMessage message;
	ControlPoll got = r.control.poll_message(message);
	if (got == ControlPoll::nothing)
		return false;
	if (got == ControlPoll::message && message.type == ControlType::hello) {
		r.pending_hello = decode_peer_info(message.payload.data(), message.payload.size());
		if (r.pending_hello && break_connection(r, BulkError::peer_reset, "the peer reset its QP")) {
			event = error_event(BulkError::peer_reset);
			return true;
		}
		if (r.pending_hello)
			return false;
	}
	bool first = break_connection(r, BulkError::peer_closed,
		got == ControlPoll::closed ? "control connection closed" : "the peer said goodbye");
	r.state = BulkState::closed;
	r.control.close();
	if (first)
		event = error_event(BulkError::peer_closed);
	return first;
}

} // namespace

std::optional<SendSlot> VerbsTransport::claim_send_slot()
{
	Resources &r = *r_;
	if (r.state != BulkState::connected)
		return std::nullopt;
	if (r.send.credits() == 0) {
		++r.stats.credit_stalls;
		return std::nullopt;
	}
	r.claimed = true;
	uint32_t slot = r.send.next_slot();
	return SendSlot{slot, {r.send_slot(slot) + kSlotHeaderSize, slot_payload()}};
}

BulkError VerbsTransport::post_batch(uint32_t slot, uint32_t bytes)
{
	Resources &r = *r_;
	if (r.state != BulkState::connected)
		return r.stats.last_error == BulkError::none ? BulkError::peer_closed : r.stats.last_error;
	if (!r.claimed || slot != r.send.next_slot() || bytes > slot_payload())
		return BulkError::local;
	uint64_t sequence = r.send.next_sequence();
	write_slot_header(r.send_slot(slot), SlotHeader{bytes, sequence});

	ibv_sge sge{};
	sge.addr = reinterpret_cast<uint64_t>(r.send_slot(slot));
	sge.length = kSlotHeaderSize + bytes;
	sge.lkey = r.send_mr->lkey;
	ibv_send_wr wr{};
	wr.wr_id = tag(kTagBatch, sequence);
	wr.sg_list = &sge;
	wr.num_sge = 1;
	wr.opcode = IBV_WR_RDMA_WRITE_WITH_IMM;
	wr.send_flags = IBV_SEND_SIGNALED;
	wr.imm_data = htobe32(encode_immediate({ImmediateKind::batch, slot}));
	wr.wr.rdma.remote_addr = r.peer.ring_address + uint64_t(slot) * r.config.slot_size;
	wr.wr.rdma.rkey = r.remote_rkey;
	if (r.wrong_rkey_once) {
		wr.wr.rdma.rkey = r.remote_rkey ^ 0x00a5a500;
		r.wrong_rkey_once = false;
	}
	ibv_send_wr *bad = nullptr;
	if (int rc = ibv_post_send(r.qp, &wr, &bad); rc != 0) {
		break_connection(r, BulkError::local, std::string("ibv_post_send: ") + std::strerror(rc));
		return BulkError::local;
	}
	r.send.consume();
	r.claimed = false;
	return BulkError::none;
}

size_t VerbsTransport::poll(std::span<BulkEvent> events)
{
	Resources &r = *r_;
	size_t out = 0;
	if (events.empty())
		return 0;
	while (out < events.size()) {
		ibv_wc wc[kPollBatch];
		int want = int(std::min<size_t>(kPollBatch, events.size() - out));
		int n = ibv_poll_cq(r.cq, want, wc);
		if (n < 0 && break_connection(r, BulkError::other, "ibv_poll_cq failed"))
			events[out++] = error_event(BulkError::other);
		if (n <= 0)
			break;
		for (int i = 0; i < n; ++i)
			if (on_completion(r, wc[i], events[out]))
				++out;
		if (n < want)
			break;
	}
	if (out == 0 && r.control.is_open() && ++r.empty_polls >= kControlCheckEvery) {
		r.empty_polls = 0;
		if (check_control(r, events[0]))
			++out;
	}
	if (!return_credits(r) && out < events.size() &&
		break_connection(r, BulkError::local, "credit SEND could not be posted"))
		events[out++] = error_event(BulkError::local);
	return out;
}

bool VerbsTransport::release(uint32_t slot)
{
	Resources &r = *r_;
	if (!r.receive.release(slot))
		return false;
	if (!return_credits(r))
		break_connection(r, BulkError::local, "credit SEND could not be posted");
	return true;
}

} // namespace tripath::bulk
