// Classes rpc and retrieval: closed loop of fan-out rounds over connected UDP sockets.
#pragma once

#include <atomic>
#include <optional>
#include <string>
#include <vector>

#include <tripath/loadgen/endpoint.h>
#include <tripath/loadgen/options.h>
#include <tripath/loadgen/run_result.h>

namespace tripath::loadgen {

// Request UDP payload per target (its family decides the header overhead); nullopt and an
// error naming --size when a target cannot carry the RPC header in that frame.
std::optional<std::vector<uint32_t>> request_payloads(const Options &options,
	const std::vector<Endpoint> &targets, std::string &error);

// Warm-up, then the measurement window into `result`. false (and `error`) only when the
// sockets cannot be set up; timeouts and losses are results, not errors.
bool run_udp(const Options &options, const std::vector<Endpoint> &targets, const std::atomic<bool> &stop,
	RunResult &result, std::string &error);

} // namespace tripath::loadgen
