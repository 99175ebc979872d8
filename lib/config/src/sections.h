// One reader per top-level section; later sections check their references against earlier ones.
#pragma once

#include "reader.h"

namespace tripath::config::detail {

inline constexpr unsigned max_lcore_id = 127;

EalConfig read_eal(const Field &f);
std::vector<PortConfig> read_ports(const Field &f);
// eal is null when the file has no eal section: ids are then not checked against it.
std::vector<LcoreConfig> read_lcores(const Field &f, const Config &cfg, const EalConfig *eal);
// Warnings (an endpoint whose answers nobody reads) are appended to `warnings`.
PathsConfig read_paths(const Field &f, const Config &cfg, std::vector<std::string> &warnings);
// Warnings (over_quota with nothing to demote) are appended to `warnings`.
std::vector<TenantConfig> read_tenants(const Field &f, std::vector<std::string> &warnings);
// who names the quota in messages: "tenant 'acme': quota.kernel", or "quota" in the shell.
PathQuota read_quota(const Field &f, const std::string &who);
ControlConfig read_control(const Field &f);
// In file order; check_rule_list sorts and checks the list as a whole.
std::vector<RuleConfig> read_rules(const Field &f, const Config &cfg);
RuleConfig read_rule(const Field &f, const Config &cfg);
RuleMatch read_match(const Field &f);
// check_rules, blaming `list` (the rules key, or 1:1) for what belongs to no single rule.
void check_rule_list(std::vector<RuleConfig> &rules, const SourceLoc &list,
		     std::vector<std::string> &warnings);

} // namespace tripath::config::detail
