#include <algorithm>
#include <cstring>
#include <stdexcept>
#include <string>

#include "xdp_compile.h"

namespace tripath::classify::xdp {

static_assert(unsigned(config::PathKind::kernel) == TP_PATH_KERNEL && unsigned(config::PathKind::fast) == TP_PATH_FAST &&
	      unsigned(config::PathKind::bulk) == TP_PATH_BULK && unsigned(config::PathKind::drop) == TP_PATH_DROP);

namespace {

[[noreturn]] void refuse(const config::RuleConfig &rule, const std::string &why)
{
	throw std::runtime_error("XDP rules: rule '" + rule.name + "': " + why);
}

// Network-order words of the prefix and of its mask, as the program compares them.
void prefix_words(const config::RuleConfig &rule, const config::Prefix &p, const char *which, __u8 &family,
		  __u32 *net, __u32 *mask)
{
	const unsigned bits = p.family == 4 ? 32 : p.family == 6 ? 128 : 0;
	if (bits == 0 || p.len > bits)
		refuse(rule, std::string(which) + " prefix has family " + std::to_string(p.family) + " and length " +
				     std::to_string(p.len));
	uint8_t m[16] = {}, n[16] = {};
	for (unsigned i = 0; i < 16; i++) {
		const int left = int(p.len) - 8 * int(i);
		m[i] = left >= 8 ? 0xff : left <= 0 ? 0 : uint8_t(0xff << (8 - left));
		n[i] = p.addr[i] & m[i]; // host bits may be set in hand-built configs
	}
	family = p.family;
	std::memcpy(net, n, 16);
	std::memcpy(mask, m, 16);
}

void port_range(const config::RuleConfig &rule, const config::Range &r, const char *which, __u16 &lo, __u16 &hi)
{
	if (r.lo > r.hi || r.hi > 65535)
		refuse(rule, std::string(which) + " range " + std::to_string(r.lo) + "-" + std::to_string(r.hi) +
				     " is not within 0-65535");
	lo = __u16(r.lo);
	hi = __u16(r.hi);
}

tp_xdp_rule compile_rule(const config::RuleConfig &rule)
{
	const config::RuleMatch &m = rule.match;
	tp_xdp_rule r{};
	if (m.ether_type) {
		r.match |= TP_M_ETHER_TYPE;
		r.ether_type = *m.ether_type;
	}
	if (m.src) {
		r.match |= TP_M_SRC;
		prefix_words(rule, *m.src, "src", r.src_family, r.src_net, r.src_mask);
	}
	if (m.dst) {
		r.match |= TP_M_DST;
		prefix_words(rule, *m.dst, "dst", r.dst_family, r.dst_net, r.dst_mask);
	}
	if (m.proto) {
		r.match |= TP_M_PROTO;
		r.proto = *m.proto;
	}
	if (m.src_port) {
		r.match |= TP_M_SRC_PORT;
		port_range(rule, *m.src_port, "src_port", r.src_port_lo, r.src_port_hi);
	}
	if (m.dst_port) {
		r.match |= TP_M_DST_PORT;
		port_range(rule, *m.dst_port, "dst_port", r.dst_port_lo, r.dst_port_hi);
	}
	if (m.dscp) {
		if (*m.dscp > 63)
			refuse(rule, "dscp " + std::to_string(*m.dscp) + " is not within 0-63");
		r.match |= TP_M_DSCP;
		r.dscp = *m.dscp;
	}
	if (m.vlan) {
		if (*m.vlan > 4095)
			refuse(rule, "vlan " + std::to_string(*m.vlan) + " is not within 0-4095");
		r.match |= TP_M_VLAN;
		r.vlan = *m.vlan;
	}
	if (m.frame_size) {
		if (m.frame_size->lo > m.frame_size->hi || m.frame_size->lo > 65535)
			refuse(rule, "frame_size range " + std::to_string(m.frame_size->lo) + "-" +
					     std::to_string(m.frame_size->hi) + " is empty or starts above 65535");
		// Lengths clamp at 65535 on both sides, as in the rte_acl tables.
		r.match |= TP_M_FRAME_SIZE;
		r.frame_lo = __u16(m.frame_size->lo);
		r.frame_hi = __u16(std::min<uint32_t>(m.frame_size->hi, 65535));
	}
	if (unsigned(rule.path) >= TP_PATH_COUNT)
		refuse(rule, "path " + std::to_string(unsigned(rule.path)) + " is unknown");
	r.path = __u8(rule.path);
	return r;
}

} // namespace

std::vector<tp_xdp_rule> compile_rules(const config::Config &cfg)
{
	if (cfg.rules.size() > TP_XDP_MAX_RULES)
		throw std::runtime_error("XDP rules: rule set has " + std::to_string(cfg.rules.size()) +
					 " rules; the XDP classifier holds at most " + std::to_string(TP_XDP_MAX_RULES));
	std::vector<tp_xdp_rule> out;
	out.reserve(cfg.rules.size());
	for (const config::RuleConfig &rule : cfg.rules)
		out.push_back(compile_rule(rule));
	return out;
}

} // namespace tripath::classify::xdp
