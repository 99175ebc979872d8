// IP fragmentation of a reply that does not fit the interface MTU: what the kernel does for a
// UDP socket (a 1472-byte RPC datagram is 1520 bytes of IPv6), done here for the XSK service so
// both services put the same datagrams on the wire.
#pragma once

#include <cstddef>
#include <cstdint>

#include <tripath/agent/udp_frame.h>

namespace tripath::agent {

// IPv6 fragment header.
constexpr size_t kIpv6FragmentHeader = 8;

// IP packet length of a frame built by seal_udp_frame.
inline size_t ip_packet_len(const UdpFrame &layout, size_t frame_len)
{
	return frame_len - layout.l3_offset;
}

// Fragments `frame` (frame_len bytes, sealed: checksums final) needs to fit `mtu`; 1 if it fits.
unsigned ip_fragment_count(const UdpFrame &layout, size_t frame_len, uint32_t mtu);

// Writes fragment `index` of `frame` to `out` (room for frame_len + kIpv6FragmentHeader bytes
// is always enough) and returns its frame length. `id` identifies the datagram (the low 16 bits
// for IPv4); every fragment of one datagram must get the same id.
size_t write_ip_fragment(const uint8_t *frame, const UdpFrame &layout, size_t frame_len, uint32_t mtu,
			 uint32_t id, unsigned index, uint8_t *out);

} // namespace tripath::agent
