// What an agent service counts. One service thread writes, any thread may read: single-writer
// atomics, so a reader never sees a torn value and the writer never takes a lock.
#pragma once

#include <atomic>
#include <cstdint>

namespace tripath::agent {

struct AgentStats {
	uint64_t requests = 0;    // RPC requests received and planned
	uint64_t responses = 0;   // requests whose last response datagram was handed to the kernel
	uint64_t datagrams = 0;   // response datagrams handed to the kernel
	uint64_t bytes = 0;       // UDP payload bytes of those datagrams
	uint64_t malformed = 0;   // UDP payloads that are not an RPC request (ignored)
	uint64_t tx_full = 0;     // response datagrams lost: no tx slot, no frame or a send error
	uint64_t rx_dropped = 0;  // requests the kernel dropped at our socket: udp receive buffer full; xsk fill ring empty or rx ring full
	uint64_t not_rpc = 0;     // xsk: frames that reached us but are not an answerable UDP datagram
};

class AgentCounters {
public:
	// service thread only
	static void add(std::atomic<uint64_t> &c, uint64_t n = 1) { c.store(c.load(std::memory_order_relaxed) + n, std::memory_order_relaxed); }

	AgentStats snapshot() const
	{
		AgentStats s;
		s.requests = requests.load(std::memory_order_relaxed);
		s.responses = responses.load(std::memory_order_relaxed);
		s.datagrams = datagrams.load(std::memory_order_relaxed);
		s.bytes = bytes.load(std::memory_order_relaxed);
		s.malformed = malformed.load(std::memory_order_relaxed);
		s.tx_full = tx_full.load(std::memory_order_relaxed);
		s.rx_dropped = rx_dropped.load(std::memory_order_relaxed);
		s.not_rpc = not_rpc.load(std::memory_order_relaxed);
		return s;
	}

	// service thread: writes; anyone: reads
	std::atomic<uint64_t> requests{0};
	std::atomic<uint64_t> responses{0};
	std::atomic<uint64_t> datagrams{0};
	std::atomic<uint64_t> bytes{0};
	std::atomic<uint64_t> malformed{0};
	std::atomic<uint64_t> tx_full{0};
	std::atomic<uint64_t> rx_dropped{0};
	std::atomic<uint64_t> not_rpc{0};
};

} // namespace tripath::agent
