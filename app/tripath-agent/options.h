// tripath-agent's flags. Load generators and test scripts depend on these names: keep them.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace tripath::agent_app {

enum class Mode { udp, xsk };

struct Options {
	Mode mode = Mode::udp;              // --mode udp|xsk (required)
	std::string iface;                  // --iface IFACE: required for xsk; udp: SO_BINDTODEVICE
	uint32_t queue = 0;                 // --queue Q: xsk only
	std::vector<std::string> addresses; // --bind ADDR (repeatable): udp only; default 0.0.0.0 and ::
	uint16_t port_lo = 0;               // --port P[-P2] (required)
	uint16_t port_hi = 0;
	bool busy_poll = false;             // --busy-poll
	bool spin = false;                  // --spin: never sleep in poll()
	std::string stats_json;             // --stats-json FILE: counters as JSON at exit
	bool quiet = false;                 // --quiet: no counters or notices on stdout/stderr, only errors and the ready line
	bool help = false;                  // --help
};

// nullopt with `error` naming the offending flag; `notes` gets flags that are accepted but ignored.
std::optional<Options> parse_options(int argc, char **argv, std::string &error, std::vector<std::string> &notes);
const char *usage();

} // namespace tripath::agent_app
