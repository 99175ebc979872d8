// Random rule sets and keys around their edges, shared by the classifier's agreement tests.
#pragma once

#include <algorithm>
#include <cstdio>
#include <random>
#include <string>

#include <tripath/config/config.h>
#include <tripath/packet/flow_key.h>

namespace tripath::testing {


struct Gen {
	std::mt19937_64 rng;
	explicit Gen(uint64_t seed) : rng(seed) {}
	uint32_t below(uint32_t n) { return uint32_t(rng() % n); }
	bool chance(unsigned pct) { return below(100) < pct; }
};

inline config::Prefix random_prefix(Gen &g, uint8_t family)
{
	config::Prefix p;
	p.family = family;
	p.len = uint8_t(g.below(family == 4 ? 33 : 129));
	for (unsigned i = 0; i < (family == 4 ? 4u : 16u); i++)
		p.addr[i] = uint8_t(g.below(4)); // a small alphabet so prefixes overlap and keys hit them
	for (unsigned bit = p.len; bit < 128; bit++)
		p.addr[bit / 8] &= uint8_t(~(0x80 >> (bit % 8)));
	return p;
}

inline config::Range random_range(Gen &g, uint32_t max)
{
	uint32_t a = g.below(max + 1), b = g.below(max + 1);
	if (g.chance(30))
		b = a;
	return {std::min(a, b), std::max(a, b)};
}

inline config::Config random_rules(Gen &g, unsigned n)
{
	config::Config cfg;
	for (unsigned i = 0; i < n; i++) {
		config::RuleConfig r;
		r.name = "r" + std::to_string(i);
		r.path = config::PathKind(g.below(4) == 3 ? 3 : 0); // kernel or drop (no targets needed)
		config::RuleMatch &m = r.match;
		uint8_t family = g.chance(50) ? 4 : 6;
		if (g.chance(10))
			m.ether_type = g.chance(50) ? 0x0806 : (family == 4 ? 0x0800 : 0x86dd);
		if (g.chance(40))
			m.src = random_prefix(g, family);
		if (g.chance(40))
			m.dst = random_prefix(g, family);
		if (g.chance(40))
			m.proto = g.chance(50) ? 6 : 17;
		if (m.proto && g.chance(50))
			m.src_port = random_range(g, 65535);
		uint32_t base = g.below(4) * 1000;
		if (m.proto && g.chance(50))
			m.dst_port = g.chance(50) ? random_range(g, 65535) : config::Range{base, base + 999};
		if (g.chance(15))
			m.dscp = uint8_t(g.below(4));
		if (g.chance(15))
			m.vlan = uint16_t(g.below(4));
		if (g.chance(15))
			m.frame_size = random_range(g, 2000);
		cfg.rules.push_back(r);
	}
	return cfg;
}

// A key whose fields sit on, just inside or just outside the rules' edges.
inline packet::FlowKey random_key(Gen &g, const config::Config &cfg)
{
	packet::FlowKey k;
	const config::RuleMatch *near = cfg.rules.empty() ? nullptr : &cfg.rules[g.below(uint32_t(cfg.rules.size()))].match;
	auto edge = [&](const std::optional<config::Range> &r, uint32_t max) -> uint32_t {
		if (!r || g.chance(20))
			return g.below(max + 1);
		int64_t v = (g.chance(50) ? r->lo : r->hi) + int64_t(g.below(3)) - 1;
		return uint32_t(std::clamp<int64_t>(v, 0, max));
	};
	unsigned kind = g.below(10);
	if (kind == 0) { // non-IP
		k.ether_type = g.chance(50) ? 0x0806 : 0x88cc;
	} else {
		k.ip_version = (near && near->src && g.chance(80)) ? near->src->family : (g.chance(50) ? 4 : 6);
		k.ether_type = k.ip_version == 4 ? 0x0800 : 0x86dd;
		k.proto = (near && near->proto && g.chance(80)) ? *near->proto : uint8_t(g.chance(10) ? 0 : 6 + 11 * g.below(2));
		k.dscp = uint8_t(g.below(5));
		unsigned bytes = k.ip_version == 4 ? 4 : 16;
		for (unsigned i = 0; i < bytes; i++) {
			k.src[i] = uint8_t(g.below(5));
			k.dst[i] = uint8_t(g.below(5));
		}
		if (near && near->src && near->src->family == k.ip_version && g.chance(60))
			for (unsigned i = 0; i < bytes; i++)
				k.src[i] = g.chance(90) ? near->src->addr[i] : uint8_t(g.below(256));
		if (near && near->dst && near->dst->family == k.ip_version && g.chance(60))
			for (unsigned i = 0; i < bytes; i++)
				k.dst[i] = g.chance(90) ? near->dst->addr[i] : uint8_t(g.below(256));
		if ((k.proto == 6 || k.proto == 17) && g.chance(90)) {
			k.l4_offset = 34;
			k.src_port = uint16_t(edge(near ? near->src_port : std::nullopt, 65535));
			k.dst_port = uint16_t(edge(near ? near->dst_port : std::nullopt, 65535));
		}
	}
	k.vlan_count = uint8_t(g.below(3));
	for (unsigned i = 0; i < k.vlan_count; i++)
		k.vlan_ids[i] = uint16_t(near && near->vlan && g.chance(50) ? *near->vlan : g.below(5));
	k.frame_len = edge(near ? near->frame_size : std::nullopt, 2000);
	if (g.chance(1))
		k.frame_len = 70000 + g.below(1000); // larger than a u16: clamps the same way in both
	return k;
}

inline std::string describe(const packet::FlowKey &k)
{
	char buf[200];
	std::snprintf(buf, sizeof(buf), "v%d ether 0x%x proto %d ports %d>%d l4 %d dscp %d vlans %d(%d,%d) len %u src0 %d dst0 %d",
		      k.ip_version, k.ether_type, k.proto, k.src_port, k.dst_port, k.l4_offset, k.dscp, k.vlan_count,
		      k.vlan_ids[0], k.vlan_ids[1], k.frame_len, k.src[0], k.dst[0]);
	return buf;
}

} // namespace tripath::testing
