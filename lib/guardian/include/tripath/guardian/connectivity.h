// The connectivity invariant: traffic of a protected class (ARP, ICMP, SSH, BGP, DNS, the
// operator's own) must still reach path A after a change.
#pragma once

#include <optional>
#include <span>
#include <string>
#include <vector>

#include <tripath/config/config.h>

namespace tripath::guardian {

struct ConnectivityViolation {
	std::string protected_class;
	std::string rule;                      // the changed rule that can capture it
	std::string example;                   // a packet that shows it, and where first-match sends it
};

// For each changed rule (by index into `rules`, the priority-sorted result of the change) that
// does not send to path A: is there a packet of a protected class that the rule matches and no
// earlier rule wholly takes? Exact per rule pair (field-wise intersection and containment,
// VLAN stacks included); where several earlier rules together would shadow the overlap, it
// errs on the side of refusing. The example packet is checked with classify's first-match
// reference (rule_matches) against `rules`.
std::optional<ConnectivityViolation> check_connectivity(const std::vector<config::ProtectedClass> &classes,
							const std::vector<config::RuleConfig> &rules,
							std::span<const size_t> changed);

// Could some packet match both? (The insertion point of a promoted or demoted flow.)
bool matches_overlap(const config::RuleMatch &a, const config::RuleMatch &b);

} // namespace tripath::guardian
