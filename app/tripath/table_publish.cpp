// New rule and quota tables, for the shell's rule and tenant commands and for the guardian:
// everything that can refuse (checks, compilation, the split ports' XDP maps) runs before
// anything is published, so a refused change leaves the tables in force untouched.
#include <cinttypes>
#include <cstdio>

#include <rte_rcu_qsbr.h>

#include "runtime.h"

namespace tripath::app {

bool stage_tables(Runtime &rt, StagedTables &staged, const std::string &source, std::string &error)
{
	try {
		config::Config next = rt.dp->config();
		if (staged.tenants)
			next.tenants = *staged.tenants;
		if (staged.rules) {
			config::check_rules(*staged.rules, source, staged.warnings);
			next.rules = *staged.rules;
			staged.rule_table = classify::RuleTable::build(next);
		}
		if (staged.tenants)
			staged.quota_table = quota::QuotaTable::build(next, unsigned(rt.dp->workers().size()), &rt.dp->quotas());
		if (staged.rules)
			for (Runtime::SplitPort &sp : rt.split_ports)
				sp.rules->stage(next);
	} catch (const config::ConfigError &e) {
		error = e.what();
		return false;
	} catch (const std::exception &e) {
		error = source + ": " + e.what();
		return false;
	}
	return true;
}

uint64_t publish_tables(Runtime &rt, StagedTables &staged)
{
	if (staged.rules) {
		rt.dp->publish_rules(std::move(staged.rule_table), std::move(*staged.rules));
		for (Runtime::SplitPort &sp : rt.split_ports)
			sp.rules->commit();
	}
	if (staged.tenants)
		rt.dp->publish_quotas(std::move(staged.quota_table), std::move(*staged.tenants));
	if (rt.verbose >= 2)
		std::printf("tripath: published%s%s (rule generation %" PRIu64 ")\n", staged.rules ? " rules" : "",
			    staged.tenants ? " tenant quotas" : "", rt.dp->rule_generation());
	// Passed by every worker once each has reported a quiescent state after the swaps above.
	return rte_rcu_qsbr_start(rt.dp->qsbr);
}

} // namespace tripath::app
