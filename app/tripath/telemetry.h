// Telemetry: rte_telemetry endpoints under /tripath/ (dpdk-telemetry.py) and the OpenMetrics
// text of `metrics`. The endpoints run on DPDK's telemetry thread: they read the per-lcore,
// per-endpoint and per-peer counters live (single writer, relaxed loads, their memory lives as
// long as the dataplane) and everything the control lcore owns (rules, tenants' quota tables,
// the guardian) from a ControlSnapshot the control lcore publishes every 100 ms.
#pragma once

#include <array>
#include <cstdint>
#include <string>
#include <vector>

#include <tripath/guardian/guardian.h>
#include <tripath/quota/quota_table.h>

#include "runtime.h"

namespace tripath::app {

// A copy of control-lcore state, immutable once published.
struct ControlSnapshot {
	uint64_t rule_generation = 0;
	struct Rule {
		std::string name, path, tenant;    // path: "fast:ep0" style; tenant "" when none
		uint32_t priority = 0;
	};
	std::vector<Rule> rules;
	struct Tenant {
		std::string name;
		quota::TenantStats stats;
		std::array<bool, quota::kQuotaPaths> quota{}; // a quota is set on that path
	};
	std::vector<Tenant> tenants;
	bool guardian = false;                 // false: no guardian (status below unset)
	guardian::GuardianStatus status;
	uint64_t audit_last_seq = 0;
	bool audit = false;
};

// Control lcore only.
ControlSnapshot take_snapshot(const Runtime &rt);
std::string format_metrics(const Runtime &rt);
// Register the endpoints (once, after the dataplane is built) and the `metrics` command.
void start_telemetry(Runtime &rt);
// Every housekeeping tick: republish the snapshot when 100 ms have passed.
void telemetry_tick(const Runtime &rt);
// Before the dataplane goes: the endpoints answer {"stopping": 1} from then on.
void stop_telemetry();

} // namespace tripath::app
