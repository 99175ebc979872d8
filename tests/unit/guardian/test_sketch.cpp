// The flow sketch: Count-Min bounds and top-k on a skewed stream, and the control lcore's
// per-path windows of the workers' samples.
#include <tripath/telemetry/flow_sketch.h>

#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <map>
#include <random>

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

FlowSample sample(uint32_t f, uint8_t path, uint32_t bytes)
{
	FlowSample s;
	s.flow = flow(f);
	s.path = path;
	s.bytes = bytes;
	return s;
}

TEST(PathSketches, SamplesGoToTheirPathsOpenWindowUntilClosed)
{
	PathSketches sketches(SketchShape{256, 4, 8});
	for (unsigned p = 0; p < PathSketches::kPaths; p++)
		EXPECT_EQ(sketches.closed(p), nullptr) << "nothing closed yet";
	for (uint32_t i = 0; i < 30; i++)
		sketches.add(sample(i % 3, uint8_t(i % 3), 100 + i % 3)); // flow f on path f
	sketches.add(sample(7, 3, 1500)); // a drop verdict's path: not counted
	for (unsigned p = 0; p < PathSketches::kPaths; p++) {
		EXPECT_EQ(sketches.open(p).total_packets(), 10u);
		EXPECT_EQ(sketches.open(p).total_bytes(), 10u * (100 + p));
	}
	sketches.close();
	sketches.add(sample(1, 1, 64)); // the next window
	for (unsigned p = 0; p < PathSketches::kPaths; p++) {
		const FlowWindow *w = sketches.closed(p);
		ASSERT_NE(w, nullptr);
		EXPECT_EQ(w->total_packets(), 10u);
		EXPECT_EQ(w->estimate_packets(flow(p)), 10u); // 3 flows in 256 columns x 4 rows: exact
		ASSERT_FALSE(w->top_by_packets().empty());
		EXPECT_EQ(w->top_by_packets()[0].flow, flow(p));
	}
	EXPECT_EQ(sketches.open(1).total_packets(), 1u);
	EXPECT_EQ(sketches.open(0).total_packets(), 0u) << "a window opens empty";
	sketches.close();
	EXPECT_EQ(sketches.closed(1)->total_packets(), 1u) << "the closed window is the last one, not a sum";
	EXPECT_EQ(sketches.closed(1)->total_bytes(), 64u);
	EXPECT_EQ(sketches.closed(0)->total_packets(), 0u);
}

} // namespace
} // namespace tripath::telemetry
