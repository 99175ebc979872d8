// ServePriority on a thread of its own (the policy and nice are per thread): what a round of
// clients runs at, and that the thread gets its own back. Going back needs root (CAP_SYS_NICE).
#include <functional>
#include <thread>

#include <gtest/gtest.h>

#include "serve_priority.h"

using tripath::app::ServePriority;

namespace {

struct Seen {
	int policy = -1;
	int nice = -100;
};

Seen now_running()
{
	return {sched_getscheduler(0), getpriority(PRIO_PROCESS, id_t(gettid()))};
}

// Runs `body` on a fresh SCHED_OTHER thread, so the test process keeps its own priority.
void on_thread(const std::function<void()> &body)
{
	std::thread t(body);
	t.join();
}

bool privileged() { return geteuid() == 0; }

} // namespace

TEST(ServePriority, RoundsRunAsSchedIdleAndGiveTheThreadBack)
{
	if (!privileged())
		GTEST_SKIP() << "going back from nice 10 needs CAP_SYS_NICE";
	on_thread([] {
		ServePriority p;
		Seen inside, after;
		{
			ServePriority::Window w(p);
			EXPECT_EQ(now_running().policy, SCHED_OTHER) << "no command yet: no syscall, no change";
			w.lower();
			inside = now_running();
		}
		after = now_running();
		EXPECT_EQ(inside.policy, SCHED_IDLE);
		EXPECT_EQ(after.policy, SCHED_OTHER);
		EXPECT_EQ(after.nice, 0);
	});
}

TEST(ServePriority, AStarvedRoundMakesTheNextRunAtNiceTenThenIdleAgain)
{
	if (!privileged())
		GTEST_SKIP() << "going back from nice 10 needs CAP_SYS_NICE";
	on_thread([] {
		ServePriority p;
		p.round_took(ServePriority::kStarvedNs + 1);
		ASSERT_TRUE(p.starved());
		Seen starved_round, quick_round;
		{
			ServePriority::Window w(p);
			w.lower();
			starved_round = now_running();
		}
		EXPECT_EQ(starved_round.policy, SCHED_OTHER);
		EXPECT_EQ(starved_round.nice, ServePriority::kFallbackNice);
		EXPECT_EQ(now_running().nice, 0);
		p.round_took(ServePriority::kStarvedNs / 10);
		EXPECT_FALSE(p.starved());
		{
			ServePriority::Window w(p);
			w.lower();
			quick_round = now_running();
		}
		EXPECT_EQ(quick_round.policy, SCHED_IDLE);
		EXPECT_EQ(now_running().policy, SCHED_OTHER);
		EXPECT_EQ(now_running().nice, 0);
	});
}

TEST(ServePriority, ANicedThreadKeepsItsOwnNiceAfterARound)
{
	if (!privileged())
		GTEST_SKIP() << "going back from nice 10 needs CAP_SYS_NICE";
	on_thread([] {
		ASSERT_EQ(setpriority(PRIO_PROCESS, id_t(gettid()), 5), 0);
		ServePriority p;
		{
			ServePriority::Window w(p);
			w.lower();
			EXPECT_EQ(now_running().policy, SCHED_IDLE);
		}
		EXPECT_EQ(now_running().policy, SCHED_OTHER);
		EXPECT_EQ(now_running().nice, 5) << "the nice value survives SCHED_IDLE";
	});
}

TEST(ServePriority, ARealTimeThreadIsLeftAsItIs)
{
	if (!privileged())
		GTEST_SKIP() << "SCHED_FIFO needs CAP_SYS_NICE";
	on_thread([] {
		sched_param sp{};
		sp.sched_priority = 1;
		if (sched_setscheduler(0, SCHED_FIFO, &sp) != 0)
			GTEST_SKIP() << "SCHED_FIFO refused here";
		ServePriority p;
		{
			ServePriority::Window w(p);
			w.lower();
			EXPECT_EQ(now_running().policy, SCHED_FIFO);
		}
		EXPECT_EQ(now_running().policy, SCHED_FIFO);
	});
}
