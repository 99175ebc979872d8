// Path B: requests to agent endpoints, agents' answers back to the wire. Both directions are
// an L2 rewrite and a tx burst on a queue this worker owns; no copies, no locks.
#include <array>

#include <rte_branch_prediction.h>
#include <rte_cycles.h>
#include <rte_ether.h>

#include "stages.h"

namespace tripath::pipeline {

namespace {

uint64_t mac_word(const rte_ether_addr &a)
{
	uint64_t v = 0;
	for (uint8_t b : a.addr_bytes)
		v = v << 8 | b;
	return v;
}

rte_ether_addr word_mac(uint64_t v)
{
	rte_ether_addr a;
	for (int i = 5; i >= 0; i--, v >>= 8)
		a.addr_bytes[i] = uint8_t(v);
	return a;
}

bool is_ip_or_vlan(rte_be16_t type)
{
	return type == RTE_BE16(RTE_ETHER_TYPE_IPV4) || type == RTE_BE16(RTE_ETHER_TYPE_IPV6) ||
		type == RTE_BE16(RTE_ETHER_TYPE_VLAN) || type == RTE_BE16(RTE_ETHER_TYPE_QINQ);
}

void record_latency(LatencyHist &h, uint64_t since, unsigned n)
{
	bump(h[latency_bucket(rte_rdtsc() - since)], n);
}

// Sends what it can; the rest is counted under `reason`. Returns packets sent.
unsigned tx_or_drop(LcoreCounters &c, uint16_t port, uint16_t queue, rte_mbuf **pkts, unsigned n, DropReason reason)
{
	unsigned sent = rte_eth_tx_burst(port, queue, pkts, uint16_t(n));
	drop(c, pkts + sent, n - sent, reason);
	return sent;
}

} // namespace

void learn_next_hop(const PollQueue &wire, const rte_mbuf *last)
{
	const auto *eh = rte_pktmbuf_mtod(last, const rte_ether_hdr *);
	if (unlikely(last->data_len < sizeof(rte_ether_hdr) || !rte_is_unicast_ether_addr(&eh->src_addr)))
		return;
	uint64_t hop = 1ull << 48 | mac_word(eh->src_addr);
	if (unlikely(wire.next_hop->load(std::memory_order_relaxed) != hop))
		wire.next_hop->store(hop, std::memory_order_relaxed);
}

namespace {

// One endpoint's packets (in arrival order; index[g]: group member g's place in the burst, for
// `result`): L2 rewrite, one tx burst, counters.
void send_group(WorkerContext &w, uint16_t ep, rte_mbuf **group, unsigned k, const uint8_t *index, uint64_t rx_tsc,
		FastResult *result)
{
	LcoreCounters &c = *w.counters;
	const EndpointTarget &t = w.endpoints[ep];
	uint32_t len[kBurst]; // read before tx: a sent mbuf may already be freed
	for (unsigned g = 0; g < k; g++) {
		auto *h = rte_pktmbuf_mtod(group[g], rte_ether_hdr *);
		h->src_addr = t.src;
		if (t.set_dst)
			h->dst_addr = t.dst;
		len[g] = group[g]->pkt_len;
	}
	unsigned sent = 0;
	const bool down = unlikely(t.down != nullptr && t.down->load(std::memory_order_relaxed));
	if (down) {
		bump(c.drops[unsigned(DropReason::endpoint_down)], k);
		rte_pktmbuf_free_bulk(group, k);
	} else {
		sent = tx_or_drop(c, t.port_id, w.endpoint_queue, group, k, DropReason::fast_tx_full);
	}
	if (unlikely(result != nullptr))
		for (unsigned g = 0; g < k; g++)
			result[index[g]] = down ? FastResult::endpoint_down : g < sent ? FastResult::sent : FastResult::refused;
	uint64_t bytes = 0;
	for (unsigned g = 0; g < sent; g++)
		bytes += len[g];
	EndpointCounters &ec = w.endpoint_counters[ep];
	bump(ec.to_agent_packets, sent);
	bump(ec.to_agent_bytes, bytes);
	bump(ec.to_agent_bursts);
	bump(c.path_packets[unsigned(PathId::fast)], sent);
	bump(c.path_bytes[unsigned(PathId::fast)], bytes);
	if (sent)
		record_latency(ec.to_agent_cycles, rx_tsc, sent);
}

static_assert(kBurst <= 256, "a burst index fits a uint8_t");
constexpr auto kInOrder = [] { // a burst's own order, for a group that is the whole burst
	std::array<uint8_t, kBurst> a{};
	for (unsigned i = 0; i < kBurst; i++)
		a[i] = uint8_t(i);
	return a;
}();

} // namespace

void send_to_endpoints(WorkerContext &w, rte_mbuf **pkts, const uint16_t *endpoint,
		       unsigned n, uint64_t rx_tsc, FastResult *result)
{
	// The usual burst has one endpoint: it goes as it is, with no grouping pass.
	unsigned same = 1;
	while (same < n && endpoint[same] == endpoint[0])
		same++;
	if (likely(same == n)) {
		send_group(w, endpoint[0], pkts, n, kInOrder.data(), rx_tsc, result);
		return;
	}
	// Otherwise one tx burst per endpoint present, packets kept in arrival order.
	bool done[kBurst] = {};
	rte_mbuf *group[kBurst];
	uint8_t index[kBurst];  // group member -> its index in pkts
	for (unsigned first = 0; first < n; first++) {
		if (done[first])
			continue;
		uint16_t ep = endpoint[first];
		unsigned k = 0;
		for (unsigned i = first; i < n; i++) {
			if (done[i] || endpoint[i] != ep)
				continue;
			done[i] = true;
			index[k] = uint8_t(i);
			group[k++] = pkts[i];
		}
		send_group(w, ep, group, k, index, rx_tsc, result);
	}
}

unsigned forward_answers(WorkerContext &w, const PollQueue &pq, StageCounters &rx, uint64_t &now)
{
	rte_mbuf *pkts[kBurst];
	unsigned n = rte_eth_rx_burst(pq.port_id, pq.queue, pkts, kBurst);
	uint64_t rx_tsc = rte_rdtsc();
	bump(rx.calls);
	bump(rx.cycles, rx_tsc - now);
	now = rx_tsc;
	if (n == 0)
		return 0;
	bump(rx.busy);
	bump(rx.packets, n);
	LcoreCounters &c = *w.counters;
	bump(c.answer_rx_packets, n);

	rte_mbuf *out[kBurst], *not_unicast[kBurst];
	uint32_t len[kBurst];   // read before tx: a sent mbuf may already be freed
	unsigned n_out = 0, n_bad = 0;
	uint64_t hop = pq.next_hop->load(std::memory_order_relaxed);
	rte_ether_addr dst = word_mac(hop);
	for (unsigned i = 0; i < n; i++) {
		auto *h = rte_pktmbuf_mtod(pkts[i], rte_ether_hdr *);
		// An agent's ARP or ND is for its own link, not an answer for the wire.
		if (unlikely(pkts[i]->data_len < sizeof(rte_ether_hdr) || !rte_is_unicast_ether_addr(&h->dst_addr) ||
			     !is_ip_or_vlan(h->ether_type))) {
			not_unicast[n_bad++] = pkts[i];
			continue;
		}
		h->src_addr = pq.answer_src;
		h->dst_addr = dst;
		len[n_out] = pkts[i]->pkt_len;
		out[n_out++] = pkts[i];
	}
	drop(c, not_unicast, n_bad, DropReason::not_an_answer);
	if (unlikely(hop == 0)) {
		drop(c, out, n_out, DropReason::no_wire_neighbor);
		now = stage_done(c.stages[unsigned(Stage::answer_tx)], rx_tsc, rte_rdtsc(), n);
		return n;
	}
	unsigned sent = tx_or_drop(c, pq.answer_port, pq.answer_queue, out, n_out, DropReason::answer_tx_full);
	uint64_t bytes = 0;
	for (unsigned i = 0; i < sent; i++)
		bytes += len[i];
	EndpointCounters &ec = w.endpoint_counters[pq.endpoint];
	bump(c.answer_tx_packets, sent);
	bump(ec.answer_packets, sent);
	bump(ec.answer_bytes, bytes);
	if (sent)
		record_latency(ec.answer_cycles, rx_tsc, sent);
	now = stage_done(c.stages[unsigned(Stage::answer_tx)], rx_tsc, rte_rdtsc(), n);
	return n;
}

} // namespace tripath::pipeline
