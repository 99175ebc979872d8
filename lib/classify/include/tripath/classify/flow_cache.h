// A worker's exact-match cache of verdicts in front of the rule table (as OVS's EMC is in front
// of its classifier): a flow's packets after the first skip rte_acl and the prefix buckets, so
// cycles per packet stop growing with the rule count. Keyed on every field a rule can match,
// with the frame length reduced to its class among the table's frame_size bounds; an entry
// is valid only under the table (and tenant prefixes) that computed it, so a publish needs no
// flush.
// One per worker, never shared: no locks, no atomics.
#pragma once

#include <cstdint>

#include <tripath/classify/rule_table.h>
#include <tripath/packet/flow_key.h>

namespace tripath::classify {

// Every FlowKey field the classifier reads, canonical (unused bytes zero) so equal flows compare
// equal with memcmp.
struct FlowCacheKey {
	uint8_t src[16];
	uint8_t dst[16];
	uint16_t src_port;
	uint16_t dst_port;
	uint16_t ether_type;
	uint16_t vlan0;
	uint16_t vlan1;
	uint16_t size_class; // the frame length's class among the table's frame_size bounds
	uint8_t ip_version;
	uint8_t proto;
	uint8_t dscp;
	uint8_t flags;       // bit 0: L4 ports were read; bits 1-2: VLAN tag count
};
static_assert(sizeof(FlowCacheKey) == 48);

struct alignas(64) FlowCacheEntry {
	FlowCacheKey key;
	uint32_t generation; // 0: empty; else the cache's tag (table and tenant epoch) when computed
	Verdict verdict;
};
static_assert(sizeof(FlowCacheEntry) == 64);

// Who a packet belongs to: its rule's tenant, else the owner of its source prefix. For a given
// prefix table that is a function of the cache key, so the cache keeps it with the verdict and
// a hit skips the prefix lookup (a DIR-24-8 probe that misses the CPU cache).
class TenantResolver {
public:
	virtual ~TenantResolver() = default;
	// Sets out[i].tenant for every key whose rule names none (any n).
	virtual void resolve(const packet::FlowKey *keys, Verdict *out, unsigned n) const = 0;
	// Differs whenever resolve() may answer differently for some key.
	virtual uint64_t epoch() const = 0;
};

class FlowCache {
public:
	static constexpr unsigned kWays = 2;          // per bucket; a miss inserts at way 0
	static constexpr uint32_t kMaxEntries = 1u << 20;

	// entries: 0 (off: every lookup goes to the table) or a power of two, 64..kMaxEntries.
	// socket: NUMA node of the worker that will use it. Throws std::runtime_error when the
	// memory cannot be had.
	FlowCache(uint32_t entries, int socket);
	~FlowCache();
	FlowCache(const FlowCache &) = delete;
	FlowCache &operator=(const FlowCache &) = delete;

	// Same contract as RuleTable::lookup_burst (any n); misses go to `table` in one call per
	// 64 keys. With `tenants`, every out[i].tenant is the packet's tenant (resolved on a miss,
	// remembered with the verdict). Returns the misses (n when the cache is off).
	unsigned lookup_burst(const RuleTable &table, const TenantResolver *tenants, const packet::FlowKey *keys,
			      Verdict *out, unsigned n);
	unsigned lookup_burst(const RuleTable &table, const packet::FlowKey *keys, Verdict *out, unsigned n)
	{
		return lookup_burst(table, nullptr, keys, out, n);
	}

	uint32_t entries() const { return buckets_ ? (mask_ + 1) * kWays : 0; }

private:
	// The tag entries are valid under: renewed whenever the table or the resolver's epoch
	// differs from the last lookup's, so a swap of either leaves every older entry unmatched.
	uint32_t tag_for(const RuleTable &table, const TenantResolver *tenants);

	FlowCacheEntry *buckets_ = nullptr; // (mask_ + 1) * kWays entries
	uint32_t mask_ = 0;                 // bucket index mask
	uint32_t tag_ = 0;                  // 0 is never valid: entries start zeroed
	uint32_t seen_generation_ = 0;      // the table and epoch tag_ was issued for
	uint64_t seen_epoch_ = 0;
};

// The canonical cache key of `k` for `table` (exposed for tests).
FlowCacheKey flow_cache_key(const RuleTable &table, const packet::FlowKey &k);

} // namespace tripath::classify
