// Idle backoff: pause, then sleep in doubling steps; a packet resets it. Sleeping is the one
// syscall a worker makes, and only when it has nothing to do.
#pragma once

#include <algorithm>
#include <cstdint>

#include <sys/prctl.h>

#include <rte_cycles.h>
#include <rte_pause.h>

#include <tripath/config/config.h>

namespace tripath::pipeline {

class IdleBackoff {
public:
	// Construct it on the lcore's own thread: the timer slack is set for the calling thread,
	// once, at start.
	explicit IdleBackoff(const config::IdleBackoff &cfg) : cfg_(cfg), sleep_us_(cfg.sleep_min_us)
	{
		if (cfg_.enabled && cfg_.timer_slack_ns > 0)
			prctl(PR_SET_TIMERSLACK, static_cast<unsigned long>(cfg_.timer_slack_ns), 0, 0, 0);
	}

	void reset()
	{
		empty_polls_ = 0;
		sleep_us_ = cfg_.sleep_min_us;
	}

	// Called after an empty loop; returns true when it slept.
	bool idle()
	{
		if (!cfg_.enabled)
			return false;
		if (++empty_polls_ < cfg_.pause_after) {
			rte_pause();
			return false;
		}
		rte_delay_us_sleep(sleep_us_);
		sleep_us_ = std::min(sleep_us_ * 2, cfg_.sleep_max_us);
		return true;
	}

private:
	config::IdleBackoff cfg_;
	uint32_t empty_polls_ = 0;
	uint32_t sleep_us_;
};

} // namespace tripath::pipeline
