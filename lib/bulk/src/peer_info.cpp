#include <tripath/bulk/peer_info.h>

#include "byte_order.h"

namespace tripath::bulk {

namespace {
constexpr uint32_t kMagic = 0x5450424b; // "TPBK"
constexpr uint16_t kVersion = 1;
} // namespace

void encode_peer_info(const PeerInfo &info, std::array<uint8_t, kPeerInfoSize> &out)
{
	out.fill(0);
	uint8_t *p = out.data();
	put_be32(p + 0, kMagic);
	put_be16(p + 4, kVersion);
	p[6] = info.mtu;
	put_be32(p + 8, info.epoch);
	put_be32(p + 12, info.qp_number);
	put_be32(p + 16, info.psn);
	std::memcpy(p + 20, info.gid.data(), 16);
	put_be16(p + 36, info.lid);
	put_be32(p + 40, info.rkey);
	put_be32(p + 44, info.slot_count);
	put_be64(p + 48, info.ring_address);
	put_be32(p + 56, info.slot_size);
	put_be32(p + 60, info.free_slots);
	put_be64(p + 64, info.next_expected);
	put_be32(p + 72, info.released_total);
}

std::optional<PeerInfo> decode_peer_info(const uint8_t *p, size_t len)
{
	if (len != kPeerInfoSize || get_be32(p) != kMagic || get_be16(p + 4) != kVersion)
		return std::nullopt;
	PeerInfo info;
	info.mtu = p[6];
	info.epoch = get_be32(p + 8);
	info.qp_number = get_be32(p + 12);
	info.psn = get_be32(p + 16);
	std::memcpy(info.gid.data(), p + 20, 16);
	info.lid = get_be16(p + 36);
	info.rkey = get_be32(p + 40);
	info.slot_count = get_be32(p + 44);
	info.ring_address = get_be64(p + 48);
	info.slot_size = get_be32(p + 56);
	info.free_slots = get_be32(p + 60);
	info.next_expected = get_be64(p + 64);
	info.released_total = get_be32(p + 72);
	return info;
}

} // namespace tripath::bulk
