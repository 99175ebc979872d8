// Fragment k carries IP payload bytes [k * chunk, (k + 1) * chunk): chunk is the largest
// multiple of 8 that fits the MTU after the (per-fragment) IP headers.
#include <algorithm>
#include <cstring>

#include <tripath/agent/ip_fragment.h>

namespace tripath::agent {
namespace {

constexpr uint8_t kProtoFragment = 44;
constexpr uint16_t kIpv4MoreFragments = 0x2000;
constexpr size_t kIpv6Len = 40;

inline void store_be16(uint8_t *p, uint16_t v)
{
	p[0] = uint8_t(v >> 8);
	p[1] = uint8_t(v);
}

uint16_t ipv4_header_checksum(const uint8_t *ip, size_t len)
{
	uint32_t sum = 0;
	for (size_t i = 0; i + 1 < len; i += 2)
		sum += uint32_t(ip[i] << 8 | ip[i + 1]);
	while (sum >> 16)
		sum = (sum & 0xffff) + (sum >> 16);
	return uint16_t(~sum);
}

// Bytes of IP header each fragment carries, and the IP payload of the whole datagram.
size_t fragment_header_len(const UdpFrame &layout)
{
	return layout.ip_version == 6 ? kIpv6Len + kIpv6FragmentHeader : size_t(layout.l4_offset - layout.l3_offset);
}

size_t chunk_len(const UdpFrame &layout, uint32_t mtu)
{
	size_t header = fragment_header_len(layout);
	return mtu > header + 8 ? (mtu - header) & ~size_t(7) : 8;
}

} // namespace

unsigned ip_fragment_count(const UdpFrame &layout, size_t frame_len, uint32_t mtu)
{
	if (ip_packet_len(layout, frame_len) <= mtu)
		return 1;
	size_t payload = frame_len - layout.l4_offset;
	size_t chunk = chunk_len(layout, mtu);
	return unsigned((payload + chunk - 1) / chunk);
}

size_t write_ip_fragment(const uint8_t *frame, const UdpFrame &layout, size_t frame_len, uint32_t mtu,
			 uint32_t id, unsigned index, uint8_t *out)
{
	size_t payload = frame_len - layout.l4_offset;
	size_t chunk = chunk_len(layout, mtu);
	size_t offset = size_t(index) * chunk;
	size_t len = std::min(chunk, payload - offset);
	bool more = offset + len < payload;
	// L2 and the IP header as they are in the whole datagram, then this fragment's bytes.
	std::memcpy(out, frame, layout.l4_offset);
	uint8_t *ip = out + layout.l3_offset;
	uint8_t *data = out + layout.l4_offset;
	if (layout.ip_version == 6) {
		uint8_t *fragment = data;
		data += kIpv6FragmentHeader;
		fragment[0] = ip[6]; // the upper-layer protocol moves into the fragment header
		fragment[1] = 0;
		store_be16(fragment + 2, uint16_t(offset | (more ? 1 : 0)));
		store_be16(fragment + 4, uint16_t(id >> 16));
		store_be16(fragment + 6, uint16_t(id));
		ip[6] = kProtoFragment;
		store_be16(ip + 4, uint16_t(kIpv6FragmentHeader + len));
	} else {
		size_t header_len = layout.l4_offset - layout.l3_offset;
		store_be16(ip + 2, uint16_t(header_len + len));
		store_be16(ip + 4, uint16_t(id));
		store_be16(ip + 6, uint16_t((offset / 8) | (more ? kIpv4MoreFragments : 0)));
		store_be16(ip + 10, 0);
		store_be16(ip + 10, ipv4_header_checksum(ip, header_len));
	}
	std::memcpy(data, frame + layout.l4_offset + offset, len);
	return size_t(data - out) + len;
}

} // namespace tripath::agent
