// Everything a VerbsTransport owns, in the order it is torn down (QP before CQ, MRs before PD).
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include <infiniband/verbs.h>
#include <tripath/bulk/peer_info.h>
#include <tripath/bulk/receive_window.h>
#include <tripath/bulk/send_window.h>
#include <tripath/bulk/verbs_transport.h>

#include "control_channel.h"
#include "verbs_device.h"

namespace tripath::bulk {

// Credit SENDs allowed in flight; beyond it credit waits for the next poll.
constexpr uint32_t kCreditSendsInFlight = 16;

struct VerbsTransport::Resources {
	explicit Resources(const VerbsConfig &c) : config(c), send(c.slot_count), receive(c.slot_count) {}
	~Resources();

	VerbsConfig config;
	VerbsPort port;
	ibv_pd *pd = nullptr;
	ibv_cq *cq = nullptr;
	ibv_qp *qp = nullptr;
	std::byte *ring = nullptr;      // peer writes here: slot_count x slot_size
	ibv_mr *ring_mr = nullptr;
	std::byte *send_area = nullptr; // batches are built here, same geometry as the peer's ring
	ibv_mr *send_mr = nullptr;
	size_t area_bytes = 0;
	uint32_t send_depth = 0;
	uint32_t recv_depth = 0;

	ControlChannel control;
	PeerInfo peer;
	std::optional<PeerInfo> pending_hello; // the peer's HELLO seen by poll(): it has reset
	uint32_t epoch = 0;                    // exchanges done; both ends count alike
	uint32_t remote_rkey = 0;

	SendWindow send;
	ReceiveWindow receive;
	std::vector<uint32_t> received_bytes; // by slot, the batch length while held
	BulkState state = BulkState::closed;
	bool claimed = false;
	bool wrong_rkey_once = false;
	uint32_t credit_sends_in_flight = 0;
	uint32_t empty_polls = 0;
	BulkStats stats;
	std::string detail;

	std::byte *ring_slot(uint32_t slot) const { return ring + size_t(slot) * config.slot_size; }
	std::byte *send_slot(uint32_t slot) const { return send_area + size_t(slot) * config.slot_size; }
};

// Posts `count` receives (each incoming batch or credit consumes one); false if the QP refused.
bool post_receives(VerbsTransport::Resources &r, uint32_t count);

} // namespace tripath::bulk
