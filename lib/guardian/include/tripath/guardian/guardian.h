// The guardian: the only thing that may change steering at run time. It decides proposals
// against the intent (deterministically, given the proposal, the observed state and `now`),
// watches each applied change for a canary window, and falls back to the config's static
// profile (FAILSAFE) on repeated invariant rejects or a persisting SLO breach.
//
// Single-threaded: the control lcore owns it. The daemon's loop, per period:
//   Decision d = g.decide(proposal, observed, now);     // for each proposal received
//   audit.append(make_record(d, observed));             // before applying (lib/audit doc)
//   if (d.change) { publish d.change (rules and/or quotas); g.commit(d, now); }
//   for (Action a : g.observe(observed, now)) {          // once per period
//           audit.append(make_record(a, observed));
//           if (a.change) { publish a.change; g.commit(a, now); }
//   }
// Operator commands: set_autonomy, enter_failsafe, exit_failsafe, status.
#pragma once

#include <cstdint>
#include <deque>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include <tripath/config/config.h>
#include <tripath/guardian/apply.h>
#include <tripath/guardian/observed.h>
#include <tripath/guardian/proposal.h>
#include <tripath/guardian/reason.h>

namespace tripath::guardian {

struct Decision {
	Verdict verdict = Verdict::reject;
	Reason reason = Reason::ok;
	std::string detail;                    // human words: which limit, which class, which tenant
	Proposal proposal;                     // as received
	Proposal effective;                    // after CLAMP (= proposal otherwise)
	std::optional<Change> change;          // APPROVE, CLAMP: apply it; FAILSAFE: the static profile
	std::optional<Verdict> would_be;       // autonomy propose-only: what bounded would have decided
	std::vector<std::string> tenants;      // every tenant the proposal concerns (audit scope)
	std::map<std::string, std::string> observed; // the guardian's own numbers the decision used
};

// What observe() or the operator's failsafe commands ask the daemon to do.
enum class ActionKind {
	rollback,       // publish change (the lists before the regressing changes), audit ROLLBACK
	failsafe,       // publish change (the static profile), audit FAILSAFE
	failsafe_exit,  // nothing to publish, audit it
	canary_passed,  // nothing to publish, audit it (the change is now permanent)
};
std::string_view action_name(ActionKind kind); // ROLLBACK, FAILSAFE, FAILSAFE_EXIT, CANARY_PASSED

struct Action {
	ActionKind kind = ActionKind::canary_passed;
	Reason reason = Reason::ok;
	std::string detail;
	std::string proposer;                  // audit proposer: the original change's, "policy" for the guardian's own, "operator"
	std::string proposal;                  // the JSON of the change concerned, if any
	std::optional<Change> change;
	std::vector<std::string> tenants;
	std::map<std::string, std::string> observed;
};

struct GuardianStatus {
	config::Autonomy autonomy = config::Autonomy::off;
	bool failsafe = false;
	std::string failsafe_reason;
	size_t canaries = 0;                   // changes in their canary window
	size_t adaptive_canaries = 0;          // ... of them not the operator's
	double tokens = 0;                     // mutations available now
	size_t recent_rejects = 0;             // invariant rejects within the failsafe window
	uint64_t decisions = 0, approved = 0, clamped = 0, rejected = 0, rollbacks = 0, failsafes = 0;
};

class Guardian {
public:
	// `cfg` is the static profile (its rules and tenants are what FAILSAFE restores), the
	// intent, and the endpoints, peers and tenants proposals may name. A Config built by hand
	// should set intent.protected_classes (config::builtin_protected_classes()).
	explicit Guardian(const config::Config &cfg, uint64_t now_ns = 0);

	// Decide one proposal. Never applies anything itself; mutates only the guardian's own
	// bookkeeping (token bucket, reject window, FAILSAFE entry).
	Decision decide(const Proposal &proposal, const ObservedState &observed, uint64_t now_ns);

	// The daemon published decision.change (or action.change): adopt it as the current lists;
	// an APPROVE/CLAMP change starts its canary window, the latest observed state its baseline.
	void commit(const Decision &decision, uint64_t now_ns);
	void commit(const Action &action, uint64_t now_ns);

	// One period's SLO sample: persisting breaches (FAILSAFE), canary regressions (ROLLBACK of
	// every change still in its window, back to the lists before the oldest), windows that
	// ended clean (CANARY_PASSED). In that order of precedence; at most one FAILSAFE or ROLLBACK.
	std::vector<Action> observe(const ObservedState &observed, uint64_t now_ns);

	// Operator commands.
	Action enter_failsafe(Reason reason, const std::string &detail, uint64_t now_ns);
	std::optional<Action> exit_failsafe(uint64_t now_ns); // nullopt when not in FAILSAFE
	void set_autonomy(config::Autonomy level) { autonomy_ = level; }
	// config reload: `cfg`'s rules, tenants and intent become what FAILSAFE restores and checks.
	void set_static_profile(const config::Config &cfg) { static_ = cfg; }

	GuardianStatus status(uint64_t now_ns) const;
	bool in_failsafe() const { return failsafe_; }
	const std::vector<config::RuleConfig> &rules() const { return rules_; }
	const std::vector<config::TenantConfig> &tenants() const { return tenants_; }

private:
	struct Canary {
		uint64_t ends_ns = 0;
		bool adaptive = false;             // not the operator's: counts against max_adaptive_actions
		std::vector<config::RuleConfig> prev_rules;
		std::vector<config::TenantConfig> prev_tenants;
		ObservedState baseline;
		std::string proposer;
		std::string proposal;
		std::vector<std::string> tenants;
	};

	Decision checked(Decision d, const ObservedState &observed, uint64_t now_ns);
	Decision reject(Decision d, Reason reason, std::string detail, uint64_t now_ns);
	bool clamp_meter(Decision &d, const ObservedState &observed, std::string &detail, Reason &why);
	void refill(uint64_t now_ns);
	size_t adaptive_in_flight() const;
	void prune_rejects(uint64_t now_ns);
	Change restore_static() const;
	Action failsafe_action(Reason reason, const std::string &detail, const std::string &proposer, uint64_t now_ns);
	std::optional<Action> check_breach(const ObservedState &observed, uint64_t now_ns);
	std::optional<Action> check_regression(const ObservedState &observed);

	config::Config static_;                // rules, tenants, paths, intent
	config::Autonomy autonomy_;
	std::vector<config::RuleConfig> rules_;      // current, as published
	std::vector<config::TenantConfig> tenants_;
	uint64_t tokens_ = 0;                  // token bucket, in 1e-9 mutations
	uint64_t refilled_ns_ = 0;
	std::deque<uint64_t> reject_times_;    // invariant rejects within failsafe.reject_window_s
	std::deque<Canary> canaries_;          // oldest first
	std::map<std::string, uint64_t> breach_since_; // SLO key -> first breached sample
	bool failsafe_ = false;
	std::string failsafe_reason_;
	ObservedState last_observed_;
	GuardianStatus counts_;
};

} // namespace tripath::guardian
