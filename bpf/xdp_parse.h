/* The XDP twin of lib/packet/src/parse.cpp: same checks in the same order, so every frame gets
 * the same ParseStatus and the same key fields. Change the two together; the agreement test
 * (tests/unit/bpf) runs both over the same frames. */
#ifndef TRIPATH_BPF_XDP_PARSE_H
#define TRIPATH_BPF_XDP_PARSE_H

#include <linux/types.h>
#include <bpf/bpf_helpers.h>

#include "xdp_layout.h"

#define TP_MAX_VLANS 2
#define TP_MAX_IPV6_EXTENSIONS 8

#define TP_ETHER_IPV4 0x0800
#define TP_ETHER_IPV6 0x86dd
#define TP_TPID_8021Q 0x8100
#define TP_TPID_8021AD 0x88a8
#define TP_TPID_QINQ_LEGACY 0x9100

#define TP_PROTO_TCP 6
#define TP_PROTO_UDP 17
#define TP_PROTO_FRAGMENT 44
#define TP_PROTO_AH 51
#define TP_PROTO_SCTP 132

/* Hop-by-hop (0), routing (43), fragment (44), AH (51), destination options (60). */
#define TP_IPV6_EXT_MASK ((1ull << 0) | (1ull << 43) | (1ull << 44) | (1ull << 51) | (1ull << 60))

/* No offset the parser reaches exceeds 22 + 40 + 8 * 2048 + 20 (VLANs, IPv6, the longest
 * extension chain, TCP), so masking with this changes no value: it only proves to the
 * verifier that a packet pointer stays below MAX_PACKET_OFF, and lets states at the same
 * point of the extension walk prune each other. */
#define TP_OFF_MASK 0x7fff

/* What the classifier matches on; the fields of packet::FlowKey. Addresses in network order,
 * IPv4 in word 0. */
struct tp_key {
	__u32 src[4];
	__u32 dst[4];
	__u32 frame_len;
	__u16 ether_type;
	__u16 vlan_ids[TP_MAX_VLANS];
	__u16 src_port;
	__u16 dst_port;
	__u16 l4_offset;       /* 0 when no L4 header was read */
	__u8 vlan_count;
	__u8 ip_version;
	__u8 proto;
	__u8 dscp;
	__u8 fragment;
	__u8 first_fragment;
};

/* The linear part of the frame: what the C++ parser calls `data` and `len`. */
struct tp_frame {
	const __u8 *data;
	const __u8 *end;
};

/* `need` readable bytes at `off`, or NULL: the same test as the C++ `len - off < need`. */
static __always_inline const __u8 *tp_bytes_at(const struct tp_frame *f, __u32 off, __u32 need)
{
	const __u8 *p = f->data + (off & TP_OFF_MASK);
	if (p + need > f->end)
		return 0;
	return p;
}

static __always_inline __u16 tp_be16(const __u8 *p)
{
	return (__u16)(p[0] << 8 | p[1]);
}

static __always_inline int tp_is_vlan_tpid(__u16 type)
{
	return type == TP_TPID_8021Q || type == TP_TPID_8021AD || type == TP_TPID_QINQ_LEGACY;
}

static __always_inline int tp_is_ipv6_extension(__u8 nh)
{
	return nh < 64 && ((TP_IPV6_EXT_MASK >> nh) & 1);
}

/* Ports only for protocols that carry them; each branch checks a constant length so the
 * verifier knows which bytes are readable. */
static __always_inline int tp_parse_l4(const struct tp_frame *f, __u32 off, struct tp_key *k)
{
	const __u8 *l4;
	if (k->proto == TP_PROTO_TCP) {
		l4 = tp_bytes_at(f, off, 20);
		if (!l4)
			return TP_PARSE_TRUNCATED_L4;
		__u32 header_len = (__u32)(l4[12] >> 4) * 4;
		if (header_len < 20 || !tp_bytes_at(f, off, header_len))
			return TP_PARSE_BAD_TCP_OFFSET;
	} else if (k->proto == TP_PROTO_UDP) {
		l4 = tp_bytes_at(f, off, 8);
		if (!l4)
			return TP_PARSE_TRUNCATED_L4;
	} else if (k->proto == TP_PROTO_SCTP) {
		l4 = tp_bytes_at(f, off, 4);
		if (!l4)
			return TP_PARSE_TRUNCATED_L4;
	} else {
		return TP_PARSE_OK;
	}
	k->src_port = tp_be16(l4);
	k->dst_port = tp_be16(l4 + 2);
	k->l4_offset = (__u16)off;
	return TP_PARSE_OK;
}

