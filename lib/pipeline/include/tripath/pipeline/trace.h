// Packet trace (`trace add STAGE N`, `show trace`): the next N packets that pass a stage are
// recorded by the workers with their route and verdicts, each worker into its own buffer
// (single producer, no locks); the control lcore reads them in claim order.
#pragma once

#include <atomic>
#include <cstdint>
#include <string>
#include <vector>

#include <rte_common.h>

#include <tripath/packet/flow_key.h>

namespace tripath::pipeline {

class Dataplane;

// Where a trace picks its packets up: a worker's wire rx (any port, or one port), the packets
// that parsed and were classified, or the packets a worker hands to a path (drop: malformed,
// rule drops, over quota).
enum class TraceWhere : uint8_t { rx, port, classify, kernel, fast, bulk, drop };
const char *trace_where_name(TraceWhere w);

// What the worker decided for a packet.
enum class TraceRoute : uint8_t {
	malformed,        // did not parse: dropped with the parse fault
	kernel,           // path A by its rule
	kernel_fallback,  // fast/bulk verdict carried by path A (no endpoint, peer down)
	kernel_demoted,   // over a fast/bulk quota with over_quota demote
	fast,
	bulk,
	rule_drop,
	over_quota,
};
const char *trace_route_name(TraceRoute r);

// What became of it.
enum class TraceOutcome : uint8_t { queued_kernel, sent_fast, queued_bulk, dropped };

inline constexpr unsigned kTraceMax = 1024;      // packets per trace
inline constexpr unsigned kTraceNameLen = 40;    // rule and tenant names, cut to fit

// One packet. Written by one worker before it publishes it; read-only after.
struct TraceRecord {
	uint64_t seq = 0;              // claim order over all workers: show trace sorts by it
	uint64_t tsc = 0;              // when its burst was read
	uint16_t lcore = 0;
	uint16_t port_id = 0;          // ingress port and queue
	uint16_t queue = 0;
	uint32_t pkt_len = 0;
	uint8_t parse_status = 0;      // packet::ParseStatus
	uint8_t mac_dst[6] = {};
	uint8_t mac_src[6] = {};
	packet::FlowKey key;           // what parsed (partial when malformed)
	uint32_t rule = UINT32_MAX;    // classify::kNoRule when none matched (or malformed)
	char rule_name[kTraceNameLen] = {};
	uint16_t tenant = UINT16_MAX;  // quota::kNoTenant
	char tenant_name[kTraceNameLen] = {};
	uint8_t verdict_path = 0;      // config::PathKind of the rule
	uint16_t target = UINT16_MAX;  // endpoint or peer index of the verdict
	uint8_t quota = 0;             // quota::Outcome
	uint8_t route = 0;             // TraceRoute
	uint8_t outcome = 0;           // TraceOutcome
	uint8_t drop_reason = 0;       // DropReason when dropped
	uint16_t out_port = UINT16_MAX; // endpoint port (fast) or TAP (kernel)
};

// Per worker. Owner: that worker (records and count); reader: the control lcore.
struct alignas(RTE_CACHE_LINE_SIZE) TraceSlot {
	TraceRecord *records = nullptr; // kTraceMax of them (rte_zmalloc)
	uint32_t count = 0;             // published records (release store / acquire load)
};

// What workers read while a trace is armed (Dataplane::trace_). Set up by the control lcore
// before it is published, freed after a grace period once unpublished.
struct TraceTap {
	TraceWhere where = TraceWhere::rx;
	uint16_t port_id = UINT16_MAX;  // where == port
	uint32_t limit = 0;             // N
	std::atomic<uint64_t> claimed{0}; // workers: fetch_add per burst with matches, while < limit
	TraceSlot *slots = nullptr;     // by worker slot
};

// Control lcore only. One trace at a time; a new `trace add` replaces the last one.
class Trace {
public:
	explicit Trace(Dataplane &dp);
	~Trace();  // disarms and frees (call while the dataplane still exists)
	Trace(const Trace &) = delete;
	Trace &operator=(const Trace &) = delete;

	// Arm the workers for the next `limit` packets at `where` (port_id for TraceWhere::port).
	bool add(TraceWhere where, uint16_t port_id, const std::string &target, uint32_t limit, std::string &error);
	// Disarm and forget the records.
	void clear();
	bool armed() const { return tap_ != nullptr; }
	TraceWhere where() const { return where_; }
	const std::string &target() const { return target_; }
	uint32_t limit() const { return limit_; }
	// The records published so far, in claim order.
	std::vector<TraceRecord> records() const;

private:
	void release();

	Dataplane &dp_;
	TraceTap *tap_ = nullptr;
	std::vector<TraceSlot> slots_;
	TraceWhere where_ = TraceWhere::rx;
	std::string target_;
	uint32_t limit_ = 0;
};

} // namespace tripath::pipeline
