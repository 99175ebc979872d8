// Path C: the bulk lcore. Workers enqueue bulk verdicts on a ring; this lcore packs them per
// peer into batches in the transport's registered send slots, posts a batch when it is full
// (batch_bytes) or old (batch_us), and unpacks the peers' batches, emitting each packet where
// our rules send it (path A through the peer's wire's TAP, or the wire itself). A peer that
// cannot be reached makes its traffic fall back to path A, counted and raised as an event;
// the lcore keeps dialing and path C resumes when the peer is back. doc/rdma.md.
// One thread drives a BulkPath: the bulk lcore, or the control lcore when none is configured.
#pragma once

#include <atomic>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include <rte_common.h>
#include <rte_mbuf.h>
#include <rte_mempool.h>
#include <rte_ring.h>

#include <tripath/bulk/batch_format.h>
#include <tripath/bulk/transport.h>
#include <tripath/config/config.h>
#include <tripath/pipeline/counters.h>

namespace tripath::pipeline {

class Dataplane;

// How the bulk lcore reaches its peers: over verbs (make_verbs_connector) or, in unit tests,
// in-process transports. Called on the bulk lcore only.
class BulkConnector {
public:
	virtual ~BulkConnector() = default;
	// A connected transport to peer `index` (config order), or nullptr with `error` ("" when
	// a listening peer simply has not dialed yet). May block up to connect_timeout_ms.
	virtual std::unique_ptr<bulk::BulkTransport> connect(size_t index, std::string &error) = 0;
	// A peer we listen for is dialing again while we think it is connected: it restarted.
	virtual bool redialing(size_t /*index*/) { return false; }
	// Test hook (`bulk inject wrong-rkey`): the transport's next batch carries a wrong rkey.
	virtual bool inject_wrong_rkey(bulk::BulkTransport & /*transport*/) { return false; }
	// One line about the device and GID in use, for `show bulk`.
	virtual std::string describe(const bulk::BulkTransport & /*transport*/) const { return {}; }
};

// Verbs on the configured device; listening sockets are opened here. nullptr with `error`.
std::unique_ptr<BulkConnector> make_verbs_connector(const config::BulkPathConfig &cfg, std::string &error);

enum class BulkPeerState : uint8_t {
	down,      // not connected: its traffic takes path A; the lcore dials every reconnect_ms
	up,        // batches flow
	broken,    // an error was seen; reconnecting
};
const char *bulk_peer_state_name(BulkPeerState s);

// Per peer. Writer: the bulk lcore (relaxed stores); readers: workers (up), control lcore.
// The first line holds only what changes on a state change: workers read `up` per bulk packet,
// and a counter on its line would pull it away from every worker on every batch.
struct alignas(RTE_CACHE_LINE_SIZE) BulkPeerStats {
	std::atomic<bool> up{false};        // workers read it per packet: ring while up or under repair, path A while down
	std::atomic<uint8_t> state{0};      // BulkPeerState
	std::atomic<uint8_t> last_error{0}; // bulk::BulkError of the last error
	alignas(RTE_CACHE_LINE_SIZE) std::atomic<uint32_t> credits{0}; // stored on every post and ack
	uint64_t packets_packed = 0;        // copied into a batch
	uint64_t bytes_packed = 0;          // frame bytes
	uint64_t batches_posted = 0;
	uint64_t batch_bytes_posted = 0;    // payload bytes posted (frames + record headers)
	uint64_t packets_acked = 0;         // in batches the peer's ring took
	uint64_t batches_acked = 0;
	uint64_t batches_reposted = 0;      // again after a reconnect: the peer had not taken them
	uint64_t packets_fallback = 0;      // bulk verdicts for this peer carried by path A instead
	uint64_t batches_received = 0;
	uint64_t packets_received = 0;
	uint64_t bytes_received = 0;        // frame bytes
	uint64_t credit_stalls = 0;         // a batch had to wait for credit
	uint64_t errors = 0;
	uint64_t connects = 0;              // fresh connections (first and after a loss)
	uint64_t reconnects = 0;            // same peer, QPs reset after an error
	uint64_t losses = 0;                // connections given up: fallback started
	uint64_t connect_failures = 0;
};

static_assert(offsetof(BulkPeerStats, credits) >= RTE_CACHE_LINE_SIZE, "`up` shares its cache line with a hot field");

// What the guardian sees of path C (event ring, drained by the control lcore).
enum class PeerEventKind : uint8_t { up, down, error, stalled };
const char *peer_event_name(PeerEventKind k);

struct PeerEvent {
	uint64_t tsc = 0;
	uint16_t peer = 0;
	PeerEventKind kind = PeerEventKind::error;
	bulk::BulkError error = bulk::BulkError::none;
};

// The dataplane's pieces the bulk lcore works with (built by Dataplane).
struct BulkWiring {
	std::vector<rte_ring *> from_workers;  // producer: worker i; consumer: here. mbuf->hash.usr = peer
	rte_ring *to_kernel = nullptr;         // producer: here; consumer: exception lcore (path A)
	std::vector<uint16_t> tap_of_port;     // wire port -> its TAP (kNoPort: none)
	std::vector<rte_ring *> return_of_port;// wire port -> its return ring (multi-producer then)
	std::vector<uint16_t> peer_wire;       // by peer: the wire port its packets leave on
	LcoreCounters *counters = nullptr;     // this lcore's slot
};

class BulkPath {
public:
	BulkPath(Dataplane &dp, BulkWiring wiring, std::unique_ptr<BulkConnector> connector, rte_mempool *pool);
	~BulkPath();
	BulkPath(const BulkPath &) = delete;
	BulkPath &operator=(const BulkPath &) = delete;

