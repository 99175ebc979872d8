#include <gtest/gtest.h>

#include <tripath/bulk/peer_info.h>

using namespace tripath::bulk;

TEST(BulkPeerInfo, RoundTripsEveryField)
{
	PeerInfo info;
	info.epoch = 3;
	info.qp_number = 0x123456;
	info.psn = 0xabcdef;
	for (uint8_t i = 0; i < 16; ++i)
		info.gid[i] = uint8_t(0xf0 + i);
	info.lid = 0x1234;
	info.mtu = 3;
	info.rkey = 0xdeadbeef;
	info.ring_address = 0x00007f0012345000;
	info.slot_count = 64;
	info.slot_size = 256 << 10;
	info.next_expected = 0x1'0000'0001;
	info.free_slots = 60;
	info.released_total = 0x3fffffff;
	std::array<uint8_t, kPeerInfoSize> wire;
	encode_peer_info(info, wire);
	auto back = decode_peer_info(wire.data(), wire.size());
	ASSERT_TRUE(back);
	EXPECT_EQ(*back, info);
}

TEST(BulkPeerInfo, BigEndianOnTheWire)
{
	PeerInfo info;
	info.rkey = 0x01020304;
	std::array<uint8_t, kPeerInfoSize> wire;
	encode_peer_info(info, wire);
	EXPECT_EQ(wire[40], 0x01);
	EXPECT_EQ(wire[43], 0x04);
}

TEST(BulkPeerInfo, RefusesForeignOrShortMessages)
{
	std::array<uint8_t, kPeerInfoSize> wire;
	encode_peer_info(PeerInfo{}, wire);
	EXPECT_FALSE(decode_peer_info(wire.data(), wire.size() - 1));
	wire[0] ^= 0xff;
	EXPECT_FALSE(decode_peer_info(wire.data(), wire.size()));
	encode_peer_info(PeerInfo{}, wire);
	wire[5] = 9; // another version
	EXPECT_FALSE(decode_peer_info(wire.data(), wire.size()));
}
