#include <tripath/pipeline/counters.h>

namespace tripath::pipeline {

const char *drop_reason_name(DropReason r)
{
	if (unsigned(r) < unsigned(DropReason::rule_drop))
		return packet::parse_status_name(packet::ParseStatus(unsigned(r)));
	switch (r) {
	case DropReason::rule_drop: return "rule_drop";
	case DropReason::quota_exceeded: return "quota_exceeded";
	case DropReason::no_kernel_tap: return "no_kernel_tap";
	case DropReason::kernel_ring_full: return "kernel_ring_full";
	case DropReason::tap_tx_full: return "tap_tx_full";
	case DropReason::return_ring_full: return "return_ring_full";
	case DropReason::wire_tx_full: return "wire_tx_full";
	case DropReason::shutdown: return "shutdown";
	case DropReason::fast_tx_full: return "fast_tx_full";
	case DropReason::not_an_answer: return "not_an_answer";
	case DropReason::no_wire_neighbor: return "no_wire_neighbor";
	case DropReason::answer_tx_full: return "answer_tx_full";
	case DropReason::bulk_ring_full: return "bulk_ring_full";
	case DropReason::bulk_no_mbuf: return "bulk_no_mbuf";
	case DropReason::bulk_emit_full: return "bulk_emit_full";
	case DropReason::bulk_bad_batch: return "bulk_bad_batch";
	default: return "unknown";
	}
}

bool is_wire_rx_drop(DropReason r)
{
	return unsigned(r) <= unsigned(DropReason::kernel_ring_full) || r == DropReason::fast_tx_full ||
	       r == DropReason::bulk_ring_full;
}

bool is_answer_drop(DropReason r)
{
	return r == DropReason::not_an_answer || r == DropReason::no_wire_neighbor || r == DropReason::answer_tx_full;
}

const char *path_name(PathId p)
{
	switch (p) {
	case PathId::kernel: return "kernel";
	case PathId::fast: return "fast";
	case PathId::bulk: return "bulk";
	default: return "unknown";
	}
}

void accumulate(LcoreCounters &sum, const LcoreCounters &one)
{
	sum.rx_packets += read_counter(one.rx_packets);
	sum.rx_bytes += read_counter(one.rx_bytes);
	sum.rx_bursts += read_counter(one.rx_bursts);
	sum.loops += read_counter(one.loops);
	sum.busy_cycles += read_counter(one.busy_cycles);
	sum.idle_sleeps += read_counter(one.idle_sleeps);
	for (unsigned p = 0; p < kPaths; p++) {
		sum.path_packets[p] += read_counter(one.path_packets[p]);
		sum.path_bytes[p] += read_counter(one.path_bytes[p]);
	}
	sum.fallback_to_kernel += read_counter(one.fallback_to_kernel);
	sum.demoted += read_counter(one.demoted);
	sum.unmatched += read_counter(one.unmatched);
	sum.tap_tx_packets += read_counter(one.tap_tx_packets);
	sum.tap_rx_packets += read_counter(one.tap_rx_packets);
	sum.wire_tx_packets += read_counter(one.wire_tx_packets);
	sum.answer_rx_packets += read_counter(one.answer_rx_packets);
	sum.answer_tx_packets += read_counter(one.answer_tx_packets);
	sum.bulk_rx_packets += read_counter(one.bulk_rx_packets);
	sum.bulk_emitted += read_counter(one.bulk_emitted);
	for (unsigned d = 0; d < kDropReasons; d++)
		sum.drops[d] += read_counter(one.drops[d]);
}

uint64_t total_drops(const LcoreCounters &c)
{
	uint64_t n = 0;
	for (uint64_t d : c.drops)
		n += d;
	return n;
}

} // namespace tripath::pipeline
