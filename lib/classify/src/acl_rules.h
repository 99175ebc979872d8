// Config rules → rte_acl rules and field definitions for the three contexts of acl_layout.h.
#pragma once

#include <vector>

#include <tripath/config/config.h>

#include "acl_layout.h"

namespace tripath::classify::acl {

// The rules of each context, in config order (rte_acl's priority keeps config order too).
struct CompiledRules {
	std::vector<Rule4> v4;
	std::vector<Rule6> v6;
	std::vector<RuleOther> other;
};

// Rules with taken[i] set are held elsewhere (prefix_buckets.h) and left out; so are the
// non-IP context's rules unless with_non_ip (non_ip_rules.h holds them otherwise).
CompiledRules compile_rules(const config::Config &cfg, const std::vector<bool> &taken, bool with_non_ip);

// Does the rule name a field only IP frames have? (Then no non-IP frame matches it.)
bool has_ip_fields(const config::RuleMatch &m);

rte_acl_config config4();
rte_acl_config config6();
rte_acl_config config_other();

} // namespace tripath::classify::acl
