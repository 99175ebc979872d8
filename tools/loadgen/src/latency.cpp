#include <algorithm>

#include <tripath/loadgen/latency.h>

namespace tripath::loadgen {

uint64_t nearest_rank(const std::vector<uint64_t> &sorted, unsigned per_mille)
{
	if (sorted.empty())
		return 0;
	uint64_t n = sorted.size();
	uint64_t rank = (uint64_t(per_mille) * n + 999) / 1000;   // ceil(p * n), in integers
	rank = std::clamp<uint64_t>(rank, 1, n);
	return sorted[rank - 1];
}

LatencySummary summarize_latency(std::vector<uint64_t> &samples_ns)
{
	LatencySummary s;
	if (samples_ns.empty())
		return s;
	std::sort(samples_ns.begin(), samples_ns.end());
	// Summed as long double: 10^8 samples of 10^9 ns would overflow nothing, but keep the precision.
	long double sum = 0;
	for (uint64_t v : samples_ns)
		sum += v;
	auto us = [](uint64_t ns) { return double(ns) / 1000.0; };
	s.samples = samples_ns.size();
	s.min_us = us(samples_ns.front());
	s.max_us = us(samples_ns.back());
	s.mean_us = double(sum / samples_ns.size()) / 1000.0;
	s.p50_us = us(nearest_rank(samples_ns, 500));
	s.p90_us = us(nearest_rank(samples_ns, 900));
	s.p99_us = us(nearest_rank(samples_ns, 990));
	s.p99_9_us = us(nearest_rank(samples_ns, 999));
	return s;
}

} // namespace tripath::loadgen