static __always_inline int tp_parse_ipv4(const struct tp_frame *f, __u32 off, struct tp_key *k)
{
	const __u8 *ip = tp_bytes_at(f, off, 20);
	if (!ip)
		return TP_PARSE_TRUNCATED_IPV4;
	if ((ip[0] >> 4) != 4)
		return TP_PARSE_BAD_IPV4_VERSION;
	__u32 header_len = (__u32)(ip[0] & 0x0f) * 4;
	if (header_len < 20 || !tp_bytes_at(f, off, header_len))
		return TP_PARSE_BAD_IPV4_IHL;
	if (tp_be16(ip + 2) < header_len)
		return TP_PARSE_BAD_IPV4_LENGTH;

	k->ip_version = 4;
	k->dscp = ip[1] >> 2;
	k->proto = ip[9];
	__builtin_memcpy(&k->src[0], ip + 12, 4);
	__builtin_memcpy(&k->dst[0], ip + 16, 4);
	/* Flags/offset word: bit 13 is MF, the low 13 bits the offset in 8-byte units. */
	__u16 frag = tp_be16(ip + 6);
	int later_fragment = (frag & 0x1fff) != 0;
	k->fragment = (frag & 0x3fff) != 0;
	k->first_fragment = k->fragment && !later_fragment;
	if (later_fragment)
		return TP_PARSE_OK; /* no L4 header in this fragment */
	return tp_parse_l4(f, off + header_len, k);
}

static __always_inline int tp_parse_ipv6(const struct tp_frame *f, __u32 off, struct tp_key *k)
{
	const __u8 *ip = tp_bytes_at(f, off, 40);
	if (!ip)
		return TP_PARSE_TRUNCATED_IPV6;
	if ((ip[0] >> 4) != 6)
		return TP_PARSE_BAD_IPV6_VERSION;

	k->ip_version = 6;
	/* Traffic class spans the low nibble of byte 0 and the high nibble of byte 1. */
	k->dscp = (tp_be16(ip) >> 6) & 0x3f;
	__builtin_memcpy(k->src, ip + 8, 16);
	__builtin_memcpy(k->dst, ip + 24, 16);
	off += 40;

	__u8 nh = ip[6];
	int later_fragment = 0;
	/* One pass per extension plus one to refuse a ninth: a bounded loop the verifier accepts. */
	for (__u32 seen = 0; seen <= TP_MAX_IPV6_EXTENSIONS; seen++) {
		if (!tp_is_ipv6_extension(nh))
			break;
		const __u8 *ext = tp_bytes_at(f, off, 2);
		if (seen == TP_MAX_IPV6_EXTENSIONS || !ext)
			return TP_PARSE_BAD_IPV6_EXTENSION;
		/* AH counts 4-byte words minus 2 (RFC 4302); the others 8-byte units minus 1. */
		__u32 ext_len;
		if (nh == TP_PROTO_FRAGMENT)
			ext_len = 8;
		else if (nh == TP_PROTO_AH)
			ext_len = ((__u32)ext[1] + 2) * 4;
		else
			ext_len = ((__u32)ext[1] + 1) * 8;
		if (!tp_bytes_at(f, off, ext_len))
			return TP_PARSE_BAD_IPV6_EXTENSION;
		if (nh == TP_PROTO_FRAGMENT) {
			const __u8 *fh = tp_bytes_at(f, off, 8);
			if (!fh) /* checked just above; restated for the verifier */
				return TP_PARSE_BAD_IPV6_EXTENSION;
			k->fragment = 1;
			later_fragment |= (tp_be16(fh + 2) & 0xfff8) != 0;
		}
		nh = ext[0];
		off = (off + ext_len) & TP_OFF_MASK;
	}
	k->proto = nh; /* ESP (50) and no-next-header (59) end here too: no ports follow */
	k->first_fragment = k->fragment && !later_fragment;
	if (later_fragment)
		return TP_PARSE_OK;
	return tp_parse_l4(f, off, k);
}

/* Ethernet II plus up to two stacked VLAN tags, then IPv4 or IPv6; `frame_len` is the whole
 * frame (all fragments of a multi-buffer frame), the key's frame_len. */
static __always_inline int tp_parse_frame(const struct tp_frame *f, __u32 frame_len, struct tp_key *k)
{
	__builtin_memset(k, 0, sizeof(*k));
	k->frame_len = frame_len;
	const __u8 *eth = tp_bytes_at(f, 0, 14);
	if (!eth)
		return TP_PARSE_TRUNCATED_ETHERNET;
	__u32 off = 12;
	__u16 type = tp_be16(eth + 12);
	/* Unrolled: two tags are read, a third is refused. */
#pragma unroll
	for (int i = 0; i <= TP_MAX_VLANS; i++) {
		if (!tp_is_vlan_tpid(type))
			break;
		if (i == TP_MAX_VLANS)
			return TP_PARSE_TOO_MANY_VLANS;
		/* TCI and the next ethertype follow the TPID already read. */
		const __u8 *tag = tp_bytes_at(f, off, 6);
		if (!tag)
			return TP_PARSE_TRUNCATED_VLAN;
		k->vlan_ids[i] = tp_be16(tag + 2) & 0x0fff;
		k->vlan_count = i + 1;
		off += 4;
		type = tp_be16(tag + 4);
	}
	k->ether_type = type;
	off += 2;
	if (type == TP_ETHER_IPV4)
		return tp_parse_ipv4(f, off, k);
	if (type == TP_ETHER_IPV6)
		return tp_parse_ipv6(f, off, k);
	return TP_PARSE_OK; /* ARP, LLDP, ...: classified on ethertype alone */
}

#endif
