// The one clock every RTT is measured with.
#pragma once

#include <cstdint>
#include <ctime>

namespace tripath::loadgen {

inline uint64_t monotonic_ns()
{
	timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return uint64_t(ts.tv_sec) * 1000000000ull + uint64_t(ts.tv_nsec);
}

} // namespace tripath::loadgen
