// While the control lcore serves control clients it runs at a lower CFS weight (nice +10): a
// thread that wakes on its CPU (an agent, a load generator) preempts it sooner, so a flood of
// commands or proposals delays them less. Not SCHED_IDLE: on a saturated CPU that would
// starve the operator's own commands for seconds; at nice 10 they still get ~10% of it.
#pragma once

#include <sched.h>
#include <sys/resource.h>
#include <unistd.h>

namespace tripath::app {

struct Runtime;
// A round of serving clients is also an audit round (guardian_runtime.cpp): the records of its
// rejected proposals are written together, before the socket sends any answer they concern.
void guardian_begin_round(Runtime &rt);
bool guardian_before_answers(Runtime &rt); // false: the audit log failed; withhold the answers
void guardian_end_round(Runtime &rt);

class ServePriority {
public:
	static constexpr int kServeNice = 10;

	// Remembers the calling thread's nice value; a FIFO/RR thread (an operator's choice) is
	// left as it is: nice does not apply to it.
	ServePriority() : tid_(gettid())
	{
		int policy = sched_getscheduler(0);
		nice_ = getpriority(PRIO_PROCESS, id_t(tid_));
		applies_ = policy == SCHED_OTHER && nice_ < kServeNice;
	}
	// Lowered at lower(), not at construction: a round with no command to run costs no syscall.
	class Window {
	public:
		explicit Window(const ServePriority &p) : p_(p) {}
		void lower()
		{
			if (!lowered_)
				lowered_ = p_.applies_ && setpriority(PRIO_PROCESS, id_t(p_.tid_), kServeNice) == 0;
		}
		~Window()
		{
			if (lowered_)
				setpriority(PRIO_PROCESS, id_t(p_.tid_), p_.nice_); // root: CAP_SYS_NICE allows going back
		}
		Window(const Window &) = delete;
		Window &operator=(const Window &) = delete;

	private:
		const ServePriority &p_;
		bool lowered_ = false;
	};

private:
	pid_t tid_;
	int nice_ = 0;
	bool applies_ = false;
};

} // namespace tripath::app
