#include <rte_branch_prediction.h>
#include <rte_errno.h>

#include "kernel_handoff.h"

namespace tripath::pipeline {

namespace {

constexpr unsigned kTagShift = 48;
constexpr uintptr_t kAddressMask = (uintptr_t{1} << kTagShift) - 1;

// What a borrowing header's free needs, kept in the header's own private area.
struct Borrowed {
	rte_mbuf_ext_shared_info shinfo;
	rte_ring *give_back;
	rte_mbuf *owner;
};

// Runs where the TAP port frees the header (the exception lcore; a ring port's consumer, any
// thread): hence a multi-producer enqueue.
void give_back(void *, void *opaque)
{
	auto *b = static_cast<Borrowed *>(opaque);
	// The ring holds every mbuf that can be out (see Dataplane::build); were it ever full,
	// freeing here is still right, only slower for the worker.
	if (unlikely(rte_ring_mp_enqueue(b->give_back, b->owner) != 0))
		rte_pktmbuf_free(b->owner);
}

bool packs(const void *p)
{
	return (reinterpret_cast<uintptr_t>(p) >> (kTagShift - 1)) == 0; // user space, below 2^47
}

} // namespace

rte_ring *make_handoff_ring(const char *name, unsigned size)
{
	return rte_ring_create_elem(name, sizeof(KernelHandoff), size, int(rte_socket_id()),
				    RING_F_SP_ENQ | RING_F_SC_DEQ | RING_F_EXACT_SZ);
}

unsigned enqueue_handoffs(rte_ring *ring, rte_mbuf **pkts, unsigned n, bool borrow)
{
	KernelHandoff h[32];
	unsigned total = 0;
	while (total < n) {
		unsigned k = n - total < 32 ? n - total : 32;
		for (unsigned i = 0; i < k; i++) {
			rte_mbuf *m = pkts[total + i];
			const uint8_t *data = rte_pktmbuf_mtod(m, const uint8_t *);
			const bool ok = borrow && m->nb_segs == 1 && packs(m) && packs(data);
			h[i].mbuf_port = reinterpret_cast<uintptr_t>(m) | (ok ? uintptr_t(m->port) << kTagShift : 0);
			h[i].data_len = ok ? reinterpret_cast<uintptr_t>(data) | uintptr_t(m->data_len) << kTagShift : 0;
		}
		unsigned q = rte_ring_sp_enqueue_burst_elem(ring, h, sizeof(KernelHandoff), k, nullptr);
		total += q;
		if (q < k)
			break;
	}
	return total;
}

rte_mbuf *handoff_owner(const KernelHandoff &h)
{
	return reinterpret_cast<rte_mbuf *>(h.mbuf_port & kAddressMask);
}

rte_mbuf *take_handoff(const KernelHandoff &h, rte_mempool *headers, rte_ring *give_back_ring, uint16_t &port)
{
	rte_mbuf *owner = handoff_owner(h);
	rte_mbuf *hdr;
	if (h.data_len == 0 || headers == nullptr || give_back_ring == nullptr ||
	    (hdr = rte_pktmbuf_alloc(headers)) == nullptr) {
		port = owner->port;   // the old way: this reads the owner's mbuf
		return owner;
	}
	auto *b = static_cast<Borrowed *>(rte_mbuf_to_priv(hdr));
	b->give_back = give_back_ring;
	b->owner = owner;
	b->shinfo.free_cb = give_back;
	b->shinfo.fcb_opaque = b;
	rte_mbuf_ext_refcnt_set(&b->shinfo, 1);
	const auto len = uint16_t(h.data_len >> kTagShift);
	// TAP, null and ring ports read the data by its address: no IOVA is needed (config allows
	// no other driver for a kernel tap).
	rte_pktmbuf_attach_extbuf(hdr, reinterpret_cast<void *>(h.data_len & kAddressMask), RTE_BAD_IOVA, len, &b->shinfo);
	hdr->data_len = len;
	hdr->pkt_len = len;
	port = uint16_t(h.mbuf_port >> kTagShift);
	hdr->port = port;
	return hdr;
}

rte_mempool *make_header_pool(const char *name, unsigned n, int socket)
{
	constexpr uint16_t priv = RTE_ALIGN_CEIL(sizeof(Borrowed), RTE_MBUF_PRIV_ALIGN);
	return rte_pktmbuf_pool_create(name, n, n >= 96 ? 64 : 0, priv, 0, socket); // a cache needs n >= 1.5 x its size
}

unsigned free_given_back(rte_ring *give_back_ring)
{
	// Two bursts' worth: path A's packets go in held bursts and come back together, and any
	// left for the next loop are reused later, from colder lines (doc/benchmarks.md).
	rte_mbuf *back[128];
	unsigned n = rte_ring_sc_dequeue_burst(give_back_ring, reinterpret_cast<void **>(back), 128, nullptr);
	if (n)
		rte_pktmbuf_free_bulk(back, n);
	return n;
}

void free_all_given_back(rte_ring *give_back_ring)
{
	while (free_given_back(give_back_ring) != 0) {
	}
}

} // namespace tripath::pipeline
