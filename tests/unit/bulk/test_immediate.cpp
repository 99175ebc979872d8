#include <gtest/gtest.h>

#include <tripath/bulk/immediate.h>

using namespace tripath::bulk;

TEST(BulkImmediate, BatchAndCreditRoundTrip)
{
	for (uint32_t value : {0u, 1u, 63u, kMaxSlotCount - 1, kImmediateValueMask}) {
		for (ImmediateKind kind : {ImmediateKind::batch, ImmediateKind::credit}) {
			auto decoded = decode_immediate(encode_immediate({kind, value}));
			ASSERT_TRUE(decoded);
			EXPECT_EQ(decoded->kind, kind);
			EXPECT_EQ(decoded->value, value);
		}
	}
}

TEST(BulkImmediate, KindSitsInTheTopBits)
{
	EXPECT_EQ(encode_immediate({ImmediateKind::batch, 5}), 5u);
	EXPECT_EQ(encode_immediate({ImmediateKind::credit, 5}), 0x40000005u);
}

TEST(BulkImmediate, UnknownKindsAreRefused)
{
	EXPECT_FALSE(decode_immediate(0x80000000u));
	EXPECT_FALSE(decode_immediate(0xc0000001u));
}

TEST(BulkImmediate, RunningCountWrapsAt30Bits)
{
	EXPECT_EQ(released_since(3, 1), 2u);
	EXPECT_EQ(released_since(2, kImmediateValueMask), 3u); // 2^30-1 -> 0, 1, 2
	EXPECT_EQ(released_since(7, 7), 0u);
}
