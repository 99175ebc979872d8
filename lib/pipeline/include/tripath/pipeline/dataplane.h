// The running dataplane: rings, per-lcore contexts and counters, the published rule table.
// Built on the control lcore after the ports are started; workers only read it.
#pragma once

#include <array>
#include <atomic>
#include <deque>
#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include <rte_ether.h>
#include <rte_ethdev.h>
#include <rte_rcu_qsbr.h>
#include <rte_ring.h>

#include <tripath/classify/flow_cache.h>
#include <tripath/classify/rule_table.h>
#include <tripath/config/config.h>
#include <tripath/pipeline/bulk_path.h>
#include <tripath/pipeline/counters.h>
#include <tripath/pipeline/latency_hist.h>
#include <tripath/quota/quota_table.h>
#include <tripath/telemetry/flow_sketch.h>

namespace tripath::pipeline {

// Packets per rx burst and per hand-off. 64, not testpmd's 32: every burst pays the same
// lines taken back from the exception lcore (path A's rings) and the same clock reads, and at
// 64 a worker spends 6% fewer cycles per packet; at 128 a burst's frames no longer fit in L1
// and it spends 18% more (doc/benchmarks.md, "ninth session").
inline constexpr unsigned kBurst = 64;
inline constexpr uint16_t kNoPort = UINT16_MAX;

class Dataplane;
class Trace;       // trace.h
struct CaptureTap; // capture.h
struct TraceTap;   // trace.h

// A wire's next hop (the router or client its path B requests come from), learned from those
// requests: answers from agents go back to it. 0 until learned; else 1 << 48 | MAC.
using NextHop = std::atomic<uint64_t>;   // writers: workers polling the wire; readers: workers

struct PollQueue {
	uint16_t port_id = kNoPort;
	uint16_t queue = 0;
	uint16_t tap_port = kNoPort;   // kNoPort: path A has no TAP for traffic from this port
	NextHop *next_hop = nullptr;   // this wire's next hop (wires), or the answers' wire's (endpoints)
	// Set when the port is a fast endpoint: what is read here are agents' answers.
	uint16_t endpoint = UINT16_MAX;    // index in paths.fast_endpoints
	uint16_t answer_port = kNoPort;    // the wire they leave on ...
	uint16_t answer_queue = 0;         // ... on the tx queue this worker owns there
	rte_ether_addr answer_src{};       // the host's MAC on that wire (its TAP's, else the port's)
};

// Path B, as a worker sends to it: the endpoint's port (tx queue = the worker's slot).
struct EndpointTarget {
	uint16_t port_id = kNoPort;
	rte_ether_addr src{};          // the endpoint port's own MAC
	rte_ether_addr dst{};          // the agent's MAC
	bool set_dst = false;          // false: the frame keeps the destination it came with
	const std::atomic<bool> *down = nullptr; // control lcore: writes (the netdev is gone); workers: read
};

// Per worker and endpoint; owner: that worker (sole writer). Readers: control lcore.
struct alignas(RTE_CACHE_LINE_SIZE) EndpointCounters {
	uint64_t to_agent_packets = 0;
	uint64_t to_agent_bytes = 0;
	uint64_t to_agent_bursts = 0;  // tx bursts: packets / bursts is how full the queue's bursts are
	uint64_t answer_packets = 0;   // answers read from the endpoint and sent on the wire
	uint64_t answer_bytes = 0;
	LatencyHist to_agent_cycles{}; // TSC at wire rx -> after the endpoint tx burst
	LatencyHist answer_cycles{};   // TSC at endpoint rx -> after the wire tx burst
};

// Kernel output bound for one wire port; drained by the worker that polls its queue 0.
struct ReturnDrain {
	rte_ring *ring = nullptr;      // producer: exception lcore; consumer: this worker
	uint16_t port_id = kNoPort;
	uint16_t queue = 0;
};

struct WorkerContext {
	Dataplane *dp = nullptr;
	unsigned lcore_id = 0;
	unsigned qsbr_id = 0;          // this worker's thread id in dp->qsbr
	unsigned slot = 0;             // index among the workers: its meters in the quota table
	std::vector<PollQueue> polls;
	// rx of each poll (same index): calls = polls, busy = non-empty ones. Owner: this worker;
	// reader: the control lcore (show runtime). Sized before start, never resized.
	std::vector<StageCounters> poll_stages;
	std::vector<ReturnDrain> drains;
	rte_ring *to_kernel = nullptr; // producer: this worker; consumer: exception lcore (KernelHandoff elements)
	rte_ring *give_back = nullptr; // path A mbufs whose buffers the exception lcore borrowed; consumer: this worker
	// Path A's packets held until a burst's worth is ready, or the wire goes quiet, or the oldest
	// has waited hold_max TSC cycles (worker.cpp, hold_for_kernel). Worker only.
	std::array<rte_mbuf *, kBurst> kernel_held{};
	unsigned n_kernel_held = 0;
	uint64_t kernel_held_since = 0;
	uint64_t kernel_hold_max = 0;
	std::vector<EndpointTarget> endpoints; // path B targets, by endpoint index
	uint16_t endpoint_queue = 0;   // this worker's tx queue on every endpoint port (its rank among wire pollers)
	EndpointCounters *endpoint_counters = nullptr; // endpoints.size() slots, this worker's
	rte_ring *to_bulk = nullptr;   // producer: this worker; consumer: bulk lcore (path C)
	std::vector<const BulkPeerStats *> bulk_peers; // by peer index: `up` says ring or path A; empty: no path C
	LcoreCounters *counters = nullptr;
	config::IdleBackoff idle;
	// One parsed IP packet in sample_every goes here as a telemetry::FlowSample, for the guardian's
	// flow sketches. Producer: this worker; consumer: the control lcore, which does the counting
	// (what the ring refuses: flow_samples_lost).
	rte_ring *flow_samples = nullptr;
	uint32_t sample_every = 0;     // set before start(); 0: no sampling
	uint32_t sample_countdown = 1; // worker only: packets until the next sample (1 = the next)
	std::unique_ptr<classify::FlowCache> flow_cache; // worker only (never null; may be off)
};

// Path A's TAP side, polled by the control lcore (TAP I/O makes syscalls; workers may not).
struct ExceptionContext {
	std::vector<rte_ring *> from_workers;          // one per worker, then the bulk lcore's; consumer: here
	std::vector<rte_ring *> give_back;             // by from_workers index; null: never borrow (bulk lcore)
	rte_mempool *headers = nullptr;                // the borrowing headers (kernel_handoff.h)
	std::vector<uint16_t> taps;                    // TAP port ids
	std::array<uint16_t, RTE_MAX_ETHPORTS> tap_of_port{};        // wire port -> its TAP
	std::array<rte_ring *, RTE_MAX_ETHPORTS> return_of_tap{};    // TAP port -> wire return ring
	LcoreCounters *counters = nullptr;
};

struct PortInfo {
	std::string name;
	uint16_t port_id = kNoPort;
	config::Driver driver = config::Driver::null;
	uint16_t queues = 1;
};

class Dataplane {
public:
	// Build rings and contexts for `cfg`; `ports` maps each config port name to its ethdev.
	// Throws std::runtime_error naming what could not be created.
	Dataplane(const config::Config &cfg, std::vector<PortInfo> ports);
	~Dataplane();
	Dataplane(const Dataplane &) = delete;
	Dataplane &operator=(const Dataplane &) = delete;

