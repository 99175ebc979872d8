// The guardian's view of one period, from the dataplane's own counters: path shares and rates
// (LcoreCounters), tenants' rates (QuotaTable stats) and path B's latency (the endpoints'
// histograms). Control lcore only; it keeps the previous totals to take differences.
#pragma once

#include <array>
#include <cstdint>
#include <vector>

#include <tripath/guardian/observed.h>
#include <tripath/pipeline/dataplane.h>

namespace tripath::app {

class Observer {
public:
	// The state since the previous call: rates per second, p99 of the period's samples.
	guardian::ObservedState sample(const pipeline::Dataplane &dp, uint64_t now_ns);
	// A drill: every tenant's fast p99 reads `us` until `until_ns` (0 = none).
	void inject_fast_p99(double us, uint64_t until_ns)
	{
		injected_us_ = us;
		injected_until_ns_ = until_ns;
	}

private:
	void fast_p99(const pipeline::Dataplane &dp, guardian::ObservedState &out, uint64_t now_ns);

	uint64_t last_ns_ = 0;
	std::array<uint64_t, pipeline::kPaths> packets_{}, bytes_{};
	std::vector<pipeline::LatencyHist> to_agent_, answer_;   // per endpoint, totals at the last sample
	const quota::QuotaTable *quotas_ = nullptr;               // stats below belong to this table
	std::vector<quota::TenantStats> tenant_stats_;
	double injected_us_ = 0;
	uint64_t injected_until_ns_ = 0;
};

} // namespace tripath::app
