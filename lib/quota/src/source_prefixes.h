// Tenant by source address, next hop = tenant index. IPv4: rte_fib (DIR-24-8, like rte_lpm)
// because rte_lpm_add searches its rules and tbl8 groups linearly: 10,000 tenants x 5 host
// prefixes took 11 s; rte_fib keeps rules in an rte_rib tree and free groups in a bitmap.
// IPv6: rte_lpm6 (hashed rules; rte_fib6 would reserve tbl8 groups for the worst case).
#pragma once

#include <cstdint>
#include <memory>
#include <vector>

#include <tripath/classify/rule_table.h>
#include <tripath/config/config.h>
#include <tripath/packet/flow_key.h>
#include <tripath/quota/quota_table.h>

struct rte_fib;
struct rte_lpm6;

namespace tripath::quota::detail {

struct TableFree {
	void operator()(rte_fib *fib) const;
	void operator()(rte_lpm6 *lpm) const;
};

class SourcePrefixes {
public:
	// Throws std::runtime_error naming the tenant whose prefix could not be added (including
	// a prefix that another tenant already owns).
	explicit SourcePrefixes(const std::vector<config::TenantConfig> &tenants);

	// Read only: any lcore. Rule tenants first, then one bulk lookup per family.
	void lookup(const packet::FlowKey *keys, const classify::Verdict *verdicts, uint16_t *out, unsigned n) const;

private:
	void lookup_chunk(const packet::FlowKey *keys, const classify::Verdict *verdicts, uint16_t *out,
			  unsigned n) const;

	std::unique_ptr<rte_fib, TableFree> fib4_;    // null when no IPv4 prefix is longer than /0
	std::unique_ptr<rte_lpm6, TableFree> lpm6_;   // null when no IPv6 prefix is longer than /0
	uint64_t miss4_ = 0;                          // fib4_'s next hop for an address no prefix holds
	uint16_t default4_ = kNoTenant;               // owner of 0.0.0.0/0, the answer on a miss
	uint16_t default6_ = kNoTenant;               // owner of ::/0 (rte_lpm6 takes depth >= 1)
};

} // namespace tripath::quota::detail
