// Heavy flows per path, for the guardian's adaptive policy: a Count-Min sketch of bytes and of
// packets plus space-saving top-k tables. The workers only sample: each hands one packet in N
// to the control lcore as a FlowSample (an rte_ring element, as sFlow agents hand samples to
// their collector), and the control lcore counts them into PathSketches, which it alone owns.
#pragma once

#include <array>
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

// One sampled packet, as a worker hands it over: a fixed-size rte_ring element.
struct FlowSample {
	FlowId flow;
	uint32_t bytes = 0;                    // its frame length
	uint8_t path = 0;                      // its verdict's path: 0 kernel, 1 fast, 2 bulk
};
static_assert(sizeof(FlowSample) % 4 == 0, "rte_ring elements are a multiple of 4 bytes");

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

// The flows of every path, one window open (samples go in) and one closed (the policy reads it)
// per path. The control lcore's alone: no atomics, no locks.
class PathSketches {
public:
	static constexpr unsigned kPaths = 3;  // kernel, fast, bulk

	explicit PathSketches(const SketchShape &shape = {});

	// Counts a sample into its path's open window; a path >= kPaths is ignored.
	void add(const FlowSample &sample);
	// The open windows become the closed ones; new ones open empty.
	void close();
	// The window closed last on `path`, or null before the first close.
	const FlowWindow *closed(unsigned path) const { return closed_once_ ? &closed_[path] : nullptr; }
	const FlowWindow &open(unsigned path) const { return open_[path]; }

private:
	std::vector<FlowWindow> open_, closed_; // by path
	bool closed_once_ = false;
};

// Guardian: the flows of one path summed over several windows: the union of their
// top-k candidates with the Count-Min estimates added up, heaviest bytes first (ties by flow).
std::vector<FlowEstimate> merge_windows(std::span<const FlowWindow *const> windows);

} // namespace tripath::telemetry
