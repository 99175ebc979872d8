#include <tripath/classify/reference.h>

#include "targets.h"

namespace tripath::classify {

namespace {

bool prefix_matches(const config::Prefix &p, const packet::FlowKey &k, const std::array<uint8_t, 16> &addr)
{
	if (k.ip_version != p.family)
		return false;
	for (unsigned bit = 0; bit < p.len; bit++) {
		uint8_t mask = uint8_t(0x80 >> (bit % 8));
		if ((addr[bit / 8] & mask) != (p.addr[bit / 8] & mask))
			return false;
	}
	return true;
}

bool in_range(uint32_t v, const config::Range &r) { return v >= r.lo && v <= r.hi; }

} // namespace

bool rule_matches(const config::RuleMatch &m, const packet::FlowKey &k)
{
	if (m.ether_type && k.ether_type != *m.ether_type)
		return false;
	if (m.proto && (k.ip_version == 0 || k.proto != *m.proto))
		return false;
	if (m.src && !prefix_matches(*m.src, k, k.src))
		return false;
	if (m.dst && !prefix_matches(*m.dst, k, k.dst))
		return false;
	// Ports exist only where an L4 header was read (not in non-first fragments).
	if (m.src_port && (k.l4_offset == 0 || !in_range(k.src_port, *m.src_port)))
		return false;
	if (m.dst_port && (k.l4_offset == 0 || !in_range(k.dst_port, *m.dst_port)))
		return false;
	if (m.dscp && (k.ip_version == 0 || k.dscp != *m.dscp))
		return false;
	if (m.vlan) {
		bool any = false;
		for (unsigned i = 0; i < k.vlan_count && i < packet::kMaxVlans; i++)
			any |= k.vlan_ids[i] == *m.vlan;
		if (!any)
			return false;
	}
	if (m.frame_size && !in_range(k.frame_len, *m.frame_size))
		return false;
	return true;
}

Verdict reference_lookup(const config::Config &cfg, const packet::FlowKey &key)
{
	for (size_t i = 0; i < cfg.rules.size(); i++)
		if (rule_matches(cfg.rules[i].match, key))
			return verdict_of(cfg, i);
	return Verdict{};
}

} // namespace tripath::classify
