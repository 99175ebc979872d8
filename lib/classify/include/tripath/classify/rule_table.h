// The compiled rule set, looked up a burst at a time: an rte_acl context each for IPv4 and IPv6
// frames, in large rule sets hash buckets for the rules on long address prefixes, and a short
// list (or a third context) for frames that are not IP (doc/classifier.md). Built off the
// workers, published under RCU, never edited in place.
#pragma once

#include <algorithm>
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include <tripath/config/config.h>
#include <tripath/packet/flow_key.h>

struct rte_acl_ctx;

namespace tripath::classify {

class NonIpRules;
class PrefixBuckets;

inline constexpr uint32_t kNoRule = UINT32_MAX;   // no rule matched: the default path
inline constexpr uint16_t kNoTarget = UINT16_MAX;

struct Verdict {
	config::PathKind path = config::PathKind::kernel;
	uint16_t target = kNoTarget;   // fast endpoint or bulk peer index in the config
	uint16_t tenant = kNoTarget;   // tenant index in the config
	uint32_t rule = kNoRule;       // index into the config's (priority-sorted) rules
};

class RuleTable {
public:
	// Compile cfg.rules (already sorted by priority). Needs EAL (rte_acl allocates from DPDK
	// memory). Throws std::runtime_error naming the rule set that could not be built.
	static std::unique_ptr<RuleTable> build(const config::Config &cfg);
	~RuleTable();
	RuleTable(const RuleTable &) = delete;
	RuleTable &operator=(const RuleTable &) = delete;

	Verdict lookup(const packet::FlowKey &key) const;
	// Classify a burst (any n); the worker calls this once per rx burst.
	void lookup_burst(const packet::FlowKey *keys, Verdict *out, unsigned n) const;

	size_t size() const { return names_.size(); }
	const std::string &rule_name(uint32_t index) const { return names_[index]; }
	size_t acl_rules() const { return acl_rules_; }   // after v4/v6 and VLAN expansion
	size_t bucket_rules() const { return bucket_rules_; } // held by prefix buckets, not rte_acl
	// The last rule when it has no match (the config's default), else kNoRule.
	uint32_t default_rule() const { return default_rule_; }
	// Unique per built table (never 0), so a flow cache can tell whose verdicts it holds.
	uint32_t generation() const { return generation_; }
	// Lengths of the same class agree on every rule's frame_size (the flow cache's key).
	uint16_t size_class(uint32_t frame_len) const
	{
		uint32_t len = frame_len < UINT16_MAX ? frame_len : UINT16_MAX;
		if (frame_bounds_.size() > 8)
			return uint16_t(std::upper_bound(frame_bounds_.begin(), frame_bounds_.end(), len) - frame_bounds_.begin());
		uint16_t c = 0;
		for (uint32_t b : frame_bounds_) // a handful in practice: a branch-free scan
			c += len >= b;
		return c;
	}

private:
	RuleTable() = default;

	rte_acl_ctx *ctx4_ = nullptr;   // IPv4 frames; null when no rule applies
	rte_acl_ctx *ctx6_ = nullptr;   // IPv6 frames
	rte_acl_ctx *ctx_other_ = nullptr; // frames that are not IP, when non_ip_ is null
	std::unique_ptr<NonIpRules> non_ip_; // frames that are not IP, when their rules are few
	std::unique_ptr<PrefixBuckets> buckets4_, buckets6_; // null when rte_acl holds every rule
	std::vector<Verdict> verdicts_; // by rule index
	std::vector<std::string> names_;
	size_t acl_rules_ = 0;
	size_t bucket_rules_ = 0;
	uint32_t default_rule_ = kNoRule;
	uint32_t generation_ = 0;
	std::vector<uint32_t> frame_bounds_; // every frame_size range's lo and hi + 1, sorted, unique
};

} // namespace tripath::classify
