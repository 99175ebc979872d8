/* The XSK redirect program's maps as seen by both sides: bpf/xsk_redirect.bpf.c (program) and
 * lib/agent/src/xsk_program.cpp (loader). C, so clang -target bpf compiles it too. */
#ifndef TRIPATH_AGENT_XSK_LAYOUT_H
#define TRIPATH_AGENT_XSK_LAYOUT_H

#include <linux/types.h>

/* xsks_map entries: one per rx queue an agent may serve. */
#define TP_XSK_MAX_QUEUES 64

/* xsk_cfg[0]: UDP destination ports redirected to the XSK, host order, both ends included. */
struct tp_xsk_cfg {
	__u16 port_lo;
	__u16 port_hi;
};

#endif
