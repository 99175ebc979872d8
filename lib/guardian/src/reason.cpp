#include <tripath/guardian/reason.h>

#include <array>

namespace tripath::guardian {

namespace {

constexpr std::array<std::string_view, 26> reason_names = {
	"ok",
	"magnitude.limit",
	"isolation.reserved_minimum",
	"autonomy.off",
	"autonomy.propose_only",
	"failsafe.active",
	"unsupported",
	"invalid.unknown_rule",
	"invalid.unknown_target",
	"invalid.unknown_tenant",
	"invalid.field",
	"invalid.no_change",
	"isolation.scope",
	"isolation.reserved",
	"connectivity.protected",
	"rate.limit",
	"magnitude.no_reference",
	"limit.concurrent_actions",
	"limit.rules_per_tenant",
	"failsafe.rejects",
	"failsafe.slo_breach",
	"failsafe.operator",
	"failsafe.exit",
	"canary.regression",
	"canary.passed",
	"failsafe.audit",
};
static_assert(reason_names.size() == size_t(Reason::failsafe_audit) + 1);

} // namespace

std::string_view verdict_name(Verdict v)
{
	switch (v) {
	case Verdict::approve: return "APPROVE";
	case Verdict::clamp: return "CLAMP";
	case Verdict::reject: return "REJECT";
	case Verdict::failsafe: return "FAILSAFE";
	}
	return "?";
}

std::string_view reason_name(Reason r) { return reason_names.at(size_t(r)); }

bool counts_towards_failsafe(Reason r)
{
	return r == Reason::connectivity_protected || r == Reason::isolation_scope ||
	       r == Reason::isolation_reserved || r == Reason::rules_per_tenant;
}

} // namespace tripath::guardian
