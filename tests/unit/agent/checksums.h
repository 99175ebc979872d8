// An RFC 1071 sum for the tests, written apart from lib/agent's so a shared mistake cannot hide.
#pragma once

#include <cstddef>
#include <cstdint>

namespace tripath::agent::test {

inline uint16_t get16(const uint8_t *p)
{
	return uint16_t(p[0] << 8 | p[1]);
}

inline uint32_t add_bytes(uint32_t sum, const uint8_t *p, size_t len)
{
	for (size_t i = 0; i < len; i++)
		sum += (i % 2 == 0) ? uint32_t(p[i]) << 8 : p[i];
	return sum;
}

inline uint16_t fold(uint32_t sum)
{
	while (sum >> 16)
		sum = (sum & 0xffff) + (sum >> 16);
	return uint16_t(sum);
}

inline uint32_t pseudo_header_sum(const uint8_t *l3, int version, size_t udp_len)
{
	uint32_t sum = 17 + uint32_t(udp_len);
	return version == 4 ? add_bytes(sum, l3 + 12, 8) : add_bytes(sum, l3 + 8, 32);
}

// True when the UDP checksum (field included) sums to all ones and is not the "none" value.
inline bool udp_checksum_ok(const uint8_t *l3, int version, const uint8_t *udp, size_t udp_len)
{
	return fold(add_bytes(pseudo_header_sum(l3, version, udp_len), udp, udp_len)) == 0xffff && get16(udp + 6) != 0;
}

inline bool ipv4_header_checksum_ok(const uint8_t *ip)
{
	return fold(add_bytes(0, ip, size_t(ip[0] & 0x0f) * 4)) == 0xffff;
}

} // namespace tripath::agent::test
