// While the control lcore serves control clients it runs as SCHED_IDLE: a thread that wakes on
// its CPU (an agent, a load generator) preempts it at once, so a flood of commands or proposals
// takes only the CPU nobody else wants. SCHED_IDLE alone can starve clients for seconds on a
// saturated CPU, so a round that was starved (it took longer than kStarvedNs of wall time) makes
// the next one run at nice 10 instead, which still gets ~10% of a busy CPU: clients progress
// at least every other round, neighbours still wake ahead of them.
#pragma once

#include <cstdint>

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
	static constexpr int kFallbackNice = 10;
	static constexpr uint64_t kStarvedNs = 10'000'000;

	// Remembers the calling thread's nice value; a FIFO/RR thread (an operator's choice) is
	// left as it is: neither SCHED_IDLE nor nice applies to it.
	ServePriority() : tid_(gettid())
	{
		nice_ = getpriority(PRIO_PROCESS, id_t(tid_));
		applies_ = sched_getscheduler(0) == SCHED_OTHER;
	}
	// The round just served took wall_ns: a starved round makes the next one run at nice 10.
	void round_took(uint64_t wall_ns) { starved_ = wall_ns > kStarvedNs; }
	bool starved() const { return starved_; }

	// Lowered at lower(), not at construction: a round with no command to run costs no syscall.
	class Window {
	public:
		explicit Window(const ServePriority &p) : p_(p) {}
		void lower()
		{
			if (lowered_ || !p_.applies_)
				return;
			if (p_.starved_) {
				niced_ = p_.nice_ < kFallbackNice && setpriority(PRIO_PROCESS, id_t(p_.tid_), kFallbackNice) == 0;
				lowered_ = niced_;
			} else {
				sched_param sp{};
				lowered_ = sched_setscheduler(p_.tid_, SCHED_IDLE, &sp) == 0;
			}
		}
		~Window()
		{
			if (!lowered_)
				return;
			if (niced_) {
				setpriority(PRIO_PROCESS, id_t(p_.tid_), p_.nice_); // root: CAP_SYS_NICE allows going back
			} else {
				sched_param sp{};
				sched_setscheduler(p_.tid_, SCHED_OTHER, &sp); // the nice value survives SCHED_IDLE
			}
		}
		Window(const Window &) = delete;
		Window &operator=(const Window &) = delete;

	private:
		const ServePriority &p_;
		bool lowered_ = false;
		bool niced_ = false;
	};

private:
	pid_t tid_;
	int nice_ = 0;
	bool applies_ = false;
	bool starved_ = false;
};

} // namespace tripath::app
