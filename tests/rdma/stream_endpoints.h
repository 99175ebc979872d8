// The two ends of a test stream over a BulkTransport: the sender fills batches from the
// pattern and re-sends from where the receiver stood after a reconnect; the receiver compares
// every byte at its running offset and frees slots under a holding policy.
#pragma once

#include <chrono>
#include <cstdint>
#include <functional>
#include <string>
#include <vector>

#include <tripath/bulk/transport.h>

#include "stream_pattern.h"

namespace tripath::bulk::test {

struct SenderOptions {
	uint64_t total_bytes = 0;
	uint32_t seed = 1;
	int reconnect_timeout_ms = 20000;
	// Called after every posted batch with the bytes posted so far; may inject faults.
	std::function<void(uint64_t posted)> after_post;
};

struct SenderResult {
	bool completed = false;       // every byte sent and every slot given back by the receiver
	std::vector<BulkError> errors; // error events in order
	uint64_t bytes_posted = 0;    // counting re-sends
	uint64_t batches_posted = 0;
	uint64_t credit_stalls = 0;
	uint32_t min_credits_seen = 0;
	double seconds = 0;
	std::string failure;
};

struct ReceiverOptions {
	uint64_t total_bytes = 0;
	uint32_t hold_slots = 0;        // keep this many received slots before freeing the oldest
	std::chrono::milliseconds hold_all_at_start{0}; // stop freeing once the ring is full, this long
	int reconnect_timeout_ms = 20000;
	// Called after every batch with the bytes verified so far; returns false to stop receiving.
	std::function<bool(uint64_t verified)> after_batch;
};

struct ReceiverResult {
	bool completed = false;
	uint64_t bytes_verified = 0;
	uint64_t batches = 0;
	std::vector<BulkError> errors;
	bool ring_full_held = false;      // the ring filled while we held it, and nothing more came
	double seconds = 0;
	std::string failure;
};

SenderResult send_stream(BulkTransport &transport, const StreamPattern &pattern, const SenderOptions &options);
ReceiverResult receive_stream(BulkTransport &transport, const StreamPattern &pattern, const ReceiverOptions &options);

} // namespace tripath::bulk::test
