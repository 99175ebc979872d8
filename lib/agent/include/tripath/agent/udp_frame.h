// A UDP datagram inside an Ethernet frame (IPv4 or IPv6, up to two VLAN tags), as the XSK
// service sees it: where its payload is, and how the request's headers become the reply's.
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>

namespace tripath::agent {

// Ethernet + two VLAN tags + IPv4 with options + UDP: the most header a reply copies.
constexpr size_t kMaxUdpHeaders = 14 + 2 * 4 + 60 + 8;

struct UdpFrame {
	uint16_t l3_offset = 0;
	uint16_t l4_offset = 0;
	uint16_t payload_offset = 0;  // l4_offset + 8: the bytes a reply copies and reverses
	uint16_t payload_len = 0;     // from the UDP length, so Ethernet padding is not payload
	uint16_t dst_port = 0;        // host order
	uint8_t ip_version = 0;       // 4 or 6
};

// nullopt unless the frame is unfragmented IPv4 or extension-free IPv6 carrying UDP whose
// lengths agree with each other and with the frame.
std::optional<UdpFrame> parse_udp_frame(const uint8_t *frame, size_t len);

// Turns a request's headers (payload_offset bytes) into its reply's: MACs, addresses and ports
// swapped, a fresh TTL / hop limit. Lengths and checksums are left to seal_udp_frame.
void reverse_udp_headers(uint8_t *headers, const UdpFrame &layout);

// With `payload_len` bytes of payload in place after the headers, sets the IP and UDP lengths,
// the IPv4 header checksum and the UDP checksum (computed for IPv4 too, so receivers can check
// it). Returns the frame length.
size_t seal_udp_frame(uint8_t *frame, const UdpFrame &layout, uint16_t payload_len);

// The ones' complement checksum of a UDP datagram over IPv4/IPv6, pseudo-header included;
// 0 means valid when computed over a datagram that carries its checksum.
uint16_t udp_checksum(const uint8_t *frame, const UdpFrame &layout, uint16_t payload_len);

} // namespace tripath::agent
