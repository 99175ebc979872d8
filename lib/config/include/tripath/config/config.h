// Typed configuration loaded from YAML. Every error names FILE:LINE:COL.
#pragma once

#include <array>
#include <cstdint>
#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "tripath/config/intent.h"

namespace tripath::config {

// Where a value came from, so later stages (EAL, port setup) can name it in errors.
struct SourceLoc {
	std::string file;
	int line = 0; // 1-based
	int col = 0;  // 1-based
	std::string str() const; // "FILE:LINE:COL"
};

// Thrown by the loader; what() is "FILE:LINE:COL: message".
class ConfigError : public std::runtime_error {
public:
	ConfigError(const SourceLoc &loc, const std::string &message);
	const SourceLoc &where() const { return loc_; }
	const std::string &message() const { return message_; }

private:
	SourceLoc loc_;
	std::string message_;
};

enum class HugepageMode { automatic, on, off };

struct EalConfig {
	std::vector<unsigned> lcores;          // CPU ids EAL may use ("0-1", "0,2" or a list)
	unsigned main_lcore = 0;               // runs the control/guardian loop; default: first lcore
	unsigned memory_mb = 256;              // 16..65536
	HugepageMode hugepages = HugepageMode::automatic;
	std::string file_prefix = "tripath";
	std::vector<std::string> extra_args;   // passed to rte_eal_init verbatim
	// The mbuf pool's mempool driver: ring_mp_mc (DPDK's default, FIFO) or lf_stack (lock-free
	// LIFO: refills get the mbufs freed last, still in cache; faster in the classifier benchmark;
	// opt-in, not re-measured as a default since the af_xdp UMEM fix, doc/operations.md).
	std::string mbuf_pool_ops = "ring_mp_mc";
	SourceLoc loc;
};

enum class Driver { af_xdp, tap, pcap, ring, null, ice, bnxt };
const char *driver_name(Driver d);         // the YAML spelling

enum class Ingress { owned, split };

struct PortConfig {
	std::string name;                      // [A-Za-z0-9_-], unique
	Driver driver = Driver::null;
	std::vector<std::pair<std::string, std::string>> args; // devargs, in file order
	std::string pci;                       // ice/bnxt: PCI address (required there, refused elsewhere)
	uint16_t queues = 1;                   // rx and tx queue pairs, 1..64
	uint16_t rx_desc = 1024;               // 64..16384, power of two
	uint16_t tx_desc = 1024;
	bool promisc = true;
	// af_xdp only. owned: every frame reaches a worker (the PMD's default XDP program).
	// split: tripath's XDP classifier passes kernel-path frames to the netdev's own stack at
	// the driver and redirects only fast/bulk frames into the XSK.
	Ingress ingress = Ingress::owned;
	SourceLoc loc;
};

enum class LcoreRole { worker, control, bulk };
const char *lcore_role_name(LcoreRole r);

struct PollEntry {
	std::string port;                      // a PortConfig name
	uint16_t queue = 0;                    // < that port's queues
	SourceLoc loc;
};

// After `pause_after` empty polls the lcore pauses, then sleeps from sleep_min_us doubling up
// to sleep_max_us; any packet resets it. enabled=false busy-polls (appliance mode).
struct IdleBackoff {
	bool enabled = true;
	uint32_t pause_after = 256;            // empty polls before backing off, 1..1000000
	uint32_t sleep_min_us = 1;             // 1..1000000
	uint32_t sleep_max_us = 500;           // sleep_min_us..1000000
	// The lcore thread's timer slack: how late the kernel may end its sleeps. 0 keeps Linux's
	// default (50 us), which stretches short sleeps to 70-90 us (doc/fast-path.md).
	uint32_t timer_slack_ns = 0;           // 0, or 1..1000000
};

struct LcoreConfig {
	unsigned id = 0;                       // must be in eal.lcores
	LcoreRole role = LcoreRole::worker;
	std::vector<PollEntry> poll;           // workers only
	IdleBackoff idle;
	uint32_t flow_cache = 32768;           // workers: exact-match verdict cache entries (0 = off)
	SourceLoc loc;
};

// Path A: each wire port's kernel-bound traffic goes to its TAP, and back.
struct KernelTap {
	std::string wire;                      // port name (not a tap)
	std::string tap;                       // port name, driver tap (null or ring: a sink for benchmarks)
	SourceLoc loc;
};

struct KernelPathConfig {
	std::vector<KernelTap> taps;
	unsigned ring_size = 1024;             // worker<->exception rings; power of two, 64..65536
};

// Path B: an agent reached through its own port (af_xdp on a veth/VF/SF in production, null
// as a benchmark sink). Frames go out with dst = mac (when set), src = the port's own MAC; the
// agent's answers, read from the port, leave on `wire` towards the wire's learned next hop.
struct FastEndpointConfig {
	std::string name;
	std::string port;
	std::string wire;                      // port the answers leave on (default: the only wire)
	std::optional<std::array<uint8_t, 6>> mac; // the agent's MAC; unset: dst MAC left as received
	SourceLoc loc;
};

// Path C: a peer tripath we move bulk flows to with RDMA writes. Exactly one side dials:
// `address` (we connect to the peer's control port) or `listen` (the peer connects to us).
struct BulkPeerConfig {
	std::string name;
	std::string address;                   // HOST:PORT we connect to, or ""
	std::string listen;                    // HOST:PORT we accept this peer on, or ""
	std::string wire;                      // where its packets leave (path A: its TAP; bulk: the wire); default: the only wire with a TAP, "" without path A
	SourceLoc loc;
};

// The bulk lcore and the RDMA device it drives (doc/rdma.md).
struct BulkPathConfig {
	std::string device;                    // "rxe0", "irdma0", "mlx5_0"; "": the first one
	int gid_index = -1;                    // -1: the first RoCE v2 IPv4-mapped GID
	uint32_t slots = 64;                   // ring slots per peer, 2..4096
	uint32_t slot_size = 256 << 10;        // bytes per slot, 4 KiB..16 MiB, header included
	uint32_t batch_bytes = 0;              // post a batch at this size; 0: a full slot
	uint32_t batch_us = 100;               // ... or when its first packet is this old, 1..1000000
	unsigned ring_size = 4096;             // workers -> bulk lcore; power of two, 64..65536
	uint32_t reconnect_ms = 1000;          // between attempts while a peer is down, 10..600000
	uint32_t stall_ms = 2000;              // no credit for this long: the peer is stalled, fall back
	uint32_t connect_timeout_ms = 2000;    // one connect/accept exchange, 100..60000
	std::vector<BulkPeerConfig> peers;
	SourceLoc loc;
};

struct PathsConfig {
	KernelPathConfig kernel;
	std::vector<FastEndpointConfig> fast_endpoints;
	BulkPathConfig bulk;
};

struct Prefix {
	uint8_t family = 4;                    // 4 or 6
	std::array<uint8_t, 16> addr{};        // network order, host bits zeroed
	uint8_t len = 0;                       // 0..32 or 0..128
};

struct Range {
	uint32_t lo = 0;
	uint32_t hi = 0;                       // inclusive
};

struct RuleMatch {
	std::optional<uint16_t> ether_type;    // "arp", "ipv4", "ipv6" or a number
	std::optional<Prefix> src;
	std::optional<Prefix> dst;
	std::optional<uint8_t> proto;          // "tcp", "udp", "icmp", "icmpv6" or 0..255
	std::optional<Range> src_port;         // 0..65535, "80" or "1000-2000"
	std::optional<Range> dst_port;
	std::optional<uint8_t> dscp;           // 0..63
	std::optional<uint16_t> vlan;          // 0..4095, matches any tag of the stack
	std::optional<Range> frame_size;       // bytes, 14..65535
};

enum class PathKind { kernel, fast, bulk, drop };
const char *path_kind_name(PathKind p);

struct RuleConfig {
	std::string name;
	uint32_t priority = 1000;              // lower wins; ties keep file order
	RuleMatch match;
	PathKind path = PathKind::kernel;
	std::string target;                    // fast: endpoint name; bulk: peer name
	std::string tenant;                    // optional tenant name
	SourceLoc loc;
};

// A tenant's allowance on one path: packets and bits per second, each with a burst of
// `burst_ms` worth of tokens. An unset rate is unlimited; a rate of 0 is refused.
struct PathQuota {
	std::optional<uint64_t> pps;           // 1..1e9
	std::optional<uint64_t> bps;           // 1000..4e11
	uint32_t burst_ms = 10;                // 1..10000
	SourceLoc loc;                         // the quota's map (tenants[i].quota.PATH)
};

enum class OverQuota { drop, demote };     // demote: carry on path A instead (never for path A itself)

struct TenantConfig {
	std::string name;
	std::vector<Prefix> prefixes;          // packets from these sources belong to the tenant
	std::array<std::optional<PathQuota>, 3> quota; // by PathKind kernel, fast, bulk
	OverQuota over_quota = OverQuota::drop;
	SourceLoc loc;
};

// The control socket (YAML `control:`): where it is, who may connect and who may change things.
// Group names are looked up when the socket is created (and by tripath doctor), not at load.
struct ControlConfig {
	std::string socket;                    // "": /run/tripath/<eal.file_prefix>.sock; --socket wins
	uint32_t mode = 0600;                  // the socket file's permission bits ("0660" in YAML)
	std::string group;                     // the socket file's group ("": the daemon's); who may connect
	std::string admin_group;               // its members (and uid 0) are admins; other clients read only
	std::string metrics_address;           // control.metrics_http "127.0.0.1:9464": OpenMetrics over HTTP
	uint16_t metrics_port = 0;             // 0: no HTTP listener (loopback addresses only)
	SourceLoc group_loc;                   // where control.group is written, for "no such group"
	SourceLoc admin_group_loc;
};

struct Config {
	std::string source;                    // file name or "<embedded:lab.yaml>"
	EalConfig eal;
	std::vector<PortConfig> ports;
	std::vector<LcoreConfig> lcores;
	PathsConfig paths;
	std::vector<RuleConfig> rules;         // sorted by (priority, file order) after load
	std::vector<TenantConfig> tenants;
	IntentConfig intent;                   // the guardian's envelope (intent.h)
	AuditConfig audit;                     // the guardian's audit log (intent.h)
	ControlConfig control;                 // the control socket's path, mode, group and admin group
	std::vector<std::string> warnings;     // "FILE:LINE:COL: warning: ..." (e.g. a shadowed rule)

