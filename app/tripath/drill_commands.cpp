// Fault drills (tests/faults, doc/reliability.md): each makes one fault happen on purpose in a
// running daemon, like `guardian inject fast-p99`. Admin only; control lcore only.
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <thread>

#include <rte_mbuf.h>

#include "reload.h"

namespace tripath::app {

using control::Args;
using control::CommandResult;
using control::fail;
using control::ok;

namespace {

std::vector<rte_mbuf *> g_held; // mbufs taken by `mempool inject exhaust` (control lcore only)

bool parse_count(const std::string &s, unsigned long max, unsigned long &v)
{
	char *end = nullptr;
	v = std::strtoul(s.c_str(), &end, 10);
	return !s.empty() && *end == '\0' && v <= max;
}

std::string pool_text(rte_mempool *pool)
{
	return std::to_string(rte_mempool_avail_count(pool)) + " of " + std::to_string(pool->size) + " mbufs free";
}

} // namespace

void register_drill_commands(Runtime &rt)
{
	control::CommandRegistry &r = rt.registry;
	r.add("guardian inject stall <ms>", "guardian",
	      "drill: the control lcore (guardian, path A's TAP I/O, shell) stops for <ms> ms (1..60000); workers go on",
	      [](const Args &a) {
		      unsigned long ms = 0;
		      if (!parse_count(a[0], 60000, ms) || ms == 0)
			      return fail("error: guardian inject stall: '" + a[0] + "' is not a time of 1..60000 ms\n");
		      std::fprintf(stderr, "tripath: drill: control lcore stalled for %lu ms (guardian inject stall)\n", ms);
		      const auto t0 = std::chrono::steady_clock::now();
		      std::this_thread::sleep_for(std::chrono::milliseconds(ms));
		      const auto took = std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::steady_clock::now() - t0).count();
		      return ok("control lcore stalled for " + std::to_string(took) + " ms\n");
	      });
	r.add("mempool inject exhaust <percent>", "port",
	      "drill: take <percent> (1..100) of the free mbufs from the pool and hold them until 'mempool inject release'",
	      [&rt](const Args &a) {
		      unsigned long pct = 0;
		      if (!parse_count(a[0], 100, pct) || pct == 0)
			      return fail("error: mempool inject exhaust: '" + a[0] + "' is not a percentage 1..100\n");
		      unsigned want = unsigned(uint64_t(rte_mempool_avail_count(rt.pool)) * pct / 100);
		      unsigned took = 0;
		      rte_mbuf *m;
		      while (took < want && (m = rte_pktmbuf_alloc(rt.pool)) != nullptr) {
			      g_held.push_back(m);
			      took++;
		      }
		      std::fprintf(stderr, "tripath: drill: %zu mbufs held (mempool inject exhaust)\n", g_held.size());
		      return ok("holding " + std::to_string(g_held.size()) + " mbufs; " + pool_text(rt.pool) + "\n");
	      });
	r.add("mempool inject release", "port", "drill: give back the mbufs 'mempool inject exhaust' holds", [&rt](const Args &) {
		size_t n = g_held.size();
		if (n)
			rte_pktmbuf_free_bulk(g_held.data(), unsigned(n));
		g_held.clear();
		return ok("released " + std::to_string(n) + " mbufs; " + pool_text(rt.pool) + "\n");
	});
	register_xsk_commands(rt);
	start_port_watch(rt);
}

} // namespace tripath::app
