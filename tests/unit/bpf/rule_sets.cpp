#include "rule_sets.h"

#include <algorithm>

namespace tripath::test {

namespace {

config::Prefix random_prefix(Rng &g, uint8_t family)
{
	config::Prefix p;
	p.family = family;
	p.len = uint8_t(g.below(family == 4 ? 33 : 129));
	for (unsigned i = 0; i < (family == 4 ? 4u : 16u); i++)
		p.addr[i] = uint8_t(g.below(4)); // the frames' alphabet, so prefixes get hit
	for (unsigned bit = p.len; bit < 128; bit++)
		p.addr[bit / 8] &= uint8_t(~(0x80 >> (bit % 8)));
	return p;
}

config::Range random_range(Rng &g, uint32_t lo_min, uint32_t max)
{
	uint32_t a = lo_min + g.below(max - lo_min + 1), b = lo_min + g.below(max - lo_min + 1);
	if (g.chance(30))
		b = a;
	return {std::min(a, b), std::max(a, b)};
}

config::Prefix prefix(uint8_t family, std::initializer_list<uint8_t> bytes, uint8_t len)
{
	config::Prefix p;
	p.family = family;
	std::copy(bytes.begin(), bytes.end(), p.addr.begin());
	p.len = len;
	return p;
}

config::RuleConfig rule(const char *name, config::PathKind path, config::RuleMatch m)
{
	config::RuleConfig r;
	r.name = name;
	r.path = path;
	r.match = m;
	return r;
}

uint32_t edge(Rng &g, const config::Range &r, uint32_t max)
{
	const int64_t v = int64_t(g.chance(50) ? r.lo : r.hi) + int64_t(g.below(3)) - 1;
	return uint32_t(std::clamp<int64_t>(v, 0, max));
}

// Host bits random; then maybe the last network bit flipped (just outside) or the first host
// bit flipped (just inside).
void aim_prefix(Rng &g, const config::Prefix &p, std::array<uint8_t, 16> &addr)
{
	const unsigned bits = p.family == 4 ? 32 : 128;
	addr = {};
	for (unsigned i = 0; i < bits / 8; i++)
		addr[i] = g.chance(70) ? uint8_t(g.below(4)) : g.byte();
	for (unsigned bit = 0; bit < p.len; bit++) {
		const uint8_t mask = uint8_t(0x80 >> (bit % 8));
		addr[bit / 8] = uint8_t((addr[bit / 8] & ~mask) | (p.addr[bit / 8] & mask));
	}
	const unsigned what = g.below(4);
	unsigned flip = bits;
	if (what == 1 && p.len > 0)
		flip = p.len - 1u;
	else if (what == 2 && p.len < bits)
		flip = p.len;
	if (flip < bits)
		addr[flip / 8] ^= uint8_t(0x80 >> (flip % 8));
}

} // namespace

config::Config random_rules(Rng &g, unsigned n)
{
	config::Config cfg;
	for (unsigned i = 0; i < n; i++) {
		config::RuleConfig r;
		r.name = "r" + std::to_string(i);
		r.path = config::PathKind(g.below(4));
		config::RuleMatch &m = r.match;
		const uint8_t family = g.chance(50) ? 4 : 6;
		if (g.chance(10))
			m.ether_type = g.chance(40) ? 0x0806 : (family == 4 ? 0x0800 : 0x86dd);
		if (g.chance(40))
			m.src = random_prefix(g, family);
		if (g.chance(40))
			m.dst = random_prefix(g, family);
		if (g.chance(45)) {
			const uint8_t protos[] = {6, 17, 132, 1, 58};
			m.proto = protos[g.below(5)];
		}
		const bool ports = m.proto ? g.chance(60) : g.chance(10);
		if (ports && g.chance(50)) {
			m.src_port = random_range(g, 0, 65535);
			if (g.chance(15))
				m.src_port->lo = 0; // port 0 is also what a frame without ports carries
		}
		const uint32_t base = g.below(4) * 1000;
		if (ports && g.chance(60))
			m.dst_port = g.chance(50) ? random_range(g, 0, 65535) : config::Range{base, base + 999};
		if (g.chance(15))
			m.dscp = g.chance(20) ? 46 : uint8_t(g.below(4));
		if (g.chance(15))
			m.vlan = uint16_t(g.below(4));
		if (g.chance(15))
			m.frame_size = g.chance(90) ? random_range(g, 14, 2000) : random_range(g, 1000, 65535);
		cfg.rules.push_back(r);
	}
	return cfg;
}

config::Config edge_rules()
{
	using config::PathKind;
	using config::RuleMatch;
	config::Config cfg;
	auto add = [&](const char *name, PathKind path, auto fill) {
		RuleMatch m;
		fill(m);
		cfg.rules.push_back(rule(name, path, m));
	};
	add("vlan-100-any-tag", PathKind::drop, [](RuleMatch &m) { m.vlan = 100; });
	add("tiny-frames", PathKind::drop, [](RuleMatch &m) { m.frame_size = config::Range{14, 63}; });
	add("rpc-v4", PathKind::fast, [](RuleMatch &m) {
		m.src = prefix(4, {10, 1, 2, 0}, 23);
		m.proto = 17;
		m.dst_port = config::Range{7000, 7999};
	});
	add("bulk-v6", PathKind::bulk, [](RuleMatch &m) {
		m.dst = prefix(6, {0xfd, 0x00, 0x00, 0x01, 0x80}, 33);
		m.proto = 6;
		m.src_port = config::Range{1024, 1024};
	});
	add("dscp-ef", PathKind::kernel, [](RuleMatch &m) { m.dscp = 46; });
	add("mid-frames", PathKind::drop, [](RuleMatch &m) { m.frame_size = config::Range{1000, 1500}; });
	add("arp", PathKind::kernel, [](RuleMatch &m) { m.ether_type = 0x0806; });
	add("src-port-0", PathKind::bulk, [](RuleMatch &m) { m.src_port = config::Range{0, 0}; });
	add("host-v4", PathKind::fast, [](RuleMatch &m) { m.dst = prefix(4, {192, 168, 1, 1}, 32); });
	add("dns-any-l4", PathKind::kernel, [](RuleMatch &m) { m.dst_port = config::Range{53, 53}; });
	add("sctp-v6", PathKind::drop, [](RuleMatch &m) {
		m.src = prefix(6, {}, 0);
		m.proto = 132;
	});
	add("udp-rest", PathKind::fast, [](RuleMatch &m) { m.proto = 17; });
	add("vlan-0", PathKind::bulk, [](RuleMatch &m) { m.vlan = 0; });
	add("link-local-v6", PathKind::kernel, [](RuleMatch &m) { m.src = prefix(6, {0xfe, 0x80}, 10); });
	add("v6-dscp-0", PathKind::fast, [](RuleMatch &m) {
		m.ether_type = 0x86dd;
		m.dscp = 0;
	});
	add("jumbo-and-up", PathKind::kernel, [](RuleMatch &m) { m.frame_size = config::Range{9000, 65535}; });
	add("high-src-ports", PathKind::bulk, [](RuleMatch &m) {
		m.proto = 6;
		m.src_port = config::Range{65535, 65535};
	});
	add("low-dst-ports", PathKind::drop, [](RuleMatch &m) { m.dst_port = config::Range{0, 1}; });
	add("any-v4", PathKind::bulk, [](RuleMatch &m) { m.src = prefix(4, {}, 0); });
	add("lldp", PathKind::drop, [](RuleMatch &m) { m.ether_type = 0x88cc; });
	return cfg;
}

FrameSpec boundary_spec(Rng &g, const config::Config &cfg)
{
	FrameSpec s = random_spec(g);
	if (cfg.rules.empty())
		return s;
	const config::RuleMatch &m = cfg.rules[g.below(uint32_t(cfg.rules.size()))].match;
	// Well-formed headers; the fuzz frames cover malformed ones.
	s.version_nibble = 0;
	s.total_length = -1;
	if (s.tcp_doff < 5)
		s.tcp_doff = 5;
	if (s.tpids.size() > 2)
		s.tpids.resize(2), s.tcis.resize(2);

	uint8_t family = m.src ? m.src->family : m.dst ? m.dst->family : 0;
	if (!family && m.ether_type)
		family = *m.ether_type == 0x0800 ? 4 : *m.ether_type == 0x86dd ? 6 : 0;
	if (!family && !m.ether_type && (m.proto || m.dscp || m.src_port || m.dst_port))
		family = g.chance(50) ? 4 : 6;
	if (family || m.ether_type) {
		s.ip_version = family;
		s.ether_type = family == 4 ? 0x0800 : family == 6 ? 0x86dd : *m.ether_type;
	}
	if (s.ip_version == 4) {
		s.ext.clear();
		if (g.chance(80))
			s.frag = g.chance(90) ? 0 : 0x2000;  // whole, or a first fragment (ports present)
	} else if (s.ip_version == 6) {
		s.ihl = 5;
		if (s.ext.size() > 3)
			s.ext.resize(3);
		if (g.chance(80))
			s.frag6 = g.chance(90) ? 0 : 1;
	}
	if (m.proto && g.chance(90))
		s.proto = *m.proto;
	if (m.src && m.src->family == s.ip_version && g.chance(90))
		aim_prefix(g, *m.src, s.src);
	if (m.dst && m.dst->family == s.ip_version && g.chance(90))
		aim_prefix(g, *m.dst, s.dst);
	if (m.src_port)
		s.sport = uint16_t(edge(g, *m.src_port, 65535));
	if (m.dst_port)
		s.dport = uint16_t(edge(g, *m.dst_port, 65535));
	if (m.dscp)
		s.dscp = uint8_t(std::clamp<int>(int(*m.dscp) + int(g.below(5) < 3 ? 0 : g.chance(50) ? 1 : -1), 0, 63));
	if (m.vlan) {
		// The VID in the outer or the inner tag, exactly or off by one.
		const int off_by = g.chance(80) ? 0 : g.chance(50) ? 1 : -1;
		const uint16_t vid = uint16_t(std::clamp<int>(int(*m.vlan) + off_by, 0, 4095));
		const unsigned tags = 1 + g.below(2), at = g.below(tags);
		s.tpids.assign(tags, 0x8100);
		s.tcis.assign(tags, 0);
		if (tags == 2)
			s.tpids[0] = g.chance(50) ? 0x88a8 : 0x9100;
		for (unsigned i = 0; i < tags; i++)
			s.tcis[i] = uint16_t(g.below(8) << 13 | (i == at ? vid : g.below(6)));
	}
	if (m.frame_size)
		s.pad_to = std::min<uint32_t>(edge(g, *m.frame_size, 70000), g.chance(98) ? 9100 : 70000);
	return s;
}

} // namespace tripath::test
