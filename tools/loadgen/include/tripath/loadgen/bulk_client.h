// Class bulk: --parallel TCP connections, each a closed loop of transfers (8-byte big-endian
// length, the data, then one byte back from the sink when it has read everything).
#pragma once

#include <atomic>
#include <string>
#include <vector>

#include <tripath/loadgen/endpoint.h>
#include <tripath/loadgen/options.h>
#include <tripath/loadgen/run_result.h>

namespace tripath::loadgen {

bool run_bulk(const Options &options, const std::vector<Endpoint> &targets, const std::atomic<bool> &stop,
	RunResult &result, std::string &error);

} // namespace tripath::loadgen
