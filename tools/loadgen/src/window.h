// The measurement window: wall-clock start, monotonic elapsed time and the generator thread's CPU.
#pragma once

#include <sys/resource.h>

#include <tripath/loadgen/clock.h>
#include <tripath/loadgen/run_result.h>

namespace tripath::loadgen {

class MeasurementWindow {
public:
	void open(RunResult &r)
	{
		r.started_at = std::chrono::system_clock::now();
		getrusage(RUSAGE_THREAD, &usage_);     // the thread, not the process: tests run servers beside it
		start_ns_ = monotonic_ns();
	}

	void close(RunResult &r) const
	{
		uint64_t end = monotonic_ns();
		rusage now;
		getrusage(RUSAGE_THREAD, &now);
		r.elapsed_s = double(end - start_ns_) / 1e9;
		r.cpu_user_s = seconds(now.ru_utime) - seconds(usage_.ru_utime);
		r.cpu_sys_s = seconds(now.ru_stime) - seconds(usage_.ru_stime);
	}

	uint64_t start_ns() const { return start_ns_; }

private:
	static double seconds(const timeval &tv) { return double(tv.tv_sec) + double(tv.tv_usec) / 1e6; }

	rusage usage_{};
	uint64_t start_ns_ = 0;
};

} // namespace tripath::loadgen
