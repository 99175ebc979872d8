#include <cstdio>
#include <utility>
#include <vector>

#include "stats_output.h"

namespace tripath::agent_app {
namespace {

std::vector<std::pair<const char *, uint64_t>> fields(const agent::AgentStats &s)
{
	return {{"requests", s.requests},   {"responses", s.responses}, {"datagrams", s.datagrams},
		{"bytes", s.bytes},         {"malformed", s.malformed}, {"tx_full", s.tx_full},
		{"rx_dropped", s.rx_dropped}, {"not_rpc", s.not_rpc}};
}

// Interface names and numeric addresses need no escaping beyond quotes and backslashes.
std::string quoted(const std::string &text)
{
	std::string out = "\"";
	for (char c : text) {
		if (c == '"' || c == '\\')
			out += '\\';
		out += c;
	}
	return out + "\"";
}

} // namespace

std::string stats_text(const RunInfo &run, const agent::AgentStats &stats)
{
	std::string out = "tripath-agent: " + run.mode + " on " + run.where + " ports " + std::to_string(run.port_lo) +
			  "-" + std::to_string(run.port_hi) + "\n";
	char line[64];
	for (auto [name, value] : fields(stats)) {
		std::snprintf(line, sizeof(line), "  %-12s %llu\n", name, static_cast<unsigned long long>(value));
		out += line;
	}
	return out;
}

std::string stats_json(const RunInfo &run, const agent::AgentStats &stats)
{
	std::string out = "{\"mode\": " + quoted(run.mode) + ", \"where\": " + quoted(run.where) +
			  ", \"port_lo\": " + std::to_string(run.port_lo) + ", \"port_hi\": " + std::to_string(run.port_hi);
	if (!run.attach_mode.empty())
		out += ", \"attach_mode\": " + quoted(run.attach_mode);
	for (auto [name, value] : fields(stats))
		out += std::string(", \"") + name + "\": " + std::to_string(value);
	return out + "}\n";
}

} // namespace tripath::agent_app
