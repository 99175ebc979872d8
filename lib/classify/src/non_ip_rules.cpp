#include "non_ip_rules.h"

#include <tripath/classify/rule_table.h>

#include "acl_rules.h"
#include "bucket_entry.h"

namespace tripath::classify {

std::unique_ptr<NonIpRules> NonIpRules::build(const config::Config &cfg)
{
	std::unique_ptr<NonIpRules> t(new NonIpRules());
	for (size_t i = 0; i < cfg.rules.size(); i++) {
		const config::RuleMatch &m = cfg.rules[i].match;
		if (acl::has_ip_fields(m))
			continue;
		if (t->rules_.size() == kMaxRules)
			return nullptr;
		t->rules_.push_back({uint32_t(i), m.ether_type, m.vlan, m.frame_size});
	}
	return t;
}

// rule_matches (reference.cpp) for a frame that is not IP, with frame_len_of() as the others.
uint32_t NonIpRules::lookup(const packet::FlowKey &k) const
{
	const uint32_t frame_len = frame_len_of(k);
	for (const Rule &r : rules_) {
		if (r.ether_type && k.ether_type != *r.ether_type)
			continue;
		if (r.frame_size && (frame_len < r.frame_size->lo || frame_len > r.frame_size->hi))
			continue;
		if (r.vlan) {
			bool any = false;
			for (unsigned i = 0; i < k.vlan_count && i < packet::kMaxVlans; i++)
				any |= k.vlan_ids[i] == *r.vlan;
			if (!any)
				continue;
		}
		return r.rule;
	}
	return kNoRule;
}

} // namespace tripath::classify
