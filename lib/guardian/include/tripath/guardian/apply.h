// Turning an (already decided) proposal into the lists the dataplane publishes. Pure functions:
// the daemon builds a RuleTable / QuotaTable from the result and calls
// Dataplane::publish_rules(table, change.rules) and/or publish_quotas(table, change.tenants).
#pragma once

#include <string>
#include <vector>

#include <tripath/config/config.h>
#include <tripath/guardian/proposal.h>
#include <tripath/guardian/reason.h>

namespace tripath::guardian {

struct Change {
	std::vector<config::RuleConfig> rules;     // the whole new list, priority-sorted
	std::vector<config::TenantConfig> tenants; // the whole new list
	bool rules_changed = false;                // publish_rules needed
	bool tenants_changed = false;              // publish_quotas needed
	std::string diff;                          // one change per line; "tenant/<name>/..." for a tenant's
	std::vector<std::string> touched_rules;    // names of the new or changed rules
};

struct ApplyResult {
	bool ok = false;
	Change change;
	Reason reason = Reason::ok;                // when !ok
	std::string detail;
};

// What `proposal` does to (rules, tenants). Checks references (rules, endpoints, peers and
// tenants of `context`), the proposer's scope and that something changes; no intent limits
// (those are Guardian::decide's). Inserted rules go just ahead of the first rule that could
// catch the flow, at its priority, unless the proposal names a priority.
ApplyResult apply_proposal(const Proposal &proposal, const config::Config &context,
			   const std::vector<config::RuleConfig> &rules,
			   const std::vector<config::TenantConfig> &tenants);

// One line per difference: rules by name (added, removed, path/target/priority/tenant/match
// changed), tenants' quotas by path (pps, bps). Lines of a tenant's rule or meter start with
// "tenant/<name>/" (lib/audit's export scoping). Empty when the lists are the same.
std::string diff_lists(const std::vector<config::RuleConfig> &old_rules,
		       const std::vector<config::RuleConfig> &new_rules,
		       const std::vector<config::TenantConfig> &old_tenants,
		       const std::vector<config::TenantConfig> &new_tenants);

} // namespace tripath::guardian
