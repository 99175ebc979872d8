// Publishing into the XDP maps: the double buffer flips atomically, the active half is never
// written, oversized or inexpressible rule sets are refused before any write, and a loader
// that only knows the interface finds the program's maps.
#include <atomic>
#include <cstring>
#include <map>
#include <set>
#include <thread>

#include <net/if.h>
#include <pthread.h>
#include <sched.h>
#include <unistd.h>

#include <bpf/bpf.h>
#include <bpf/libbpf.h>
#include <linux/if_link.h>

#include <gtest/gtest.h>

#include "frames.h"
#include "rule_sets.h"
#include "xdp_fixture.h"

using namespace tripath;
using namespace tripath::test;

namespace {

class XdpPublishTest : public XdpTest {};

// n rules on dst ports 10000+j, except rule `hit`, which takes the probe's port 5000.
config::Config probe_rules(uint32_t n, uint32_t hit, config::PathKind path = config::PathKind::drop)
{
	config::Config cfg;
	for (uint32_t j = 0; j < n; j++) {
		config::RuleConfig r;
		r.name = "p" + std::to_string(j);
		r.path = path;
		r.match.dst_port = config::Range{j == hit ? 5000u : 10000u + j, j == hit ? 5000u : 10000u + j};
		cfg.rules.push_back(r);
	}
	return cfg;
}

std::vector<uint8_t> probe_frame()
{
	FrameSpec s;
	s.proto = 17;
	s.dport = 5000;
	return build_frame(s);
}

// Raw bytes of one half of tp_rules (the first n slots).
std::vector<uint8_t> half_bytes(bpf_object *obj, unsigned half, uint32_t n)
{
	bpf_map *map = bpf_object__find_map_by_name(obj, "tp_rules");
	const size_t size = bpf_map__value_size(map);
	std::vector<uint8_t> out(size * n);
	for (uint32_t i = 0; i < n; i++) {
		const uint32_t key = half * classify::xdp::kMaxRules + i;
		if (bpf_map_lookup_elem(bpf_map__fd(map), &key, out.data() + i * size) != 0)
			throw std::runtime_error("tp_rules lookup");
	}
	return out;
}

} // namespace

TEST_F(XdpPublishTest, StageLeavesTheActiveHalfUntouchedUntilCommit)
{
	auto &rules = h->rules();
	h->publish(probe_rules(64, 10));
	const unsigned a = rules.active_half();
	const std::vector<uint8_t> a_bytes = half_bytes(h->object(), a, 64);
	EXPECT_EQ(h->run(probe_frame()).decision.rule, 10u);

	rules.stage(probe_rules(100, 20));
	EXPECT_EQ(rules.active_half(), a);
	EXPECT_EQ(rules.active_rules(), 64u);
	EXPECT_EQ(half_bytes(h->object(), a, 64), a_bytes) << "stage() wrote the active half";
	EXPECT_EQ(h->run(probe_frame()).decision.rule, 10u) << "a staged set must not classify yet";

	rules.commit();
	EXPECT_EQ(rules.active_half(), a ^ 1);
	EXPECT_EQ(rules.active_rules(), 100u);
	EXPECT_EQ(h->run(probe_frame()).decision.rule, 20u);
	EXPECT_EQ(half_bytes(h->object(), a, 64), a_bytes) << "the old half changes only at the next stage()";

	const std::vector<uint8_t> b_bytes = half_bytes(h->object(), a ^ 1, 100);
	rules.stage(probe_rules(30, 5));
	EXPECT_EQ(half_bytes(h->object(), a ^ 1, 100), b_bytes) << "stage() wrote the active half";
	const size_t rule_size = a_bytes.size() / 64;
	EXPECT_NE(half_bytes(h->object(), a, 30), std::vector<uint8_t>(a_bytes.begin(), a_bytes.begin() + 30 * rule_size))
		<< "stage() did not write the inactive half";
	rules.commit();
	EXPECT_EQ(h->run(probe_frame()).decision.rule, 5u);
	EXPECT_THROW(rules.commit(), std::runtime_error) << "commit() without stage()";
}

