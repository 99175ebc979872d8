// A bulk transport moves batches (up to a slot's payload, typically hundreds of KiB) from this
// endpoint into the peer's receive ring, under credit-based flow control, and hands the peer's
// batches to us. The bulk lcore drives it from one thread: claim a send slot, fill it, post
// it; poll for events; release received slots when their packets are out. Nothing blocks
// except connect/reconnect. Implementations: VerbsTransport (RDMA, RC QP) and, for unit tests
// of the layers above, an in-process pair.
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <span>
#include <string>

namespace tripath::bulk {

enum class BulkError : uint8_t {
	none,
	remote_access,       // the peer refused our write: wrong rkey, address or length
	retry_exceeded,      // no ACK from the peer within timeout x retries: peer or path gone
	rnr_retry_exceeded,  // the peer had no receive posted, again and again
	flushed,             // the QP was already in error; this request never ran
	local,               // our own work request was malformed (protection, length, QP state)
	protocol,            // the peer broke the slot or credit rules
	peer_reset,          // the peer reset its side and asks us to reconnect
	peer_closed,         // the control connection is gone (peer exited or closed)
	other,
};

const char *to_string(BulkError error);

enum class BulkState : uint8_t {
	connected, // batches may be posted
	broken,    // an error was seen: reconnect() or fall back
	closed,    // never connected, or the peer is gone for good
};

const char *to_string(BulkState state);

enum class BulkEventKind : uint8_t {
	batch_received, // `slot` holds `bytes` of a new batch: read received(slot), then release(slot)
	batch_sent,     // the peer acknowledged the batch from send slot `slot`
	credits,        // `bytes` slots were freed by the peer
	error,          // `error` says what; for a failed batch `slot` says which
};

struct BulkEvent {
	BulkEventKind kind = BulkEventKind::error;
	BulkError error = BulkError::none;
	uint32_t slot = 0;
	uint32_t bytes = 0;
	uint64_t sequence = 0; // of the batch, for batch_received / batch_sent
};

struct SendSlot {
	uint32_t slot = 0;
	std::span<std::byte> payload; // fill up to payload.size() bytes, then post_batch()
};

struct BulkStats {
	uint64_t batches_sent = 0;
	uint64_t bytes_sent = 0;
	uint64_t batches_received = 0;
	uint64_t bytes_received = 0;
	uint64_t credit_messages_sent = 0;
	uint64_t credit_stalls = 0; // claim_send_slot() found no credit
	uint64_t errors = 0;
	uint64_t reconnects = 0;
	BulkError last_error = BulkError::none;
};

class BulkTransport {
public:
	virtual ~BulkTransport() = default;

	virtual BulkState state() const = 0;
	virtual uint32_t slot_count() const = 0;
	virtual uint32_t slot_payload() const = 0; // largest batch in bytes
	virtual uint32_t credits() const = 0;      // batches we may post before the peer frees slots
	// The sequence the next posted batch gets. After reconnect() it may step back: batches from
	// here on were not received and are still in their send slots, ready to be posted again.
	virtual uint64_t next_sequence() const = 0;

	// The next send slot, or nullopt without a credit (or while not connected).
	virtual std::optional<SendSlot> claim_send_slot() = 0;
	// Sends `bytes` of the claimed slot; it must be the slot claim_send_slot() returned.
	virtual BulkError post_batch(uint32_t slot, uint32_t bytes) = 0;

	// Progress: completions, credit returns, control messages. Returns the events written.
	virtual size_t poll(std::span<BulkEvent> events) = 0;
	virtual std::span<const std::byte> received(uint32_t slot) const = 0;
	// Frees a received slot; credit goes back to the peer once the oldest held slots are free.
	virtual bool release(uint32_t slot) = 0;

	// Brings a broken connection back (both sides reset their QP and exchange again).
	virtual bool reconnect(int timeout_ms, std::string &error) = 0;
	virtual BulkStats stats() const = 0;
};

} // namespace tripath::bulk
