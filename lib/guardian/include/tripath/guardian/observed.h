// The numbers a decision or a canary looks at, gathered by the daemon from the telemetry of one
// control-loop period. Plain values: the guardian never reads shared memory itself.
#pragma once

#include <array>
#include <map>
#include <optional>
#include <string>

namespace tripath::guardian {

struct PathRate {
	double pps = 0;
	double bps = 0;
};

struct TenantObserved {
	std::optional<double> fast_p99_us;     // path B round trip p99 over the period; unset = no samples
	std::array<PathRate, 3> rate{};        // by PathKind kernel, fast, bulk: what it carried
};

struct ObservedState {
	std::map<std::string, TenantObserved> tenants; // "" = traffic of no tenant
	double kernel_share_pct = 100;         // path A's share of delivered packets
	double bulk_bytes_per_s = 0;           // path C
};

} // namespace tripath::guardian
