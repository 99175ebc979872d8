// A config rule's verdict: path plus the indexes of its endpoint/peer and tenant.
#pragma once

#include <tripath/classify/rule_table.h>

namespace tripath::classify {

template <typename T> uint16_t index_named(const std::vector<T> &items, const std::string &name)
{
	for (size_t i = 0; i < items.size(); i++)
		if (items[i].name == name)
			return uint16_t(i);
	return kNoTarget;
}

inline Verdict verdict_of(const config::Config &cfg, size_t rule_index)
{
	const config::RuleConfig &rc = cfg.rules[rule_index];
	Verdict v;
	v.path = rc.path;
	v.rule = uint32_t(rule_index);   // tables may hold more than 65,535 rules
	if (rc.path == config::PathKind::fast)
		v.target = index_named(cfg.paths.fast_endpoints, rc.target);
	else if (rc.path == config::PathKind::bulk)
		v.target = index_named(cfg.paths.bulk.peers, rc.target);
	if (!rc.tenant.empty())
		v.tenant = index_named(cfg.tenants, rc.tenant);
	return v;
}

} // namespace tripath::classify