	// Launch workers on their lcores; returns false (with `error`) if one could not start.
	bool start(std::string &error);
	// Stop workers, wait for them, free what is still on the rings (counted as shutdown).
	void stop();
	bool running() const { return running_.load(std::memory_order_relaxed); }
	// Path B endpoint `index` (paths.fast_endpoints) cannot be reached: its packets are dropped
	// as endpoint_down instead of being queued on a socket that sends nowhere. Control lcore.
	void set_endpoint_down(size_t index, bool down);

	// One round of path A's TAP I/O; called from the control loop. Returns packets moved.
	unsigned poll_exception();

	// Path C: bring up the bulk lcore's state with its connector (before start()). Without it
	// bulk verdicts take path A. Throws std::runtime_error.
	void enable_bulk(rte_mempool *pool, std::unique_ptr<BulkConnector> connector);
	BulkPath *bulk() { return bulk_.get(); }
	const BulkPath *bulk() const { return bulk_.get(); }
	// True when no bulk lcore is configured: the control loop calls poll_bulk() each round.
	bool bulk_on_control() const { return bulk_ && bulk_lcore_ == kNoLcore; }
	unsigned poll_bulk() { return bulk_ ? bulk_->poll() : 0; }

	// Reader side: sum over lcores, or one lcore's slot.
	LcoreCounters totals() const;
	const LcoreCounters &lcore_counters(unsigned lcore_id) const { return counters_[lcore_id]; }

