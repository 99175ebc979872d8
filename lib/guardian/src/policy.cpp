#include <tripath/guardian/policy.h>

#include <tripath/classify/reference.h>

#include <algorithm>

namespace tripath::guardian {

namespace {

using config::PathKind;

bool has_ports(uint8_t proto) { return proto == 6 || proto == 17 || proto == 132; }

packet::FlowKey flow_key(const telemetry::FlowId &f, uint32_t frame_len)
{
	packet::FlowKey k;
	k.ip_version = f.family;
	k.ether_type = f.family == 4 ? 0x0800 : 0x86dd;
	k.proto = f.proto;
	k.src = f.src;
	k.dst = f.dst;
	k.src_port = f.src_port;
	k.dst_port = f.dst_port;
	k.l3_offset = 14;
	k.l4_offset = has_ports(f.proto) ? 34 : 0;
	k.frame_len = frame_len;
	return k;
}

bool in_prefix(const config::Prefix &p, const telemetry::FlowId &f)
{
	if (p.family != f.family)
		return false;
	for (unsigned bit = 0; bit < p.len; bit++) {
		uint8_t mask = uint8_t(0x80 >> (bit % 8));
		if ((p.addr[bit / 8] & mask) != (f.src[bit / 8] & mask))
			return false;
	}
	return true;
}

std::string tenant_of(const std::vector<config::TenantConfig> &tenants, const telemetry::FlowId &f)
{
	std::string best;
	int best_len = -1;
	for (const auto &t : tenants)
		for (const auto &p : t.prefixes)
			if (in_prefix(p, f) && int(p.len) > best_len) {
				best = t.name;
				best_len = p.len;
			}
	return best;
}

bool is_protected(const config::Config &cfg, const telemetry::FlowId &f, uint32_t frame_len)
{
	packet::FlowKey k = flow_key(f, frame_len);
	for (const auto &c : cfg.intent.protected_classes)
		for (const auto &m : c.matches)
			if (classify::rule_matches(m, k))
				return true;
	return false;
}

bool already_ruled(const std::vector<config::RuleConfig> &rules, const config::RuleMatch &m)
{
	std::string text = describe_match(m);
	return std::ranges::any_of(rules, [&](const auto &r) { return describe_match(r.match) == text; });
}

} // namespace

config::RuleMatch flow_match(const telemetry::FlowId &f)
{
	config::RuleMatch m;
	uint8_t len = f.family == 4 ? 32 : 128;
	m.src = config::Prefix{f.family, f.src, len};
	m.dst = config::Prefix{f.family, f.dst, len};
	m.proto = f.proto;
	if (has_ports(f.proto)) {
		m.src_port = config::Range{f.src_port, f.src_port};
		m.dst_port = config::Range{f.dst_port, f.dst_port};
	}
	return m;
}

std::vector<Proposal> AdaptivePolicy::propose(const PolicyInput &in, const config::Config &cfg,
					      const std::vector<config::RuleConfig> &rules,
					      const std::vector<config::TenantConfig> &tenants) const
{
	std::vector<Proposal> out;
	double secs = in.window_s > 0 ? in.window_s : 1;
	// Promotions go hottest first by packets (merge_windows ranks by bytes, as demotions want).
	std::vector<telemetry::FlowEstimate> hottest = in.flows[size_t(PathKind::kernel)];
	std::ranges::stable_sort(hottest, [](const auto &a, const auto &b) { return a.packets > b.packets; });
	const std::string endpoint = cfg.paths.fast_endpoints.empty() ? "" : cfg.paths.fast_endpoints.front().name;
	const std::string peer = cfg.paths.bulk.peers.empty() ? "" : cfg.paths.bulk.peers.front().name;
	auto promote_wanted = [&](double pps, double, uint32_t mean) { return pps >= options_.promote_min_pps && mean <= options_.small_max_bytes; };
	auto demote_wanted = [&](double, double bps, uint32_t mean) { return bps >= options_.elephant_min_bytes_per_s && mean >= options_.large_min_bytes; };
	auto steer = [&](const std::vector<telemetry::FlowEstimate> &flows, PathKind to, const std::string &target, auto wanted) {
		if (target.empty())
			return;
		for (const auto &e : flows) {
			if (out.size() >= options_.max_proposals || e.packets == 0)
				return;
			double pps = double(e.packets) / secs, bytes_per_s = double(e.bytes) / secs;
			uint32_t mean = uint32_t(e.bytes / e.packets);
			if (!wanted(pps, bytes_per_s, mean) || is_protected(cfg, e.flow, mean))
				continue;
			config::RuleMatch m = flow_match(e.flow);
			if (already_ruled(rules, m))
				continue;
			Proposal p;
			p.source = Proposer::policy();
			p.kind = to == PathKind::fast ? ProposalKind::promote_flow : ProposalKind::demote_flow;
			p.path = to;
			p.target = target;
			p.flow = m;
			p.tenant = tenant_of(tenants, e.flow);
			out.push_back(std::move(p));
		}
	};
	steer(hottest, PathKind::fast, endpoint, promote_wanted);
	steer(in.flows[size_t(PathKind::fast)], PathKind::bulk, peer, demote_wanted);

	// Meter cut: a tenant over its fast-path SLO; the heaviest other fast-path tenant pays.
	for (const auto &[victim, seen] : in.observed.tenants) {
		uint32_t slo = cfg.intent.slo.fast_p99_us_for(victim);
		if (out.size() >= options_.max_proposals || !slo || !seen.fast_p99_us || *seen.fast_p99_us <= slo)
			continue;
		const std::string *heavy = nullptr;
		double heavy_pps = 0;
		// clang before 16 cannot capture a structured binding: the lambda below captures it by name.
		for (const auto &[name, other] : in.observed.tenants)
			if (name != victim && !name.empty() && other.rate[size_t(PathKind::fast)].pps > heavy_pps &&
			    std::ranges::any_of(tenants, [&name = name](const auto &t) { return t.name == name; })) {
				heavy = &name;
				heavy_pps = other.rate[size_t(PathKind::fast)].pps;
			}
		if (!heavy || heavy_pps < 1)
			continue;
		Proposal p;
		p.source = Proposer::policy();
		p.kind = ProposalKind::set_meter;
		p.path = PathKind::fast;
		p.tenant = *heavy;
		p.pps = std::max<uint64_t>(1, uint64_t(heavy_pps * (100 - options_.meter_cut_pct) / 100));
		out.push_back(std::move(p));
		break; // one cut per window: its effect shows in the next one
	}
	return out;
}

} // namespace tripath::guardian
