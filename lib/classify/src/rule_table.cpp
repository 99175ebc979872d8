#include <algorithm>
#include <atomic>
#include <cstring>
#include <stdexcept>

#include <rte_byteorder.h>
#include <rte_errno.h>

#include <tripath/classify/rule_table.h>

#include "acl_layout.h"
#include "acl_rules.h"
#include "non_ip_rules.h"
#include "prefix_buckets.h"
#include "targets.h"

namespace tripath::classify {

using namespace acl;

namespace {

constexpr unsigned kChunk = 64; // keys classified per rte_acl_classify call
static_assert(kChunk <= PrefixBuckets::kMaxKeys);

std::string next_name(const char *kind)
{
	static std::atomic<uint64_t> serial{0};
	return std::string("tp_") + kind + "_" + std::to_string(serial.fetch_add(1));
}

template <typename Rule>
rte_acl_ctx *build_trie(const std::vector<Rule> &rules, const rte_acl_config &cfg, const char *kind)
{
	if (rules.empty())
		return nullptr;
	std::string name = next_name(kind);
	rte_acl_param prm{};
	prm.name = name.c_str();
	prm.socket_id = SOCKET_ID_ANY;
	prm.rule_size = RTE_ACL_RULE_SZ(cfg.num_fields);
	prm.max_rule_num = uint32_t(rules.size());
	rte_acl_ctx *ctx = rte_acl_create(&prm);
	if (ctx == nullptr)
		throw std::runtime_error(std::string("rte_acl_create ") + kind + ": " + rte_strerror(rte_errno));
	int rc = rte_acl_add_rules(ctx, reinterpret_cast<const rte_acl_rule *>(rules.data()), uint32_t(rules.size()));
	if (rc == 0)
		rc = rte_acl_build(ctx, &cfg);
	if (rc == -ENOMEM) {
		// Usually more than RTE_ACL_MAX_TRIES tries: a size limit makes rte_acl split its
		// rules 8 times less eagerly (node_max 16384 instead of 2048), for fewer, larger tries.
		rte_acl_config roomy = cfg;
		roomy.max_size = SIZE_MAX;
		rc = rte_acl_build(ctx, &roomy);
	}
	if (rc != 0) {
		rte_acl_free(ctx);
		throw std::runtime_error(std::string("cannot build the ") + kind + " ACL of " + std::to_string(rules.size()) +
					 " rules: " + rte_strerror(-rc));
	}
	return ctx;
}

KeyTail tail_of(const packet::FlowKey &k)
{
	KeyTail t{};
	t.flags = rte_cpu_to_be_16(uint16_t((k.dscp & kDscpMask) | (k.l4_offset != 0 ? kL4Flag : 0)));
	t.frame_len = rte_cpu_to_be_16(uint16_t(std::min<uint32_t>(k.frame_len, UINT16_MAX)));
	t.vlan0 = rte_cpu_to_be_16(k.vlan_count > 0 ? k.vlan_ids[0] : kNoVlan);
	t.vlan1 = rte_cpu_to_be_16(k.vlan_count > 1 ? k.vlan_ids[1] : kNoVlan);
	return t;
}

void fill4(Key4 &x, const packet::FlowKey &k)
{
	x = Key4{};
	x.proto = k.proto;
	std::memcpy(&x.src, k.src.data(), 4);
	std::memcpy(&x.dst, k.dst.data(), 4);
	x.sport = rte_cpu_to_be_16(k.src_port);
	x.dport = rte_cpu_to_be_16(k.dst_port);
	x.tail = tail_of(k);
}

void fill6(Key6 &x, const packet::FlowKey &k)
{
	x = Key6{};
	x.proto = k.proto;
	std::memcpy(x.src, k.src.data(), 16);
	std::memcpy(x.dst, k.dst.data(), 16);
	x.sport = rte_cpu_to_be_16(k.src_port);
	x.dport = rte_cpu_to_be_16(k.dst_port);
	x.tail = tail_of(k);
}

void fill_other(KeyOther &x, const packet::FlowKey &k)
{
	x = KeyOther{};
	x.ether_type = rte_cpu_to_be_16(k.ether_type);
	x.frame_len = rte_cpu_to_be_16(uint16_t(std::min<uint32_t>(k.frame_len, UINT16_MAX)));
	x.vlan0 = rte_cpu_to_be_16(k.vlan_count > 0 ? k.vlan_ids[0] : kNoVlan);
	x.vlan1 = rte_cpu_to_be_16(k.vlan_count > 1 ? k.vlan_ids[1] : kNoVlan);
}

// One context's share of a chunk: its keys, and where their verdicts go.
template <typename Key>
struct Batch {
	Key keys[kChunk];
	const uint8_t *ptrs[kChunk];
	const packet::FlowKey *flows[kChunk];
	uint32_t results[kChunk];   // rte_acl's: rule index + 1, 0 for none
	uint32_t best[kChunk];      // rule index, kNoRule for none
	uint16_t at[kChunk];
	unsigned n = 0;

	Key &next(uint16_t index, const packet::FlowKey &flow)
	{
		ptrs[n] = reinterpret_cast<const uint8_t *>(&keys[n]);
		flows[n] = &flow;
		at[n] = index;
		return keys[n++];
	}

