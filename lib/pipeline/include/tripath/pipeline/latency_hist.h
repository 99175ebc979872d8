// Latency in TSC cycles, kept as a log-linear histogram: each power of two is split into four
// buckets (25% resolution), so a worker records a sample with a clz and an add.
#pragma once

#include <array>
#include <cstdint>

namespace tripath::pipeline {

inline constexpr unsigned kLatencyBuckets = 252;   // covers 0 .. 2^64 cycles

inline unsigned latency_bucket(uint64_t cycles)
{
	if (cycles < 4)
		return unsigned(cycles);
	unsigned msb = 63u - unsigned(__builtin_clzll(cycles));
	return msb * 4 + unsigned((cycles >> (msb - 2)) & 3) - 4;
}

// Smallest value that falls in bucket b.
inline uint64_t latency_bucket_low(unsigned b)
{
	if (b < 4)
		return b;
	unsigned msb = (b + 4) >> 2, sub = (b + 4) & 3;
	return uint64_t(4 + sub) << (msb - 2);
}

using LatencyHist = std::array<uint64_t, kLatencyBuckets>;

// The value below which `q` (0..1) of the samples lie: the upper edge of its bucket.
inline uint64_t latency_quantile(const LatencyHist &h, double q)
{
	uint64_t total = 0;
	for (uint64_t n : h)
		total += n;
	if (total == 0)
		return 0;
	uint64_t want = uint64_t(q * double(total) + 0.5), seen = 0;
	if (want == 0)
		want = 1;
	for (unsigned b = 0; b < kLatencyBuckets; b++) {
		seen += h[b];
		if (seen >= want)
			return b + 1 < kLatencyBuckets ? latency_bucket_low(b + 1) - 1 : UINT64_MAX;
	}
	return UINT64_MAX;
}

} // namespace tripath::pipeline
