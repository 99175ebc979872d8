// While the control lcore serves control clients it runs at SCHED_IDLE: any other thread that
// wakes on its CPU (an agent, a load generator, the kernel's own work) preempts it at once,
// so a flood of commands or proposals takes only CPU nobody else wants. Forwarding state the
// commands change is unaffected; only the commands' answers wait.
#pragma once

#include <sched.h>

namespace tripath::app {

class IdlePriority {
public:
	// Remembers the calling thread's policy (SCHED_OTHER, or the FIFO/RR an operator gave it).
	IdlePriority()
	{
		policy_ = sched_getscheduler(0);
		ok_ = policy_ >= 0 && sched_getparam(0, &param_) == 0;
	}
	// Serve at idle priority for the lifetime of the returned guard.
	class Window {
	public:
		explicit Window(const IdlePriority &p) : p_(p)
		{
			sched_param idle{};
			lowered_ = p_.ok_ && sched_setscheduler(0, SCHED_IDLE, &idle) == 0;
		}
		~Window()
		{
			if (lowered_)
				sched_setscheduler(0, p_.policy_, &p_.param_);
		}
		Window(const Window &) = delete;
		Window &operator=(const Window &) = delete;

	private:
		const IdlePriority &p_;
		bool lowered_ = false;
	};

private:
	int policy_ = -1;
	sched_param param_{};
	bool ok_ = false;
};

} // namespace tripath::app
