// Build cost at scale (printed, not asserted) and build errors that name the tenant.
#include <chrono>
#include <cstdio>

#include <gtest/gtest.h>

#include "quota_fixtures.h"

namespace tripath::quota::test {
namespace {

using config::PathKind;

constexpr unsigned kTenants = 10000;

std::string v4(unsigned a, unsigned b, unsigned c, unsigned d)
{
	return std::to_string(a) + "." + std::to_string(b) + "." + std::to_string(c) + "." + std::to_string(d);
}

std::string hex(unsigned v)
{
	char buf[8];
	std::snprintf(buf, sizeof(buf), "%x", v);
	return buf;
}

// Tenant t owns 10.(t/256).(t%256).0/24 plus either a /48 of IPv6 or a /32 host elsewhere in IPv4.
config::Config many_tenants(bool with_ipv6)
{
	config::Config cfg;
	cfg.tenants.reserve(kTenants);
	for (unsigned t = 0; t < kTenants; t++) {
		std::string second = with_ipv6 ? "2001:db8:" + hex(t) + "::/48" : v4(100, t / 256, t % 256, 7) + "/32";
		cfg.tenants.push_back(tenant("t" + std::to_string(t), {v4(10, t / 256, t % 256, 0) + "/24", second}));
		set_quota(cfg.tenants.back(), PathKind::fast, rate(100000 + t, 1'000'000'000));
		set_quota(cfg.tenants.back(), PathKind::bulk, rate({}, 10'000'000'000));
	}
	return cfg;
}

void build_and_check(bool with_ipv6)
{
	config::Config cfg = many_tenants(with_ipv6);
	auto start = std::chrono::steady_clock::now();
	auto qt = QuotaTable::build(cfg, 4);
	double ms = std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - start).count();
	std::printf("  build: %u tenants x 2 prefixes (%s), 4 slots, %zu meters: %.1f ms\n", kTenants,
		    with_ipv6 ? "IPv4 /24 + IPv6 /48" : "IPv4 /24 + IPv4 /32", qt->meters(), ms);
	ASSERT_EQ(qt->tenant_count(), kTenants);
	EXPECT_EQ(qt->meters(), 2u * kTenants);

	for (unsigned t = 0; t < kTenants; t += 97) {
		std::string second = with_ipv6 ? "2001:db8:" + hex(t) + "::1" : v4(100, t / 256, t % 256, 7);
		packet::FlowKey keys[3] = {key_from(v4(10, t / 256, t % 256, 42)), key_from(second),
					   key_from(v4(100, t / 256, t % 256, 8))};
		classify::Verdict verdicts[3] = {on(PathKind::fast), on(PathKind::fast), on(PathKind::fast)};
		uint16_t out[3];
		qt->tenants_of(keys, verdicts, out, 3);
		EXPECT_EQ(out[0], t);
		EXPECT_EQ(out[1], t);
		EXPECT_EQ(out[2], kNoTenant);
	}
}

TEST(QuotaBuild, TenThousandTenantsIpv4AndIpv6) { build_and_check(true); }
TEST(QuotaBuild, TenThousandTenantsIpv4Only) { build_and_check(false); }

TEST(QuotaBuild, ZeroRateIsRefusedNamingTheTenant)
{
	config::Config cfg;
	cfg.tenants = {tenant("ok"), tenant("zero")};
	set_quota(cfg.tenants[1], PathKind::bulk, rate(0, {}));
	try {
		QuotaTable::build(cfg, 1);
		FAIL() << "expected an error";
	} catch (const std::runtime_error &e) {
		EXPECT_STREQ(e.what(), "tenant 'zero': bulk quota: pps, bps and burst_ms must be at least 1");
	}
}

TEST(QuotaBuild, NoSlotsIsRefused)
{
	config::Config cfg;
	EXPECT_THROW(QuotaTable::build(cfg, 0), std::runtime_error);
}

} // namespace
} // namespace tripath::quota::test
