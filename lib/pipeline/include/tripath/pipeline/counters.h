// Per-lcore counters: written only by the owning lcore, cache-aligned, summed on read.
#pragma once

#include <array>
#include <cstdint>

#include <rte_common.h>

#include <tripath/packet/flow_key.h>

namespace tripath::pipeline {

// Every packet that is not delivered is counted under exactly one of these.
enum class DropReason : uint8_t {
	// 1:1 with packet::ParseStatus (minus ok): malformed frames.
	truncated_ethernet = 1,
	truncated_vlan,
	too_many_vlans,
	truncated_ipv4,
	bad_ipv4_version,
	bad_ipv4_ihl,
	bad_ipv4_length,
	truncated_ipv6,
	bad_ipv6_version,
	bad_ipv6_extension,
	truncated_l4,
	bad_tcp_offset,
	// Dataplane reasons.
	rule_drop,          // a rule's action is drop
	quota_exceeded,     // over the tenant's quota on its path (or demoted and over path A's)
	no_kernel_tap,      // path A verdict on a port with no TAP in paths.kernel.taps
	kernel_ring_full,   // worker -> exception ring full
	tap_tx_full,        // the TAP did not take the packet
	return_ring_full,   // exception -> worker ring full (kernel output)
	wire_tx_full,       // the wire port did not take the packet
	shutdown,           // in flight on a ring when the dataplane stopped
	fast_tx_full,       // path B: the endpoint's port did not take the packet
	not_an_answer,      // from an endpoint: not unicast IP (its ARP, ND): the agent's own link traffic
	no_wire_neighbor,   // from an endpoint before any request taught us the wire's next hop
	answer_tx_full,     // from an endpoint: the wire port did not take the answer
	bulk_ring_full,     // path C: worker -> bulk lcore ring full
	bulk_no_mbuf,       // bulk lcore: no mbuf for a packet unpacked from a batch
	bulk_emit_full,     // bulk lcore: the ring to path A or to the wire refused the packet
	bulk_bad_batch,     // a received batch whose records do not add up (counted once per batch)
	endpoint_down,      // path B: the endpoint's netdev is gone; its AF_XDP socket can send no more
	count_
};
static_assert(unsigned(DropReason::truncated_ethernet) == unsigned(packet::ParseStatus::truncated_ethernet));
static_assert(unsigned(DropReason::bad_tcp_offset) == unsigned(packet::ParseStatus::bad_tcp_offset));
static_assert(unsigned(packet::ParseStatus::count_) == unsigned(DropReason::bad_tcp_offset) + 1);

const char *drop_reason_name(DropReason r);
inline DropReason drop_reason_of(packet::ParseStatus s) { return DropReason(unsigned(s)); }
// Reasons that end a packet the worker took from a wire queue (the others end kernel output,
// agents' answers, or what was on a ring at stop).
bool is_wire_rx_drop(DropReason r);
// Reasons that end an agent's answer read from an endpoint port.
bool is_answer_drop(DropReason r);

// Paths as counted: what the worker decided (before any fallback).
enum class PathId : uint8_t { kernel, fast, bulk, count_ };
const char *path_name(PathId p);

inline constexpr unsigned kDropReasons = unsigned(DropReason::count_);
inline constexpr unsigned kPaths = unsigned(PathId::count_);

// Where an lcore's time goes (`show runtime`). A worker's rx bursts are counted per polled queue
// (WorkerContext::poll_stages); these are the steps after them, and the other lcores' work.
enum class Stage : uint8_t {
	// worker, per non-empty wire rx burst
	parse,          // headers into flow keys (and the capture hook on rx)
	classify,       // rte_acl lookup of the burst (and flow sampling)
	quota,          // tenant lookup and meters
	dispatch,       // verdicts sorted into the paths' batches
	kernel_handoff, // path A: enqueue on the ring to the control lcore
	fast_tx,        // path B: tx bursts to the endpoints' ports
	bulk_handoff,   // path C: enqueue on the ring to the bulk lcore
	drop,           // malformed, rule drops, over quota, no TAP: counted and freed
	// worker, other polls
	return_tx,      // path A's return: kernel output dequeued and sent on the wire
	answer_tx,      // path B's return: agents' answers rewritten and sent on the wire
	// control lcore
	tap_tx,         // path A: workers' rings into the TAPs
	tap_rx,         // path A: TAP output onto the return rings
	capture_write,  // capture rings into the pcapng file
	shell,          // the shell and the control socket
	guardian,       // guardian poll and housekeeping
	housekeeping,   // RCU reclaim, path C events, telemetry snapshot, periodic stats
	// bulk lcore (or the control lcore without one)
	bulk_connect,   // peers' connections
	bulk_pack,      // workers' rings into batches
	bulk_post,      // batches posted for age
	bulk_receive,   // peers' batches unpacked and emitted
	count_
};
inline constexpr unsigned kStages = unsigned(Stage::count_);
const char *stage_name(Stage s);   // "parse", "kernel-handoff", ...

// One stage of one lcore. Owner: that lcore (sole writer); readers: the control lcore.
struct StageCounters {
	uint64_t calls = 0;    // times it ran (a polled stage: every poll, empty or not)
	uint64_t busy = 0;     // calls that moved at least one packet (polled stages; else = calls)
	uint64_t packets = 0;  // packets it handled
	uint64_t cycles = 0;   // TSC cycles spent in its busy calls
};

// Owner: the lcore whose slot this is (sole writer). Readers: control lcore (relaxed loads).
struct alignas(RTE_CACHE_LINE_SIZE) LcoreCounters {
	uint64_t rx_packets = 0;        // taken from its polled queues
	uint64_t rx_bytes = 0;
	uint64_t rx_bursts = 0;         // non-empty rx bursts
	uint64_t loops = 0;
	uint64_t busy_cycles = 0;       // TSC cycles in loops that moved packets
	uint64_t idle_sleeps = 0;
	uint64_t busy_loops = 0;        // loops that moved packets
	std::array<uint64_t, kPaths> path_packets{};   // handed to a path (enqueued or sent)
	std::array<uint64_t, kPaths> path_bytes{};
	uint64_t fallback_to_kernel = 0; // fast/bulk verdicts carried by path A (no endpoint, peer down)
	uint64_t demoted = 0;            // over a fast/bulk quota, carried by path A instead
	uint64_t unmatched = 0;          // only the default rule (or none) matched
	uint64_t flow_cache_hits = 0;    // worker: verdicts found in its flow cache
	uint64_t flow_cache_misses = 0;  // worker: verdicts the rule table computed (cache on)
	uint64_t flow_samples_lost = 0;  // worker: samples its ring to the guardian refused (not packets)
	uint64_t tap_tx_packets = 0;     // exception lcore: delivered into a TAP
	uint64_t tap_rx_packets = 0;     // exception lcore: read from a TAP (kernel output)
	uint64_t wire_tx_packets = 0;    // worker: kernel output sent on the wire
	uint64_t answer_rx_packets = 0;  // worker: read from fast endpoints (agents' answers)
	uint64_t answer_tx_packets = 0;  // worker: agents' answers sent on the wire
	uint64_t bulk_rx_packets = 0;    // bulk lcore: unpacked from peers' batches
	uint64_t bulk_emitted = 0;       // bulk lcore: of those, handed to path A or the wire
	std::array<uint64_t, kDropReasons> drops{};
	std::array<StageCounters, kStages> stages{};
};

// Single-writer add: a plain load and a relaxed store, so readers never see a torn value.
inline void bump(uint64_t &counter, uint64_t n = 1)
{
	__atomic_store_n(&counter, counter + n, __ATOMIC_RELAXED);
}

inline uint64_t read_counter(const uint64_t &counter) { return __atomic_load_n(&counter, __ATOMIC_RELAXED); }

// A busy call of a stage that began at `since`; returns now, where the next stage begins.
inline uint64_t stage_done(StageCounters &s, uint64_t since, uint64_t now, unsigned packets)
{
	bump(s.calls);
	bump(s.busy);
	bump(s.packets, packets);
	bump(s.cycles, now - since);
	return now;
}

// A call of a polled stage from `since` to `now` that moved `work` items (0: an idle call).
inline uint64_t stage_call(StageCounters &s, uint64_t since, uint64_t now, unsigned work)
{
	bump(s.calls);
	bump(s.cycles, now - since);
	if (work) {
		bump(s.busy);
		bump(s.packets, work);
	}
	return now;
}

StageCounters read_stage(const StageCounters &s);
void accumulate(StageCounters &sum, const StageCounters &one);

// Sum of many lcores' counters (reader side).
void accumulate(LcoreCounters &sum, const LcoreCounters &one);
uint64_t total_drops(const LcoreCounters &c);

} // namespace tripath::pipeline
