#include <algorithm>

#include <gtest/gtest.h>

#include <tripath/bulk/immediate.h>
#include <tripath/bulk/receive_window.h>
#include <tripath/bulk/send_window.h>

using namespace tripath::bulk;

TEST(BulkSendWindow, CreditsBoundTheBatchesInFlight)
{
	SendWindow w(4);
	for (uint32_t i = 0; i < 4; ++i) {
		EXPECT_EQ(w.next_slot(), i);
		EXPECT_TRUE(w.consume());
	}
	EXPECT_EQ(w.credits(), 0u);
	EXPECT_FALSE(w.consume());
	EXPECT_EQ(w.next_slot(), 0u); // wraps
	EXPECT_TRUE(w.on_credit(3));
	EXPECT_EQ(w.credits(), 3u);
	EXPECT_TRUE(w.on_credit(3)); // the same running count again frees nothing
	EXPECT_EQ(w.credits(), 3u);
}

TEST(BulkSendWindow, RefusesMoreCreditThanSlotsFilled)
{
	SendWindow w(4);
	EXPECT_TRUE(w.consume());
	EXPECT_FALSE(w.on_credit(2));
	EXPECT_EQ(w.credits(), 3u);
}

TEST(BulkSendWindow, RestartTakesThePeersRingPosition)
{
	SendWindow w(8);
	for (int i = 0; i < 6; ++i)
		w.consume();
	w.restart(4, 5, 1); // batches 4 and 5 never arrived, 3 slots still held
	EXPECT_EQ(w.next_sequence(), 4u);
	EXPECT_EQ(w.next_slot(), 4u);
	EXPECT_EQ(w.credits(), 5u);
	EXPECT_TRUE(w.on_credit(3));
	EXPECT_EQ(w.credits(), 7u);
}

TEST(BulkReceiveWindow, AcceptsOnlyTheExpectedBatch)
{
	ReceiveWindow w(4);
	EXPECT_FALSE(w.on_batch(1, 0)); // wrong slot
	EXPECT_FALSE(w.on_batch(0, 1)); // wrong sequence
	EXPECT_TRUE(w.on_batch(0, 0));
	EXPECT_TRUE(w.on_batch(1, 1));
	EXPECT_EQ(w.held(), 2u);
	EXPECT_EQ(w.free_slots(), 2u);
}

TEST(BulkReceiveWindow, RefusesABatchWhenEverySlotIsHeld)
{
	ReceiveWindow w(2);
	EXPECT_TRUE(w.on_batch(0, 0));
	EXPECT_TRUE(w.on_batch(1, 1));
	EXPECT_FALSE(w.on_batch(0, 2)); // the sender had no credit for it
}

TEST(BulkReceiveWindow, CreditCoversOnlyTheOldestContiguousRun)
{
	ReceiveWindow w(4);
	for (uint32_t i = 0; i < 4; ++i)
		ASSERT_TRUE(w.on_batch(i, i));
	EXPECT_TRUE(w.release(2));
	EXPECT_TRUE(w.release(1));
	EXPECT_EQ(w.released_total(), 0u); // slot 0 still held: slot 1 and 2 cannot be reused yet
	EXPECT_EQ(w.free_slots(), 0u);
	EXPECT_TRUE(w.release(0));
	EXPECT_EQ(w.released_total(), 3u);
	EXPECT_EQ(w.free_slots(), 3u);
	EXPECT_EQ(w.held(), 1u);
}

TEST(BulkReceiveWindow, RefusesDoubleAndUnheldReleases)
{
	ReceiveWindow w(4);
	EXPECT_FALSE(w.release(0));
	ASSERT_TRUE(w.on_batch(0, 0));
	ASSERT_TRUE(w.on_batch(1, 1));
	EXPECT_TRUE(w.release(1));
	EXPECT_FALSE(w.release(1));
	EXPECT_FALSE(w.release(2));
	EXPECT_FALSE(w.release(9));
}

TEST(BulkReceiveWindow, CreditIsDueAtTheThresholdOrWhenNothingIsHeld)
{
	ReceiveWindow w(8);
	for (uint32_t i = 0; i < 4; ++i)
		ASSERT_TRUE(w.on_batch(i, i));
	EXPECT_FALSE(w.credit_due(2));
	w.release(0);
	EXPECT_FALSE(w.credit_due(2));
	w.release(1);
	EXPECT_TRUE(w.credit_due(2));
	EXPECT_EQ(w.take_report(), 2u);
	EXPECT_FALSE(w.credit_due(2));
	w.release(2);
	EXPECT_FALSE(w.credit_due(4));
	w.release(3); // everything free: the sender may be waiting for exactly this
	EXPECT_TRUE(w.credit_due(4));
	EXPECT_EQ(w.take_report(), 4u);
}

// The sender and receiver arithmetic together: slots wrap many times, releases come in a
// scrambled order, and the sender never gets credit for a slot that is still held.
TEST(BulkWindows, SenderNeverOverrunsAHeldSlot)
{
	constexpr uint32_t slots = 5;
	SendWindow sender(slots);
	ReceiveWindow receiver(slots);
	std::vector<uint32_t> held;
	uint64_t delivered = 0;
	uint32_t step = 0;
	while (delivered < 1000) {
		while (sender.credits() > 0) {
			uint32_t slot = sender.next_slot();
			uint64_t sequence = sender.next_sequence();
			ASSERT_TRUE(sender.consume());
			ASSERT_EQ(std::count(held.begin(), held.end(), slot), 0) << "slot " << slot << " overwritten";
			ASSERT_TRUE(receiver.on_batch(slot, sequence));
			held.push_back(slot);
			++delivered;
		}
		// Release about half of the held slots, newest first, to scramble the order.
		for (size_t n = held.size() / 2 + (step++ % 2); n > 0 && !held.empty(); --n) {
			ASSERT_TRUE(receiver.release(held.back()));
			held.pop_back();
		}
		if (receiver.credit_due(1)) {
			ASSERT_TRUE(sender.on_credit(receiver.take_report()));
		}
		ASSERT_LE(sender.credits() + held.size(), slots);
	}
}
