// Policing a burst on a worker: per packet one shared policy read, then this slot's meters and
// counters only. No locks, no allocation, no syscalls.
#include <rte_branch_prediction.h>

#include "meters.h"

namespace tripath::quota {

using namespace detail;

// Both meters green, or the packet is refused and charged to neither.
inline bool QuotaTable::admit(SlotState &slot, unsigned cell, uint32_t bytes, uint64_t tsc)
{
	const PathPolicy &pol = policies_[cell];
	if (pol.meter == kNoMeter)
		return true;
	Meters &m = slot.meters[pol.meter];
	MeterProfiles &prof = profiles_[pol.meter];
	if (pol.pps && rte_meter_srtcm_color_blind_check(&m.pkt, &prof.pkt, tsc, 1) != RTE_COLOR_GREEN)
		return false;
	if (pol.bps && rte_meter_srtcm_color_blind_check(&m.bit, &prof.bit, tsc, bytes) != RTE_COLOR_GREEN) {
		if (pol.pps)
			m.pkt.tc += 1;   // give back the packet token taken just above
		return false;
	}
	return true;
}

void QuotaTable::police(unsigned slot, const uint16_t *tenants, const classify::Verdict *verdicts,
			const uint32_t *bytes, Outcome *out, unsigned n, uint64_t tsc)
{
	SlotState &s = slots_[slot];
	const size_t n_tenants = names_.size();
	for (unsigned i = 0; i < n; i++) {
		uint16_t t = tenants[i];
		config::PathKind path = verdicts[i].path;
		out[i] = Outcome::pass;
		if (t >= n_tenants || path == config::PathKind::drop)
			continue;
		unsigned cell = cell_of(t, path);
		if (likely(admit(s, cell, bytes[i], tsc))) {
			bump(s.counters[cell].passed_packets);
			bump(s.counters[cell].passed_bytes, bytes[i]);
			continue;
		}
		if (policies_[cell].over == Outcome::drop) {
			bump(s.counters[cell].dropped);
			out[i] = Outcome::drop;
			continue;
		}
		// Demoted: path A carries it only within the tenant's path A quota.
		bump(s.counters[cell].demoted);
		unsigned kernel = cell_of(t, config::PathKind::kernel);
		if (admit(s, kernel, bytes[i], tsc)) {
			bump(s.counters[kernel].passed_packets);
			bump(s.counters[kernel].passed_bytes, bytes[i]);
			out[i] = Outcome::demote;
		} else {
			bump(s.counters[kernel].dropped);
			out[i] = Outcome::drop;
		}
	}
}

PassedTally QuotaTable::passed_tally(unsigned slot) const
{
	PassedTally t;
	t.cells_ = slots_[slot].counters;
	t.n_tenants_ = names_.size();
	return t;
}

void QuotaTable::count_passed(unsigned slot, const classify::Verdict *verdicts, const uint32_t *bytes, unsigned n)
{
	const PassedTally tally = passed_tally(slot);
	for (unsigned i = 0; i < n; i++)
		tally.count(verdicts[i], bytes[i]);
}

} // namespace tripath::quota
