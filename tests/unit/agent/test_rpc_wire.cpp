// rpc_wire.h: the bytes on the wire, round trips, and what decode refuses.
#include <cstring>

#include <gtest/gtest.h>

#include <tripath/agent/rpc_wire.h>

using namespace tripath::agent;

namespace {

TEST(RpcWire, EncodesInNetworkOrderAtFixedOffsets)
{
	RpcHeader h;
	h.flags = kRpcResponse;
	h.id = 0x0102030405060708ull;
	h.response_bytes = 0x0a0b0c0d;
	h.frag_index = 0x0102;
	h.frag_count = 0x0304;
	uint8_t out[kRpcHeaderSize];
	rpc_encode(h, out);
	const uint8_t expected[kRpcHeaderSize] = {0x54, 0x50, 1, 1, 1, 2, 3, 4, 5, 6, 7, 8, 0x0a, 0x0b, 0x0c, 0x0d, 1, 2, 3, 4};
	EXPECT_EQ(0, std::memcmp(out, expected, sizeof(out)));
}

TEST(RpcWire, RoundTripsEveryField)
{
	for (uint64_t id : {0ull, 1ull, 0xffffffffffffffffull, 0x8000000000000001ull}) {
		RpcHeader h;
		h.flags = uint8_t(id & 0xff);
		h.id = id;
		h.response_bytes = uint32_t(id >> 7);
		h.frag_index = 6;
		h.frag_count = 7;
		uint8_t buf[kRpcHeaderSize + 4] = {};
		rpc_encode(h, buf);
		std::optional<RpcHeader> back = rpc_decode(buf, sizeof(buf));
		ASSERT_TRUE(back);
		EXPECT_EQ(back->flags, h.flags);
		EXPECT_EQ(back->id, h.id);
		EXPECT_EQ(back->response_bytes, h.response_bytes);
		EXPECT_EQ(back->frag_index, h.frag_index);
		EXPECT_EQ(back->frag_count, h.frag_count);
	}
}

TEST(RpcWire, DecodeRefusesShortForeignAndInconsistentHeaders)
{
	RpcHeader h;
	uint8_t buf[kRpcHeaderSize];
	rpc_encode(h, buf);
	ASSERT_TRUE(rpc_decode(buf, sizeof(buf)));
	EXPECT_FALSE(rpc_decode(buf, sizeof(buf) - 1));
	EXPECT_FALSE(rpc_decode(buf, 0));

	uint8_t bad[kRpcHeaderSize];
	std::memcpy(bad, buf, sizeof(bad));
	bad[0] ^= 0xff; // magic
	EXPECT_FALSE(rpc_decode(bad, sizeof(bad)));
	std::memcpy(bad, buf, sizeof(bad));
	bad[2] = kRpcVersion + 1;
	EXPECT_FALSE(rpc_decode(bad, sizeof(bad)));

	h.frag_count = 0;
	rpc_encode(h, bad);
	EXPECT_FALSE(rpc_decode(bad, sizeof(bad)));
	h.frag_count = 3;
	h.frag_index = 3;
	rpc_encode(h, bad);
	EXPECT_FALSE(rpc_decode(bad, sizeof(bad)));
}

TEST(RpcWire, FragmentsCoverTheAskWithAHeaderInEach)
{
	EXPECT_EQ(rpc_fragments(0), 1);
	EXPECT_EQ(rpc_fragments(1), 1);
	EXPECT_EQ(rpc_fragments(20), 1);
	EXPECT_EQ(rpc_fragments(21), 1);
	EXPECT_EQ(rpc_fragments(1472), 1);
	EXPECT_EQ(rpc_fragments(1473), 2);
	EXPECT_EQ(rpc_fragments(16384), 12);
	EXPECT_EQ(rpc_fragments(16u << 20), 11555);
}

} // namespace
