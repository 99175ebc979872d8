// The operator's intent for the guardian (YAML `intent:`) and where its audit log lives
// (`audit:`). Included by config.h; Config::intent and Config::audit hold them. Both sections
// are optional: without them the defaults below apply (autonomy off, the built-in protected
// classes, no SLOs, no reserved minimums, no audit log).
#pragma once

#include <array>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace tripath::config {

struct RuleMatch; // config.h; complete before any IntentConfig is built or copied

// Who may change steering without the operator. Operator proposals are decided at every
// level (doc/guardian.md).
enum class Autonomy { off, propose_only, bounded };
const char *autonomy_name(Autonomy a); // "off", "propose-only", "bounded"

// Fast-path (path B) p99 round trip, for one tenant or ("" tenant) for every tenant.
struct LatencySlo {
	std::string tenant;                    // "" = all traffic without a tenant SLO of its own
	uint32_t fast_p99_us = 0;              // 1..10,000,000
};

struct SloConfig {
	std::vector<LatencySlo> fast_p99;      // the "" entry first when present
	std::optional<uint32_t> min_kernel_share_pct; // path A keeps at least this share of packets, 0..100
	std::optional<uint64_t> bulk_budget_bytes_per_s; // path C may use up to this, 1..1e12

	// The SLO that applies to `tenant`: its own, else the "" one, else none (0).
	uint32_t fast_p99_us_for(std::string_view tenant) const;
};

// Traffic that must always reach path A. One class may need several matches (DNS: udp and tcp).
struct ProtectedClass {
	std::string name;                      // "arp", "icmp", "ssh", "bgp", "dns" or the operator's
	std::vector<RuleMatch> matches;        // any of them
	bool builtin = false;
};

// The built-in classes, by name: arp, icmp (ICMP and ICMPv6), ssh (tcp/22), bgp (tcp/179),
// dns (udp/53 and tcp/53).
std::vector<ProtectedClass> builtin_protected_classes();

// What no proposal may take a tenant below, per path (by PathKind kernel, fast, bulk).
struct ReservedRate {
	std::optional<uint64_t> pps;
	std::optional<uint64_t> bps;
};

struct ReservedMinimum {
	std::string tenant;
	std::array<ReservedRate, 3> path{};
};

struct IntentLimits {
	uint32_t mutations_per_s = 10;         // token bucket refill, 1..100,000
	uint32_t mutation_burst = 10;          // bucket depth, 1..100,000
	uint32_t max_change_pct = 50;          // a meter moves at most this much per change, 1..1000
	uint32_t max_adaptive_actions = 4;     // changes in their canary window at once, 1..1000
	uint32_t max_rules_per_tenant = 64;    // rules naming one tenant (or none), 1..100,000
};

struct CanaryConfig {
	uint32_t window_ms = 2000;             // watch an applied change this long, 1..3,600,000
	uint32_t regression_pct = 20;          // p99 this much above its baseline = regression, 1..1000
};

struct FailsafeConfig {
	uint32_t rejects = 20;                 // this many invariant rejects ...
	uint32_t reject_window_s = 10;         // ... within this many seconds enter FAILSAFE
	uint32_t breach_ms = 5000;             // an SLO breached this long enters FAILSAFE
};

// An external client of the control socket (`guardian client <name> propose ...`): the tenants
// its proposals may touch. A name not listed here is refused.
struct ClientScope {
	std::string name;                      // [A-Za-z0-9_-]{1,63}
	std::vector<std::string> tenants;      // at least one, each defined in tenants
	// Its credentials on the control socket: a socket client with this uid, or in this group,
	// proposes as this client with `guardian propose`. Neither: only `guardian client ID propose`
	// (an admin acting for it) speaks for it.
	std::optional<uint32_t> uid;
	std::string group;                     // looked up when the guardian starts
};

struct IntentConfig {
	Autonomy autonomy = Autonomy::off;
	SloConfig slo;
	std::vector<ProtectedClass> protected_classes; // built-in ones first
	std::vector<ReservedMinimum> reserved;
	IntentLimits limits;
	CanaryConfig canary;
	FailsafeConfig failsafe;
	std::vector<ClientScope> clients;
	bool present = false;                  // the file had an intent section

	const ReservedMinimum *reserved_for(std::string_view tenant) const;
	const ClientScope *client_named(std::string_view name) const;
};

// The guardian's audit log (lib/audit). log "" = no audit log.
struct AuditConfig {
	std::string log;                       // path of the log; its head file is log + ".head"
	std::string key;                       // key file, 0600, read only by the daemon
	std::string fsync = "interval 10";     // always | every N | interval MS | never
	uint32_t checkpoint_every = 1000;      // records, 0 = off, ..10,000,000
	uint32_t checkpoint_interval_ms = 60000; // 0 = off, ..86,400,000
	bool create_key = false;               // make the key file (0600) when it is missing
};

// One rule match written as YAML or JSON ("{proto: tcp, dst_port: 22}"), with the checks a
// rule's match gets in a file. Errors are ConfigErrors naming `source`:LINE:COL and the field
// (`path` + ".dst_port"). For the guardian's proposals and the shell.
RuleMatch parse_match(std::string_view text, const std::string &source, const std::string &path);

} // namespace tripath::config
