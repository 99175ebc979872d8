// The flow sketch: Count-Min bounds and top-k on a skewed stream, and the worker/guardian
// window handoff across two threads.
#include <tripath/telemetry/flow_sketch.h>

#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <map>
#include <random>
#include <thread>

namespace tripath::telemetry {
namespace {

FlowId flow(uint32_t n)
{
	FlowId f;
	f.proto = 17;
	f.src = {10, 1, uint8_t(n >> 8), uint8_t(n)};
	f.dst = {10, 9, 0, 1};
	f.src_port = uint16_t(1000 + n % 50000);
	f.dst_port = 7000;
	return f;
}

// Zipf(1.1) over 20,000 flows, 300,000 packets of 64 or 1500 bytes: a few heavy flows, a long tail.
struct Stream {
	std::vector<std::pair<uint32_t, uint32_t>> packets; // flow, bytes
	std::map<uint32_t, uint64_t> bytes, count;
	uint64_t total_bytes = 0;
};

Stream skewed(uint32_t flows = 20000, uint32_t n = 300000)
{
	std::vector<double> weights(flows);
	for (uint32_t i = 0; i < flows; i++)
		weights[i] = 1.0 / std::pow(double(i + 1), 1.1);
	std::mt19937 rng(42);
	std::discrete_distribution<uint32_t> pick(weights.begin(), weights.end());
	Stream s;
	for (uint32_t i = 0; i < n; i++) {
		uint32_t f = pick(rng);
		uint32_t b = f % 2 ? 64 : 1500; // odd flows tiny RPCs, even ones full frames
		s.packets.push_back({f, b});
		s.bytes[f] += b;
		s.count[f]++;
		s.total_bytes += b;
	}
	return s;
}

TEST(FlowSketch, CountMinBounds)
{
	Stream s = skewed();
	SketchShape shape; // width 2048, depth 4
	FlowWindow w(shape);
	for (auto [f, b] : s.packets)
		w.add(flow(f), flow_hash(flow(f)), b);
	EXPECT_EQ(w.total_packets(), s.packets.size());
	EXPECT_EQ(w.total_bytes(), s.total_bytes);
	// Never below the truth; above it by at most e/width of the total for (nearly) all flows.
	double bound = std::exp(1.0) / shape.width * double(s.total_bytes);
	size_t over = 0;
	for (auto [f, truth] : s.bytes) {
		uint64_t est = w.estimate_bytes(flow(f));
		ASSERT_GE(est, truth);
		over += double(est - truth) > bound;
		ASSERT_GE(w.estimate_packets(flow(f)), s.count[f]);
	}
	// Probability e^-4 ~ 1.8% per flow at most.
	EXPECT_LT(double(over) / double(s.bytes.size()), 0.018) << over;
	// An absent flow reads (nearly) zero.
	EXPECT_LE(double(w.estimate_bytes(flow(999999))), bound);
}

TEST(FlowSketch, TopKFindsTheHeavyHitters)
{
	Stream s = skewed();
	FlowWindow w(SketchShape{2048, 4, 32});
	for (auto [f, b] : s.packets)
		w.add(flow(f), flow_hash(flow(f)), b);
	// Every flow above total/k is guaranteed in the space-saving table.
	std::vector<FlowEstimate> top = w.top_by_packets();
	ASSERT_EQ(top.size(), 32u);
	for (auto [f, c] : s.count) {
		if (c <= s.packets.size() / 32)
			continue;
		EXPECT_TRUE(std::ranges::any_of(top, [&](const auto &e) { return e.flow == flow(f); })) << "flow " << f;
	}
	// The heaviest by packets is flow 0 (Zipf rank 1), first, counted within its error.
	EXPECT_EQ(top[0].flow, flow(0));
	EXPECT_GE(top[0].ranked, s.count[0]);
	EXPECT_LE(top[0].ranked - top[0].error, s.count[0]);
	for (size_t i = 1; i < top.size(); i++)
		EXPECT_GE(top[i - 1].ranked, top[i].ranked);
	// The same guarantee by bytes, and the heaviest by bytes comes first.
	std::vector<FlowEstimate> top_bytes = w.top_by_bytes();
	uint32_t heaviest = 0;
	uint64_t most = 0;
	size_t guaranteed = 0;
	for (auto [f, b] : s.bytes) {
		if (b > most) {
			most = b;
			heaviest = f;
		}
		if (b <= s.total_bytes / 32)
			continue;
		guaranteed++;
		EXPECT_TRUE(std::ranges::any_of(top_bytes, [&](const auto &e) { return e.flow == flow(f); })) << "flow " << f;
	}
	EXPECT_GE(guaranteed, 3u);
	EXPECT_EQ(top_bytes[0].flow, flow(heaviest));
}

TEST(FlowSketch, MergeAcrossWorkers)
{
	Stream s = skewed(2000, 50000);
	FlowWindow a(SketchShape{}), b(SketchShape{});
	for (size_t i = 0; i < s.packets.size(); i++) {
		auto [f, bytes] = s.packets[i];
		(i % 2 ? a : b).add(flow(f), flow_hash(flow(f)), bytes);
	}
	const FlowWindow *both[] = {&a, &b};
	std::vector<FlowEstimate> merged = merge_windows(both);
	ASSERT_FALSE(merged.empty());
	EXPECT_EQ(merged[0].flow, flow(0));
	EXPECT_GE(merged[0].bytes, s.bytes[0]);
	EXPECT_GE(merged[0].packets, s.count[0]);
	EXPECT_LE(merged[0].packets, s.count[0] + 2 * 50000 * 3 / 2048);
	EXPECT_EQ(merge_windows(both).size(), merged.size()); // deterministic
}

TEST(FlowSketch, WindowHandoffBetweenThreads)
{
	FlowSketch sketch(SketchShape{256, 4, 8});
	EXPECT_EQ(sketch.closed_window(), nullptr);
	std::atomic<bool> stop{false};
	std::atomic<uint64_t> sent{0};
	// The worker: adds and polls, never blocks.
	std::thread worker([&] {
		uint64_t n = 0;
		while (!stop.load(std::memory_order_relaxed)) {
			sketch.add(flow(uint32_t(n % 3)), 100);
			n++;
			sketch.poll();
		}
		sent = n;
		sketch.poll();
	});
	uint64_t seen = 0;
	for (int round = 0; round < 200; round++) {
		while (!sketch.close_window())
			std::this_thread::yield();
		const FlowWindow *w = nullptr;
		while (!(w = sketch.closed_window()))
			std::this_thread::yield();
		// The closed window is the guardian's alone now: a consistent snapshot.
		EXPECT_EQ(w->total_bytes(), w->total_packets() * 100);
		uint64_t flows = 0;
		for (uint32_t f = 0; f < 3; f++)
			flows += w->estimate_packets(flow(f));
		EXPECT_EQ(flows, w->total_packets()); // 3 flows in 256 columns x 4 rows: exact
		seen += w->total_packets();
	}
	stop = true;
	worker.join();
	// Every packet is in exactly one window: those seen, plus the still active one.
	while (!sketch.close_window())
		std::this_thread::yield();
	sketch.poll(); // the worker's last acknowledgement, on this thread now that it has stopped
	ASSERT_NE(sketch.closed_window(), nullptr);
	seen += sketch.closed_window()->total_packets();
	EXPECT_EQ(seen, sent.load());
}

} // namespace
} // namespace tripath::telemetry
