// Path A's hand-off from a worker (or the bulk lcore) to the exception lcore, made so that the
// exception lcore never reads a worker's mbuf.
//
// Why: a line of an mbuf that the other CPU has read must be taken back from it before the
// worker can write that mbuf again (its next rx reuses it). On the two-vCPU benchmark host that
// costs the worker about as much as all its own stages together (doc/benchmarks.md, "eighth
// session"). So the worker sends a 16-byte descriptor — the mbuf, its wire port, its data and
// length — and the exception lcore sends a header of its own that borrows the worker's buffer
// (an external buffer, rte_pktmbuf_attach_extbuf). When the TAP (or null, or ring) port frees
// that header, the callback gives the worker's mbuf back on the worker's give-back ring, and
// the worker frees it into its own mempool cache, where its next rx finds it still in cache.
//
// A packet that cannot be described (several segments; an address that does not pack) or a
// header the exception lcore cannot get is sent the old way: the mbuf itself.
#pragma once

#include <cstdint>

#include <rte_mbuf.h>
#include <rte_ring.h>

namespace tripath::pipeline {

struct KernelHandoff {
	uintptr_t mbuf_port;  // the mbuf's address; bits 48-63: the wire port it came in on
	uintptr_t data_len;   // its data's address; bits 48-63: its length. 0: send the mbuf itself
};
static_assert(sizeof(KernelHandoff) == 16, "rte_ring element sizes are multiples of 4; 16 keeps 4 a line");

// A ring of KernelHandoff elements (single producer, single consumer).
rte_ring *make_handoff_ring(const char *name, unsigned size);

// Producer side: describe and enqueue; returns how many the ring took (the caller frees the rest).
// borrow: false for a producer with no give-back ring (the bulk lcore): always the mbuf itself.
unsigned enqueue_handoffs(rte_ring *ring, rte_mbuf **pkts, unsigned n, bool borrow);

// Consumer side: the mbuf to send for `h`, and the wire port it came in on. A borrowed
// buffer's header comes from `headers`; its free gives the owner back on `give_back`.
// Never null: when no header can be had, the owner's mbuf itself.
rte_mbuf *take_handoff(const KernelHandoff &h, rte_mempool *headers, rte_ring *give_back, uint16_t &port);

// The worker mbuf behind `h` (teardown: to free what a ring still holds).
rte_mbuf *handoff_owner(const KernelHandoff &h);

// The pool of borrowing headers: no data room, a private area for the free callback's record.
// Returns null (rte_errno set) when it cannot be had.
rte_mempool *make_header_pool(const char *name, unsigned n, int socket);

// Free what `give_back` holds. The worker calls this once per loop.
unsigned free_given_back(rte_ring *give_back);

// Free all it holds (teardown, when no header is out).
void free_all_given_back(rte_ring *give_back);

} // namespace tripath::pipeline
