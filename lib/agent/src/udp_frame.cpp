// Header layout comes from lib/packet's parser (it never reads past the frame); here only the
// UDP-specific length checks and the reply rewrite.
#include <cstring>

#include <tripath/agent/udp_frame.h>
#include <tripath/packet/flow_key.h>

namespace tripath::agent {
namespace {

constexpr uint8_t kProtoUdp = 17;
constexpr size_t kUdpLen = 8;
constexpr size_t kIpv6Len = 40;
constexpr uint8_t kReplyTtl = 64;

inline uint16_t load_be16(const uint8_t *p)
{
	return uint16_t(p[0] << 8 | p[1]);
}

inline void store_be16(uint8_t *p, uint16_t v)
{
	p[0] = uint8_t(v >> 8);
	p[1] = uint8_t(v);
}

template <size_t N>
void swap_bytes(uint8_t *a, uint8_t *b)
{
	uint8_t tmp[N];
	std::memcpy(tmp, a, N);
	std::memcpy(a, b, N);
	std::memcpy(b, tmp, N);
}

// 32-bit accumulator of big-endian 16-bit words; folded by finish().
uint32_t sum_words(const uint8_t *p, size_t len, uint32_t sum)
{
	for (; len >= 2; p += 2, len -= 2)
		sum += load_be16(p);
	if (len)
		sum += uint32_t(p[0]) << 8;
	return sum;
}

uint16_t finish(uint32_t sum)
{
	while (sum >> 16)
		sum = (sum & 0xffff) + (sum >> 16);
	return uint16_t(~sum);
}

} // namespace

std::optional<UdpFrame> parse_udp_frame(const uint8_t *frame, size_t len)
{
	packet::FlowKey key;
	if (packet::parse_frame(frame, len, uint32_t(len), key) != packet::ParseStatus::ok)
		return std::nullopt;
	if (key.ip_version == 0 || key.proto != kProtoUdp || key.fragment || key.l4_offset == 0)
		return std::nullopt;
	UdpFrame f;
	f.l3_offset = key.l3_offset;
	f.l4_offset = key.l4_offset;
	f.payload_offset = uint16_t(key.l4_offset + kUdpLen);
	f.dst_port = key.dst_port;
	f.ip_version = key.ip_version;
	const uint8_t *ip = frame + f.l3_offset;
	size_t ip_end; // where the IP datagram ends, by its own length field
	if (f.ip_version == 4) {
		ip_end = f.l3_offset + size_t(load_be16(ip + 2));
	} else {
		if (f.l4_offset != f.l3_offset + kIpv6Len)
			return std::nullopt; // extension headers: a reply would have to rebuild them
		ip_end = f.l4_offset + size_t(load_be16(ip + 4));
	}
	size_t udp_len = load_be16(frame + f.l4_offset + 4);
	if (ip_end > len || udp_len < kUdpLen || f.l4_offset + udp_len > ip_end)
		return std::nullopt;
	f.payload_len = uint16_t(udp_len - kUdpLen);
	return f;
}

void reverse_udp_headers(uint8_t *headers, const UdpFrame &layout)
{
	swap_bytes<6>(headers, headers + 6);
	uint8_t *ip = headers + layout.l3_offset;
	if (layout.ip_version == 4) {
		swap_bytes<4>(ip + 12, ip + 16);
		ip[8] = kReplyTtl;
	} else {
		swap_bytes<16>(ip + 8, ip + 24);
		ip[7] = kReplyTtl;
	}
	swap_bytes<2>(headers + layout.l4_offset, headers + layout.l4_offset + 2);
}

uint16_t udp_checksum(const uint8_t *frame, const UdpFrame &layout, uint16_t payload_len)
{
	const uint8_t *ip = frame + layout.l3_offset;
	uint32_t udp_len = uint32_t(kUdpLen) + payload_len;
	uint32_t sum = udp_len + kProtoUdp;
	if (layout.ip_version == 4)
		sum = sum_words(ip + 12, 8, sum);
	else
		sum = sum_words(ip + 8, 32, sum);
	return finish(sum_words(frame + layout.l4_offset, udp_len, sum));
}

size_t seal_udp_frame(uint8_t *frame, const UdpFrame &layout, uint16_t payload_len)
{
	uint8_t *ip = frame + layout.l3_offset;
	uint8_t *udp = frame + layout.l4_offset;
	uint16_t udp_len = uint16_t(kUdpLen + payload_len);
	if (layout.ip_version == 4) {
		size_t header_len = size_t(ip[0] & 0x0f) * 4;
		store_be16(ip + 2, uint16_t(header_len + udp_len));
		store_be16(ip + 10, 0);
		store_be16(ip + 10, finish(sum_words(ip, header_len, 0)));
	} else {
		store_be16(ip + 4, udp_len);
	}
	store_be16(udp + 4, udp_len);
	store_be16(udp + 6, 0);
	uint16_t checksum = udp_checksum(frame, layout, payload_len);
	// 0 on the wire means "no checksum" (and is illegal over IPv6): send the other zero.
	store_be16(udp + 6, checksum == 0 ? 0xffff : checksum);
	return layout.payload_offset + payload_len;
}

} // namespace tripath::agent
