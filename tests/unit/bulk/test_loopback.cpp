#include <gtest/gtest.h>

#include <array>
#include <cstring>
#include <vector>

#include <tripath/bulk/loopback_transport.h>

using namespace tripath::bulk;

namespace {

std::vector<BulkEvent> poll_all(BulkTransport &t)
{
	std::array<BulkEvent, 64> events;
	size_t n = t.poll(events);
	return {events.begin(), events.begin() + n};
}

bool send_value(BulkTransport &t, uint32_t value)
{
	auto slot = t.claim_send_slot();
	if (!slot)
		return false;
	std::memcpy(slot->payload.data(), &value, sizeof(value));
	return t.post_batch(slot->slot, sizeof(value)) == BulkError::none;
}

} // namespace

TEST(BulkLoopback, BatchesArriveInOrderAndCreditsComeBack)
{
	auto [a, b] = make_loopback_pair(4, 64);
	for (uint32_t v = 0; v < 4; ++v)
		ASSERT_TRUE(send_value(*a, v));
	EXPECT_FALSE(send_value(*a, 99)); // out of credit
	EXPECT_EQ(a->stats().credit_stalls, 1u);
	std::vector<uint32_t> slots;
	for (const BulkEvent &e : poll_all(*b)) {
		ASSERT_EQ(e.kind, BulkEventKind::batch_received);
		uint32_t v;
		std::memcpy(&v, b->received(e.slot).data(), sizeof(v));
		EXPECT_EQ(v, e.sequence);
		slots.push_back(e.slot);
	}
	ASSERT_EQ(slots.size(), 4u);
	b->release(slots[1]); // behind a held slot: no credit yet
	poll_all(*a);
	EXPECT_EQ(a->credits(), 0u);
	b->release(slots[0]);
	uint32_t returned = 0;
	for (const BulkEvent &e : poll_all(*a))
		if (e.kind == BulkEventKind::credits)
			returned += e.bytes;
	EXPECT_EQ(returned, 2u);
	EXPECT_EQ(a->credits(), 2u);
}

TEST(BulkLoopback, ABrokenLinkResumesWhereTheReceiverStands)
{
	auto [a, b] = make_loopback_pair(8, 64);
	for (uint32_t v = 0; v < 3; ++v)
		ASSERT_TRUE(send_value(*a, v));
	for (const BulkEvent &e : poll_all(*b))
		b->release(e.slot);
	ASSERT_TRUE(send_value(*a, 3));
	ASSERT_TRUE(send_value(*a, 4));
	a->break_link(BulkError::retry_exceeded); // batches 3 and 4 are lost in flight
	auto errors_a = poll_all(*a), errors_b = poll_all(*b);
	ASSERT_FALSE(errors_a.empty());
	EXPECT_EQ(errors_a.back().error, BulkError::retry_exceeded);
	EXPECT_EQ(a->state(), BulkState::broken);
	std::string error;
	ASSERT_TRUE(a->reconnect(0, error));
	EXPECT_EQ(a->next_sequence(), 3u); // 3 and 4 go again
	EXPECT_EQ(a->credits(), 8u);
	ASSERT_TRUE(send_value(*a, 3));
	auto events = poll_all(*b);
	ASSERT_EQ(events.size(), 1u);
	EXPECT_EQ(events[0].sequence, 3u);
}
