#include "stream_endpoints.h"

#include <algorithm>
#include <array>
#include <deque>
#include <random>
#include <thread>

namespace tripath::bulk::test {

namespace {

using Clock = std::chrono::steady_clock;

double seconds_since(Clock::time_point start)
{
	return std::chrono::duration<double>(Clock::now() - start).count();
}

// Idle loops sleep a little: under TCG both endpoints and the rxe kernel threads share two vCPUs.
void idle() { std::this_thread::sleep_for(std::chrono::microseconds(50)); }

// Half the batches fill the slot, the rest are any size: both the common and the odd case.
uint32_t batch_size(std::mt19937 &generator, uint32_t payload)
{
	if (generator() % 2 == 0)
		return payload;
	return 1 + generator() % payload;
}

} // namespace

SenderResult send_stream(BulkTransport &transport, const StreamPattern &pattern, const SenderOptions &options)
{
	SenderResult result;
	auto start = Clock::now();
	std::mt19937 generator{options.seed};
	const uint32_t slots = transport.slot_count();
	std::vector<uint64_t> offset_of_slot(slots, 0); // stream offset of the batch last posted there
	uint64_t next_offset = 0;
	uint64_t highest_sequence = 0; // one past the last sequence ever posted
	result.min_credits_seen = transport.credits();
	std::array<BulkEvent, 32> events;

	for (;;) {
		size_t n = transport.poll(events);
		for (size_t i = 0; i < n; ++i) {
			if (events[i].kind != BulkEventKind::error)
				continue;
			result.errors.push_back(events[i].error);
			if (transport.state() == BulkState::closed) {
				result.failure = std::string("peer gone: ") + to_string(events[i].error);
				result.seconds = seconds_since(start);
				return result;
			}
			std::string error;
			if (!transport.reconnect(options.reconnect_timeout_ms, error)) {
				result.failure = "reconnect failed: " + error;
				result.seconds = seconds_since(start);
				return result;
			}
			// Batches from next_sequence() on never arrived; their bytes are sent again.
			uint64_t resume = transport.next_sequence();
			if (resume < highest_sequence)
				next_offset = offset_of_slot[resume % slots];
			n = 0;
			break;
		}
		result.min_credits_seen = std::min(result.min_credits_seen, transport.credits());
		if (next_offset < options.total_bytes) {
			auto slot = transport.claim_send_slot();
			if (!slot) {
				if (transport.state() == BulkState::connected)
					++result.credit_stalls;
				if (n == 0)
					idle();
				continue;
			}
			uint32_t bytes = uint32_t(std::min<uint64_t>(batch_size(generator, uint32_t(slot->payload.size())),
				options.total_bytes - next_offset));
			pattern.fill(slot->payload.data(), next_offset, bytes);
			uint64_t sequence = transport.next_sequence();
			if (BulkError e = transport.post_batch(slot->slot, bytes); e != BulkError::none) {
				result.errors.push_back(e);
				continue; // the error event that follows says what to do
			}
			offset_of_slot[slot->slot] = next_offset;
			next_offset += bytes;
			highest_sequence = std::max(highest_sequence, sequence + 1);
			result.bytes_posted += bytes;
			++result.batches_posted;
			if (options.after_post)
				options.after_post(result.bytes_posted);
			continue;
		}
		if (transport.state() == BulkState::connected && transport.credits() == slots) {
			result.completed = true;
			result.seconds = seconds_since(start);
			return result;
		}
		if (n == 0)
			idle();
	}
}

ReceiverResult receive_stream(BulkTransport &transport, const StreamPattern &pattern, const ReceiverOptions &options)
{
	ReceiverResult result;
	auto start = Clock::now();
	std::deque<uint32_t> held;
	bool holding_all = options.hold_all_at_start.count() > 0;
	Clock::time_point ring_full_since{};
	std::array<BulkEvent, 32> events;

	auto release_oldest = [&] {
		transport.release(held.front());
		held.pop_front();
	};
	auto finish = [&](bool completed, std::string failure) {
		result.completed = completed;
		result.failure = std::move(failure);
		result.seconds = seconds_since(start);
		return result;
	};

	for (;;) {
		size_t n = transport.poll(events);
		for (size_t i = 0; i < n; ++i) {
			const BulkEvent &e = events[i];
			if (e.kind == BulkEventKind::error) {
				result.errors.push_back(e.error);
				if (transport.state() == BulkState::closed) {
					bool done = result.bytes_verified == options.total_bytes;
					return finish(done, done ? "" : std::string("peer gone: ") + to_string(e.error));
				}
				std::string error;
				if (!transport.reconnect(options.reconnect_timeout_ms, error))
					return finish(false, "reconnect failed: " + error);
				break;
			}
			if (e.kind != BulkEventKind::batch_received)
				continue;
			if (holding_all && held.size() == transport.slot_count())
				return finish(false, "a batch arrived while every slot was held");
			auto data = transport.received(e.slot);
			if (data.size() != e.bytes || !pattern.matches(data.data(), result.bytes_verified, data.size()))
				return finish(false, "batch " + std::to_string(e.sequence) + " differs at stream offset " +
					std::to_string(result.bytes_verified));
			result.bytes_verified += e.bytes;
			++result.batches;
			held.push_back(e.slot);
			if (options.after_batch && !options.after_batch(result.bytes_verified))
				return finish(false, "stopped by the test");
		}
		if (holding_all) {
			if (held.size() == transport.slot_count() && ring_full_since == Clock::time_point{})
				ring_full_since = Clock::now();
			if (ring_full_since != Clock::time_point{} && Clock::now() - ring_full_since >= options.hold_all_at_start) {
				holding_all = false;
				result.ring_full_held = true;
			}
			if (n == 0)
				idle();
			continue;
		}
		while (held.size() > options.hold_slots)
			release_oldest();
		if (n == 0) {
			// Nothing new: give everything back so a sender waiting for credit can go on.
			while (!held.empty())
				release_oldest();
			idle();
		}
	}
}

} // namespace tripath::bulk::test
