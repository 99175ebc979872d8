// What one run measured, over the measurement window only (warm-up is discarded).
#pragma once

#include <chrono>
#include <cstdint>
#include <string>
#include <vector>

namespace tripath::loadgen {

struct TargetCounters {
	std::string target;
	uint32_t frame_bytes = 0;          // rpc, retrieval: the request's Ethernet frame, no FCS
	uint32_t payload_bytes = 0;        // rpc, retrieval: the request's UDP payload
	uint64_t requests = 0, completed = 0, timeouts = 0;
};

struct RunResult {
	std::vector<uint64_t> rtt_ns;      // one per completed request, in completion order
	std::vector<uint64_t> done_ns;     // the completion time (CLOCK_MONOTONIC) of each rtt_ns entry
	// requests == completed + timeouts + abandoned + failed
	uint64_t requests = 0;             // issued in the window (transfers for bulk)
	uint64_t completed = 0;
	uint64_t timeouts = 0;             // no full answer within --timeout-ms
	uint64_t abandoned = 0;            // still in flight when the run was stopped or the time ran out
	uint64_t failed = 0;               // the send or the connection failed
	uint64_t late = 0;                 // datagrams for a request of an earlier round
	uint64_t rounds_behind = 0;        // --rate: rounds started after their scheduled time
	uint64_t duplicates = 0;
	uint64_t invalid = 0;              // not an RPC response, or a fragment count that disagrees
	uint64_t refused = 0;              // ECONNREFUSED: ICMP port unreachable, nobody listening
	uint64_t receive_errors = 0;
	uint64_t reconnects = 0;           // bulk connections reopened after a timeout or an error
	uint64_t tx_bytes = 0, rx_bytes = 0;           // UDP or TCP payload
	uint64_t tx_datagrams = 0, rx_datagrams = 0;   // UDP only
	uint64_t goodput_bytes = 0;        // bulk: transfer data sent in the window (no length prefix)
	std::vector<TargetCounters> targets;
	std::chrono::system_clock::time_point started_at;
	double elapsed_s = 0;
	double cpu_user_s = 0, cpu_sys_s = 0;          // the generator thread only
	bool interrupted = false;          // stopped by SIGINT/SIGTERM
};

} // namespace tripath::loadgen
