// Rules, prefixes and quotas as an operator types them in YAML: for show rules, show tenants
// and their --json forms.
#include <cstdio>
#include <sstream>

#include "rule_text.h"

namespace tripath::app {

std::string prefix_text(const config::Prefix &p)
{
	char buf[64];
	if (p.family == 4) {
		std::snprintf(buf, sizeof(buf), "%u.%u.%u.%u/%u", p.addr[0], p.addr[1], p.addr[2], p.addr[3], p.len);
		return buf;
	}
	std::string out;
	for (unsigned i = 0; i < 16; i += 2) {
		std::snprintf(buf, sizeof(buf), "%s%x", i ? ":" : "", unsigned(p.addr[i]) << 8 | p.addr[i + 1]);
		out += buf;
	}
	return out + "/" + std::to_string(p.len);
}

std::string range_text(const config::Range &r)
{
	return r.lo == r.hi ? std::to_string(r.lo) : std::to_string(r.lo) + "-" + std::to_string(r.hi);
}

// The match as the YAML keys an operator would type.
std::string match_text(const config::RuleMatch &m)
{
	std::ostringstream out;
	if (m.ether_type)
		out << " ether_type: 0x" << std::hex << *m.ether_type << std::dec;
	if (m.src)
		out << " src: " << prefix_text(*m.src);
	if (m.dst)
		out << " dst: " << prefix_text(*m.dst);
	if (m.proto)
		out << " proto: " << unsigned(*m.proto);
	if (m.src_port)
		out << " src_port: " << range_text(*m.src_port);
	if (m.dst_port)
		out << " dst_port: " << range_text(*m.dst_port);
	if (m.dscp)
		out << " dscp: " << unsigned(*m.dscp);
	if (m.vlan)
		out << " vlan: " << *m.vlan;
	if (m.frame_size)
		out << " frame_size: " << range_text(*m.frame_size);
	std::string s = out.str();
	return s.empty() ? "(default: matches everything)" : s.substr(1);
}

std::string path_text(const config::RuleConfig &r)
{
	std::string p = config::path_kind_name(r.path);
	return r.target.empty() ? p : p + ":" + r.target;
}

std::string quota_text(const std::optional<config::PathQuota> &q)
{
	if (!q)
		return "-";
	std::string out;
	if (q->pps)
		out += std::to_string(*q->pps) + " pps ";
	if (q->bps)
		out += std::to_string(*q->bps) + " bps ";
	return out + "burst " + std::to_string(q->burst_ms) + " ms";
}

} // namespace tripath::app
