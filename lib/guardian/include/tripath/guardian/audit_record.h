// Decisions and actions as lib/audit records (doc/guardian-audit.md): proposer "policy",
// "operator" or "client:<id>"; tenants = every tenant concerned (so `tripath-audit export
// --tenant` shows each its own); per-tenant numbers under "tenant/<name>/".
#pragma once

#include <tripath/audit/record.h>
#include <tripath/guardian/guardian.h>

namespace tripath::guardian {

// decision APPROVE | CLAMP | REJECT | FAILSAFE, reason its code, diff the change (if any),
// proposal the JSON as received, observed the guardian's numbers plus `observed`'s: path A
// share, path C rate, and for each tenant concerned its fast p99 and per-path rates.
audit::Record make_record(const Decision &decision, const ObservedState &observed);

// ROLLBACK | FAILSAFE | FAILSAFE_EXIT | CANARY_PASSED.
audit::Record make_record(const Action &action, const ObservedState &observed);

} // namespace tripath::guardian
