// rules[].match: the packet fields a rule looks at, each optional.
#include "sections.h"
#include "values.h"

namespace tripath::config::detail {

namespace {

constexpr NamedValue ether_types[] = {{"arp", 0x0806}, {"ipv4", 0x0800}, {"ipv6", 0x86dd}};
constexpr NamedValue protocols[] = {
	{"tcp", 6}, {"udp", 17}, {"icmp", 1}, {"icmpv6", 58}, {"sctp", 132}};

std::string proto_name(uint8_t proto)
{
	for (const auto &p : protocols)
		if (p.value == proto)
			return p.name;
	return std::to_string(proto);
}

// An IPv4 ether_type with an IPv6 prefix (or the reverse) could never match anything.
void check_family(const Field &f, const Prefix &p, const RuleMatch &m)
{
	if (!m.ether_type)
		return;
	uint16_t want = p.family == 4 ? 0x0800 : 0x86dd;
	if ((*m.ether_type == 0x0800 || *m.ether_type == 0x86dd) && *m.ether_type != want)
		f.fail(format_prefix(p) + " is IPv" + std::to_string(p.family) +
		       " but ether_type is ipv" + (p.family == 4 ? "6" : "4"));
}

Range read_port_range(const Field &f, const RuleMatch &m)
{
	Range r = read_range(f, 0, 65535);
	if (!m.proto || (*m.proto != 6 && *m.proto != 17 && *m.proto != 132))
		f.fail("ports only apply to proto tcp, udp or sctp (this rule has " +
		       (m.proto ? "proto " + proto_name(*m.proto) : std::string("no proto")) + ")");
	return r;
}

} // namespace

RuleMatch read_match(const Field &f)
{
	MapReader m(f,
		    {"ether_type", "src", "dst", "proto", "src_port", "dst_port", "dscp", "vlan",
		     "frame_size"});
	RuleMatch match;
	if (auto v = m.get("ether_type"))
		match.ether_type = static_cast<uint16_t>(read_named_uint(*v, ether_types, 65535));
	if (auto v = m.get("src")) {
		match.src = read_prefix(*v);
		check_family(*v, *match.src, match);
	}
	if (auto v = m.get("dst")) {
		match.dst = read_prefix(*v);
		check_family(*v, *match.dst, match);
		if (match.src && match.src->family != match.dst->family)
			v->fail("dst is IPv" + std::to_string(match.dst->family) +
				" but src is IPv" + std::to_string(match.src->family) +
				"; both must be the same family");
	}
	if (auto v = m.get("proto"))
		match.proto = static_cast<uint8_t>(read_named_uint(*v, protocols, 255));
	if (auto v = m.get("src_port"))
		match.src_port = read_port_range(*v, match);
	if (auto v = m.get("dst_port"))
		match.dst_port = read_port_range(*v, match);
	if (auto v = m.get("dscp"))
		match.dscp = static_cast<uint8_t>(read_uint(*v, 0, 63));
	if (auto v = m.get("vlan"))
		match.vlan = static_cast<uint16_t>(read_uint(*v, 0, 4095));
	if (auto v = m.get("frame_size"))
		match.frame_size = read_range(*v, 14, 65535);
	return match;
}

} // namespace tripath::config::detail
