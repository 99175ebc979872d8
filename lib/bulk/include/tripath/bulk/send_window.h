// The sender's view of the peer's receive ring: which slot the next batch goes to and how many
// slots the peer has freed (credits). Batches fill slots strictly in order, so the local send
// buffer with the same index is free whenever the remote slot is. Pure arithmetic, no verbs.
#pragma once

#include <cstdint>

namespace tripath::bulk {

class SendWindow {
public:
	explicit SendWindow(uint32_t slot_count) : slot_count_(slot_count), credits_(slot_count) {}

	uint32_t slot_count() const { return slot_count_; }
	uint32_t credits() const { return credits_; }
	uint64_t next_sequence() const { return next_sequence_; }
	uint32_t next_slot() const { return uint32_t(next_sequence_ % slot_count_); }

	// Takes one credit for the batch about to go to next_slot(); false when none is left.
	bool consume()
	{
		if (credits_ == 0)
			return false;
		--credits_;
		++next_sequence_;
		return true;
	}

	// `released` is the peer's running count (immediate.h). False when it frees more slots
	// than we ever filled: the peer is confused and the connection must be reset.
	bool on_credit(uint32_t released);

	// After a reconnect the peer tells where its ring stands; unreceived batches are re-sent
	// from `next_expected` on.
	void restart(uint64_t next_expected, uint32_t free_slots, uint32_t released)
	{
		next_sequence_ = next_expected;
		credits_ = free_slots;
		peer_released_ = released;
	}

private:
	uint32_t slot_count_;
	uint32_t credits_;
	uint64_t next_sequence_ = 0;
	uint32_t peer_released_ = 0; // the last running count the peer sent
};

} // namespace tripath::bulk
