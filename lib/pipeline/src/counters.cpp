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
	case DropReason::endpoint_down: return "endpoint_down";
	default: return "unknown";
	}
}

bool is_wire_rx_drop(DropReason r)
{
	return unsigned(r) <= unsigned(DropReason::kernel_ring_full) || r == DropReason::fast_tx_full ||
	       r == DropReason::bulk_ring_full || r == DropReason::endpoint_down;
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

const char *stage_name(Stage s)
{
	switch (s) {
	case Stage::parse: return "parse";
	case Stage::classify: return "classify";
	case Stage::quota: return "quota";
	case Stage::dispatch: return "dispatch";
	case Stage::kernel_handoff: return "kernel-handoff";
	case Stage::fast_tx: return "fast-tx";
	case Stage::bulk_handoff: return "bulk-handoff";
	case Stage::drop: return "drop";
	case Stage::return_tx: return "return-tx";
	case Stage::answer_tx: return "answer-tx";
	case Stage::tap_tx: return "tap-tx";
	case Stage::tap_rx: return "tap-rx";
	case Stage::capture_write: return "capture-write";
	case Stage::shell: return "shell";
	case Stage::guardian: return "guardian";
	case Stage::housekeeping: return "housekeeping";
	case Stage::bulk_connect: return "bulk-connect";
	case Stage::bulk_pack: return "bulk-pack";
	case Stage::bulk_post: return "bulk-post";
	case Stage::bulk_receive: return "bulk-receive";
	default: return "unknown";
	}
}

StageCounters read_stage(const StageCounters &s)
{
	return {read_counter(s.calls), read_counter(s.busy), read_counter(s.packets), read_counter(s.cycles)};
}

void accumulate(StageCounters &sum, const StageCounters &one)
{
	StageCounters r = read_stage(one);
	sum.calls += r.calls;
	sum.busy += r.busy;
	sum.packets += r.packets;
	sum.cycles += r.cycles;
}

void accumulate(LcoreCounters &sum, const LcoreCounters &one)
{
	sum.rx_packets += read_counter(one.rx_packets);
	sum.rx_bytes += read_counter(one.rx_bytes);
	sum.rx_bursts += read_counter(one.rx_bursts);
	sum.loops += read_counter(one.loops);
	sum.busy_cycles += read_counter(one.busy_cycles);
	sum.idle_sleeps += read_counter(one.idle_sleeps);
	sum.busy_loops += read_counter(one.busy_loops);
	for (unsigned p = 0; p < kPaths; p++) {
		sum.path_packets[p] += read_counter(one.path_packets[p]);
		sum.path_bytes[p] += read_counter(one.path_bytes[p]);
	}
	sum.fallback_to_kernel += read_counter(one.fallback_to_kernel);
	sum.demoted += read_counter(one.demoted);
	sum.unmatched += read_counter(one.unmatched);
	sum.flow_cache_hits += read_counter(one.flow_cache_hits);
	sum.flow_cache_misses += read_counter(one.flow_cache_misses);
	sum.flow_samples_lost += read_counter(one.flow_samples_lost);
	sum.tap_tx_packets += read_counter(one.tap_tx_packets);
	sum.tap_rx_packets += read_counter(one.tap_rx_packets);
	sum.wire_tx_packets += read_counter(one.wire_tx_packets);
	sum.answer_rx_packets += read_counter(one.answer_rx_packets);
	sum.answer_tx_packets += read_counter(one.answer_tx_packets);
	sum.bulk_rx_packets += read_counter(one.bulk_rx_packets);
	sum.bulk_emitted += read_counter(one.bulk_emitted);
	for (unsigned d = 0; d < kDropReasons; d++)
		sum.drops[d] += read_counter(one.drops[d]);
	for (unsigned s = 0; s < kStages; s++)
		accumulate(sum.stages[s], one.stages[s]);
}

uint64_t total_drops(const LcoreCounters &c)
{
	uint64_t n = 0;
	for (uint64_t d : c.drops)
		n += d;
	return n;
}

} // namespace tripath::pipeline
