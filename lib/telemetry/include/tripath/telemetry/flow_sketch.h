// Heavy flows per path, for the guardian's adaptive policy: a Count-Min sketch of bytes and of
// packets plus space-saving top-k tables, filled by one worker and read by the guardian
// without locks.
//
// Handoff: each FlowSketch has two FlowWindows. The worker writes only the active one; the
// guardian closes it (close_window), the worker switches at its next poll() and acknowledges,
// and from then on the guardian owns the closed window alone: it reads it (closed_window) and
// clears it at the next close. No counter is ever written by both sides, so windows are plain
// memory; the two indices below carry the release/acquire ordering.
#pragma once

#include <array>
#include <atomic>
#include <cstdint>
#include <span>
#include <vector>

namespace tripath::telemetry {

// A flow as the policy sees it; ports in host order, addresses in network order.
struct FlowId {
	uint8_t family = 4;                    // 4 or 6
	uint8_t proto = 0;
	uint16_t src_port = 0;
	uint16_t dst_port = 0;
	std::array<uint8_t, 16> src{};         // IPv4: first 4 bytes
	std::array<uint8_t, 16> dst{};
	bool operator==(const FlowId &) const = default;
};

uint64_t flow_hash(const FlowId &flow);    // stable across runs and machines

struct SketchShape {
	uint32_t width = 2048;                 // counters per row, a power of two
	uint32_t depth = 4;                    // rows (independent hashes), 1..8
	uint32_t top_k = 32;                   // heavy-hitter slots per metric, 1..1024
};

// What the sketch holds for one flow. Count-Min: estimate >= true count, and with probability
// 1 - e^-depth, estimate <= true + e/width * window total. Space-saving: a flow whose true count
// exceeds total / top_k is in the table; its count overestimates by at most `error`.
struct FlowEstimate {
	FlowId flow;
	uint64_t bytes = 0;                    // Count-Min estimates
	uint64_t packets = 0;
	uint64_t ranked = 0;                   // the space-saving count of the table it came from
	uint64_t error = 0;                    // ... and its overestimate bound
};

// One window of traffic. Writer: the owning worker while active; reader: the guardian after
// the handoff. Not thread-safe by itself.
class FlowWindow {
public:
	explicit FlowWindow(const SketchShape &shape);

	void add(const FlowId &flow, uint64_t hash, uint32_t bytes);
	void clear();

	uint64_t estimate_bytes(const FlowId &flow) const;
	uint64_t estimate_packets(const FlowId &flow) const;
	uint64_t total_bytes() const { return total_bytes_; }
	uint64_t total_packets() const { return total_packets_; }
	// The space-saving tables, heaviest first (ties: by hash, so the order is deterministic).
	std::vector<FlowEstimate> top_by_bytes() const;
	std::vector<FlowEstimate> top_by_packets() const;
	const SketchShape &shape() const { return shape_; }

private:
	struct Slot {
		FlowId flow;
		uint64_t hash = 0;
		uint64_t count = 0;
		uint64_t error = 0;
	};
	uint64_t estimate(const std::vector<uint64_t> &cm, uint64_t hash) const;
	void count(std::vector<uint64_t> &cm, uint64_t hash, uint64_t weight);
	static void rank(std::vector<Slot> &table, uint32_t k, const FlowId &flow, uint64_t hash, uint64_t weight);
	std::vector<FlowEstimate> top(const std::vector<Slot> &table) const;

	SketchShape shape_;
	std::vector<uint64_t> cm_bytes_;       // depth rows of width counters
	std::vector<uint64_t> cm_packets_;
	std::vector<Slot> top_bytes_;          // at most top_k, unordered
	std::vector<Slot> top_packets_;
	uint64_t total_bytes_ = 0;
	uint64_t total_packets_ = 0;
};

// One worker's flows on one path.
class FlowSketch {
public:
	explicit FlowSketch(const SketchShape &shape = {});

	// Worker: count a (sampled) packet. No locks, no allocation, O(depth + top_k).
	void add(const FlowId &flow, uint32_t bytes) { windows_[active_local_].add(flow, flow_hash(flow), bytes); }
	// Worker: switch windows if the guardian closed the active one. Once per loop, idle or not.
	void poll();

	// Guardian: close the active window (the worker moves to the other one, which is cleared
	// here first). False while the previous close is not yet acknowledged.
	bool close_window();
	// Guardian: the last window closed and acknowledged, or null (none yet, or not acknowledged).
	// Valid until the next close_window().
	const FlowWindow *closed_window() const;

private:
	std::array<FlowWindow, 2> windows_;
	std::atomic<uint32_t> requested_{0};   // guardian: writes (release); worker: reads (acquire)
	std::atomic<uint32_t> active_{0};      // worker: writes (release); guardian: reads (acquire)
	uint32_t active_local_ = 0;            // worker only: its copy of active_
	bool closed_once_ = false;             // guardian only
};

// Guardian: the flows of one path summed over the workers' closed windows: the union of their
// top-k candidates with the Count-Min estimates added up, heaviest bytes first (ties by flow).
std::vector<FlowEstimate> merge_windows(std::span<const FlowWindow *const> windows);

} // namespace tripath::telemetry
