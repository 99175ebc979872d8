#include <bit>
#include <cstring>
#include <stdexcept>
#include <string>

#include <rte_hash_crc.h>
#include <rte_malloc.h>
#include <rte_prefetch.h>

#include <tripath/classify/flow_cache.h>
#include <tripath/packet/uninit_array.h>

namespace tripath::classify {

namespace {

// The key as six words, built in registers (no narrow stores that the hash would then read
// back wide, which stalls store forwarding) and hashed from them.
struct KeyWords {
	uint64_t w[6];
};
static_assert(sizeof(KeyWords) == sizeof(FlowCacheKey));
static_assert(std::endian::native == std::endian::little, "the words mirror FlowCacheKey's little-endian layout");

// Fills `kw` and returns its hash; inlined so the words go from registers to both.
__attribute__((always_inline)) inline uint32_t key_words(const RuleTable &table, const packet::FlowKey &k, KeyWords &kw)
{
	uint64_t s0, s1, d0, d1;
	std::memcpy(&s0, k.src.data(), 8);
	std::memcpy(&s1, k.src.data() + 8, 8);
	std::memcpy(&d0, k.dst.data(), 8);
	std::memcpy(&d1, k.dst.data() + 8, 8);
	// A reused key may hold stale bytes past an IPv4 address, and non-IP keys any address.
	const uint64_t lo_mask = k.ip_version == 6 ? ~0ull : k.ip_version == 4 ? 0xffffffffull : 0; // little-endian: first 4 bytes
	const uint64_t hi_mask = k.ip_version == 6 ? ~0ull : 0;
	const uint16_t vlan0 = k.vlan_count > 0 ? k.vlan_ids[0] : 0, vlan1 = k.vlan_count > 1 ? k.vlan_ids[1] : 0;
	const uint8_t flags = uint8_t((k.l4_offset != 0 ? 1 : 0) | (k.vlan_count > 2 ? 2 : k.vlan_count) << 1);
	const uint64_t w0 = s0 & lo_mask, w1 = s1 & hi_mask, w2 = d0 & lo_mask, w3 = d1 & hi_mask;
	const uint64_t w4 = uint64_t(k.src_port) | uint64_t(k.dst_port) << 16 | uint64_t(k.ether_type) << 32 | uint64_t(vlan0) << 48;
	const uint64_t w5 = uint64_t(vlan1) | uint64_t(table.size_class(k.frame_len)) << 16 | uint64_t(k.ip_version) << 32 |
			    uint64_t(k.proto) << 40 | uint64_t(k.dscp) << 48 | uint64_t(flags) << 56;
	kw.w[0] = w0, kw.w[1] = w1, kw.w[2] = w2, kw.w[3] = w3, kw.w[4] = w4, kw.w[5] = w5;
	// Two independent CRC32C chains, so their latencies overlap.
	uint32_t a = rte_hash_crc_8byte(w0, 0), b = rte_hash_crc_8byte(w1, 0x9e3779b9);
	a = rte_hash_crc_8byte(w2, a);
	b = rte_hash_crc_8byte(w3, b);
	a = rte_hash_crc_8byte(w4, a);
	b = rte_hash_crc_8byte(w5, b);
	return a ^ (b * 0x9e3779b1u);
}

inline bool same_key(const FlowCacheKey &entry, const KeyWords &kw)
{
	uint64_t e[6];
	std::memcpy(e, &entry, sizeof(e));
	return ((e[0] ^ kw.w[0]) | (e[1] ^ kw.w[1]) | (e[2] ^ kw.w[2]) | (e[3] ^ kw.w[3]) | (e[4] ^ kw.w[4]) |
		(e[5] ^ kw.w[5])) == 0;
}

} // namespace

FlowCacheKey flow_cache_key(const RuleTable &table, const packet::FlowKey &k)
{
	KeyWords kw;
	key_words(table, k, kw);
	FlowCacheKey c;
	std::memcpy(&c, &kw, sizeof(c));
	return c;
}

FlowCache::FlowCache(uint32_t entries, int socket)
{
	if (entries == 0)
		return;
	if (entries < 64 || entries > kMaxEntries || (entries & (entries - 1)) != 0)
		throw std::runtime_error("flow cache: " + std::to_string(entries) +
					 " entries: must be 0 or a power of two from 64 to " + std::to_string(kMaxEntries));
	size_t bytes = size_t(entries) * sizeof(FlowCacheEntry);
	buckets_ = static_cast<FlowCacheEntry *>(rte_zmalloc_socket("tp_flow_cache", bytes, 64, socket));
	if (buckets_ == nullptr)
		throw std::runtime_error("flow cache: cannot allocate " + std::to_string(bytes) + " bytes on socket " +
					 std::to_string(socket) + " (raise eal.memory_mb or lower flow_cache)");
	mask_ = entries / kWays - 1;
}

FlowCache::~FlowCache() { rte_free(buckets_); }

uint32_t FlowCache::tag_for(const RuleTable &table, const TenantResolver *tenants)
{
	const uint64_t epoch = tenants != nullptr ? tenants->epoch() : 0;
	if (table.generation() != seen_generation_ || epoch != seen_epoch_) {
		seen_generation_ = table.generation();
		seen_epoch_ = epoch;
		if (++tag_ == 0)
			tag_ = 1;
	}
	return tag_;
}

unsigned FlowCache::lookup_burst(const RuleTable &table, const TenantResolver *tenants, const packet::FlowKey *keys,
				 Verdict *out, unsigned n)
{
	if (buckets_ == nullptr) {
		table.lookup_burst(keys, out, n);
		if (tenants != nullptr)
			tenants->resolve(keys, out, n);
		return n;
	}
	unsigned total_misses = 0;
	constexpr unsigned kMax = 64;
	const uint32_t gen = tag_for(table, tenants);
	for (unsigned base = 0; base < n; base += kMax) {
		unsigned count = n - base < kMax ? n - base : kMax;
		KeyWords ck[kMax];
		FlowCacheEntry *bucket[kMax];
		packet::UninitArray<packet::FlowKey, kMax> miss_keys;
		packet::UninitArray<Verdict, kMax> miss_out;
		uint16_t miss_at[kMax];
		unsigned misses = 0;
		// Keys and bucket addresses first, prefetched, so the probes below find them in cache.
		for (unsigned i = 0; i < count; i++) {
			uint32_t h = key_words(table, keys[base + i], ck[i]);
			bucket[i] = buckets_ + size_t(h & mask_) * kWays;
			rte_prefetch0(bucket[i]);
			rte_prefetch0(bucket[i] + 1);
		}
		for (unsigned i = 0; i < count; i++) {
			FlowCacheEntry *b = bucket[i];
			unsigned way = kWays;
			for (unsigned w = 0; w < kWays; w++)
				if (b[w].generation == gen && same_key(b[w].key, ck[i])) {
					way = w;
					break;
				}
			if (way < kWays) {
				out[base + i] = b[way].verdict;
			} else {
				miss_keys[misses] = keys[base + i];
				miss_at[misses++] = uint16_t(i);
			}
		}
		if (misses == 0)
			continue;
		total_misses += misses;
		table.lookup_burst(miss_keys, miss_out, misses);
		if (tenants != nullptr)
			tenants->resolve(miss_keys, miss_out, misses);
		for (unsigned j = 0; j < misses; j++) {
			unsigned i = miss_at[j];
			out[base + i] = miss_out[j];
			FlowCacheEntry *b = bucket[i];
			if (b[0].generation == gen && same_key(b[0].key, ck[i]))
				continue; // the same flow missed earlier in this burst
			for (unsigned w = kWays - 1; w > 0; w--) // newest at way 0, the oldest falls out
				b[w] = b[w - 1];
			std::memcpy(&b[0].key, &ck[i], sizeof(FlowCacheKey));
			b[0].generation = gen;
			b[0].verdict = miss_out[j];
		}
	}
	return total_misses;
}

} // namespace tripath::classify
