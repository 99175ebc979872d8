// Meters under simulated time: the test hands police() the tsc, so every run sees one clock.
#include <cstdio>
#include <vector>

#include <gtest/gtest.h>

#include <rte_cycles.h>

#include "quota_fixtures.h"

namespace tripath::quota::test {
namespace {

using config::PathKind;

constexpr uint64_t kTicksPerSecond = 2500;   // one burst of every sender's packets per tick
constexpr uint64_t kSeconds = 10;
constexpr unsigned kBurst = 32;

struct Sender {
	uint16_t tenant;
	unsigned per_tick;
};

struct Totals {
	uint64_t packets = 0;
	uint64_t bytes = 0;
	uint64_t refused = 0;   // Outcome other than pass
};

// Each tick the senders' packets go out interleaved, in bursts of up to 32 at the tick's tsc,
// on slot tick % slots_used; each tenant's frame sizes cycle through `sizes`. Returns offered
// and refused totals by tenant.
std::vector<Totals> send(QuotaTable &qt, const std::vector<Sender> &senders, const std::vector<uint32_t> &sizes,
			 unsigned slots_used = 1)
{
	const uint64_t hz = rte_get_tsc_hz();
	std::vector<Totals> totals(qt.tenant_count());
	std::vector<uint16_t> order;
	unsigned rounds = 0;
	for (const Sender &s : senders)
		rounds = std::max(rounds, s.per_tick);
	for (unsigned r = 0; r < rounds; r++)
		for (const Sender &s : senders)
			if (r < s.per_tick)
				order.push_back(s.tenant);

	std::vector<size_t> next_size(qt.tenant_count());
	for (uint64_t tick = 0; tick < kTicksPerSecond * kSeconds; tick++) {
		uint64_t tsc = tick * hz / kTicksPerSecond;
		for (size_t first = 0; first < order.size(); first += kBurst) {
			unsigned n = unsigned(std::min<size_t>(kBurst, order.size() - first));
			uint16_t tenants[kBurst];
			classify::Verdict verdicts[kBurst];
			uint32_t bytes[kBurst];
			Outcome out[kBurst];
			for (unsigned i = 0; i < n; i++) {
				tenants[i] = order[first + i];
				verdicts[i] = on(PathKind::fast);
				bytes[i] = sizes[next_size[tenants[i]]++ % sizes.size()];
			}
			qt.police(unsigned(tick % slots_used), tenants, verdicts, bytes, out, n, tsc);
			for (unsigned i = 0; i < n; i++) {
				Totals &t = totals[tenants[i]];
				t.packets++;
				t.bytes += bytes[i];
				t.refused += out[i] != Outcome::pass;
			}
		}
	}
	return totals;
}

void expect_within_5pct(const char *what, uint64_t got, double expected)
{
	std::printf("  %s: got %llu, expected %.0f (%+.3f%%)\n", what, (unsigned long long)got, expected,
		    100.0 * (double(got) - expected) / expected);
	EXPECT_NEAR(double(got), expected, expected * 0.05) << what;
}

config::Config three_tenants(const config::PathQuota &a, const config::PathQuota &b)
{
	config::Config cfg;
	cfg.tenants = {tenant("a", {"10.0.0.0/24"}), tenant("b", {"10.0.1.0/24"}), tenant("c", {"10.0.2.0/24"})};
	set_quota(cfg.tenants[0], PathKind::fast, a);
	set_quota(cfg.tenants[1], PathKind::fast, b);
	return cfg;   // c has no quota
}

TEST(QuotaMeters, PpsQuotaHoldsAtFourTimesOverload)
{
	constexpr uint64_t q = 15000;   // a offers 24 * 2500 = 60000 pps = 4 Q
	auto qt = QuotaTable::build(three_tenants(rate(q, {}), rate(q, {})), 1);
	std::vector<Totals> t = send(*qt, {{0, 24}, {1, 4}, {2, 4}}, {64, 1500, 200});

	TenantStats a = qt->stats(0), b = qt->stats(1), c = qt->stats(2);
	const PathStats &fa = a.path[size_t(PathKind::fast)];
	EXPECT_EQ(t[0].packets, 4 * q * kSeconds);
	expect_within_5pct("tenant a passed packets", fa.passed_packets, double(q * kSeconds + q * 10 / 1000));
	EXPECT_EQ(fa.passed_packets + fa.dropped, t[0].packets);
	EXPECT_EQ(fa.dropped, t[0].refused);
	EXPECT_EQ(fa.demoted, 0u);
	// b stays under its quota, c has none: neither loses a packet.
	EXPECT_EQ(t[1].refused, 0u);
	EXPECT_EQ(t[2].refused, 0u);
	EXPECT_EQ(b.path[size_t(PathKind::fast)].passed_packets, t[1].packets);
	EXPECT_EQ(b.path[size_t(PathKind::fast)].passed_bytes, t[1].bytes);
	EXPECT_EQ(c.path[size_t(PathKind::fast)].passed_packets, t[2].packets);
	EXPECT_EQ(b.path[size_t(PathKind::fast)].dropped + c.path[size_t(PathKind::fast)].dropped, 0u);
}

TEST(QuotaMeters, BpsQuotaHoldsWithMixedSizes)
{
	const std::vector<uint32_t> sizes = {64, 1500, 576, 1000, 128, 1200};
	uint64_t cycle = 0;
	for (uint32_t s : sizes)
		cycle += s;
	// a sends 24 packets a tick; 24 is a multiple of 6, so each tick carries 4 of every size.
	const uint64_t a_offered_bps = 4 * cycle * 8 * kTicksPerSecond;
	const uint64_t bps = a_offered_bps / 4;
	auto qt = QuotaTable::build(three_tenants(rate({}, bps), rate({}, bps)), 1);
	std::vector<Totals> t = send(*qt, {{0, 24}, {1, 4}, {2, 4}}, sizes);

	const PathStats fa = qt->stats(0).path[size_t(PathKind::fast)];
	EXPECT_EQ(t[0].bytes * 8, a_offered_bps * kSeconds);
	double burst = std::max<double>(bps / 8.0 * 10 / 1000, 16128);
	expect_within_5pct("tenant a passed bytes", fa.passed_bytes, bps / 8.0 * kSeconds + burst);
	EXPECT_EQ(fa.passed_packets + fa.dropped, t[0].packets);
	EXPECT_EQ(t[1].refused, 0u);
	EXPECT_EQ(t[2].refused, 0u);
	EXPECT_EQ(qt->stats(1).path[size_t(PathKind::fast)].passed_bytes, t[1].bytes);
	EXPECT_EQ(qt->stats(2).path[size_t(PathKind::fast)].passed_bytes, t[2].bytes);
}

TEST(QuotaMeters, BothRatesTheTighterOneWins)
{
	constexpr uint64_t q = 15000;
	const uint64_t bps = q * 1500 * 8 / 2;   // all-1500-byte frames: half of q fits
	auto qt = QuotaTable::build(three_tenants(rate(q, bps), rate(q, bps)), 1);
	send(*qt, {{0, 24}}, {1500});
	const PathStats fa = qt->stats(0).path[size_t(PathKind::fast)];
	expect_within_5pct("tenant a passed packets", fa.passed_packets, double(q / 2 * kSeconds + q / 2 / 100));
}

// Header promise: each slot meters rate / slots, so one worker carrying the tenant gets that share.
TEST(QuotaMeters, EachSlotGetsItsShare)
{
	constexpr uint64_t q = 15000;
	auto one = QuotaTable::build(three_tenants(rate(q, {}), rate(q, {})), 2);
	send(*one, {{0, 24}}, {64}, 1);
	expect_within_5pct("one of two slots", one->stats(0).path[size_t(PathKind::fast)].passed_packets,
			   double(q / 2 * kSeconds + q / 2 / 100));

	auto both = QuotaTable::build(three_tenants(rate(q, {}), rate(q, {})), 2);
	send(*both, {{0, 24}}, {64}, 2);
	expect_within_5pct("spread over both slots", both->stats(0).path[size_t(PathKind::fast)].passed_packets,
			   double(q * kSeconds + q / 100));
}

} // namespace
} // namespace tripath::quota::test
