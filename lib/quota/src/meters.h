// Meter and counter layout shared by the build (quota_table.cpp) and the worker (police.cpp).
#pragma once

#include <cstdint>

#include <rte_common.h>
#include <rte_meter.h>

#include <tripath/quota/quota_table.h>

namespace tripath::quota::detail {

inline constexpr uint32_t kNoMeter = UINT32_MAX;

// By cell (tenant, path). Control: writes at build; workers: read only.
struct PathPolicy {
	uint32_t meter = kNoMeter;     // index into profiles and every slot's meters
	bool pps = false;              // the packet meter applies
	bool bps = false;              // the bit meter applies
	Outcome over = Outcome::drop;  // what an over-quota packet becomes
};

// By meter. Control: writes at build; workers: read only (one copy for all slots).
struct alignas(RTE_CACHE_LINE_SIZE) MeterProfiles {
	rte_meter_srtcm_profile pkt;   // CIR in packets/s: checked with pkt_len 1
	rte_meter_srtcm_profile bit;   // CIR in bytes/s (bps / 8): checked with the frame length
};

// By meter, in one slot. Worker of the slot: sole reader and writer.
struct Meters {
	rte_meter_srtcm pkt;
	rte_meter_srtcm bit;
};

// One worker's state: two cache-aligned rte_zmalloc blocks, so no line is shared between slots.
struct SlotState {
	Meters *meters = nullptr;
	Counters *counters = nullptr;
};

} // namespace tripath::quota::detail
