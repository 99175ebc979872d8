// The receiver's side of its ring: which sequence arrives next, which received slots the
// application still holds, and how many released slots the sender has not been told about.
// Slots may be released in any order, but credit covers only the oldest contiguous run:
// the sender writes slots in order and must never land on one that is still held.
#pragma once

#include <cstdint>
#include <optional>
#include <vector>

namespace tripath::bulk {

class ReceiveWindow {
public:
	explicit ReceiveWindow(uint32_t slot_count) : released_flag_(slot_count, false) {}

	uint32_t slot_count() const { return uint32_t(released_flag_.size()); }
	uint64_t next_expected() const { return next_expected_; }
	uint32_t expected_slot() const { return uint32_t(next_expected_ % slot_count()); }
	// Slots received and not yet given back in order.
	uint32_t held() const { return uint32_t(next_expected_ - oldest_held_); }
	uint32_t free_slots() const { return slot_count() - held(); }
	uint32_t released_total() const { return released_total_; }
	uint32_t unreported() const { return released_since_report_; }

	// A batch arrived in `slot` claiming `sequence`: accepted only if it is the one expected
	// and the sender had credit for it.
	bool on_batch(uint32_t slot, uint64_t sequence);

	// Gives a held slot back; false when the slot is not held (a double release).
	bool release(uint32_t slot);

	// Whether returning credit now is worth a message: a quarter of the ring has freed up, or
	// everything is released (the sender may be waiting for exactly these slots).
	bool credit_due(uint32_t threshold) const
	{
		return released_since_report_ > 0 && (released_since_report_ >= threshold || held() == 0);
	}

	// The running count to send; the caller sends it and the counter restarts.
	uint32_t take_report()
	{
		released_since_report_ = 0;
		return released_total_;
	}

	// A reconnect announces released_total() itself, so nothing is left to report.
	void reported_by_hello() { released_since_report_ = 0; }

private:
	std::vector<bool> released_flag_; // by slot, for slots received after oldest_held_
	uint64_t next_expected_ = 0;
	uint64_t oldest_held_ = 0;
	uint32_t released_total_ = 0; // modulo 2^30, as the immediate carries it
	uint32_t released_since_report_ = 0;
};

} // namespace tripath::bulk
