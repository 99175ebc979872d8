// The bytes rte_acl classifies: a fixed-layout key built from each packet's FlowKey, one layout
// per context (IPv4, IPv6, non-IP). rte_acl reads the first byte alone, then 4-byte groups,
// and builds its trie in that order: the selective fields (proto, addresses, ports) come first
// so rules part ways near the root, the rarely used ones last, where rte_acl drops a group that
// every rule of a trie leaves wild. Multi-byte fields are in network byte order.
#pragma once

#include <cstddef>
#include <cstdint>

#include <rte_acl.h>

namespace tripath::classify::acl {

constexpr uint16_t kNoVlan = 0xffff;  // a VID no tag carries: "no tag at this depth"
constexpr uint16_t kDscpMask = 0x3f;  // flags: DSCP in the low six bits…
constexpr uint16_t kL4Flag = 0x80;    // …and "src/dst ports were read" above them

// The group after the ports, in both IP keys: fields most rules leave wild.
struct KeyTail {
	uint16_t flags;       // dscp | kL4Flag (two bytes: an input's fields must fill its four)
	uint16_t frame_len;
	uint16_t vlan0;       // outer VID, kNoVlan when untagged
	uint16_t vlan1;       // inner VID, kNoVlan when absent
};
static_assert(sizeof(KeyTail) == 8);

// IPv4 frames (ether_type is 0x0800 for all of them).
struct Key4 {
	uint8_t proto;        // 0       input 0 (rte_acl's first field: one byte on its own)
	uint8_t pad[3];
	uint32_t src;         // 4       input 1
	uint32_t dst;         // 8       input 2
	uint16_t sport;       // 12      input 3
	uint16_t dport;       // 14      input 3
	KeyTail tail;         // 16..23  inputs 4 (flags, frame_len) and 5 (vlans)
};
static_assert(sizeof(Key4) == 24);

// IPv6 frames (ether_type 0x86dd).
struct Key6 {
	uint8_t proto;        // 0       input 0
	uint8_t pad[3];
	uint32_t src[4];      // 4..19   inputs 1..4
	uint32_t dst[4];      // 20..35  inputs 5..8
	uint16_t sport;       // 36      input 9
	uint16_t dport;       // 38      input 9
	KeyTail tail;         // 40..47  inputs 10, 11
};
static_assert(sizeof(Key6) == 48);

// Frames that are not IP (ARP, LLDP…): only rules without IP fields can match them.
struct KeyOther {
	uint8_t zero;         // 0       input 0: rte_acl needs a one-byte first field; always 0
	uint8_t pad;
	uint16_t ether_type;  // 2       input 1 (with frame_len)
	uint16_t frame_len;   // 4
	uint16_t vlan0;       // 6       input 2
	uint16_t vlan1;       // 8
	uint16_t pad2;
};
static_assert(sizeof(KeyOther) == 12);

// Field numbers inside a rule (rte_acl_rule::field[]), per context.
namespace f4 {
enum : uint8_t { proto, src, dst, sport, dport, flags, frame_len, vlan0, vlan1, count };
}
namespace f6 {
enum : uint8_t { proto, src0, dst0 = src0 + 4, sport = dst0 + 4, dport, flags, frame_len, vlan0, vlan1, count };
}
namespace fo {
enum : uint8_t { zero, ether_type, frame_len, vlan0, vlan1, count };
}

RTE_ACL_RULE_DEF(Rule4, f4::count);
RTE_ACL_RULE_DEF(Rule6, f6::count);
RTE_ACL_RULE_DEF(RuleOther, fo::count);

} // namespace tripath::classify::acl
