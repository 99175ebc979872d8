/* The contract between the XDP classifier (bpf/xdp_classify.bpf.c) and its loader
 * (xdp_rules.cpp): map names, value layouts and enum values. Plain C so both compilers read
 * the same bytes; change both sides together. */
#ifndef TRIPATH_CLASSIFY_XDP_LAYOUT_H
#define TRIPATH_CLASSIFY_XDP_LAYOUT_H

#include <linux/types.h>

/* Rules per half of the double-buffered rule array; bigger rule sets are refused. */
#define TP_XDP_MAX_RULES 4096u
/* XSK slots: one per rx queue (config caps a port at 64 queues). */
#define TP_XDP_MAX_QUEUES 64u
#define TP_XDP_NO_RULE 0xffffffffu

/* Map names as the kernel reports them (BPF_OBJ_NAME_LEN: at most 15 characters), so a loader
 * that only has the interface can find them through the attached program's map ids. */
#define TP_XDP_MAP_XSKS "xsks_map"   /* the name DPDK's af_xdp PMD looks for */
#define TP_XDP_MAP_RULES "tp_rules"
#define TP_XDP_MAP_CTL "tp_rule_ctl"
#define TP_XDP_MAP_PARSE "tp_parse_cnt"
#define TP_XDP_MAP_PATHS "tp_path_cnt"
#define TP_XDP_MAP_LAST "tp_last"

/* Same numbering as tripath::packet::ParseStatus (static_assert'ed in xdp_rules.cpp). */
enum tp_xdp_parse_status {
	TP_PARSE_OK = 0,
	TP_PARSE_TRUNCATED_ETHERNET,
	TP_PARSE_TRUNCATED_VLAN,
	TP_PARSE_TOO_MANY_VLANS,
	TP_PARSE_TRUNCATED_IPV4,
	TP_PARSE_BAD_IPV4_VERSION,
	TP_PARSE_BAD_IPV4_IHL,
	TP_PARSE_BAD_IPV4_LENGTH,
	TP_PARSE_TRUNCATED_IPV6,
	TP_PARSE_BAD_IPV6_VERSION,
	TP_PARSE_BAD_IPV6_EXTENSION,
	TP_PARSE_TRUNCATED_L4,
	TP_PARSE_BAD_TCP_OFFSET,
	TP_PARSE_COUNT
};

/* Same numbering as tripath::config::PathKind. */
enum tp_xdp_path { TP_PATH_KERNEL = 0, TP_PATH_FAST, TP_PATH_BULK, TP_PATH_DROP, TP_PATH_COUNT };

/* tp_path_cnt slots: one per path, then fast/bulk packets that found no XSK on their rx
 * queue and went to the kernel instead (not lost, but not where the rules sent them). */
#define TP_XDP_SLOT_XSK_MISSING TP_PATH_COUNT
#define TP_XDP_PATH_SLOTS (TP_PATH_COUNT + 1)

/* Which fields of a rule are set (unset fields match everything, as in config::RuleMatch). */
enum tp_xdp_match_bits {
	TP_M_ETHER_TYPE = 1u << 0,
	TP_M_SRC = 1u << 1,
	TP_M_DST = 1u << 2,
	TP_M_PROTO = 1u << 3,
	TP_M_SRC_PORT = 1u << 4,
	TP_M_DST_PORT = 1u << 5,
	TP_M_DSCP = 1u << 6,
	TP_M_VLAN = 1u << 7,
	TP_M_FRAME_SIZE = 1u << 8,
};

/* One compiled rule. Addresses and masks are in network byte order, everything else in host
 * order; a prefix matches when (addr & mask) == net word by word (host bits of net are zero). */
struct tp_xdp_rule {
	__u32 match;           /* tp_xdp_match_bits */
	__u32 src_net[4];
	__u32 src_mask[4];
	__u32 dst_net[4];
	__u32 dst_mask[4];
	__u16 ether_type;
	__u16 vlan;
	__u16 src_port_lo, src_port_hi;
	__u16 dst_port_lo, dst_port_hi;
	__u16 frame_lo, frame_hi; /* frame length clamps at 65535, as in the rte_acl tables */
	__u8 src_family;       /* 4 or 6 */
	__u8 dst_family;
	__u8 proto;
	__u8 dscp;
	__u8 path;             /* tp_xdp_path */
	__u8 pad[3];
};

/* Single entry of tp_rule_ctl. Rules of half h live at tp_rules[h * TP_XDP_MAX_RULES + i],
 * i < count[h]. The loader writes the inactive half and its count, waits, then writes this
 * struct again with only `active` changed: every write leaves all other bytes as they were,
 * so a reader can never see a torn value of a field it uses.
 * loader: writes; XDP program: reads `active` once per packet, then count[active]. */
struct tp_xdp_ctl {
	__u32 active;          /* 0 or 1 */
	__u32 count[2];
};

/* Per-CPU tp_path_cnt value. */
struct tp_xdp_path_count {
	__u64 packets;
	__u64 bytes;
};

/* Per-CPU tp_last value: what the program decided for the last frame on this CPU, so a test
 * (or a trace command) can see why one frame went where it went.
 * XDP program: writes; loader: reads. */
struct tp_xdp_decision {
	__u64 seq;             /* frames seen by this CPU; tells a fresh record from a stale one */
	__u32 rule;            /* matched rule index or TP_XDP_NO_RULE */
	__u32 action;          /* XDP_DROP / XDP_PASS / XDP_REDIRECT, as returned */
	__u32 frame_len;       /* whole frame, all buffers */
	__u16 head_len;        /* the linear part the parser read */
	__u8 status;           /* tp_xdp_parse_status */
	__u8 path;             /* tp_xdp_path (TP_PATH_DROP for malformed frames) */
};

#endif