	void classify(const rte_acl_ctx *ctx, const PrefixBuckets *buckets)
	{
		if (n == 0)
			return;
		if (ctx != nullptr)
			rte_acl_classify(ctx, ptrs, results, n, 1);
		else
			std::fill_n(results, n, 0u);
		for (unsigned i = 0; i < n; i++)
			best[i] = results[i] - 1; // 0 - 1 wraps to kNoRule
		if (buckets != nullptr)
			buckets->lookup(flows, best, n);
	}
};

} // namespace

std::unique_ptr<RuleTable> RuleTable::build(const config::Config &cfg)
{
	if (cfg.rules.size() >= RTE_ACL_MAX_PRIORITY)
		throw std::runtime_error("too many rules: " + std::to_string(cfg.rules.size()));
	std::unique_ptr<RuleTable> t(new RuleTable());
	for (size_t i = 0; i < cfg.rules.size(); i++) {
		t->verdicts_.push_back(verdict_of(cfg, i));
		t->names_.push_back(cfg.rules[i].name);
	}
	if (!cfg.rules.empty()) {
		const config::RuleMatch &m = cfg.rules.back().match;
		bool empty = !m.ether_type && !m.src && !m.dst && !m.proto && !m.src_port && !m.dst_port && !m.dscp &&
			     !m.vlan && !m.frame_size;
		if (empty)
			t->default_rule_ = uint32_t(cfg.rules.size() - 1);
	}
	static std::atomic<uint32_t> generations{0};
	do
		t->generation_ = generations.fetch_add(1) + 1;
	while (t->generation_ == 0); // 0 marks an empty cache entry
	for (const config::RuleConfig &r : cfg.rules)
		if (r.match.frame_size) {
			t->frame_bounds_.push_back(std::min<uint32_t>(r.match.frame_size->lo, UINT16_MAX));
			t->frame_bounds_.push_back(std::min<uint32_t>(r.match.frame_size->hi + 1, UINT16_MAX + 1));
		}
	std::sort(t->frame_bounds_.begin(), t->frame_bounds_.end());
	t->frame_bounds_.erase(std::unique(t->frame_bounds_.begin(), t->frame_bounds_.end()), t->frame_bounds_.end());
	if (t->frame_bounds_.size() > UINT16_MAX)
		throw std::runtime_error("too many distinct frame_size bounds: " + std::to_string(t->frame_bounds_.size()));
	std::vector<bool> taken(cfg.rules.size());
	t->buckets4_ = PrefixBuckets::build(cfg, 4, taken);
	t->buckets6_ = PrefixBuckets::build(cfg, 6, taken);
	t->bucket_rules_ = (t->buckets4_ ? t->buckets4_->rules() : 0) + (t->buckets6_ ? t->buckets6_->rules() : 0);
	t->non_ip_ = NonIpRules::build(cfg);
	CompiledRules rules = compile_rules(cfg, taken, t->non_ip_ == nullptr);
	t->acl_rules_ = rules.v4.size() + rules.v6.size() + rules.other.size();
	// The destructor frees whatever was built if a later context throws.
	t->ctx4_ = build_trie(rules.v4, config4(), "acl4");
	t->ctx6_ = build_trie(rules.v6, config6(), "acl6");
	t->ctx_other_ = build_trie(rules.other, config_other(), "acl_nonip");
	return t;
}

RuleTable::~RuleTable()
{
	rte_acl_free(ctx4_);
	rte_acl_free(ctx6_);
	rte_acl_free(ctx_other_);
}

Verdict RuleTable::lookup(const packet::FlowKey &key) const
{
	Verdict v;
	lookup_burst(&key, &v, 1);
	return v;
}

// Keys come from parse_frame: ip_version 4 means ether_type 0x0800, 6 means 0x86dd.
void RuleTable::lookup_burst(const packet::FlowKey *keys, Verdict *out, unsigned n) const
{
	for (unsigned base = 0; base < n; base += kChunk) {
		unsigned count = std::min(kChunk, n - base);
		Batch<Key4> b4;
		Batch<Key6> b6;
		Batch<KeyOther> bo;
		auto verdict = [this](uint32_t r) { return r != kNoRule ? verdicts_[r] : Verdict{}; };
		for (unsigned i = 0; i < count; i++) {
			const packet::FlowKey &k = keys[base + i];
			if (k.ip_version == 4)
				fill4(b4.next(uint16_t(i), k), k);
			else if (k.ip_version == 6)
				fill6(b6.next(uint16_t(i), k), k);
			else if (non_ip_ != nullptr)
				out[base + i] = verdict(non_ip_->lookup(k));
			else
				fill_other(bo.next(uint16_t(i), k), k);
		}
		b4.classify(ctx4_, buckets4_.get());
		b6.classify(ctx6_, buckets6_.get());
		bo.classify(ctx_other_, nullptr);
		for (unsigned j = 0; j < b4.n; j++)
			out[base + b4.at[j]] = verdict(b4.best[j]);
		for (unsigned j = 0; j < b6.n; j++)
			out[base + b6.at[j]] = verdict(b6.best[j]);
		for (unsigned j = 0; j < bo.n; j++)
			out[base + bo.at[j]] = verdict(bo.best[j]);
	}
}

} // namespace tripath::classify
