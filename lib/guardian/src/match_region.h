// A rule match as sets of packets, one per address family, so that two matches can be
// intersected and compared field by field (the same meaning as classify::rule_matches).
#pragma once

#include <optional>
#include <vector>

#include <tripath/config/config.h>
#include <tripath/packet/flow_key.h>

namespace tripath::guardian::detail {

enum class Family { v4, v6, non_ip };

struct Region {
	Family family = Family::v4;
	std::optional<uint16_t> ether_type;    // non_ip only (IP families imply theirs)
	std::optional<config::Prefix> src, dst;
	std::optional<uint8_t> proto;
	std::optional<config::Range> src_port, dst_port; // set: an L4 header is present
	std::optional<uint8_t> dscp;
	std::vector<uint16_t> vlans;           // every one of them is somewhere in the tag stack
	std::optional<config::Range> frame_size;
};

std::vector<Region> regions_of(const config::RuleMatch &match); // 0..3
std::optional<Region> intersect(const Region &a, const Region &b);
bool covers(const Region &outer, const Region &inner);              // inner is a subset of outer
packet::FlowKey witness(const Region &region);                      // a packet in the region

} // namespace tripath::guardian::detail
