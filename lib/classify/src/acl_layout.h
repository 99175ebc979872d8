// The bytes rte_acl classifies: a fixed-layout key built from each packet's FlowKey, one for
// IPv4 and non-IP frames, one for IPv6. rte_acl reads the first byte alone, then 4-byte
// groups; multi-byte fields are in network byte order (rules are given in host order).
#pragma once

#include <cstddef>
#include <cstdint>

#include <rte_acl.h>

namespace tripath::classify::acl {

// Fields every key has, in this order, at these offsets.
struct KeyHead {
	uint8_t proto;        // 0        idx 0 (rte_acl's first, single byte)
	uint8_t pad0[3];      // 1..3     not classified
	uint8_t dscp;         // 4        idx 1
	uint8_t l4;           // 5        idx 1: 1 when src/dst ports were read
	uint16_t frame_len;   // 6..7     idx 1
	uint16_t ether_type;  // 8..9     idx 2
	uint16_t vlan0;       // 10..11   idx 2: outer VID, 0xffff when untagged
	uint16_t vlan1;       // 12..13   idx 3: inner VID, 0xffff when absent
	uint16_t ip_version;  // 14..15   idx 3
};
static_assert(sizeof(KeyHead) == 16);

struct Key4 {
	KeyHead head;
	uint32_t src;         // 16  idx 4
	uint32_t dst;         // 20  idx 5
	uint16_t sport;       // 24  idx 6
	uint16_t dport;       // 26  idx 6
};
static_assert(sizeof(Key4) == 28);

struct Key6 {
	KeyHead head;
	uint32_t src[4];      // 16..31  idx 4..7
	uint32_t dst[4];      // 32..47  idx 8..11
	uint16_t sport;       // 48      idx 12
	uint16_t dport;       // 50      idx 12
};
static_assert(sizeof(Key6) == 52);

// Field numbers inside a rule (rte_acl_rule::field[]).
enum Field4 : uint8_t { f_proto, f_dscp, f_l4, f_frame_len, f_ether_type, f_vlan0, f_vlan1, f_ip_version,
			f4_src, f4_dst, f4_sport, f4_dport, f4_count };
enum Field6 : uint8_t { f6_src0 = f_ip_version + 1, f6_dst0 = f6_src0 + 4, f6_sport = f6_dst0 + 4, f6_dport, f6_count };

constexpr uint16_t kNoVlan = 0xffff;

RTE_ACL_RULE_DEF(Rule4, f4_count);
RTE_ACL_RULE_DEF(Rule6, f6_count);

} // namespace tripath::classify::acl
