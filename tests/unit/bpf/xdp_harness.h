// Runs frames through the loaded XDP classifier (BPF_PROG_TEST_RUN) and through the C++
// parser + RuleTable, and says whether they agree.
#pragma once

#include <array>
#include <chrono>
#include <memory>
#include <vector>

#include <gtest/gtest.h>

#include <tripath/classify/rule_table.h>
#include <tripath/classify/xdp_rules.h>
#include <tripath/packet/flow_key.h>

struct bpf_object;

namespace tripath::test {

class XdpHarness {
public:
	// Loaded once per process; null (with the reason in `why`) when it could not be loaded;
	// `skip` says whether that is the host's limit (not root) rather than a failure.
	static XdpHarness *get(std::string &why, bool &skip);
	// Frees it (its RuleTable lives in DPDK memory): call before rte_eal_cleanup().
	static void release();

	struct Run {
		uint32_t retval = 0;
		classify::xdp::Decision decision;
	};
	// One frame through the program; the decision is the record of the CPU it ran on.
	Run run(const std::vector<uint8_t> &frame);

	// Publish cfg to the program and build the RuleTable the frames are checked against.
	void publish(const config::Config &cfg);
	// Both sides agree on this frame: parse status, rule index, path and XDP action. Frames
	// under an Ethernet header only go through the C++ side (XDP never sees them).
	::testing::AssertionResult check(const std::vector<uint8_t> &frame);

	// Counter deltas since the last reset_tallies() equal what check() expected.
	::testing::AssertionResult counters_match();
	void reset_tallies();

	// Put the XSK into (or take it out of) xsks_map[0], the queue BPF_PROG_TEST_RUN uses.
	void bind_xsk(bool bound);

	classify::xdp::XdpRules &rules() { return *rules_; }
	bpf_object *object() { return obj_; }
	int prog_fd() const { return prog_fd_; }
	const config::Config &config() const { return cfg_; }

	uint64_t frames_checked = 0;    // run through both classifiers
	uint64_t runts_checked = 0;     // under 14 bytes: C++ only, the kernel never runs XDP on them
	std::chrono::steady_clock::duration time_checking{};
	// Coverage of what was checked, for the report.
	std::array<uint64_t, size_t(packet::ParseStatus::count_)> by_status{};
	uint64_t matched_a_rule = 0;
	uint64_t multi_buffer = 0;      // frame longer than the linear part the program saw

	~XdpHarness();

private:
	XdpHarness() = default;
	bpf_object *obj_ = nullptr;
	int prog_fd_ = -1;
	int xsks_fd_ = -1;
	int xsk_ = -1;
	bool xsk_bound_ = false;
	std::unique_ptr<classify::xdp::XdpRules> rules_;
	config::Config cfg_;
	std::unique_ptr<classify::RuleTable> table_;
	std::vector<classify::xdp::Decision> last_; // per CPU, before the next run
	classify::xdp::Counters base_, expected_;
};

} // namespace tripath::test
