// Header parsing (Ethernet, VLAN, IPv4, IPv6, UDP, TCP) into a flow key.
// Pure C++ over a byte span so it can be unit-tested and fuzzed without EAL;
// it never reads a byte at or past `len`.
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>

namespace tripath::packet {

// Why a frame could not be parsed; each value is a named drop reason.
enum class ParseStatus : uint8_t {
	ok = 0,
	truncated_ethernet,   // shorter than an Ethernet header
	truncated_vlan,       // a VLAN tag runs past the end
	too_many_vlans,       // more than kMaxVlans tags stacked
	truncated_ipv4,       // IPv4 header runs past the end
	bad_ipv4_version,     // ethertype IPv4 but version != 4
	bad_ipv4_ihl,         // IHL < 5 or header longer than the frame
	bad_ipv4_length,      // total length < header length
	truncated_ipv6,       // fixed IPv6 header runs past the end
	bad_ipv6_version,     // ethertype IPv6 but version != 6
	bad_ipv6_extension,   // extension header chain runs past the end or is too long
	truncated_l4,         // TCP/UDP header runs past the end
	bad_tcp_offset,       // TCP data offset < 5 or past the end
	count_                // number of values; keep last
};

inline constexpr unsigned kMaxVlans = 2;      // 802.1ad outer + 802.1Q inner
inline constexpr unsigned kMaxIpv6Extensions = 8;

// What the classifier matches on. Addresses are in network byte order; IPv4 uses bytes 0..3.
struct FlowKey {
	uint32_t frame_len = 0;                   // whole frame, all segments
	uint16_t ether_type = 0;                  // innermost, host order (0x0800, 0x86dd, 0x0806…)
	uint8_t vlan_count = 0;
	std::array<uint16_t, kMaxVlans> vlan_ids{}; // VID only, outermost first
	uint8_t ip_version = 0;                   // 0 when not IP
	uint8_t proto = 0;                        // IPv4 protocol / IPv6 final next header
	uint8_t dscp = 0;
	bool fragment = false;                    // IPv4 MF/offset or IPv6 fragment header
	bool first_fragment = false;              // L4 ports are only present in the first one
	std::array<uint8_t, 16> src{};
	std::array<uint8_t, 16> dst{};
	uint16_t src_port = 0;                    // host order; 0 when no L4 header was read
	uint16_t dst_port = 0;
	uint16_t l3_offset = 0;                   // bytes from frame start
	uint16_t l4_offset = 0;                   // 0 when no L4 header was read
};

// Parses `len` contiguous bytes at `data` (the headers; `frame_len` is the whole frame's
// length, which may be larger for multi-segment packets). On any status other than ok the
// key holds what was parsed before the fault.
ParseStatus parse_frame(const uint8_t *data, size_t len, uint32_t frame_len, FlowKey &key);

// Stable snake_case name, used in counters, stats output and tests.
const char *parse_status_name(ParseStatus status);

} // namespace tripath::packet
