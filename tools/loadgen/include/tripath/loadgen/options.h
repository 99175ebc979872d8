// The command line of tripath-load: one class word, then --flags. Parsing checks syntax and
// ranges only; names are resolved later (resolve_endpoint).
#pragma once

#include <cstdint>
#include <string>
#include <vector>

namespace tripath::loadgen {

enum class WorkloadClass { rpc, retrieval, bulk, sink };

const char *class_name(WorkloadClass c);

struct Options {
	WorkloadClass workload = WorkloadClass::rpc;
	std::vector<std::string> targets;  // --target, split at commas
	std::string listen;                // sink --listen
	uint32_t frame_bytes = 0;          // --size; 0: smallest_request_frame() of each target
	uint32_t fanout = 1;
	uint64_t rate = 0;                 // --rate requests/s (rpc, retrieval); 0: unpaced
	double duration_s = 10;            // 0: no time limit (only when --count is given alone)
	double warmup_s = 1;
	uint64_t count = 0;                // measured requests (transfers); 0: no limit
	uint32_t timeout_ms = 1000;        // bulk default: 10000
	bool spin = false;
	uint64_t seed = 1;
	uint32_t response_min = 0, response_max = 0;  // retrieval, UDP payload bytes
	uint64_t transfer_bytes = 0;       // bulk
	uint32_t parallel = 1;             // bulk connections
	std::string json_path, label, config_file;
	std::string samples_path;          // --samples: one "completion_ns rtt_ns" line per request
	std::vector<std::string> command;  // argv exactly as typed, for the result envelope
};

struct ParseResult {
	Options options;
	bool help = false;                 // --help: print usage() and exit 0
	std::string error;                 // non-empty: print it and exit 2
};

ParseResult parse_options(const std::vector<std::string> &args);

std::string usage();

} // namespace tripath::loadgen
