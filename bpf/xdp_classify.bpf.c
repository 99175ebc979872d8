// SPDX-License-Identifier: GPL-2.0 OR BSD-3-Clause
/* Split mode's XDP classifier: parses and classifies every frame at the driver with the same
 * rules as the workers. Kernel-path frames are passed to the stack here and never reach
 * userspace; fast and bulk frames go into the rx queue's AF_XDP socket; malformed frames and
 * drop rules are dropped. Loaded by DPDK's af_xdp PMD (xdp_prog=PATH), which fills xsks_map;
 * rules are written by tripath::classify::xdp::XdpRules. One program per object: the PMD
 * attaches the first one it finds. */
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

#include "xdp_layout.h"
#include "xdp_match.h"
#include "xdp_parse.h"

/* PMD: inserts one XSK per queue; program: reads. */
struct {
	__uint(type, BPF_MAP_TYPE_XSKMAP);
	__uint(max_entries, TP_XDP_MAX_QUEUES);
	__type(key, __u32);
	__type(value, __u32);
} xsks_map SEC(".maps");

/* Two halves of TP_XDP_MAX_RULES rules. loader: writes the inactive half; program: reads. */
struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 2 * TP_XDP_MAX_RULES);
	__type(key, __u32);
	__type(value, struct tp_xdp_rule);
} tp_rules SEC(".maps");

/* loader: writes; program: reads once per frame. */
struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct tp_xdp_ctl);
} tp_rule_ctl SEC(".maps");

/* Frames by parse status: [ok] were classified, every other slot was dropped for that reason.
 * program: increments its CPU's slot; loader: sums. */
struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, TP_PARSE_COUNT);
	__type(key, __u32);
	__type(value, __u64);
} tp_parse_cnt SEC(".maps");

/* Classified frames by where they went (tp_xdp_path, then XSK-missing fallbacks).
 * program: increments; loader: sums. */
struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, TP_XDP_PATH_SLOTS);
	__type(key, __u32);
	__type(value, struct tp_xdp_path_count);
} tp_path_cnt SEC(".maps");

/* program: overwrites per frame; loader/tests: read. */
struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct tp_xdp_decision);
} tp_last SEC(".maps");

/* bpf_loop's context: the frame's key and where the scan stands. */
struct tp_scan {
	struct tp_key key;
	__u32 base;            /* first slot of the active half */
	__u32 rule;            /* matched index within the half, or TP_XDP_NO_RULE */
	__u8 path;
};

static long tp_scan_rule(__u32 i, void *ctx)
{
	struct tp_scan *s = ctx;
	__u32 slot = s->base + i;
	const struct tp_xdp_rule *r = bpf_map_lookup_elem(&tp_rules, &slot);
	if (!r)
		return 1; /* count is capped at the half's size: cannot happen */
	if (!tp_rule_matches(r, &s->key))
		return 0;
	s->rule = i;
	s->path = r->path;
	return 1;
}

static __always_inline void tp_count_path(__u32 slot, __u32 bytes)
{
	struct tp_xdp_path_count *c = bpf_map_lookup_elem(&tp_path_cnt, &slot);
	if (c) {
		c->packets++;
		c->bytes += bytes;
	}
}

static __always_inline int tp_record(const struct tp_frame *f, const struct tp_key *k, int status, __u32 rule,
				     __u8 path, int action)
{
	__u32 zero = 0;
	struct tp_xdp_decision *d = bpf_map_lookup_elem(&tp_last, &zero);
	if (d) {
		d->seq++;
		d->rule = rule;
		d->action = action;
		d->frame_len = k->frame_len;
		d->head_len = (__u16)(f->end - f->data);
		d->status = status;
		d->path = path;
	}
	return action;
}

SEC("xdp")
int tp_xdp_classify(struct xdp_md *ctx)
{
	struct tp_frame f = {
		.data = (const __u8 *)(long)ctx->data,
		.end = (const __u8 *)(long)ctx->data_end,
	};
	struct tp_scan s;
	__u32 frame_len = bpf_xdp_get_buff_len(ctx);
	__u32 status = tp_parse_frame(&f, frame_len, &s.key);

	__u64 *parsed = bpf_map_lookup_elem(&tp_parse_cnt, &status);
	if (parsed)
		*parsed += 1;
	if (status != TP_PARSE_OK)
		return tp_record(&f, &s.key, status, TP_XDP_NO_RULE, TP_PATH_DROP, XDP_DROP);

	s.rule = TP_XDP_NO_RULE;
	s.path = TP_PATH_KERNEL;
	__u32 zero = 0;
	const struct tp_xdp_ctl *ctl = bpf_map_lookup_elem(&tp_rule_ctl, &zero);
	if (ctl) {
		/* Read once: the loader may flip it while this frame is scanned. */
		__u32 half = *(volatile const __u32 *)&ctl->active & 1;
		__u32 count = *(volatile const __u32 *)&ctl->count[half];
		if (count > TP_XDP_MAX_RULES)
			count = TP_XDP_MAX_RULES;
		s.base = half * TP_XDP_MAX_RULES;
		bpf_loop(count, tp_scan_rule, &s, 0);
	}

	int action;
	switch (s.path) {
	case TP_PATH_FAST:
	case TP_PATH_BULK:
		/* Falls back to the stack when no XSK is bound to this queue: delivered, and counted. */
		action = bpf_redirect_map(&xsks_map, ctx->rx_queue_index, XDP_PASS);
		tp_count_path(action == XDP_REDIRECT ? s.path : TP_XDP_SLOT_XSK_MISSING, frame_len);
		break;
	case TP_PATH_DROP:
		action = XDP_DROP;
		tp_count_path(TP_PATH_DROP, frame_len);
		break;
	default:
		action = XDP_PASS;
		tp_count_path(TP_PATH_KERNEL, frame_len);
		break;
	}
	return tp_record(&f, &s.key, status, s.rule, s.path, action);
}

char _license[] SEC("license") = "Dual BSD/GPL";
