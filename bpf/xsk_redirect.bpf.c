// SPDX-License-Identifier: GPL-2.0 OR BSD-3-Clause
/* tripath-agent's XSK redirect: UDP datagrams to the agent's port range go to the AF_XDP socket
 * of the rx queue they arrived on; everything else (ARP, ND, ping, other ports, fragments) is
 * passed to the stack so the agent's namespace keeps working. Loaded with libxdp by
 * lib/agent/src/xsk_program.cpp, which fills xsk_cfg and xsks_map. */
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

#include "xsk_layout.h"

#define TP_ETHER_IPV4 0x0800
#define TP_ETHER_IPV6 0x86dd
#define TP_TPID_8021Q 0x8100
#define TP_TPID_8021AD 0x88a8
#define TP_TPID_QINQ_LEGACY 0x9100
#define TP_PROTO_UDP 17
#define TP_MAX_VLANS 2

/* loader: inserts the agent's XSK at its queue index; program: redirects into it. */
struct {
	__uint(type, BPF_MAP_TYPE_XSKMAP);
	__uint(max_entries, TP_XSK_MAX_QUEUES);
	__type(key, __u32);
	__type(value, __u32);
} xsks_map SEC(".maps");

/* loader: writes once before the XSK is registered; program: reads per frame. */
struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct tp_xsk_cfg);
} xsk_cfg SEC(".maps");

static __always_inline __u16 tp_be16(const __u8 *p)
{
	return (__u16)(p[0] << 8 | p[1]);
}

/* The UDP header of an unfragmented IPv4 or extension-free IPv6 datagram, or NULL. */
static __always_inline const __u8 *tp_udp_header(const __u8 *data, const __u8 *end)
{
	if (data + 14 > end)
		return 0;
	const __u8 *l3 = data + 14;
	__u16 type = tp_be16(data + 12);
#pragma unroll
	for (int i = 0; i < TP_MAX_VLANS; i++) {
		if (type != TP_TPID_8021Q && type != TP_TPID_8021AD && type != TP_TPID_QINQ_LEGACY)
			break;
		/* The tag's TCI, then the next ethertype. */
		if (l3 + 4 > end)
			return 0;
		type = tp_be16(l3 + 2);
		l3 += 4;
	}
	if (type == TP_ETHER_IPV4) {
		if (l3 + 20 > end)
			return 0;
		if ((l3[0] >> 4) != 4 || l3[9] != TP_PROTO_UDP)
			return 0;
		/* MF or an offset: only the first fragment has ports, and we answer whole datagrams. */
		if (tp_be16(l3 + 6) & 0x3fff)
			return 0;
		__u32 header_len = (__u32)(l3[0] & 0x0f) * 4;
		if (header_len < 20)
			return 0;
		const __u8 *udp = l3 + header_len;
		if (udp + 8 > end)
			return 0;
		return udp;
	}
	if (type == TP_ETHER_IPV6) {
		if (l3 + 48 > end)
			return 0;
		if ((l3[0] >> 4) != 6 || l3[6] != TP_PROTO_UDP)
			return 0;
		return l3 + 40;
	}
	return 0;
}

SEC("xdp")
int xsk_redirect(struct xdp_md *ctx)
{
	const __u8 *data = (const __u8 *)(long)ctx->data;
	const __u8 *end = (const __u8 *)(long)ctx->data_end;
	const __u8 *udp = tp_udp_header(data, end);
	if (!udp)
		return XDP_PASS;
	__u32 zero = 0;
	const struct tp_xsk_cfg *cfg = bpf_map_lookup_elem(&xsk_cfg, &zero);
	if (!cfg)
		return XDP_PASS;
	__u16 port = tp_be16(udp + 2);
	if (port < cfg->port_lo || port > cfg->port_hi)
		return XDP_PASS;
	/* The flags' action is taken when no XSK is registered for this queue. */
	return bpf_redirect_map(&xsks_map, ctx->rx_queue_index, XDP_PASS);
}

char _license[] SEC("license") = "Dual BSD/GPL";
