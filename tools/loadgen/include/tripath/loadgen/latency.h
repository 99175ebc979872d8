// RTT percentiles from every sample (exact, nearest rank: the value below which p% of the
// samples lie, always one that was really measured).
#pragma once

#include <cstdint>
#include <vector>

namespace tripath::loadgen {

struct LatencySummary {
	uint64_t samples = 0;              // 0: every other field is meaningless
	double min_us = 0, mean_us = 0, max_us = 0;
	double p50_us = 0, p90_us = 0, p99_us = 0, p99_9_us = 0;
};

// `per_mille` in 1..1000 (999 is p99.9); integer so p99.9 of 1,000 samples is exactly the 999th.
uint64_t nearest_rank(const std::vector<uint64_t> &sorted, unsigned per_mille);

// Sorts `samples_ns` in place.
LatencySummary summarize_latency(std::vector<uint64_t> &samples_ns);

} // namespace tripath::loadgen
