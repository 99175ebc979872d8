#include <algorithm>
#include <atomic>
#include <cstring>
#include <stdexcept>

#include <rte_byteorder.h>
#include <rte_errno.h>

#include <tripath/classify/rule_table.h>

#include "acl_layout.h"
#include "targets.h"

namespace tripath::classify {

using namespace acl;

namespace {

constexpr unsigned kChunk = 64; // keys classified per rte_acl_classify call

rte_acl_field_def def(uint8_t type, uint8_t size, uint8_t field, uint8_t input, uint32_t offset)
{
	return rte_acl_field_def{type, size, field, input, offset};
}

// Fields shared by both layouts (KeyHead).
void head_defs(rte_acl_config &c)
{
	c.defs[f_proto] = def(RTE_ACL_FIELD_TYPE_BITMASK, 1, f_proto, 0, offsetof(KeyHead, proto));
	c.defs[f_dscp] = def(RTE_ACL_FIELD_TYPE_BITMASK, 1, f_dscp, 1, offsetof(KeyHead, dscp));
	c.defs[f_l4] = def(RTE_ACL_FIELD_TYPE_BITMASK, 1, f_l4, 1, offsetof(KeyHead, l4));
	c.defs[f_frame_len] = def(RTE_ACL_FIELD_TYPE_RANGE, 2, f_frame_len, 1, offsetof(KeyHead, frame_len));
	c.defs[f_ether_type] = def(RTE_ACL_FIELD_TYPE_BITMASK, 2, f_ether_type, 2, offsetof(KeyHead, ether_type));
	c.defs[f_vlan0] = def(RTE_ACL_FIELD_TYPE_BITMASK, 2, f_vlan0, 2, offsetof(KeyHead, vlan0));
	c.defs[f_vlan1] = def(RTE_ACL_FIELD_TYPE_BITMASK, 2, f_vlan1, 3, offsetof(KeyHead, vlan1));
	c.defs[f_ip_version] = def(RTE_ACL_FIELD_TYPE_BITMASK, 2, f_ip_version, 3, offsetof(KeyHead, ip_version));
}

rte_acl_config config4()
{
	rte_acl_config c{};
	c.num_categories = 1;
	c.num_fields = f4_count;
	head_defs(c);
	c.defs[f4_src] = def(RTE_ACL_FIELD_TYPE_MASK, 4, f4_src, 4, offsetof(Key4, src));
	c.defs[f4_dst] = def(RTE_ACL_FIELD_TYPE_MASK, 4, f4_dst, 5, offsetof(Key4, dst));
	c.defs[f4_sport] = def(RTE_ACL_FIELD_TYPE_RANGE, 2, f4_sport, 6, offsetof(Key4, sport));
	c.defs[f4_dport] = def(RTE_ACL_FIELD_TYPE_RANGE, 2, f4_dport, 6, offsetof(Key4, dport));
	return c;
}

rte_acl_config config6()
{
	rte_acl_config c{};
	c.num_categories = 1;
	c.num_fields = f6_count;
	head_defs(c);
	for (uint8_t i = 0; i < 4; i++) {
		c.defs[f6_src0 + i] = def(RTE_ACL_FIELD_TYPE_MASK, 4, f6_src0 + i, 4 + i, offsetof(Key6, src) + 4 * i);
		c.defs[f6_dst0 + i] = def(RTE_ACL_FIELD_TYPE_MASK, 4, f6_dst0 + i, 8 + i, offsetof(Key6, dst) + 4 * i);
	}
	c.defs[f6_sport] = def(RTE_ACL_FIELD_TYPE_RANGE, 2, f6_sport, 12, offsetof(Key6, sport));
	c.defs[f6_dport] = def(RTE_ACL_FIELD_TYPE_RANGE, 2, f6_dport, 12, offsetof(Key6, dport));
	return c;
}

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
void range16(rte_acl_field &f, const config::Range &r) { f.value.u16 = uint16_t(r.lo), f.mask_range.u16 = uint16_t(r.hi); }

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

// Which tries a rule belongs in: IPv4/non-IP, IPv6, or both.
struct Families {
	bool v4 = true, v6 = true;
};

Families families_of(const config::RuleMatch &m)
{
	Families f;
	uint8_t fam = m.src ? m.src->family : m.dst ? m.dst->family : 0;
	if (fam == 4 || (m.ether_type && *m.ether_type != 0x86dd))
		f.v6 = false;
	if (fam == 6 || (m.ether_type && *m.ether_type == 0x86dd))
		f.v4 = false;
	return f;
}

// Fill the KeyHead part of one ACL rule from a config match.
void head_fields(rte_acl_field *f, const config::RuleMatch &m, bool v4_trie)
{
	if (m.proto)
		exact8(f[f_proto], *m.proto);
	if (m.dscp)
		exact8(f[f_dscp], *m.dscp);
	if (m.src_port || m.dst_port)
		exact8(f[f_l4], 1);
	if (m.frame_size)
		range16(f[f_frame_len], {m.frame_size->lo, std::min<uint32_t>(m.frame_size->hi, UINT16_MAX)});
	if (m.ether_type)
		exact16(f[f_ether_type], *m.ether_type);
	// IP-only fields must not match non-IP frames, which share the IPv4 trie.
	if (v4_trie && (m.proto || m.dscp || m.src || m.dst))
		exact16(f[f_ip_version], 4);
}

template <typename Rule>
void add_rule(std::vector<Rule> &out, const Rule &base, const config::RuleMatch &m)
{
	if (!m.vlan) {
		out.push_back(base);
		return;
	}
	// "Any tag of the stack": one ACL rule for the outer VID, one for the inner.
	Rule outer = base, inner = base;
	exact16(outer.field[f_vlan0], *m.vlan);
	exact16(inner.field[f_vlan1], *m.vlan);
	out.push_back(outer);
	out.push_back(inner);
}

std::string next_name(const char *kind)
{
	static std::atomic<uint64_t> serial{0};
	return std::string("tp_") + kind + "_" + std::to_string(serial.fetch_add(1));
}

template <typename Rule>
rte_acl_ctx *build_trie(const std::vector<Rule> &rules, const rte_acl_config &cfg, const char *kind)
{
	if (rules.empty())
		return nullptr;
	std::string name = next_name(kind);
	rte_acl_param prm{};
	prm.name = name.c_str();
	prm.socket_id = SOCKET_ID_ANY;
	prm.rule_size = RTE_ACL_RULE_SZ(cfg.num_fields);
	prm.max_rule_num = uint32_t(rules.size());
	rte_acl_ctx *ctx = rte_acl_create(&prm);
	if (ctx == nullptr)
		throw std::runtime_error(std::string("rte_acl_create ") + kind + ": " + rte_strerror(rte_errno));
	int rc = rte_acl_add_rules(ctx, reinterpret_cast<const rte_acl_rule *>(rules.data()), uint32_t(rules.size()));
	if (rc == 0)
		rc = rte_acl_build(ctx, &cfg);
	if (rc != 0) {
		rte_acl_free(ctx);
		throw std::runtime_error(std::string("cannot build the ") + kind + " ACL of " + std::to_string(rules.size()) +
					 " rules: " + rte_strerror(-rc));
	}
	return ctx;
}

void fill_head(KeyHead &h, const packet::FlowKey &k)
{
	h = KeyHead{};
	h.proto = k.ip_version ? k.proto : 0;
	h.dscp = k.ip_version ? k.dscp : 0;
	h.l4 = k.l4_offset != 0;
	h.frame_len = rte_cpu_to_be_16(uint16_t(std::min<uint32_t>(k.frame_len, UINT16_MAX)));
	h.ether_type = rte_cpu_to_be_16(k.ether_type);
	h.vlan0 = rte_cpu_to_be_16(k.vlan_count > 0 ? k.vlan_ids[0] : kNoVlan);
	h.vlan1 = rte_cpu_to_be_16(k.vlan_count > 1 ? k.vlan_ids[1] : kNoVlan);
	h.ip_version = rte_cpu_to_be_16(k.ip_version);
}

} // namespace

std::unique_ptr<RuleTable> RuleTable::build(const config::Config &cfg)
{
	if (cfg.rules.size() >= RTE_ACL_MAX_PRIORITY)
		throw std::runtime_error("too many rules: " + std::to_string(cfg.rules.size()));
	std::unique_ptr<RuleTable> t(new RuleTable());
	const rte_acl_config c4 = config4(), c6 = config6();
	std::vector<Rule4> rules4;
	std::vector<Rule6> rules6;
	for (size_t i = 0; i < cfg.rules.size(); i++) {
		const config::RuleMatch &m = cfg.rules[i].match;
		t->verdicts_.push_back(verdict_of(cfg, i));
		t->names_.push_back(cfg.rules[i].name);
		rte_acl_rule_data data{1, int32_t(RTE_ACL_MAX_PRIORITY - i), uint32_t(i + 1)}; // earlier wins
		Families fam = families_of(m);
		if (fam.v4) {
			Rule4 r{};
			r.data = data;
			set_any(r.field, c4);
			head_fields(r.field, m, true);
			if (m.src)
				prefix_words(&r.field[f4_src], *m.src, 1);
			if (m.dst)
				prefix_words(&r.field[f4_dst], *m.dst, 1);
			if (m.src_port)
				range16(r.field[f4_sport], *m.src_port);
			if (m.dst_port)
				range16(r.field[f4_dport], *m.dst_port);
			add_rule(rules4, r, m);
		}
		if (fam.v6) {
			Rule6 r{};
			r.data = data;
			set_any(r.field, c6);
			head_fields(r.field, m, false);
			if (m.src)
				prefix_words(&r.field[f6_src0], *m.src, 4);
			if (m.dst)
				prefix_words(&r.field[f6_dst0], *m.dst, 4);
			if (m.src_port)
				range16(r.field[f6_sport], *m.src_port);
			if (m.dst_port)
				range16(r.field[f6_dport], *m.dst_port);
			add_rule(rules6, r, m);
		}
	}
	t->acl_rules_ = rules4.size() + rules6.size();
	if (!cfg.rules.empty()) {
		const config::RuleMatch &m = cfg.rules.back().match;
		bool empty = !m.ether_type && !m.src && !m.dst && !m.proto && !m.src_port && !m.dst_port && !m.dscp &&
			     !m.vlan && !m.frame_size;
		if (empty)
			t->default_rule_ = uint32_t(cfg.rules.size() - 1);
	}
	t->ctx4_ = build_trie(rules4, c4, "acl4");
	try {
		t->ctx6_ = build_trie(rules6, c6, "acl6");
	} catch (...) {
		rte_acl_free(t->ctx4_);
		t->ctx4_ = nullptr;
		throw;
	}
	return t;
}

RuleTable::~RuleTable()
{
	rte_acl_free(ctx4_);
	rte_acl_free(ctx6_);
}

Verdict RuleTable::lookup(const packet::FlowKey &key) const
{
	Verdict v;
	lookup_burst(&key, &v, 1);
	return v;
}

void RuleTable::lookup_burst(const packet::FlowKey *keys, Verdict *out, unsigned n) const
{
	for (unsigned base = 0; base < n; base += kChunk) {
		unsigned count = std::min(kChunk, n - base);
		Key4 k4[kChunk];
		Key6 k6[kChunk];
		const uint8_t *p4[kChunk], *p6[kChunk];
		uint32_t r4[kChunk], r6[kChunk];
		uint16_t at4[kChunk], at6[kChunk];
		unsigned n4 = 0, n6 = 0;
		for (unsigned i = 0; i < count; i++) {
			const packet::FlowKey &k = keys[base + i];
			if (k.ip_version == 6) {
				Key6 &x = k6[n6];
				fill_head(x.head, k);
				std::memcpy(x.src, k.src.data(), 16);
				std::memcpy(x.dst, k.dst.data(), 16);
				x.sport = rte_cpu_to_be_16(k.src_port);
				x.dport = rte_cpu_to_be_16(k.dst_port);
				p6[n6] = reinterpret_cast<const uint8_t *>(&x);
				at6[n6++] = uint16_t(i);
			} else {
				Key4 &x = k4[n4];
				fill_head(x.head, k);
				std::memcpy(&x.src, k.src.data(), 4);
				std::memcpy(&x.dst, k.dst.data(), 4);
				x.sport = rte_cpu_to_be_16(k.src_port);
				x.dport = rte_cpu_to_be_16(k.dst_port);
				p4[n4] = reinterpret_cast<const uint8_t *>(&x);
				at4[n4++] = uint16_t(i);
			}
		}
		if (n4) {
			if (ctx4_ != nullptr)
				rte_acl_classify(ctx4_, p4, r4, n4, 1);
			else
				std::fill_n(r4, n4, 0u);
		}
		if (n6) {
			if (ctx6_ != nullptr)
				rte_acl_classify(ctx6_, p6, r6, n6, 1);
			else
				std::fill_n(r6, n6, 0u);
		}
		for (unsigned j = 0; j < n4; j++)
			out[base + at4[j]] = r4[j] ? verdicts_[r4[j] - 1] : Verdict{};
		for (unsigned j = 0; j < n6; j++)
			out[base + at6[j]] = r6[j] ? verdicts_[r6[j] - 1] : Verdict{};
	}
}

} // namespace tripath::classify
