// The rules that can match a frame that is not IP (ARP, LLDP…): those naming only ether_type,
// VLAN and frame size. A config has a handful (ARP, the default rule), and such frames are
// rare, so up to kMaxRules they are tested one by one: a third rte_acl context would cost each
// build (the guardian's rule swaps) about 150 µs for nothing. Past that, rte_acl takes them.
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <vector>

#include <tripath/config/config.h>
#include <tripath/packet/flow_key.h>

namespace tripath::classify {

class NonIpRules {
public:
	static constexpr unsigned kMaxRules = 32;

	// Null when more than kMaxRules rules could match a non-IP frame.
	static std::unique_ptr<NonIpRules> build(const config::Config &cfg);

	// The first rule matching a frame that is not IP (ip_version 0), or kNoRule.
	uint32_t lookup(const packet::FlowKey &k) const;

private:
	struct Rule {
		uint32_t rule;                  // index into cfg.rules
		std::optional<uint16_t> ether_type;
		std::optional<uint16_t> vlan;
		std::optional<config::Range> frame_size;
	};
	std::vector<Rule> rules_;           // in rule order
};

} // namespace tripath::classify
