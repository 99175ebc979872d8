// The counters at exit: a table on stdout, and JSON for scripts (--stats-json).
#pragma once

#include <string>

#include <tripath/agent/counters.h>

namespace tripath::agent_app {

struct RunInfo {
	std::string mode;         // "udp" or "xsk"
	std::string where;        // iface (xsk) or the bound addresses (udp)
	unsigned port_lo = 0;
	unsigned port_hi = 0;
	std::string attach_mode;  // xsk: "native" or "skb"; empty for udp
};

std::string stats_text(const RunInfo &run, const agent::AgentStats &stats);
std::string stats_json(const RunInfo &run, const agent::AgentStats &stats);

} // namespace tripath::agent_app
