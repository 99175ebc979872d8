#include <tripath/guardian/connectivity.h>
#include <tripath/guardian/proposal.h>

#include <tripath/classify/reference.h>

#include "match_region.h"

#include <cstdio>

namespace tripath::guardian {

namespace {

using detail::Region;

std::string format_key(const packet::FlowKey &k)
{
	char buf[160];
	if (k.ip_version == 0) {
		std::snprintf(buf, sizeof buf, "a non-IP frame, ether_type 0x%04x", k.ether_type);
		return buf;
	}
	config::RuleMatch m;
	config::Prefix src{k.ip_version, k.src, uint8_t(k.ip_version == 4 ? 32 : 128)};
	config::Prefix dst{k.ip_version, k.dst, src.len};
	m.src = src;
	m.dst = dst;
	m.proto = k.proto;
	if (k.l4_offset) {
		m.src_port = config::Range{k.src_port, k.src_port};
		m.dst_port = config::Range{k.dst_port, k.dst_port};
	}
	return describe_match(m);
}

// Where first-match sends the example: the rule's name and path.
std::string first_match(const std::vector<config::RuleConfig> &rules, const packet::FlowKey &key)
{
	for (const auto &r : rules)
		if (classify::rule_matches(r.match, key))
			return "rule '" + r.name + "' sends it to path " + config::path_kind_name(r.path);
	return "no rule matches it (path kernel)";
}

bool shadowed(const std::vector<config::RuleConfig> &rules, size_t before, const Region &overlap)
{
	for (size_t j = 0; j < before; j++)
		for (const auto &r : detail::regions_of(rules[j].match))
			if (detail::covers(r, overlap))
				return true;
	return false;
}

} // namespace

bool matches_overlap(const config::RuleMatch &a, const config::RuleMatch &b)
{
	for (const auto &ra : detail::regions_of(a))
		for (const auto &rb : detail::regions_of(b))
			if (detail::intersect(ra, rb))
				return true;
	return false;
}

std::optional<ConnectivityViolation> check_connectivity(const std::vector<config::ProtectedClass> &classes,
							const std::vector<config::RuleConfig> &rules,
							std::span<const size_t> changed)
{
	for (size_t i : changed) {
		const config::RuleConfig &rule = rules.at(i);
		if (rule.path == config::PathKind::kernel)
			continue;
		for (const auto &cls : classes)
			for (const auto &cm : cls.matches)
				for (const auto &pr : detail::regions_of(cm))
					for (const auto &rr : detail::regions_of(rule.match)) {
						auto overlap = detail::intersect(pr, rr);
						if (!overlap || shadowed(rules, i, *overlap))
							continue;
						packet::FlowKey key = detail::witness(*overlap);
						return ConnectivityViolation{
							cls.name, rule.name,
							"rule '" + rule.name + "' (path " + config::path_kind_name(rule.path) +
								") can take " + cls.name + " traffic: e.g. " + format_key(key) +
								": " + first_match(rules, key)};
					}
	}
	return std::nullopt;
}

} // namespace tripath::guardian
