// Building the quota table (meters, profiles, counters) and reading it back for display.
#include <algorithm>
#include <atomic>
#include <new>
#include <stdexcept>
#include <string>

#include <rte_ether.h>
#include <rte_malloc.h>

#include "meters.h"
#include "source_prefixes.h"

namespace tripath::quota {

using namespace detail;

namespace {

// A bit burst below one frame would refuse that frame forever; DPDK's largest jumbo frame.
constexpr uint64_t kMinBurstBytes = RTE_ETHER_MAX_JUMBO_FRAME_LEN;

template <typename T>
T *zalloc(const char *what, size_t n)
{
	size_t size = sizeof(T) * std::max<size_t>(n, 1);
	void *p = rte_zmalloc(what, size, RTE_CACHE_LINE_SIZE);
	if (p == nullptr)
		throw std::runtime_error(std::string("cannot allocate ") + what + " (" + std::to_string(size) + " bytes)");
	return static_cast<T *>(p);
}

uint64_t ceil_div(uint64_t a, uint64_t b) { return (a + b - 1) / b; }

std::string quota_err(const config::TenantConfig &t, config::PathKind path, const std::string &what)
{
	const config::SourceLoc &loc = t.quota[size_t(path)]->loc;
	std::string where = loc.line > 0 ? loc.str() + ": " : t.loc.line > 0 ? t.loc.str() + ": " : "";
	return where + "tenant '" + t.name + "': " + config::path_kind_name(path) + " quota: " + what;
}

// One slot's share of a rate (rounded up, so no slot gets 0) and its burst of burst_ms.
rte_meter_srtcm_params share(uint64_t per_second, uint32_t burst_ms, unsigned slots, uint64_t min_burst)
{
	uint64_t cir = ceil_div(per_second, slots);
	return {cir, std::max(min_burst, cir * burst_ms / 1000), 0};
}

// srTCM config stamps the bucket with the current TSC; from 0 instead, any caller's clock
// (a tsc read just before this table was published, or a test's simulated one) starts full.
void start_full(rte_meter_srtcm &m, rte_meter_srtcm_profile &p)
{
	rte_meter_srtcm_config(&m, &p);
	m.time = 0;
}

} // namespace

QuotaTable::QuotaTable() = default;

QuotaTable::~QuotaTable()
{
	for (unsigned s = 0; slots_ && s < n_slots_; s++) {
		rte_free(slots_[s].meters);
		rte_free(slots_[s].counters);
	}
	rte_free(profiles_);
	rte_free(policies_);
}

namespace {

bool same_prefixes(const std::vector<config::Prefix> &a, const std::vector<config::Prefix> &b)
{
	return std::equal(a.begin(), a.end(), b.begin(), b.end(), [](const config::Prefix &x, const config::Prefix &y) {
		return x.family == y.family && x.len == y.len && x.addr == y.addr;
	});
}

} // namespace

std::unique_ptr<QuotaTable> QuotaTable::build(const config::Config &cfg, unsigned worker_slots)
{
	return build(cfg, worker_slots, nullptr);
}

std::unique_ptr<QuotaTable> QuotaTable::build(const config::Config &cfg, unsigned worker_slots, const QuotaTable *previous)
{
	if (worker_slots == 0)
		throw std::runtime_error("quota table: at least one worker slot is needed");
	if (cfg.tenants.size() >= kNoTenant)
		throw std::runtime_error("quota table: " + std::to_string(cfg.tenants.size()) +
			" tenants, at most " + std::to_string(kNoTenant - 1));
	std::unique_ptr<QuotaTable> t(new QuotaTable());
	for (const config::TenantConfig &tc : cfg.tenants) {
		t->names_.push_back(tc.name);
		t->quotas_.push_back(tc.quota);
		t->prefix_lists_.push_back(tc.prefixes);
	}
	bool reuse = previous != nullptr && previous->names_ == t->names_ &&
		     std::equal(t->prefix_lists_.begin(), t->prefix_lists_.end(), previous->prefix_lists_.begin(),
				previous->prefix_lists_.end(), same_prefixes);
	t->prefixes_ = reuse ? previous->prefixes_ : std::make_shared<const SourcePrefixes>(cfg.tenants);
	static std::atomic<uint64_t> epochs{0};
	t->tenant_epoch_ = reuse ? previous->tenant_epoch_ : epochs.fetch_add(1) + 1; // 0: no resolver
	t->n_slots_ = worker_slots;
	t->build_meters(cfg);
	return t;
}

void QuotaTable::build_meters(const config::Config &cfg)
{
	const size_t cells = cfg.tenants.size() * kQuotaPaths;
	policies_ = zalloc<PathPolicy>("tp_quota_policies", cells);
	for (size_t c = 0; c < cells; c++)
		new (&policies_[c]) PathPolicy();

	for (size_t t = 0; t < cfg.tenants.size(); t++) {
		const config::TenantConfig &tc = cfg.tenants[t];
		for (unsigned p = 0; p < kQuotaPaths; p++) {
			const std::optional<config::PathQuota> &q = tc.quota[p];
			if (!q || (!q->pps && !q->bps))
				continue;   // unset rates are unlimited
			auto path = config::PathKind(p);
			if (q->pps == 0u || q->bps == 0u || q->burst_ms == 0)
				throw std::runtime_error(quota_err(tc, path, "pps, bps and burst_ms must be at least 1"));
			PathPolicy &pol = policies_[cell_of(uint16_t(t), path)];
			pol.meter = uint32_t(n_meters_++);
			pol.pps = q->pps.has_value();
			pol.bps = q->bps.has_value();
			bool demote = tc.over_quota == config::OverQuota::demote && path != config::PathKind::kernel;
			pol.over = demote ? Outcome::demote : Outcome::drop;
		}
	}

	profiles_ = zalloc<MeterProfiles>("tp_quota_profiles", n_meters_);
	for (size_t t = 0; t < cfg.tenants.size(); t++) {
		const config::TenantConfig &tc = cfg.tenants[t];
		for (unsigned p = 0; p < kQuotaPaths; p++) {
			const PathPolicy &pol = policies_[cell_of(uint16_t(t), config::PathKind(p))];
			if (pol.meter == kNoMeter)
				continue;
			const config::PathQuota &q = *tc.quota[p];
			MeterProfiles &prof = profiles_[pol.meter];
			if (pol.pps) {
				rte_meter_srtcm_params prm = share(*q.pps, q.burst_ms, n_slots_, 1);
				if (rte_meter_srtcm_profile_config(&prof.pkt, &prm) != 0)
					throw std::runtime_error(quota_err(tc, config::PathKind(p), "bad packet meter"));
			}
			if (pol.bps) {
				rte_meter_srtcm_params prm = share(ceil_div(*q.bps, 8), q.burst_ms, n_slots_, kMinBurstBytes);
				if (rte_meter_srtcm_profile_config(&prof.bit, &prm) != 0)
					throw std::runtime_error(quota_err(tc, config::PathKind(p), "bad bit meter"));
			}
		}
	}

	slots_ = std::make_unique<SlotState[]>(n_slots_);
	for (unsigned s = 0; s < n_slots_; s++) {
		SlotState &slot = slots_[s];
		slot.meters = zalloc<Meters>("tp_quota_meters", n_meters_);
		slot.counters = zalloc<Counters>("tp_quota_counters", cells);
		for (size_t c = 0; c < cells; c++) {
			const PathPolicy &pol = policies_[c];
			if (pol.meter == kNoMeter)
				continue;
			if (pol.pps)
				start_full(slot.meters[pol.meter].pkt, profiles_[pol.meter].pkt);
			if (pol.bps)
				start_full(slot.meters[pol.meter].bit, profiles_[pol.meter].bit);
		}
	}
}

void QuotaTable::tenants_of(const packet::FlowKey *keys, const classify::Verdict *verdicts, uint16_t *tenant_out,
			    unsigned n) const
{
	prefixes_->lookup(keys, verdicts, tenant_out, n);
}

void QuotaTable::resolve(const packet::FlowKey *keys, classify::Verdict *out, unsigned n) const
{
	constexpr unsigned kChunk = 64;
	uint16_t tenants[kChunk];
	for (unsigned done = 0; done < n; done += kChunk) {
		unsigned m = std::min(kChunk, n - done);
		prefixes_->lookup(keys + done, out + done, tenants, m);
		for (unsigned i = 0; i < m; i++)
			out[done + i].tenant = tenants[i];
	}
}

TenantStats QuotaTable::stats(uint16_t tenant) const
{
	TenantStats sum;
	if (tenant >= names_.size())
		return sum;
	auto load = [](const uint64_t &v) { return __atomic_load_n(&v, __ATOMIC_RELAXED); };
	for (unsigned s = 0; s < n_slots_; s++) {
		for (unsigned p = 0; p < kQuotaPaths; p++) {
			const Counters &c = slots_[s].counters[cell_of(tenant, config::PathKind(p))];
			PathStats &out = sum.path[p];
			out.passed_packets += load(c.passed_packets);
			out.passed_bytes += load(c.passed_bytes);
			out.dropped += load(c.dropped);
			out.demoted += load(c.demoted);
		}
	}
	return sum;
}

} // namespace tripath::quota
