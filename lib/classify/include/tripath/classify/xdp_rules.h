// Split mode: the same rules as the workers' RuleTable, compiled into the BPF maps of the XDP
// classifier (bpf/xdp_classify.bpf.c) and published with a double-buffered flip, so a frame
// is classified by the old rule set or the new one, never by a mix.
#pragma once

#include <array>
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include <tripath/classify/rule_table.h>
#include <tripath/config/config.h>
#include <tripath/packet/flow_key.h>

struct bpf_object;

namespace tripath::classify::xdp {

// Rules per half of the rule array (the program's TP_XDP_MAX_RULES); bigger sets are refused.
inline constexpr uint32_t kMaxRules = 4096;

// What the program decided for the last frame one CPU saw.
struct Decision {
	uint64_t seq = 0;              // frames this CPU has seen: tells a fresh record from a stale one
	packet::ParseStatus status = packet::ParseStatus::ok;
	uint32_t rule = kNoRule;       // index into cfg.rules, as RuleTable's Verdict::rule
	config::PathKind path = config::PathKind::kernel; // drop for malformed frames
	uint32_t action = 0;           // returned XDP action: XDP_DROP 1, XDP_PASS 2, XDP_REDIRECT 4
	uint32_t frame_len = 0;        // whole frame, all buffers
	uint32_t head_len = 0;         // the linear part the parser read (parse_frame's len)
};

struct PathCount {
	uint64_t packets = 0;
	uint64_t bytes = 0;
};

// Summed over CPUs.
struct Counters {
	// [ok]: frames classified; every other slot: frames dropped as malformed for that reason.
	std::array<uint64_t, size_t(packet::ParseStatus::count_)> parse{};
	// By config::PathKind. kernel: passed to the stack; fast, bulk: redirected into an XSK;
	// drop: dropped by a rule.
	std::array<PathCount, 4> path{};
	PathCount xsk_missing;         // fast/bulk frames passed to the stack: no XSK on their rx queue
};

// Writes rule sets into one loaded classifier's maps. One publisher at a time (the guardian).
// Every method throws std::runtime_error naming what failed (rule, map, interface).
class XdpRules {
public:
	// Maps of an object loaded with libbpf (bpf_object__load done). The object may be closed
	// afterwards: XdpRules holds its own map fds.
	static std::unique_ptr<XdpRules> from_object(bpf_object *obj);
	// Maps of the XDP program attached to `ifname` (e.g. by the af_xdp PMD's xdp_prog=).
	static std::unique_ptr<XdpRules> from_interface(const std::string &ifname);
	~XdpRules();
	XdpRules(const XdpRules &) = delete;
	XdpRules &operator=(const XdpRules &) = delete;

	// stage(cfg) then commit().
	void publish(const config::Config &cfg);
	// Compile cfg.rules (priority-sorted; same indexes as RuleTable) into the inactive half.
	// Frames keep being classified by the active half. Refuses more than kMaxRules rules
	// before touching any map.
	void stage(const config::Config &cfg);
	// Flip the active half to the staged one; returns once no frame can still be reading the
	// old half (an RCU grace period), so the next stage() may overwrite it.
	void commit();

	unsigned active_half() const;
	uint32_t active_rules() const;  // rule count of the active half
	Counters read_counters() const;
	std::vector<Decision> last_decisions() const; // one per possible CPU

private:
	struct Fds;
	explicit XdpRules(std::unique_ptr<Fds> fds);
	void wait_for_readers();

	std::unique_ptr<Fds> fds_;
	unsigned cpus_ = 0;            // possible CPUs: per-CPU map values come in this many slots
	bool staged_ = false;          // stage() wrote staged_half_, commit() not yet called
	unsigned staged_half_ = 0;
	bool quiescent_ = false;       // no frame can be reading the inactive half
};

} // namespace tripath::classify::xdp
