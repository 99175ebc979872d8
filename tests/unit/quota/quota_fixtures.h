// Config structs built by hand (the YAML quota syntax is not parsed yet) and flow keys.
#pragma once

#include <cstring>
#include <stdexcept>
#include <string>
#include <vector>

#include <arpa/inet.h>

#include <tripath/quota/quota_table.h>

namespace tripath::quota::test {

inline config::Prefix prefix(const std::string &text)
{
	config::Prefix p;
	size_t slash = text.find('/');
	std::string addr = text.substr(0, slash);
	if (inet_pton(AF_INET, addr.c_str(), p.addr.data()) == 1)
		p.family = 4;
	else if (inet_pton(AF_INET6, addr.c_str(), p.addr.data()) == 1)
		p.family = 6;
	else
		throw std::invalid_argument("bad prefix " + text);
	p.len = uint8_t(slash == std::string::npos ? (p.family == 4 ? 32 : 128) : std::stoi(text.substr(slash + 1)));
	return p;
}

inline config::TenantConfig tenant(const std::string &name, const std::vector<std::string> &prefixes = {},
				   config::OverQuota over = config::OverQuota::drop)
{
	config::TenantConfig t;
	t.name = name;
	for (const std::string &p : prefixes)
		t.prefixes.push_back(prefix(p));
	t.over_quota = over;
	return t;
}

inline config::PathQuota rate(std::optional<uint64_t> pps, std::optional<uint64_t> bps, uint32_t burst_ms = 10)
{
	config::PathQuota q;
	q.pps = pps;
	q.bps = bps;
	q.burst_ms = burst_ms;
	return q;
}

inline void set_quota(config::TenantConfig &t, config::PathKind path, const config::PathQuota &q)
{
	t.quota[size_t(path)] = q;
}

inline packet::FlowKey key_from(const std::string &src)
{
	packet::FlowKey k;
	if (inet_pton(AF_INET, src.c_str(), k.src.data()) == 1) {
		k.ip_version = 4;
		k.ether_type = 0x0800;
	} else if (inet_pton(AF_INET6, src.c_str(), k.src.data()) == 1) {
		k.ip_version = 6;
		k.ether_type = 0x86dd;
	} else {
		throw std::invalid_argument("bad address " + src);
	}
	return k;
}

inline classify::Verdict on(config::PathKind path, uint16_t rule_tenant = classify::kNoTarget)
{
	classify::Verdict v;
	v.path = path;
	v.tenant = rule_tenant;
	return v;
}

} // namespace tripath::quota::test
