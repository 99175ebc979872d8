// The guardian as the daemon runs it on the control lcore: decisions, the audit log, the
// observed state built from the dataplane's counters, the workers' flow sketches, and the
// proposal -> applied-on-every-worker latency. Control lcore only (no locks anywhere).
#pragma once

#include <array>
#include <cstdint>
#include <deque>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include <tripath/audit/log.h>
#include <tripath/guardian/guardian.h>
#include <tripath/guardian/policy.h>
#include <tripath/telemetry/flow_sketch.h>

#include "guardian_observe.h"
#include "runtime.h"

namespace tripath::app {

// One packet in this many, on every worker, feeds the sketches: at 64 a worker's cost is a compare
// per burst plus a copy per sample (doc/guardian.md "Cost on the workers").
inline constexpr uint32_t kFlowSampleEvery = 64;
inline constexpr uint64_t kObservePeriodNs = 100'000'000;  // one SLO sample (canary, failsafe)
inline constexpr uint64_t kPolicyWindowNs = 1'000'000'000; // one sketch window for the policy
inline constexpr size_t kLatencySamples = 1 << 16;          // proposal -> applied, newest kept

struct Submitted {
	bool ok = false;                       // decided and (if anything) applied and audited
	std::string text;                      // what the shell prints
};

class GuardianRuntime {
public:
	GuardianRuntime(Runtime &rt, std::unique_ptr<audit::AuditLog> log, std::string audit_key);

	// One proposal (JSON) from the shell, a client or the policy: parse, decide, audit, apply.
	Submitted submit(std::string_view json, const guardian::Proposer &who, uint64_t received_tsc);
	Submitted submit(const guardian::Proposal &proposal, uint64_t received_tsc);
	// Operator: FAILSAFE now / leave it.
	Submitted enter_failsafe(const std::string &why);
	Submitted exit_failsafe();
	std::string set_autonomy(config::Autonomy level, bool &ok);

	// A round of serving control clients: records that decide no change (rejects) are kept and
	// written with one write() by before_answers, which the socket calls before it sends any
	// answer; a change's record is written at once, with those before it, before it is published.
	void begin_round();
	bool before_answers(); // false: deferred records of the round were lost (FAILSAFE): withhold the answers
	void end_round();
	void flush_deferred(); // the deferred records on file (audit verify and tail read the file)

	void poll();         // applied tokens
	void housekeeping(); // flow samples, SLO sample, canary, policy window, audit tick

	bool audit_change(const std::string &command, const StagedTables &staged, std::string &error);
	void adopt_published();
	void adopt_static_profile(const config::Config &cfg) { guardian_.set_static_profile(cfg); } // config reload

	std::string status() const;
	guardian::GuardianStatus status_fields() const { return guardian_.status(now_ns()); } // telemetry snapshot
	std::string latency_json() const;      // proposal -> applied (ns): n, p50, p99, max
	uint64_t flow_samples_counted() const { return samples_counted_; }
	void reset_latency() { latencies_.clear(); }
	// A drill: every tenant's fast p99 reads as `us` for `ms` (rollback and failsafe tests).
	void inject_fast_p99(double us, uint64_t ms);

	audit::AuditLog *log() { return log_.get(); }
	const std::string &audit_key() const { return audit_key_; }
	std::string audit_path() const;

private:
	struct Pending {
		uint64_t received_tsc = 0;
		uint64_t token = 0;
	};
	// Audit `record`, then (if it carries one) publish `change` and `commit` it. An audit failure
	// enters FAILSAFE (static profile published unaudited: the safe state) and returns false.
	bool record_and_apply(audit::Record record, const std::optional<guardian::Change> &change,
			      uint64_t received_tsc, std::string &error, const std::function<void()> &commit,
			      bool may_defer = false); // a reject's record, in a round: written before the answers
	void audit_failed(const std::string &why);
	uint64_t append(audit::Record record, bool may_defer, std::string &error); // 0: not recorded
	void run_action(guardian::Action &action);
	void run_policy();
	void drain_samples(); // the workers' flow samples -> the open windows
	uint64_t now_ns() const;

	Runtime &rt_;
	std::unique_ptr<audit::AuditLog> log_;  // null: no audit (autonomy off only)
	std::string audit_key_;
	guardian::Guardian guardian_;
	guardian::AdaptivePolicy policy_;
	Observer observer_;
	guardian::ObservedState observed_;      // the latest sample
	telemetry::PathSketches sketches_;      // the workers' samples, counted here
	uint64_t samples_counted_ = 0;          // taken off the workers' rings since start
	std::deque<Pending> pending_;
	std::vector<uint64_t> latencies_;       // ns, at most kLatencySamples (oldest dropped)
	uint64_t next_observe_ns_ = 0;
	uint64_t next_window_ns_ = 0;
	uint64_t last_window_ns_ = 0;
	uint64_t audit_failures_ = 0;
	uint64_t proposals_ = 0, policy_proposals_ = 0, applied_ = 0, publish_failures_ = 0;
	std::string last_audit_error_;
	bool round_ = false;                    // serving clients: rejects' records may be deferred
	bool deferred_lost_ = false;            // a failed write took deferred records with it: withhold the answers
};

} // namespace tripath::app
