// Ordered rule list: priority order, first match wins. Built off the workers from the config,
// read-only once published. (The batched rte_acl table replaces the lookup in the classifier
// issue; the interface stays.)
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include <tripath/config/config.h>
#include <tripath/packet/flow_key.h>

namespace tripath::classify {

inline constexpr uint16_t kNoRule = UINT16_MAX;   // no rule matched: the default path
inline constexpr uint16_t kNoTarget = UINT16_MAX;

struct Verdict {
	config::PathKind path = config::PathKind::kernel;
	uint16_t rule = kNoRule;       // index into RuleTable::rules()
	uint16_t target = kNoTarget;   // fast endpoint or bulk peer index in the config
	uint16_t tenant = kNoTarget;   // tenant index in the config
};

class RuleTable {
public:
	RuleTable();
	~RuleTable(); // out of line: CompiledRule is only complete in the .cpp

	// Compile the config's rules (already sorted by priority). Throws std::invalid_argument
	// if the config holds more rules than a uint16_t index can name.
	static std::unique_ptr<RuleTable> build(const config::Config &cfg);

	Verdict lookup(const packet::FlowKey &key) const;
	// Classify a burst; the worker calls this once per rx burst.
	void lookup_burst(const packet::FlowKey *keys, Verdict *out, unsigned n) const;

	size_t size() const;
	const std::string &rule_name(uint16_t index) const { return names_[index]; }

	struct CompiledRule; // private layout, public only so the .cpp's helpers can see it

private:
	std::vector<CompiledRule> rules_;
	std::vector<std::string> names_;
	Verdict default_verdict_;
};

} // namespace tripath::classify
