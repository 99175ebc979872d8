// Percentiles against distributions whose answer is known exactly or in closed form.
#include <algorithm>
#include <cmath>
#include <random>

#include <gtest/gtest.h>

#include <tripath/loadgen/latency.h>

using namespace tripath::loadgen;

TEST(Latency, UniformOneToThousandIsExact)
{
	std::vector<uint64_t> ns;
	for (uint64_t i = 1; i <= 1000; i++)
		ns.push_back(i * 1000);        // i microseconds
	std::shuffle(ns.begin(), ns.end(), std::mt19937(7));
	LatencySummary s = summarize_latency(ns);
	EXPECT_EQ(s.samples, 1000u);
	EXPECT_DOUBLE_EQ(s.min_us, 1);
	EXPECT_DOUBLE_EQ(s.p50_us, 500);
	EXPECT_DOUBLE_EQ(s.p90_us, 900);
	EXPECT_DOUBLE_EQ(s.p99_us, 990);
	EXPECT_DOUBLE_EQ(s.p99_9_us, 999);
	EXPECT_DOUBLE_EQ(s.max_us, 1000);
	EXPECT_DOUBLE_EQ(s.mean_us, 500.5);
	EXPECT_TRUE(std::is_sorted(ns.begin(), ns.end()));
}

TEST(Latency, NearestRankPicksAMeasuredValue)
{
	std::vector<uint64_t> sorted = {10, 20, 30, 40, 50, 60, 70, 80, 90, 100};
	EXPECT_EQ(nearest_rank(sorted, 500), 50u);
	EXPECT_EQ(nearest_rank(sorted, 510), 60u);
	EXPECT_EQ(nearest_rank(sorted, 990), 100u);
	EXPECT_EQ(nearest_rank(sorted, 999), 100u);
	EXPECT_EQ(nearest_rank(sorted, 1), 10u);
	EXPECT_EQ(nearest_rank({}, 500), 0u);
}

TEST(Latency, TailOfABimodalDistribution)
{
	// 99% fast answers at 10 us, 1% slow ones at 1 ms: p99 is still fast, p99.9 is slow.
	std::vector<uint64_t> ns(9900, 10000);
	ns.insert(ns.end(), 100, 1000000);
	LatencySummary s = summarize_latency(ns);
	EXPECT_DOUBLE_EQ(s.p50_us, 10);
	EXPECT_DOUBLE_EQ(s.p99_us, 10);
	EXPECT_DOUBLE_EQ(s.p99_9_us, 1000);
	EXPECT_DOUBLE_EQ(s.mean_us, 0.99 * 10 + 0.01 * 1000);
}

TEST(Latency, ExponentialQuantilesMatchTheClosedForm)
{
	// Exponential with mean 100 us: the p-quantile is -100 ln(1 - p).
	std::mt19937_64 rng(42);
	std::exponential_distribution<double> draw(1.0 / 100000.0);
	std::vector<uint64_t> ns;
	for (int i = 0; i < 400000; i++)
		ns.push_back(uint64_t(draw(rng)));
	LatencySummary s = summarize_latency(ns);
	auto quantile = [](double p) { return -100.0 * std::log(1.0 - p); };
	EXPECT_NEAR(s.p50_us, quantile(0.5), quantile(0.5) * 0.02);
	EXPECT_NEAR(s.p90_us, quantile(0.9), quantile(0.9) * 0.02);
	EXPECT_NEAR(s.p99_us, quantile(0.99), quantile(0.99) * 0.03);
	EXPECT_NEAR(s.p99_9_us, quantile(0.999), quantile(0.999) * 0.08);
	EXPECT_NEAR(s.mean_us, 100.0, 1.0);
}

TEST(Latency, OneSampleIsEveryPercentile)
{
	std::vector<uint64_t> ns = {12345};
	LatencySummary s = summarize_latency(ns);
	EXPECT_EQ(s.samples, 1u);
	for (double v : {s.min_us, s.p50_us, s.p90_us, s.p99_us, s.p99_9_us, s.max_us, s.mean_us})
		EXPECT_DOUBLE_EQ(v, 12.345);
}

TEST(Latency, NoSamples)
{
	std::vector<uint64_t> ns;
	EXPECT_EQ(summarize_latency(ns).samples, 0u);
}
