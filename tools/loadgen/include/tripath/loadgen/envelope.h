// The result envelope (schema tripath.loadgen/1) and the one-line summary for stdout.
#pragma once

#include <optional>
#include <string>

#include <tripath/loadgen/latency.h>
#include <tripath/loadgen/options.h>
#include <tripath/loadgen/run_result.h>

namespace tripath::loadgen {

constexpr const char *kEnvelopeSchema = "tripath.loadgen/1";

struct HostInfo {
	std::string hostname, kernel, cpu_model;
	unsigned cpu_count = 0;
	std::string dpdk_version;          // pkg-config libdpdk at build time
	std::string git_revision;          // "unknown" outside a git checkout
	std::optional<bool> git_dirty;     // tracked files modified; unknown outside a checkout
};

HostInfo collect_host_info();

// Hex SHA-256 of a file; false and `error` when it cannot be read.
bool sha256_file(const std::string &path, std::string &hex, std::string &error);

struct Envelope {
	const Options &options;
	const RunResult &result;
	const LatencySummary &latency;
	const HostInfo &host;
	std::string config_sha256;         // of options.config_file, when given
};

std::string envelope_json(const Envelope &e);

std::string summary_line(const Options &options, const RunResult &result, const LatencySummary &latency);

} // namespace tripath::loadgen