// A prober classifies the same frame without pause while another loader publishes 4096-rule
// sets, each moving the probe's rule. Every answer must name a published set (a half-written
// set answers "no rule" or an older set's rule), and sets must never go backwards.
TEST_F(XdpPublishTest, ConcurrentPublishNeverShowsAMix)
{
	constexpr uint32_t kRules = classify::xdp::kMaxRules;
	constexpr unsigned kSets = 120;
	std::map<uint32_t, unsigned> set_of_rule; // probe's rule index -> publish number
	auto hit = [](unsigned k) { return (k * 37 + 11) % kRules; };
	for (unsigned k = 0; k < kSets; k++)
		set_of_rule[hit(k)] = k;

	auto publisher = classify::xdp::XdpRules::from_object(h->object());
	publisher->publish(probe_rules(kRules, hit(0)));
	std::vector<config::Config> sets;
	for (unsigned k = 1; k < kSets; k++)
		sets.push_back(probe_rules(kRules, hit(k)));

	std::atomic<bool> done{false};
	std::thread writer([&] {
		// EAL pinned this process to CPU 0, where the prober runs: publish from the other CPUs
		// when there are any, so the two really overlap.
		cpu_set_t others;
		CPU_ZERO(&others);
		for (long cpu = 1; cpu < sysconf(_SC_NPROCESSORS_ONLN) && cpu < CPU_SETSIZE; cpu++)
			CPU_SET(cpu, &others);
		if (CPU_COUNT(&others) > 0)
			pthread_setaffinity_np(pthread_self(), sizeof(others), &others);
		for (const config::Config &cfg : sets)
			publisher->publish(cfg);
		done = true;
	});
	const std::vector<uint8_t> probe = probe_frame();
	unsigned last_set = 0, probes = 0, regressions = 0, unknown = 0;
	std::set<unsigned> seen;
	while (!done.load()) {
		const uint32_t rule = h->run(probe).decision.rule;
		probes++;
		auto it = set_of_rule.find(rule);
		if (it == set_of_rule.end()) {
			unknown++;
			continue;
		}
		regressions += it->second < last_set;
		last_set = std::max(last_set, it->second);
		seen.insert(it->second);
	}
	writer.join();
	EXPECT_EQ(unknown, 0u) << "answers that match no published set (a torn rule set)";
	EXPECT_EQ(regressions, 0u) << "answers from a set older than one already seen";
	EXPECT_EQ(h->run(probe).decision.rule, hit(kSets - 1));
	std::printf("[ XDP      ] %u probes saw %zu of %u rule sets during concurrent publishing\n", probes, seen.size(),
		    kSets);
	EXPECT_GT(seen.size(), 1u);
}

TEST_F(XdpPublishTest, RefusesMoreRulesThanTheCap)
{
	auto &rules = h->rules();
	h->publish(probe_rules(8, 3));
	const unsigned half = rules.active_half();
	try {
		rules.publish(probe_rules(classify::xdp::kMaxRules + 1, 0));
		FAIL() << "a rule set over the cap was accepted";
	} catch (const std::runtime_error &e) {
		EXPECT_NE(std::string(e.what()).find("4097 rules"), std::string::npos) << e.what();
		EXPECT_NE(std::string(e.what()).find("4096"), std::string::npos) << e.what();
	}
	EXPECT_EQ(rules.active_half(), half);
	EXPECT_EQ(rules.active_rules(), 8u);
	EXPECT_EQ(h->run(probe_frame()).decision.rule, 3u);
	EXPECT_THROW(rules.commit(), std::runtime_error) << "a refused stage() must leave nothing to commit";
}

TEST_F(XdpPublishTest, RefusesARuleItCannotExpress)
{
	config::Config cfg = probe_rules(4, 1);
	cfg.rules[2].name = "too-wide";
	cfg.rules[2].match.dst_port = config::Range{10, 70000};
	try {
		h->rules().publish(cfg);
		FAIL() << "an out-of-range port range was accepted";
	} catch (const std::runtime_error &e) {
		EXPECT_NE(std::string(e.what()).find("'too-wide'"), std::string::npos) << e.what();
		EXPECT_NE(std::string(e.what()).find("dst_port"), std::string::npos) << e.what();
	}
}

// In a private network namespace: attach the program to lo (generic XDP), then find its maps
// from the interface name alone, as the daemon does with the af_xdp PMD's program.
TEST_F(XdpPublishTest, FromInterfaceFindsTheAttachedProgram)
{
	h->publish(probe_rules(16, 2));
	std::string failure;
	bool skipped = false;
	std::thread ns([&] {
		try {
			if (unshare(CLONE_NEWNET) != 0) {
				skipped = true;
				failure = std::string("unshare(CLONE_NEWNET): ") + std::strerror(errno);
				return;
			}
			const int lo = int(if_nametoindex("lo"));
			try {
				classify::xdp::XdpRules::from_interface("lo");
				failure = "from_interface on an interface without XDP succeeded";
				return;
			} catch (const std::runtime_error &e) {
				if (std::string(e.what()).find("interface lo") == std::string::npos)
					failure = std::string("error does not name the interface: ") + e.what();
			}
			try {
				classify::xdp::XdpRules::from_interface("tp-no-such0");
				failure = "from_interface on a missing interface succeeded";
				return;
			} catch (const std::runtime_error &e) {
				if (std::string(e.what()).find("tp-no-such0") == std::string::npos)
					failure = std::string("error does not name the interface: ") + e.what();
			}
			if (bpf_xdp_attach(lo, h->prog_fd(), XDP_FLAGS_SKB_MODE, nullptr) != 0) {
				failure = std::string("bpf_xdp_attach to lo: ") + std::strerror(errno);
				return;
			}
			auto rules = classify::xdp::XdpRules::from_interface("lo");
			rules->publish(probe_rules(16, 9));
			bpf_xdp_detach(lo, XDP_FLAGS_SKB_MODE, nullptr);
		} catch (const std::exception &e) {
			failure = e.what();
		}
	});
	ns.join();
	if (skipped)
		GTEST_SKIP() << failure;
	ASSERT_EQ(failure, "");
	EXPECT_EQ(h->run(probe_frame()).decision.rule, 9u) << "publish through the interface reached the same maps";
}
