// Tenant quotas: the tenant of each packet (its rule's tenant, else the longest source prefix)
// and that tenant's meters on each path. Built off the workers from a Config, published under
// RCU like the rule table, never edited in place; each worker writes only its own slot.
#pragma once

#include <array>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include <tripath/classify/flow_cache.h>
#include <tripath/classify/rule_table.h>
#include <tripath/config/config.h>
#include <tripath/packet/flow_key.h>

namespace tripath::quota {

inline constexpr uint16_t kNoTenant = UINT16_MAX;   // no rule tenant and no prefix matched
static_assert(kNoTenant == classify::kNoTarget);    // so a Verdict's "no tenant" reads the same
inline constexpr unsigned kQuotaPaths = 3;          // PathKind kernel, fast, bulk

enum class Outcome : uint8_t {
	pass,    // within quota, no quota on that path, no tenant, or a rule drop (not policed)
	drop,    // over quota: always on path A; on B/C when the tenant's over_quota is drop
	demote,  // over quota on B/C with over_quota demote, and within the tenant's path A quota
};

struct PathStats {
	uint64_t passed_packets = 0;   // carried on this path; path A includes packets demoted into it
	uint64_t passed_bytes = 0;
	uint64_t dropped = 0;          // over this path's quota (path A: also demoted ones over its quota)
	uint64_t demoted = 0;          // over this path's quota, handed to path A
};

struct TenantStats {
	std::array<PathStats, kQuotaPaths> path{};   // by PathKind
};

namespace detail {
struct PathPolicy;
struct MeterProfiles;
struct SlotState;
class SourcePrefixes;

inline unsigned cell_of(uint16_t tenant, config::PathKind path) { return tenant * kQuotaPaths + unsigned(path); }

// By cell (tenant, path), in one slot. Worker of the slot: sole writer; control: relaxed loads.
struct Counters {
	uint64_t passed_packets;
	uint64_t passed_bytes;
	uint64_t dropped;
	uint64_t demoted;
};

// Single-writer add: a plain load and a relaxed store, so readers never see a torn value.
inline void bump(uint64_t &counter, uint64_t n = 1) { __atomic_store_n(&counter, counter + n, __ATOMIC_RELAXED); }
} // namespace detail

// What count_passed() counts, one packet at a time, for a worker that folds it into a loop of its
// own over the burst (the counters' store-to-load chains then overlap that loop's work instead
// of making a pass of their own). A default one counts nothing.
class PassedTally {
public:
	void count(const classify::Verdict &v, uint32_t bytes) const
	{
		if (v.tenant >= n_tenants_ || v.path == config::PathKind::drop)
			return; // no tenant (or no tenants at all), or a rule drop: not policed
		detail::Counters &k = cells_[detail::cell_of(v.tenant, v.path)];
		detail::bump(k.passed_packets);
		detail::bump(k.passed_bytes, bytes);
	}

private:
	friend class QuotaTable;
	detail::Counters *cells_ = nullptr;
	size_t n_tenants_ = 0;
};

// Meters are per worker slot: each slot gets ceil(rate / worker_slots) of a quota's packets/s
// and bits/s, and the same share of its burst. Exact when one worker carries the tenant's
// traffic; a tenant whose packets land on k of n workers gets about k/n of its quota.
// Meters are DPDK srTCM (color-blind, no excess bucket): a packet passes only if both its
// packet and its bit meter are green, and a packet refused by one is charged to neither.
// Bursts hold burst_ms of tokens, at least 1 packet and 16,128 bytes (a jumbo frame).
// srTCM refills in whole TSC cycles, so a rate may run up to 1% fast (measured: +0.33% at
// 11 MB/s on a 2.6 GHz TSC; packet rates far less).
// Memory: IPv4 prefixes take a DIR-24-8 table (32 MB; 64 MB past 32,766 tenants or tbl8
// groups), IPv6 ones an rte_lpm6 (64 MB), each only if that family has a prefix; per slot,
// 48 bytes of meters and 32 of counters per (tenant, path).
class QuotaTable final : public classify::TenantResolver {
public:
	// Needs EAL (prefix tables and meters live in DPDK memory). Throws std::runtime_error
	// naming the tenant whose prefix or quota could not be set up, or a prefix two tenants claim.
	static std::unique_ptr<QuotaTable> build(const config::Config &cfg, unsigned worker_slots);
	// The same, sharing `previous`'s prefix tables when every tenant keeps its name, place and
	// prefixes: a meter change then costs the meters, not tens of MB of lookup tables.
	static std::unique_ptr<QuotaTable> build(const config::Config &cfg, unsigned worker_slots, const QuotaTable *previous);
	~QuotaTable();
	QuotaTable(const QuotaTable &) = delete;
	QuotaTable &operator=(const QuotaTable &) = delete;

