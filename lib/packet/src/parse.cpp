// Bounds-checked header parser. Every stage keeps `off <= len` and checks `len - off`
// before it loads, so no byte at or past `len` is ever read.
#include "tripath/packet/flow_key.h"

#include <cstring>

namespace tripath::packet {
namespace {

constexpr uint16_t kEtherIpv4 = 0x0800;
constexpr uint16_t kEtherIpv6 = 0x86dd;
constexpr uint16_t kTpid8021q = 0x8100;
constexpr uint16_t kTpid8021ad = 0x88a8;
constexpr uint16_t kTpidQinqLegacy = 0x9100;

constexpr size_t kEtherTypeOffset = 12;
constexpr size_t kEthernetLen = 14;
constexpr size_t kVlanTagLen = 4;
constexpr size_t kIpv4MinLen = 20;
constexpr size_t kIpv6Len = 40;
constexpr size_t kIpv6ExtMinLen = 2; // next header + length byte
constexpr size_t kTcpMinLen = 20;
constexpr size_t kUdpLen = 8;
constexpr size_t kPortsLen = 4;

constexpr uint8_t kProtoHopByHop = 0;
constexpr uint8_t kProtoTcp = 6;
constexpr uint8_t kProtoUdp = 17;
constexpr uint8_t kProtoRouting = 43;
constexpr uint8_t kProtoFragment = 44;
constexpr uint8_t kProtoAh = 51;
constexpr uint8_t kProtoDstOpts = 60;
constexpr uint8_t kProtoSctp = 132;

// All walked extension headers are < 64, so one mask test replaces a switch.
constexpr uint64_t kIpv6ExtMask = (uint64_t{1} << kProtoHopByHop) | (uint64_t{1} << kProtoRouting) |
				  (uint64_t{1} << kProtoFragment) | (uint64_t{1} << kProtoAh) |
				  (uint64_t{1} << kProtoDstOpts);

// Byte loads: no alignment requirement and no dependence on host byte order.
inline uint16_t load_be16(const uint8_t *p)
{
	return static_cast<uint16_t>(p[0] << 8 | p[1]);
}

inline bool is_vlan_tpid(uint16_t type)
{
	return type == kTpid8021q || type == kTpid8021ad || type == kTpidQinqLegacy;
}

inline bool is_ipv6_extension(uint8_t nh)
{
	return nh < 64 && ((kIpv6ExtMask >> nh) & 1) != 0;
}

// AH counts 4-byte words minus 2 (RFC 4302); the others 8-byte units minus 1 (RFC 8200).
inline size_t ipv6_extension_len(uint8_t nh, uint8_t len_field)
{
	if (nh == kProtoFragment)
		return 8;
	if (nh == kProtoAh)
		return (size_t{len_field} + 2) * 4;
	return (size_t{len_field} + 1) * 8;
}

// Reads ports only for protocols that carry them; others are classified on proto alone.
ParseStatus parse_l4(const uint8_t *data, size_t len, size_t off, FlowKey &key)
{
	size_t need;
	switch (key.proto) {
	case kProtoTcp:
		need = kTcpMinLen;
		break;
	case kProtoUdp:
		need = kUdpLen;
		break;
	case kProtoSctp:
		need = kPortsLen;
		break;
	default:
		return ParseStatus::ok;
	}
	const size_t avail = len - off;
	if (avail < need) [[unlikely]]
		return ParseStatus::truncated_l4;
	if (key.proto == kProtoTcp) {
		const size_t header_len = static_cast<size_t>(data[off + 12] >> 4) * 4;
		if (header_len < kTcpMinLen || header_len > avail) [[unlikely]]
			return ParseStatus::bad_tcp_offset;
	}
	key.src_port = load_be16(data + off);
	key.dst_port = load_be16(data + off + 2);
	key.l4_offset = static_cast<uint16_t>(off);
	return ParseStatus::ok;
}

ParseStatus parse_ipv4(const uint8_t *data, size_t len, FlowKey &key)
{
	const size_t off = key.l3_offset;
	const size_t avail = len - off;
	if (avail < kIpv4MinLen) [[unlikely]]
		return ParseStatus::truncated_ipv4;
	const uint8_t *ip = data + off;
	if ((ip[0] >> 4) != 4) [[unlikely]]
		return ParseStatus::bad_ipv4_version;
	const size_t header_len = size_t{ip[0] & 0x0fu} * 4;
	if (header_len < kIpv4MinLen || header_len > avail) [[unlikely]]
		return ParseStatus::bad_ipv4_ihl;
	if (load_be16(ip + 2) < header_len) [[unlikely]]
		return ParseStatus::bad_ipv4_length;

	key.ip_version = 4;
	key.dscp = static_cast<uint8_t>(ip[1] >> 2);
	key.proto = ip[9];
	std::memcpy(key.src.data(), ip + 12, 4);
	std::memcpy(key.dst.data(), ip + 16, 4);
	// Flags/offset word: bit 13 is MF, the low 13 bits the offset in 8-byte units.
	const uint16_t frag = load_be16(ip + 6);
	const bool later_fragment = (frag & 0x1fff) != 0;
	key.fragment = (frag & 0x3fff) != 0;
	key.first_fragment = key.fragment && !later_fragment;
	if (later_fragment)
		return ParseStatus::ok; // no L4 header in this fragment
	return parse_l4(data, len, off + header_len, key);
}

// Advances `off` past the extension chain and leaves the upper-layer protocol in key.proto.
ParseStatus walk_ipv6_extensions(const uint8_t *data, size_t len, size_t &off, uint8_t nh,
				 bool &later_fragment, FlowKey &key)
{
	for (unsigned seen = 0; is_ipv6_extension(nh); ++seen) {
		if (seen == kMaxIpv6Extensions || len - off < kIpv6ExtMinLen) [[unlikely]]
			return ParseStatus::bad_ipv6_extension;
		const size_t ext_len = ipv6_extension_len(nh, data[off + 1]);
		if (len - off < ext_len) [[unlikely]]
			return ParseStatus::bad_ipv6_extension;
		if (nh == kProtoFragment) {
			key.fragment = true;
			later_fragment |= (load_be16(data + off + 2) & 0xfff8) != 0;
		}
		nh = data[off];
		off += ext_len;
	}
	key.proto = nh; // ESP (50) and no-next-header (59) end here too: no ports follow
	return ParseStatus::ok;
}

ParseStatus parse_ipv6(const uint8_t *data, size_t len, FlowKey &key)
{
	size_t off = key.l3_offset;
	if (len - off < kIpv6Len) [[unlikely]]
		return ParseStatus::truncated_ipv6;
	const uint8_t *ip = data + off;
	if ((ip[0] >> 4) != 6) [[unlikely]]
		return ParseStatus::bad_ipv6_version;

	key.ip_version = 6;
	// Traffic class spans the low nibble of byte 0 and the high nibble of byte 1.
	key.dscp = static_cast<uint8_t>((load_be16(ip) >> 6) & 0x3f);
	std::memcpy(key.src.data(), ip + 8, 16);
	std::memcpy(key.dst.data(), ip + 24, 16);
	off += kIpv6Len;

	bool later_fragment = false;
	const ParseStatus status = walk_ipv6_extensions(data, len, off, ip[6], later_fragment, key);
	key.first_fragment = key.fragment && !later_fragment;
	if (status != ParseStatus::ok || later_fragment)
		return status;
	return parse_l4(data, len, off, key);
}

// Ethernet II plus stacked VLAN tags; leaves the innermost ethertype and the L3 offset.
ParseStatus parse_ethernet(const uint8_t *data, size_t len, FlowKey &key)
{
	if (len < kEthernetLen) [[unlikely]]
		return ParseStatus::truncated_ethernet;
	size_t off = kEtherTypeOffset;
	uint16_t type = load_be16(data + off);
	while (is_vlan_tpid(type)) {
		if (key.vlan_count == kMaxVlans) [[unlikely]]
			return ParseStatus::too_many_vlans;
		// TCI and the next ethertype follow the TPID already read.
		if (len - off < kVlanTagLen + 2) [[unlikely]]
			return ParseStatus::truncated_vlan;
		key.vlan_ids[key.vlan_count++] = static_cast<uint16_t>(load_be16(data + off + 2) & 0x0fff);
		off += kVlanTagLen;
		type = load_be16(data + off);
	}
	key.ether_type = type;
	key.l3_offset = static_cast<uint16_t>(off + 2);
	return ParseStatus::ok;
}

} // namespace

ParseStatus parse_frame(const uint8_t *data, size_t len, uint32_t frame_len, FlowKey &key)
{
	key = FlowKey{};
	key.frame_len = frame_len;
	const ParseStatus status = parse_ethernet(data, len, key);
	if (status != ParseStatus::ok) [[unlikely]]
		return status;
	switch (key.ether_type) {
	case kEtherIpv4:
		return parse_ipv4(data, len, key);
	case kEtherIpv6:
		return parse_ipv6(data, len, key);
	default:
		return ParseStatus::ok; // ARP, LLDP, ...: classified on ethertype alone
	}
}

const char *parse_status_name(ParseStatus status)
{
	// No default: -Wswitch flags a new enumerator that has no name yet.
	switch (status) {
	case ParseStatus::ok:
		return "ok";
	case ParseStatus::truncated_ethernet:
		return "truncated_ethernet";
	case ParseStatus::truncated_vlan:
		return "truncated_vlan";
	case ParseStatus::too_many_vlans:
		return "too_many_vlans";
	case ParseStatus::truncated_ipv4:
		return "truncated_ipv4";
	case ParseStatus::bad_ipv4_version:
		return "bad_ipv4_version";
	case ParseStatus::bad_ipv4_ihl:
		return "bad_ipv4_ihl";
	case ParseStatus::bad_ipv4_length:
		return "bad_ipv4_length";
	case ParseStatus::truncated_ipv6:
		return "truncated_ipv6";
	case ParseStatus::bad_ipv6_version:
		return "bad_ipv6_version";
	case ParseStatus::bad_ipv6_extension:
		return "bad_ipv6_extension";
	case ParseStatus::truncated_l4:
		return "truncated_l4";
	case ParseStatus::bad_tcp_offset:
		return "bad_tcp_offset";
	case ParseStatus::count_:
		break;
	}
	return "unknown";
}

} // namespace tripath::packet
