#include "match_region.h"

#include <algorithm>

namespace tripath::guardian::detail {

namespace {

constexpr uint16_t kIpv4 = 0x0800, kIpv6 = 0x86dd;

bool prefix_contains(const config::Prefix &outer, const config::Prefix &inner)
{
	if (outer.family != inner.family || outer.len > inner.len)
		return false;
	for (unsigned bit = 0; bit < outer.len; bit++) {
		uint8_t mask = uint8_t(0x80 >> (bit % 8));
		if ((outer.addr[bit / 8] & mask) != (inner.addr[bit / 8] & mask))
			return false;
	}
	return true;
}

// Prefixes nest or are disjoint: the intersection is the longer one, if any.
bool meet(std::optional<config::Prefix> &a, const std::optional<config::Prefix> &b)
{
	if (!b)
		return true;
	if (!a || prefix_contains(*a, *b)) {
		a = b;
		return true;
	}
	return prefix_contains(*b, *a);
}

bool meet(std::optional<config::Range> &a, const std::optional<config::Range> &b)
{
	if (!b)
		return true;
	if (!a) {
		a = b;
		return true;
	}
	a = config::Range{std::max(a->lo, b->lo), std::min(a->hi, b->hi)};
	return a->lo <= a->hi;
}

template <typename T>
bool meet(std::optional<T> &a, const std::optional<T> &b)
{
	if (!b)
		return true;
	if (!a)
		a = b;
	return *a == *b;
}

bool contains(const std::optional<config::Prefix> &outer, const std::optional<config::Prefix> &inner)
{
	return !outer || (inner && prefix_contains(*outer, *inner));
}

bool contains(const std::optional<config::Range> &outer, const std::optional<config::Range> &inner)
{
	return !outer || (inner && outer->lo <= inner->lo && inner->hi <= outer->hi);
}

template <typename T>
bool contains(const std::optional<T> &outer, const std::optional<T> &inner)
{
	return !outer || (inner && *outer == *inner);
}

bool fits_family(const config::RuleMatch &m, uint16_t ether_type, uint8_t family)
{
	return (!m.ether_type || *m.ether_type == ether_type) && (!m.src || m.src->family == family) &&
	       (!m.dst || m.dst->family == family);
}

} // namespace

std::vector<Region> regions_of(const config::RuleMatch &m)
{
	Region base;
	base.src = m.src;
	base.dst = m.dst;
	base.proto = m.proto;
	base.src_port = m.src_port;
	base.dst_port = m.dst_port;
	base.dscp = m.dscp;
	if (m.vlan)
		base.vlans.push_back(*m.vlan);
	base.frame_size = m.frame_size;
	std::vector<Region> out;
	struct IpFamily {
		Family family;
		uint16_t ether_type;
		uint8_t version;
	};
	for (IpFamily f : {IpFamily{Family::v4, kIpv4, 4}, IpFamily{Family::v6, kIpv6, 6}})
		if (fits_family(m, f.ether_type, f.version)) {
			Region r = base;
			r.family = f.family;
			out.push_back(r);
		}
	// Frames that are not IP (ARP, LLDP, an IPv4 header too short to parse) have no
	// addresses, protocol, ports or DSCP.
	if (!m.src && !m.dst && !m.proto && !m.src_port && !m.dst_port && !m.dscp) {
		Region r = base;
		r.family = Family::non_ip;
		r.ether_type = m.ether_type;
		out.push_back(r);
	}
	return out;
}

std::optional<Region> intersect(const Region &a, const Region &b)
{
	if (a.family != b.family)
		return std::nullopt;
	Region r = a;
	bool ok = meet(r.ether_type, b.ether_type) && meet(r.src, b.src) && meet(r.dst, b.dst) &&
		  meet(r.proto, b.proto) && meet(r.src_port, b.src_port) && meet(r.dst_port, b.dst_port) &&
		  meet(r.dscp, b.dscp) && meet(r.frame_size, b.frame_size);
	for (uint16_t v : b.vlans)
		if (std::ranges::find(r.vlans, v) == r.vlans.end())
			r.vlans.push_back(v);
	// A frame with more tags than the parser reads cannot show them all.
	if (!ok || r.vlans.size() > packet::kMaxVlans)
		return std::nullopt;
	return r;
}

bool covers(const Region &outer, const Region &inner)
{
	if (outer.family != inner.family)
		return false;
	for (uint16_t v : outer.vlans)
		if (std::ranges::find(inner.vlans, v) == inner.vlans.end())
			return false;
	return contains(outer.ether_type, inner.ether_type) && contains(outer.src, inner.src) &&
	       contains(outer.dst, inner.dst) && contains(outer.proto, inner.proto) &&
	       contains(outer.src_port, inner.src_port) && contains(outer.dst_port, inner.dst_port) &&
	       contains(outer.dscp, inner.dscp) && contains(outer.frame_size, inner.frame_size);
}

packet::FlowKey witness(const Region &r)
{
	packet::FlowKey k;
	switch (r.family) {
	case Family::v4: k.ether_type = kIpv4; k.ip_version = 4; break;
	case Family::v6: k.ether_type = kIpv6; k.ip_version = 6; break;
	case Family::non_ip: k.ether_type = r.ether_type.value_or(0x88cc); break; // LLDP
	}
	if (r.src)
		k.src = r.src->addr;
	if (r.dst)
		k.dst = r.dst->addr;
	k.proto = r.proto.value_or(0);
	k.dscp = r.dscp.value_or(0);
	if (k.ip_version) {
		k.l3_offset = 14;
		bool l4 = r.src_port || r.dst_port || k.proto == 6 || k.proto == 17 || k.proto == 132;
		k.l4_offset = l4 ? (k.ip_version == 4 ? 34 : 54) : 0;
	}
	k.src_port = uint16_t(r.src_port ? r.src_port->lo : 0);
	k.dst_port = uint16_t(r.dst_port ? r.dst_port->lo : 0);
	k.vlan_count = uint8_t(r.vlans.size());
	for (size_t i = 0; i < r.vlans.size(); i++)
		k.vlan_ids[i] = r.vlans[i];
	k.frame_len = r.frame_size ? r.frame_size->lo : 64;
	return k;
}

} // namespace tripath::guardian::detail
