#include <gtest/gtest.h>
#include "xdp_harness.h"

#include <cstring>
#include <sstream>

#include <sys/socket.h>
#include <unistd.h>

#include <bpf/bpf.h>
#include <bpf/libbpf.h>
#include <linux/bpf.h>

#include <tripath/packet/flow_key.h>

namespace tripath::test {

namespace {

// The kernel never shows an XDP program less than an Ethernet header: BPF_PROG_TEST_RUN
// refuses such frames, bpf_xdp_adjust_head/tail will not shrink below it, drivers drop runts.
constexpr size_t kEthHlen = 14;

std::string hex(const std::vector<uint8_t> &frame)
{
	std::ostringstream out;
	for (size_t i = 0; i < frame.size() && i < 128; i++)
		out << (i % 16 ? " " : "\n  ") << std::hex << (frame[i] >> 4) << (frame[i] & 15);
	if (frame.size() > 128)
		out << " ...";
	return out.str();
}

uint32_t action_of(config::PathKind path, bool xsk_bound)
{
	switch (path) {
	case config::PathKind::fast:
	case config::PathKind::bulk:
		return xsk_bound ? XDP_REDIRECT : XDP_PASS;
	case config::PathKind::drop:
		return XDP_DROP;
	case config::PathKind::kernel:
		break;
	}
	return XDP_PASS;
}

} // namespace

namespace {
std::unique_ptr<XdpHarness> harness;
std::string failed;
} // namespace

void XdpHarness::release()
{
	harness.reset();
}

XdpHarness::~XdpHarness()
{
	rules_.reset();
	if (xsk_ >= 0)
		close(xsk_);
	bpf_object__close(obj_);
}

XdpHarness *XdpHarness::get(std::string &why, bool &skip)
{
	skip = geteuid() != 0;
	if (skip) {
		why = "needs root to load BPF programs";
		return nullptr;
	}
	if (harness || !failed.empty()) {
		why = failed;
		return harness.get();
	}
	std::unique_ptr<XdpHarness> h(new XdpHarness());
	h->obj_ = bpf_object__open_file(TRIPATH_XDP_CLASSIFY_OBJ, nullptr);
	if (h->obj_ == nullptr || bpf_object__load(h->obj_) != 0) { // the verifier log is on stderr
		why = failed = std::string("cannot load " TRIPATH_XDP_CLASSIFY_OBJ ": ") + std::strerror(errno);
		return nullptr;
	}
	h->prog_fd_ = bpf_program__fd(bpf_object__next_program(h->obj_, nullptr));
	h->xsks_fd_ = bpf_object__find_map_fd_by_name(h->obj_, "xsks_map");
	// An unbound AF_XDP socket is enough for the XSKMAP: BPF_PROG_TEST_RUN returns the
	// redirect verdict without delivering the frame.
	h->xsk_ = socket(AF_XDP, SOCK_RAW | SOCK_CLOEXEC, 0);
	if (h->prog_fd_ < 0 || h->xsks_fd_ < 0 || h->xsk_ < 0) {
		why = failed = std::string("no program, xsks_map or AF_XDP socket: ") + std::strerror(errno);
		return nullptr;
	}
	h->rules_ = classify::xdp::XdpRules::from_object(h->obj_);
	h->bind_xsk(true);
	h->last_ = h->rules_->last_decisions();
	harness = std::move(h);
	return harness.get();
}

void XdpHarness::bind_xsk(bool bound)
{
	const uint32_t queue = 0;
	const uint32_t fd = uint32_t(xsk_);
	const int rc = bound ? bpf_map_update_elem(xsks_fd_, &queue, &fd, BPF_ANY) : bpf_map_delete_elem(xsks_fd_, &queue);
	if (rc != 0 && (bound || errno != ENOENT))
		throw std::runtime_error(std::string("xsks_map: ") + std::strerror(errno));
	xsk_bound_ = bound;
}

XdpHarness::Run XdpHarness::run(const std::vector<uint8_t> &frame)
{
	LIBBPF_OPTS(bpf_test_run_opts, opts, .data_in = frame.data(), .data_size_in = uint32_t(frame.size()), .repeat = 1);
	if (bpf_prog_test_run_opts(prog_fd_, &opts) != 0)
		throw std::runtime_error("BPF_PROG_TEST_RUN of a " + std::to_string(frame.size()) +
					 "-byte frame: " + std::strerror(errno));
	Run r;
	r.retval = opts.retval;
	std::vector<classify::xdp::Decision> now = rules_->last_decisions();
	unsigned fresh = 0;
	for (size_t cpu = 0; cpu < now.size(); cpu++)
		if (now[cpu].seq != last_[cpu].seq) {
			r.decision = now[cpu];
			fresh += unsigned(now[cpu].seq - last_[cpu].seq);
		}
	last_ = std::move(now);
	if (fresh != 1)
		throw std::runtime_error("expected one fresh decision record, found " + std::to_string(fresh));
	return r;
}

void XdpHarness::publish(const config::Config &cfg)
{
	rules_->publish(cfg);
	cfg_ = cfg;
	table_ = classify::RuleTable::build(cfg_);
}

::testing::AssertionResult XdpHarness::check(const std::vector<uint8_t> &frame)
{
	if (frame.size() < kEthHlen) {
		// Unreachable in XDP (see kEthHlen); the C++ side must still call it a drop reason.
		packet::FlowKey key;
		const packet::ParseStatus status = packet::parse_frame(frame.data(), frame.size(), uint32_t(frame.size()), key);
		runts_checked++;
		if (status != packet::ParseStatus::truncated_ethernet)
			return ::testing::AssertionFailure() << frame.size() << "-byte frame: C++ parse status "
							     << packet::parse_status_name(status);
		return ::testing::AssertionSuccess();
	}
	const auto start = std::chrono::steady_clock::now();
	const Run r = run(frame);
	const classify::xdp::Decision &d = r.decision;
	auto fail = [&]() {
		return ::testing::AssertionFailure()
		       << frame.size() << "-byte frame (head " << d.head_len << ", frame_len " << d.frame_len
		       << "): XDP status " << packet::parse_status_name(d.status) << " rule " << int64_t(int32_t(d.rule))
		       << " path " << config::path_kind_name(d.path) << " action " << r.retval << "; ";
	};
	if (d.frame_len != frame.size() || d.head_len > frame.size() || d.action != r.retval)
		return fail() << "decision record does not describe this run" << hex(frame);

	packet::FlowKey key;
	const packet::ParseStatus status = packet::parse_frame(frame.data(), d.head_len, d.frame_len, key);
	if (status != d.status)
		return fail() << "C++ parse status " << packet::parse_status_name(status) << hex(frame);
	expected_.parse[size_t(status)]++;
	if (status != packet::ParseStatus::ok) {
		if (r.retval != XDP_DROP || d.rule != classify::kNoRule)
			return fail() << "malformed frames must be dropped without a rule" << hex(frame);
	} else {
		const classify::Verdict v = table_->lookup(key);
		const uint32_t want = action_of(v.path, xsk_bound_);
		if (d.rule != v.rule || d.path != v.path || r.retval != want)
			return fail() << "RuleTable says rule " << int64_t(int32_t(v.rule)) << " ("
				      << (v.rule == classify::kNoRule ? "none" : table_->rule_name(v.rule)) << ") path "
				      << config::path_kind_name(v.path) << " action " << want << hex(frame);
		classify::xdp::PathCount &c = want == XDP_PASS && v.path != config::PathKind::kernel
						      ? expected_.xsk_missing
						      : expected_.path[size_t(v.path)];
		c.packets++;
		c.bytes += d.frame_len;
	}
	frames_checked++;
	by_status[size_t(status)]++;
	matched_a_rule += d.rule != classify::kNoRule;
	multi_buffer += d.head_len < d.frame_len;
	time_checking += std::chrono::steady_clock::now() - start;
	return ::testing::AssertionSuccess();
}

void XdpHarness::reset_tallies()
{
	base_ = rules_->read_counters();
	expected_ = {};
}

::testing::AssertionResult XdpHarness::counters_match()
{
	const classify::xdp::Counters now = rules_->read_counters();
	for (size_t i = 0; i < now.parse.size(); i++)
		if (now.parse[i] - base_.parse[i] != expected_.parse[i])
			return ::testing::AssertionFailure()
			       << "parse counter " << packet::parse_status_name(packet::ParseStatus(i)) << ": "
			       << now.parse[i] - base_.parse[i] << ", expected " << expected_.parse[i];
	auto same = [](const classify::xdp::PathCount &now, const classify::xdp::PathCount &base,
		       const classify::xdp::PathCount &want) {
		return now.packets - base.packets == want.packets && now.bytes - base.bytes == want.bytes;
	};
	for (size_t i = 0; i < now.path.size(); i++)
		if (!same(now.path[i], base_.path[i], expected_.path[i]))
			return ::testing::AssertionFailure()
			       << "path counter " << config::path_kind_name(config::PathKind(i)) << ": "
			       << now.path[i].packets - base_.path[i].packets << " packets, expected "
			       << expected_.path[i].packets;
	if (!same(now.xsk_missing, base_.xsk_missing, expected_.xsk_missing))
		return ::testing::AssertionFailure() << "xsk_missing counter: "
						     << now.xsk_missing.packets - base_.xsk_missing.packets
						     << " packets, expected " << expected_.xsk_missing.packets;
	return ::testing::AssertionSuccess();
}

} // namespace tripath::test

namespace {

// The shared harness holds BPF objects and DPDK tables: free them before EAL is cleaned up.
class ReleaseHarness : public ::testing::Environment {
public:
	void TearDown() override { tripath::test::XdpHarness::release(); }
};

[[maybe_unused]] ::testing::Environment *const release_env = ::testing::AddGlobalTestEnvironment(new ReleaseHarness);

} // namespace