	const config::Config &config() const { return cfg_; }
	const std::vector<PortInfo> &ports() const { return ports_; }
	const std::vector<std::unique_ptr<WorkerContext>> &workers() const { return workers_; }
	const classify::RuleTable &rules() const { return *rules_.load(std::memory_order_acquire); }
	// Path B: one endpoint's counters summed over the workers (reader side).
	EndpointCounters endpoint_totals(size_t endpoint) const;
	// The wire's learned next hop, if any request has taught it yet.
	std::optional<rte_ether_addr> next_hop(uint16_t wire_port) const;

	// Swap in a new rule table built off the workers, and the rules it was built from. The old
	// table is freed once every worker has passed a quiescent state (never while one reads it).
	void publish_rules(std::unique_ptr<classify::RuleTable> next, std::vector<config::RuleConfig> rules);
	// Free retired tables whose grace period is over; the control loop calls it. Returns how
	// many are still waiting.
	size_t reclaim_retired();
	// The same for tenants and their quotas (meters start full in the new table).
	void publish_quotas(std::unique_ptr<quota::QuotaTable> next, std::vector<config::TenantConfig> tenants);
	const quota::QuotaTable &quotas() const { return *quotas_.load(std::memory_order_acquire); }
	uint64_t rule_generation() const { return generation_; }

	// The packet trace (`trace add`), made on first use; control lcore only. It goes with the
	// dataplane, after the workers have stopped.
	Trace &tracer();

	std::atomic<bool> running_{false};                 // control: writes; workers: read
	std::atomic<const classify::RuleTable *> rules_{}; // control: publishes; workers: read under qsbr
	std::atomic<quota::QuotaTable *> quotas_{};        // control: publishes; workers: police their slot
	rte_rcu_qsbr *qsbr = nullptr;                      // workers report quiescence once per loop
	std::atomic<const CaptureTap *> capture_{};        // control (Capture): arms/disarms; workers: read per burst
	std::atomic<TraceTap *> trace_{};                  // control (Trace): arms/disarms; workers: read per burst, record into their slot

private:
	void build();
	void build_endpoints();
	void build_bulk(const std::map<uint16_t, rte_ring *> &return_of_wire);
	void set_endpoint_poll(PollQueue &pq, const config::LcoreConfig &lc);
	void release();
	const PortInfo *port_named(const std::string &name) const;
	void free_ring_contents(rte_ring *ring);
	void free_handoff_contents(rte_ring *ring);
	void release_handoff();
	rte_ring *make_handoff(const char *name);

	config::Config cfg_;
	std::vector<PortInfo> ports_;
	std::unique_ptr<classify::RuleTable> owned_rules_;
	std::unique_ptr<quota::QuotaTable> owned_quotas_;
	struct Retired {
		uint64_t token;                             // rte_rcu_qsbr_start() at retirement
		std::shared_ptr<const void> table;          // a RuleTable or a QuotaTable
	};
	void retire(std::shared_ptr<const void> table);
	std::deque<Retired> retired_;                       // control lcore only
	uint64_t generation_ = 0;                           // tables published so far
	std::vector<std::unique_ptr<WorkerContext>> workers_;
	ExceptionContext exception_;
	std::vector<rte_ring *> rings_;                    // every mbuf-pointer ring we created, for teardown
	std::vector<rte_ring *> handoff_rings_;            // path A's KernelHandoff rings, for teardown
	std::vector<rte_ring *> give_back_rings_;          // the workers' give-back rings (delivered mbufs)
	std::vector<rte_ring *> sample_rings_;             // the workers' flow samples (telemetry::FlowSample)
	std::string instance_;                              // names this dataplane's header pool and give-back rings
	static constexpr unsigned kHeaders = 1024; // path A's borrowing headers (one is the pool's spare)
	LcoreCounters *counters_ = nullptr;                // RTE_MAX_LCORE slots, hugepage memory
	std::unique_ptr<std::atomic<bool>[]> endpoint_down_; // by endpoint; control lcore writes, workers read
	EndpointCounters *endpoint_counters_ = nullptr;    // workers x endpoints, hugepage memory
	std::array<NextHop, RTE_MAX_ETHPORTS> next_hops_{};
	static constexpr unsigned kNoLcore = UINT32_MAX;
	BulkWiring bulk_wiring_;                           // rings made by build(), handed to the BulkPath
	std::unique_ptr<BulkPath> bulk_;
	unsigned bulk_lcore_ = kNoLcore;                   // lcore with role bulk, if any
	std::unique_ptr<Trace> tracer_;                    // control lcore only
};

// Lcore entry point for the bulk lcore (arg: Dataplane*).
int bulk_main(void *arg);

// Lcore entry point for a worker (arg: WorkerContext*).
int worker_main(void *arg);

} // namespace tripath::pipeline
