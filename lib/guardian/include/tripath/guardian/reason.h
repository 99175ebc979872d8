// Decisions and their reason codes. Names are stable: they go into the audit log
// (lib/audit's reason grammar [a-z0-9_.]) and into tenants' exports.
#pragma once

#include <cstdint>
#include <string_view>

namespace tripath::guardian {

enum class Verdict { approve, clamp, reject, failsafe };
std::string_view verdict_name(Verdict v); // APPROVE, CLAMP, REJECT, FAILSAFE

// Append only; never renumber or rename (doc/guardian.md has the table).
enum class Reason : uint8_t {
	ok,                        // approved as proposed
	magnitude_limit,           // CLAMP: a meter change beyond max_change_pct, cut to the limit
	reserved_minimum,          // CLAMP: a meter below the tenant's reserved minimum, raised to it
	autonomy_off,              // REJECT: only the operator may change steering
	autonomy_propose_only,     // REJECT: passed every check, but autonomy is propose-only
	failsafe_active,           // REJECT: in FAILSAFE, only the operator may change steering
	unsupported,               // REJECT: set_weight (tripath has no queue/endpoint weights)
	unknown_rule,              // REJECT: move_rule names no rule
	unknown_target,            // REJECT: no such fast endpoint / bulk peer, or a path without one
	unknown_tenant,            // REJECT
	invalid,                   // REJECT: a field is out of range (set_meter with nothing, a bad flow)
	no_change,                 // REJECT: the proposal changes nothing
	isolation_scope,           // REJECT: outside the proposer's tenants
	isolation_reserved,        // REJECT: a tenant would fall below its reserved minimum
	connectivity_protected,    // REJECT: a protected class would leave path A
	rate_limit,                // REJECT: mutations per second exceeded
	magnitude_no_reference,    // REJECT: a meter change with neither a current nor an observed rate
	concurrent_actions,        // REJECT: max_adaptive_actions changes are still in their canary window
	rules_per_tenant,          // REJECT: the tenant would have more than max_rules_per_tenant rules
	failsafe_rejects,          // FAILSAFE: this reject made N within the window
	failsafe_slo_breach,       // FAILSAFE: an SLO stayed breached for breach_ms
	failsafe_operator,         // FAILSAFE: the operator entered it
	failsafe_exit,             // the operator left FAILSAFE
	canary_regression,         // ROLLBACK: an SLO regressed within a change's canary window
	canary_passed,             // a change's canary window ended without regression
	failsafe_audit,            // FAILSAFE: the audit log refused a record, so nothing more may change
};
std::string_view reason_name(Reason r); // "magnitude.limit", "isolation.scope", ...

// Rejects that count towards failsafe.rejects: the proposal broke an invariant (as opposed
// to arriving at the wrong time, from the wrong source, or malformed).
bool counts_towards_failsafe(Reason r);

} // namespace tripath::guardian
