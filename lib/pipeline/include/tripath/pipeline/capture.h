// Packet capture to pcapng while forwarding runs: workers copy matching packets onto a ring
// each (no syscalls), the control lcore drains the rings and writes the file (rte_pcapng).
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include <rte_common.h>
#include <rte_mempool.h>
#include <rte_ring.h>

struct rte_pcapng; // rte_pcapng.h is experimental API: only capture.cpp includes it

namespace tripath::pipeline {

class Dataplane;

// Where a capture taps: a port's rx at the worker (before classification), or what a worker
// hands to a path (drop: malformed, rule drop and over quota).
enum class CaptureWhere : uint8_t { port, kernel, fast, bulk, drop };

const char *capture_where_name(CaptureWhere w);

// Per worker; owner: that worker (sole writer of the counters). Reader: the control lcore.
struct alignas(RTE_CACHE_LINE_SIZE) CaptureSlot {
	rte_ring *ring = nullptr;  // producer: this worker; consumer: the control lcore
	uint64_t copied = 0;       // copies put on the ring
	uint64_t ring_full = 0;    // matching packets not captured: the ring was full (still forwarded)
	uint64_t no_mbuf = 0;      // ... the capture pool was empty (still forwarded)
};

// What workers read while a capture is armed (Dataplane::capture_). Written by the control
// lcore only while no worker can see it (before publishing, after a grace period).
struct CaptureTap {
	CaptureWhere where = CaptureWhere::port;
	uint16_t port_id = UINT16_MAX; // where == port
	uint32_t snaplen = 0;          // bytes kept per packet
	rte_mempool *pool = nullptr;   // the copies' mbufs, sized for rte_pcapng_copy
	CaptureSlot *slots = nullptr;  // by worker slot
};

struct CaptureStatus {
	enum class State { idle, running, finishing } state = State::idle;
	std::string file;              // the current or last capture's file
	CaptureWhere where = CaptureWhere::port;
	std::string target;            // port name or path name, as the operator gave it
	uint64_t limit = 0;            // 0: until stopped
	uint64_t written = 0;          // packets in the file
	uint64_t bytes = 0;            // bytes written to the file
	uint64_t ring_full = 0;
	uint64_t no_mbuf = 0;
	std::string error;             // why the last capture ended early, if it did
};

// Control lcore only. One capture at a time; its pool and rings are made on the first start
// and kept for the next.
class Capture {
public:
	explicit Capture(Dataplane &dp);
	~Capture();  // finishes a running capture (call while the dataplane still exists)
	Capture(const Capture &) = delete;
	Capture &operator=(const Capture &) = delete;

	// Open `file` and arm the workers; false with `error` (nothing armed).
	bool start(CaptureWhere where, uint16_t port_id, const std::string &target, const std::string &file,
		   uint64_t limit, std::string &error);
	// Disarm; poll() closes the file once no worker can still be copying. wait: close it now,
	// after waiting for the workers (at most one loop each).
	void stop(bool wait = false);
	// Drain the rings into the file, stop at the limit, finish after the grace period.
	// Returns packets written.
	unsigned poll();
	// Copy of the current or last capture's state and counters.
	CaptureStatus status() const;

private:
	bool make_resources(std::string &error);
	unsigned drain(unsigned max_per_ring);
	void finish();
	void sum_slots(CaptureStatus &s) const;

	Dataplane &dp_;
	CaptureTap tap_;
	std::vector<CaptureSlot> slots_;  // one per worker, what tap_.slots points at
	::rte_pcapng *writer_ = nullptr;
	uint64_t token_ = 0;              // rte_rcu_qsbr_start() at stop
	CaptureStatus status_;
};

} // namespace tripath::pipeline