	const PortConfig *find_port(std::string_view name) const;
};

// Parse and validate; throw ConfigError on the first problem.
Config load_config_file(const std::string &path);
Config load_config_text(std::string_view yaml, const std::string &source_name);

// For the shell. Positions in errors are relative to `source` ("rule add:1:23: ...").

// One rule written as YAML (usually a flow map: "{name: web, match: {proto: tcp}, path:
// kernel}"), with every check a rule in a file gets; endpoints, peers and tenants it names
// must exist in `context`. Name clashes and ordering are check_rules' business.
RuleConfig parse_rule(std::string_view yaml, const std::string &source, const Config &context);

// What the loader does with a file's rules: stable-sort by priority, refuse repeated names,
// inverted ranges and a missing default (the last rule must have no match, else errors are at
// `source`:1:1), and append a "FILE:LINE:COL: warning: ..." for each rule an earlier one
// shadows (skipped, with one warning saying so, above 20,000 rules). Throws ConfigError.
void check_rules(std::vector<RuleConfig> &rules, const std::string &source,
		 std::vector<std::string> &warnings);

// One path's quota, "{pps: N, bps: N, burst_ms: N}", with the checks of tenants[].quota.
PathQuota parse_quota(std::string_view yaml, const std::string &source);

} // namespace tripath::config