	// Any lcore, any n: the verdict's tenant if its rule names one, else the owner of the
	// longest prefix holding the source address (IPv4 or IPv6), else kNoTenant.
	void tenants_of(const packet::FlowKey *keys, const classify::Verdict *verdicts, uint16_t *tenant_out,
			unsigned n) const;
	// The same answer written into out[i].tenant, for the workers' flow caches to keep.
	void resolve(const packet::FlowKey *keys, classify::Verdict *out, unsigned n) const override;
	// Shared by the tables that share prefix tables: a meter change keeps cached tenants.
	uint64_t epoch() const override { return tenant_epoch_; }

	// Worker of `slot` (its index among the workers, 0..worker_slots-1) only: it alone writes
	// that slot's meters and counters. `bytes` is each frame's length (what bps quotas count),
	// `tsc` one rte_rdtsc() per burst (any clock in TSC cycles; meters start full). A demoted
	// packet is charged to the tenant's path A quota too: over that, it is dropped instead.
	void police(unsigned slot, const uint16_t *tenants, const classify::Verdict *verdicts, const uint32_t *bytes,
		    Outcome *out, unsigned n, uint64_t tsc);

	// The same when no tenant has a quota (meters() == 0): every packet passes, and only what
	// passed is counted, by each verdict's tenant and path, without police()'s per-packet policy.
	void count_passed(unsigned slot, const classify::Verdict *verdicts, const uint32_t *bytes, unsigned n);
	// The same for one packet at a time (worker of `slot` only; valid while this table is).
	PassedTally passed_tally(unsigned slot) const;

	// Control lcore: sums every slot (relaxed loads; a running worker may be a burst ahead).
	TenantStats stats(uint16_t tenant) const;

	size_t tenant_count() const { return names_.size(); }
	const std::string &tenant_name(uint16_t tenant) const { return names_[tenant]; }
	const std::optional<config::PathQuota> &quota(uint16_t tenant, config::PathKind path) const
	{
		return quotas_[tenant][size_t(path)];
	}
	unsigned worker_slots() const { return n_slots_; }
	size_t meters() const { return n_meters_; }    // (tenant, path) pairs with a quota

private:
	QuotaTable();
	void build_meters(const config::Config &cfg);
	bool admit(detail::SlotState &slot, unsigned cell, uint32_t bytes, uint64_t tsc);

	// All below: control writes at build; workers read only (slot state is theirs to write).
	std::vector<std::string> names_;
	std::vector<std::array<std::optional<config::PathQuota>, kQuotaPaths>> quotas_;
	std::shared_ptr<const detail::SourcePrefixes> prefixes_; // shared by tables with the same tenants' prefixes
	std::vector<std::vector<config::Prefix>> prefix_lists_;   // what prefixes_ was built from, by tenant
	detail::PathPolicy *policies_ = nullptr;       // rte_zmalloc; by tenant * kQuotaPaths + path
	detail::MeterProfiles *profiles_ = nullptr;    // rte_zmalloc; by meter, shared by all slots
	std::unique_ptr<detail::SlotState[]> slots_;   // by slot
	unsigned n_slots_ = 0;
	size_t n_meters_ = 0;
	uint64_t tenant_epoch_ = 0;
};

} // namespace tripath::quota
