// The meaning of a rule, written as plainly as possible: a linear first-match scan. The
// compiled tables (rte_acl in the workers, BPF maps in XDP) are tested against it.
#pragma once

#include <tripath/classify/rule_table.h>

namespace tripath::classify {

// Does `match` accept the packet described by `key`? (No field set: everything matches.)
bool rule_matches(const config::RuleMatch &match, const packet::FlowKey &key);

// The verdict a first-match scan of cfg.rules (already priority-sorted) gives.
Verdict reference_lookup(const config::Config &cfg, const packet::FlowKey &key);

} // namespace tripath::classify
