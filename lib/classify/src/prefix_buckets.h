// Rules that name a long address prefix, kept out of rte_acl. A hash on a key's first `len`
// bits of one address (src or dst, whichever holds most rules) finds the few rules on that
// prefix, which are then all tested. In rte_acl's trie every wildcard rule is copied under each
// such prefix, so its size and its cache misses grow with the rule count; here a rule is one
// entry, and a lookup one probe plus a short scan at any rule count.
#pragma once

#include <cstdint>
#include <memory>
#include <vector>

#include <tripath/config/config.h>
#include <tripath/packet/flow_key.h>

#include "bucket_entry.h"
#include "dpdk_array.h"

namespace tripath::classify {

class PrefixBuckets {
public:
	static constexpr unsigned kMaxBucket = 32;   // rules past this on one prefix stay in rte_acl
	static constexpr unsigned kMinRules = 64;    // fewer than this: rte_acl alone is as fast
	static constexpr unsigned kMaxKeys = 64;     // keys per lookup()

	// Takes the rules of one IP family (4 or 6) that name a long enough prefix of the chosen
	// address, and sets taken[i] for each; null when too few rules qualify.
	static std::unique_ptr<PrefixBuckets> build(const config::Config &cfg, uint8_t family, std::vector<bool> &taken);
	~PrefixBuckets();
	PrefixBuckets(const PrefixBuckets &) = delete;
	PrefixBuckets &operator=(const PrefixBuckets &) = delete;

	// keys[i] are of this family; best[i] is the rule rte_acl found (kNoRule: none) and is
	// lowered to the first rule of the key's bucket that matches. n <= kMaxKeys.
	void lookup(const packet::FlowKey *const *keys, uint32_t *best, unsigned n) const;

	size_t rules() const { return rules_; }

private:
	// An open-addressing slot: a prefix and where its entries are. (rte_hash's bulk lookup
	// cost about 40 cycles a key more than this probe: doc/classifier.md.)
	struct Slot {
		uint64_t prefix;                // address bytes as stored in FlowKey, masked
		uint32_t first;                 // into the entries
		uint32_t count;                 // 0: empty slot
	};

	PrefixBuckets() = default;
	template <typename Entry>
	void lookup_in(const DpdkArray<Entry> &entries, const packet::FlowKey *const *keys, uint32_t *best,
		       unsigned n) const;

	DpdkArray<Slot> slots_;             // a power of two, at most a quarter full
	DpdkArray<BucketEntry4> entries4_;  // one of the two is used; grouped by bucket, in rule order
	DpdkArray<BucketEntry6> entries6_;
	bool by_dst_ = false;
	uint64_t mask_ = 0;                 // the prefix's bits (64 at most: entries test the rest)
	size_t rules_ = 0;
};

} // namespace tripath::classify
