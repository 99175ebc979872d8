#include "acl_rules.h"

#include <algorithm>
#include <cstring>

namespace tripath::classify::acl {

namespace {

rte_acl_field_def def(uint8_t type, uint8_t size, uint8_t field, uint8_t input, size_t offset)
{
	return rte_acl_field_def{type, size, field, input, uint32_t(offset)};
}

// flags+frame_len, then the two VIDs: the last two inputs of both IP keys.
void tail_defs(rte_acl_config &c, uint8_t flags, uint8_t input, size_t at)
{
	c.defs[flags] = def(RTE_ACL_FIELD_TYPE_BITMASK, 2, flags, input, at + offsetof(KeyTail, flags));
	c.defs[flags + 1] = def(RTE_ACL_FIELD_TYPE_RANGE, 2, flags + 1, input, at + offsetof(KeyTail, frame_len));
	c.defs[flags + 2] = def(RTE_ACL_FIELD_TYPE_BITMASK, 2, flags + 2, input + 1, at + offsetof(KeyTail, vlan0));
	c.defs[flags + 3] = def(RTE_ACL_FIELD_TYPE_BITMASK, 2, flags + 3, input + 1, at + offsetof(KeyTail, vlan1));
}

// Where a context keeps each match field; -1: not in this key.
struct Slots {
	int proto = -1, src = -1, dst = -1, sport = -1, dport = -1, flags = -1, frame_len = -1, vlan0 = -1,
	    vlan1 = -1, ether_type = -1;
	unsigned addr_words = 0;
};

constexpr Slots slots4{f4::proto, f4::src, f4::dst, f4::sport, f4::dport, f4::flags, f4::frame_len, f4::vlan0,
		       f4::vlan1, -1, 1};
constexpr Slots slots6{f6::proto, f6::src0, f6::dst0, f6::sport, f6::dport, f6::flags, f6::frame_len, f6::vlan0,
		       f6::vlan1, -1, 4};
constexpr Slots slots_other{-1, -1, -1, -1, -1, -1, fo::frame_len, fo::vlan0, fo::vlan1, fo::ether_type, 0};

// A rule starts as "match anything": ranges span their field, masks and bitmasks are empty.
void set_any(rte_acl_field *f, const rte_acl_config &c)
{
	for (uint32_t i = 0; i < c.num_fields; i++) {
		std::memset(&f[i], 0, sizeof(f[i]));
		if (c.defs[i].type == RTE_ACL_FIELD_TYPE_RANGE)
			f[i].mask_range.u16 = UINT16_MAX;
	}
}

void exact8(rte_acl_field &f, uint8_t v) { f.value.u8 = v, f.mask_range.u8 = UINT8_MAX; }
void exact16(rte_acl_field &f, uint16_t v) { f.value.u16 = v, f.mask_range.u16 = UINT16_MAX; }
void range16(rte_acl_field &f, uint32_t lo, uint32_t hi)
{
	f.value.u16 = uint16_t(std::min<uint32_t>(lo, UINT16_MAX));
	f.mask_range.u16 = uint16_t(std::min<uint32_t>(hi, UINT16_MAX)); // keys clamp frame_len the same way
}

uint32_t word(const std::array<uint8_t, 16> &a, unsigned i)
{
	return uint32_t(a[4 * i]) << 24 | uint32_t(a[4 * i + 1]) << 16 | uint32_t(a[4 * i + 2]) << 8 | a[4 * i + 3];
}

void prefix_words(rte_acl_field *f, const config::Prefix &p, unsigned words)
{
	for (unsigned i = 0; i < words; i++) {
		int len = std::clamp(int(p.len) - 32 * int(i), 0, 32);
		f[i].value.u32 = len ? word(p.addr, i) : 0;
		f[i].mask_range.u32 = uint32_t(len);
	}
}

// Can the rule match a frame of this IP version at all?
bool fits_ip(const config::RuleMatch &m, uint8_t version, uint16_t ether_type)
{
	return (!m.src || m.src->family == version) && (!m.dst || m.dst->family == version) &&
	       (!m.ether_type || *m.ether_type == ether_type);
}

// Fill a rule's fields from a config match; the caller has checked it fits the context.
void fill(rte_acl_field *f, const Slots &s, const config::RuleMatch &m)
{
	if (m.proto)
		exact8(f[s.proto], *m.proto);
	if (m.src)
		prefix_words(&f[s.src], *m.src, s.addr_words);
	if (m.dst)
		prefix_words(&f[s.dst], *m.dst, s.addr_words);
	if (m.src_port)
		range16(f[s.sport], m.src_port->lo, m.src_port->hi);
	if (m.dst_port)
		range16(f[s.dport], m.dst_port->lo, m.dst_port->hi);
	uint16_t flags = 0, mask = 0;
	if (m.dscp)
		flags |= *m.dscp, mask |= kDscpMask;
	if (m.src_port || m.dst_port) // ports exist only where an L4 header was read
		flags |= kL4Flag, mask |= kL4Flag;
	if (mask)
		f[s.flags].value.u16 = flags, f[s.flags].mask_range.u16 = mask;
	if (m.frame_size)
		range16(f[s.frame_len], m.frame_size->lo, m.frame_size->hi);
	if (m.ether_type && s.ether_type >= 0)
		exact16(f[s.ether_type], *m.ether_type);
}

template <typename Rule>
void add(std::vector<Rule> &out, const rte_acl_config &c, const Slots &s, const config::RuleMatch &m,
	 const rte_acl_rule_data &data)
{
	Rule r{};
	r.data = data;
	set_any(r.field, c);
	fill(r.field, s, m);
	if (!m.vlan) {
		out.push_back(r);
		return;
	}
	// "Any tag of the stack": one ACL rule for the outer VID, one for the inner.
	Rule inner = r;
	exact16(r.field[s.vlan0], *m.vlan);
	exact16(inner.field[s.vlan1], *m.vlan);
	out.push_back(r);
	out.push_back(inner);
}

} // namespace

bool has_ip_fields(const config::RuleMatch &m)
{
	return m.src || m.dst || m.proto || m.dscp || m.src_port || m.dst_port;
}

rte_acl_config config4()
{
	rte_acl_config c{};
	c.num_categories = 1;
	c.num_fields = f4::count;
	c.defs[f4::proto] = def(RTE_ACL_FIELD_TYPE_BITMASK, 1, f4::proto, 0, offsetof(Key4, proto));
	c.defs[f4::src] = def(RTE_ACL_FIELD_TYPE_MASK, 4, f4::src, 1, offsetof(Key4, src));
	c.defs[f4::dst] = def(RTE_ACL_FIELD_TYPE_MASK, 4, f4::dst, 2, offsetof(Key4, dst));
	c.defs[f4::sport] = def(RTE_ACL_FIELD_TYPE_RANGE, 2, f4::sport, 3, offsetof(Key4, sport));
	c.defs[f4::dport] = def(RTE_ACL_FIELD_TYPE_RANGE, 2, f4::dport, 3, offsetof(Key4, dport));
	tail_defs(c, f4::flags, 4, offsetof(Key4, tail));
	return c;
}

rte_acl_config config6()
{
	rte_acl_config c{};
	c.num_categories = 1;
	c.num_fields = f6::count;
	c.defs[f6::proto] = def(RTE_ACL_FIELD_TYPE_BITMASK, 1, f6::proto, 0, offsetof(Key6, proto));
	for (uint8_t i = 0; i < 4; i++) {
		c.defs[f6::src0 + i] = def(RTE_ACL_FIELD_TYPE_MASK, 4, f6::src0 + i, 1 + i, offsetof(Key6, src) + 4 * i);
		c.defs[f6::dst0 + i] = def(RTE_ACL_FIELD_TYPE_MASK, 4, f6::dst0 + i, 5 + i, offsetof(Key6, dst) + 4 * i);
	}
	c.defs[f6::sport] = def(RTE_ACL_FIELD_TYPE_RANGE, 2, f6::sport, 9, offsetof(Key6, sport));
	c.defs[f6::dport] = def(RTE_ACL_FIELD_TYPE_RANGE, 2, f6::dport, 9, offsetof(Key6, dport));
	tail_defs(c, f6::flags, 10, offsetof(Key6, tail));
	return c;
}

rte_acl_config config_other()
{
	rte_acl_config c{};
	c.num_categories = 1;
	c.num_fields = fo::count;
	c.defs[fo::zero] = def(RTE_ACL_FIELD_TYPE_BITMASK, 1, fo::zero, 0, offsetof(KeyOther, zero));
	c.defs[fo::ether_type] = def(RTE_ACL_FIELD_TYPE_BITMASK, 2, fo::ether_type, 1, offsetof(KeyOther, ether_type));
	c.defs[fo::frame_len] = def(RTE_ACL_FIELD_TYPE_RANGE, 2, fo::frame_len, 1, offsetof(KeyOther, frame_len));
	c.defs[fo::vlan0] = def(RTE_ACL_FIELD_TYPE_BITMASK, 2, fo::vlan0, 2, offsetof(KeyOther, vlan0));
	c.defs[fo::vlan1] = def(RTE_ACL_FIELD_TYPE_BITMASK, 2, fo::vlan1, 2, offsetof(KeyOther, vlan1));
	return c;
}

CompiledRules compile_rules(const config::Config &cfg, const std::vector<bool> &taken, bool with_non_ip)
{
	const rte_acl_config c4 = config4(), c6 = config6(), co = config_other();
	CompiledRules out;
	for (size_t i = 0; i < cfg.rules.size(); i++) {
		const config::RuleMatch &m = cfg.rules[i].match;
		rte_acl_rule_data data{1, int32_t(RTE_ACL_MAX_PRIORITY - i), uint32_t(i + 1)}; // earlier wins
		if (taken[i] || (m.dscp && *m.dscp > kDscpMask))
			continue; // held by a prefix bucket, or a DSCP no packet carries
		if (fits_ip(m, 4, 0x0800))
			add(out.v4, c4, slots4, m, data);
		if (fits_ip(m, 6, 0x86dd))
			add(out.v6, c6, slots6, m, data);
		if (with_non_ip && !has_ip_fields(m))
			add(out.other, co, slots_other, m, data);
	}
	return out;
}

} // namespace tripath::classify::acl
