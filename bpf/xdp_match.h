/* First-match rule scan: the meaning of classify::rule_matches (lib/classify/src/reference.cpp)
 * with the edges of the rte_acl tables (frame length clamped at 65535). */
#ifndef TRIPATH_BPF_XDP_MATCH_H
#define TRIPATH_BPF_XDP_MATCH_H

#include "xdp_layout.h"
#include "xdp_parse.h"

static __always_inline int tp_prefix_matches(__u8 family, const __u32 *net, const __u32 *mask,
					     const struct tp_key *k, const __u32 *addr)
{
	if (k->ip_version != family)
		return 0;
	/* IPv4 rules carry zero masks in words 1..3, so one loop serves both families. */
	return ((addr[0] & mask[0]) == net[0]) & ((addr[1] & mask[1]) == net[1]) &
	       ((addr[2] & mask[2]) == net[2]) & ((addr[3] & mask[3]) == net[3]);
}

static __always_inline int tp_rule_matches(const struct tp_xdp_rule *r, const struct tp_key *k)
{
	__u32 m = r->match;
	if ((m & TP_M_ETHER_TYPE) && k->ether_type != r->ether_type)
		return 0;
	if ((m & TP_M_PROTO) && (k->ip_version == 0 || k->proto != r->proto))
		return 0;
	if ((m & TP_M_SRC) && !tp_prefix_matches(r->src_family, r->src_net, r->src_mask, k, k->src))
		return 0;
	if ((m & TP_M_DST) && !tp_prefix_matches(r->dst_family, r->dst_net, r->dst_mask, k, k->dst))
		return 0;
	/* Ports exist only where an L4 header was read (not in non-first fragments). */
	if ((m & TP_M_SRC_PORT) &&
	    (k->l4_offset == 0 || k->src_port < r->src_port_lo || k->src_port > r->src_port_hi))
		return 0;
	if ((m & TP_M_DST_PORT) &&
	    (k->l4_offset == 0 || k->dst_port < r->dst_port_lo || k->dst_port > r->dst_port_hi))
		return 0;
	if ((m & TP_M_DSCP) && (k->ip_version == 0 || k->dscp != r->dscp))
		return 0;
	/* Any tag of the stack. */
	if ((m & TP_M_VLAN) && !((k->vlan_count > 0 && k->vlan_ids[0] == r->vlan) ||
				 (k->vlan_count > 1 && k->vlan_ids[1] == r->vlan)))
		return 0;
	if (m & TP_M_FRAME_SIZE) {
		__u32 len = k->frame_len > 0xffff ? 0xffff : k->frame_len;
		if (len < r->frame_lo || len > r->frame_hi)
			return 0;
	}
	return 1;
}

#endif
