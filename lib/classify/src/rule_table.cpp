#include <tripath/classify/rule_table.h>

#include <algorithm>
#include <cstring>
#include <stdexcept>

namespace tripath::classify {

using config::PathKind;
using config::Prefix;

namespace {

enum MatchBit : uint16_t {
	m_ether_type = 1 << 0,
	m_src = 1 << 1,
	m_dst = 1 << 2,
	m_proto = 1 << 3,
	m_src_port = 1 << 4,
	m_dst_port = 1 << 5,
	m_dscp = 1 << 6,
	m_vlan = 1 << 7,
	m_frame_size = 1 << 8,
};

// Prefix as 128-bit mask/value so IPv4 and IPv6 compare with the same code.
struct CompiledPrefix {
	uint8_t version = 4;
	std::array<uint8_t, 16> value{};
	std::array<uint8_t, 16> mask{};
};

CompiledPrefix compile_prefix(const Prefix &p)
{
	CompiledPrefix c;
	c.version = p.family;
	for (unsigned bit = 0; bit < p.len; bit++)
		c.mask[bit / 8] |= uint8_t(0x80 >> (bit % 8));
	for (unsigned i = 0; i < 16; i++)
		c.value[i] = p.addr[i] & c.mask[i];
	return c;
}

bool prefix_matches(const CompiledPrefix &p, uint8_t version, const std::array<uint8_t, 16> &addr)
{
	if (version != p.version)
		return false;
	uint8_t diff = 0;
	for (unsigned i = 0; i < 16; i++)
		diff |= uint8_t((addr[i] & p.mask[i]) ^ p.value[i]);
	return diff == 0;
}

bool in_range(uint32_t v, const config::Range &r) { return v >= r.lo && v <= r.hi; }

} // namespace

struct RuleTable::CompiledRule {
	uint16_t bits = 0;
	uint16_t ether_type = 0;
	uint8_t proto = 0;
	uint8_t dscp = 0;
	uint16_t vlan = 0;
	CompiledPrefix src, dst;
	config::Range src_port, dst_port, frame_size;
	Verdict verdict;
};

namespace {

bool rule_matches(const RuleTable::CompiledRule &r, const packet::FlowKey &k)
{
	if ((r.bits & m_ether_type) && k.ether_type != r.ether_type)
		return false;
	if ((r.bits & m_proto) && (k.ip_version == 0 || k.proto != r.proto))
		return false;
	if ((r.bits & m_src) && !prefix_matches(r.src, k.ip_version, k.src))
		return false;
	if ((r.bits & m_dst) && !prefix_matches(r.dst, k.ip_version, k.dst))
		return false;
	// Ports exist only where an L4 header was read (not in non-first fragments).
	if ((r.bits & m_src_port) && (k.l4_offset == 0 || !in_range(k.src_port, r.src_port)))
		return false;
	if ((r.bits & m_dst_port) && (k.l4_offset == 0 || !in_range(k.dst_port, r.dst_port)))
		return false;
	if ((r.bits & m_dscp) && (k.ip_version == 0 || k.dscp != r.dscp))
		return false;
	if (r.bits & m_vlan) {
		bool any = false;
		for (unsigned i = 0; i < k.vlan_count && i < packet::kMaxVlans; i++)
			any |= k.vlan_ids[i] == r.vlan;
		if (!any)
			return false;
	}
	if ((r.bits & m_frame_size) && !in_range(k.frame_len, r.frame_size))
		return false;
	return true;
}

template <typename T> uint16_t index_of(const std::vector<T> &items, const std::string &name)
{
	for (size_t i = 0; i < items.size(); i++)
		if (items[i].name == name)
			return uint16_t(i);
	return kNoTarget;
}

} // namespace

RuleTable::RuleTable() = default;
RuleTable::~RuleTable() = default;

size_t RuleTable::size() const { return rules_.size(); }

std::unique_ptr<RuleTable> RuleTable::build(const config::Config &cfg)
{
	if (cfg.rules.size() >= kNoRule)
		throw std::invalid_argument("too many rules: " + std::to_string(cfg.rules.size()));
	auto table = std::make_unique<RuleTable>();
	for (size_t i = 0; i < cfg.rules.size(); i++) {
		const config::RuleConfig &rc = cfg.rules[i];
		const config::RuleMatch &m = rc.match;
		CompiledRule r;
		if (m.ether_type) { r.bits |= m_ether_type; r.ether_type = *m.ether_type; }
		if (m.src) { r.bits |= m_src; r.src = compile_prefix(*m.src); }
		if (m.dst) { r.bits |= m_dst; r.dst = compile_prefix(*m.dst); }
		if (m.proto) { r.bits |= m_proto; r.proto = *m.proto; }
		if (m.src_port) { r.bits |= m_src_port; r.src_port = *m.src_port; }
		if (m.dst_port) { r.bits |= m_dst_port; r.dst_port = *m.dst_port; }
		if (m.dscp) { r.bits |= m_dscp; r.dscp = *m.dscp; }
		if (m.vlan) { r.bits |= m_vlan; r.vlan = *m.vlan; }
		if (m.frame_size) { r.bits |= m_frame_size; r.frame_size = *m.frame_size; }
		r.verdict.path = rc.path;
		r.verdict.rule = uint16_t(i);
		if (rc.path == PathKind::fast)
			r.verdict.target = index_of(cfg.paths.fast_endpoints, rc.target);
		else if (rc.path == PathKind::bulk)
			r.verdict.target = index_of(cfg.paths.bulk_peers, rc.target);
		if (!rc.tenant.empty())
			r.verdict.tenant = index_of(cfg.tenants, rc.tenant);
		table->rules_.push_back(r);
		table->names_.push_back(rc.name);
	}
	return table;
}

Verdict RuleTable::lookup(const packet::FlowKey &key) const
{
	for (const CompiledRule &r : rules_)
		if (rule_matches(r, key))
			return r.verdict;
	return default_verdict_;
}

void RuleTable::lookup_burst(const packet::FlowKey *keys, Verdict *out, unsigned n) const
{
	for (unsigned i = 0; i < n; i++)
		out[i] = lookup(keys[i]);
}

} // namespace tripath::classify