	// One round: connections, the workers' rings, batch age, transport events. Returns work done.
	unsigned poll();
	// Before the first poll / after the last, on the polling thread (RCU registration).
	void attach_thread(unsigned qsbr_id);
	void detach_thread();
	// Close connections (BYE), count what is still held as shutdown.
	void shutdown();

	// Control lcore: ask the polling thread to corrupt peer `index`'s next rkey.
	void request_wrong_rkey(size_t index);
	// Control lcore: events raised since the last call.
	std::vector<PeerEvent> take_events();

	size_t peer_count() const { return peers_.size(); }
	const BulkPeerStats &stats(size_t index) const;
	const config::BulkPeerConfig &peer_config(size_t index) const { return cfg_.peers[index]; }
	std::string describe(size_t index) const;   // the device line of its connection, or ""
	// Where workers look before they enqueue: &stats(i).up for each peer.
	const BulkPeerStats *peer_stats(size_t index) const { return &stats(index); }

	struct Peer;  // src/bulk_peer.h
	struct Held;

private:
	// bulk_path.cpp: connections and loss
	unsigned maintain(uint64_t now);
	bool try_connect(size_t index);
	void on_error(Peer &p, bulk::BulkError error, uint64_t now);
	bool recover(Peer &p);
	void lose(Peer &p, bulk::BulkError why, uint64_t now, PeerEventKind kind);
	void raise(const Peer &p, PeerEventKind kind, bulk::BulkError error);
	// bulk_send.cpp: rings -> batches -> posts
	unsigned drain_workers(uint64_t now);
	bool pack(Peer &p, rte_mbuf *m, uint64_t now);
	bool open_batch(Peer &p, uint64_t now);
	void post(Peer &p);
	unsigned post_aged(uint64_t now);
	unsigned repost_after_reconnect(Peer &p);
	// bulk_receive.cpp: events, unpacking, emitting
	unsigned poll_transports();
	unsigned emit_received(Peer &p, bool force = false);
	void fall_back_batch(Peer &p, std::span<const std::byte> payload, uint32_t packets);
	unsigned to_kernel(rte_mbuf **pkts, unsigned n);
	void emit(Peer &p, rte_mbuf **pkts, unsigned n);

	Dataplane &dp_;
	const config::BulkPathConfig cfg_;
	BulkWiring w_;
	std::unique_ptr<BulkConnector> connector_;
	rte_mempool *pool_;
	std::vector<std::unique_ptr<Peer>> peers_;
	std::vector<std::unique_ptr<Held>> held_;  // by worker ring: packets taken but waiting for credit
	rte_ring *events_ = nullptr;               // producer: here; consumer: control lcore
	unsigned qsbr_id_ = 0;
	bool attached_ = false;
	uint64_t hz_ = 0;
	uint64_t batch_cycles_ = 0;
};

} // namespace tripath::pipeline
