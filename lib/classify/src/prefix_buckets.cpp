#include "prefix_buckets.h"

#include <algorithm>
#include <array>
#include <cstring>

#include <rte_hash_crc.h>
#include <rte_prefetch.h>

#include <tripath/classify/rule_table.h>

namespace tripath::classify {

namespace {

using Bytes = std::array<uint8_t, 16>;

Bytes prefix_mask(unsigned len)
{
	Bytes m{};
	for (unsigned bit = 0; bit < len && bit < 128; bit++)
		m[bit / 8] |= uint8_t(0x80 >> (bit % 8));
	return m;
}

Bytes masked(const Bytes &addr, const Bytes &mask)
{
	Bytes out;
	for (size_t i = 0; i < out.size(); i++)
		out[i] = addr[i] & mask[i];
	return out;
}

void words(const Bytes &b, uint64_t out[2]) { std::memcpy(out, b.data(), 16); }

// ---- entries ----

template <typename T>
void set_range(const std::optional<config::Range> &r, T &lo, T &span, T full)
{
	lo = r ? T(r->lo) : 0;
	span = r ? T(r->hi - r->lo) : full;
}

EntryTail tail_of(const config::RuleMatch &m, uint32_t index)
{
	EntryTail t{};
	t.rule = index;
	if (m.proto)
		t.small |= *m.proto, t.names |= kNamesProto;
	if (m.dscp)
		t.small |= uint32_t(*m.dscp) << kDscpShift, t.names |= kNamesDscp;
	if (m.src_port || m.dst_port) // ports exist only where an L4 header was read
		t.small |= 1u << kL4Shift, t.names |= kNamesL4;
	set_range<uint16_t>(m.src_port, t.sport_lo, t.sport_span, UINT16_MAX);
	set_range<uint16_t>(m.dst_port, t.dport_lo, t.dport_span, UINT16_MAX);
	set_range<uint16_t>(m.frame_size, t.frame_lo, t.frame_span, UINT16_MAX);
	t.src_len = m.src ? m.src->len : 0;
	t.dst_len = m.dst ? m.dst->len : 0;
	return t;
}

Bytes value_of(const std::optional<config::Prefix> &p)
{
	return p ? masked(p->addr, prefix_mask(p->len)) : Bytes{};
}

template <typename Entry>
Entry entry_of(const config::RuleMatch &m, uint32_t index);

template <>
BucketEntry4 entry_of<BucketEntry4>(const config::RuleMatch &m, uint32_t index)
{
	BucketEntry4 e{};
	uint32_t s, d;
	Bytes src = value_of(m.src), dst = value_of(m.dst);
	std::memcpy(&s, src.data(), 4);
	std::memcpy(&d, dst.data(), 4);
	e.addrs = s | uint64_t(d) << 32;
	e.tail = tail_of(m, index);
	return e;
}

template <>
BucketEntry6 entry_of<BucketEntry6>(const config::RuleMatch &m, uint32_t index)
{
	BucketEntry6 e{};
	words(value_of(m.src), e.src);
	words(value_of(m.dst), e.dst);
	e.tail = tail_of(m, index);
	return e;
}

// ---- which rules go into buckets ----

const config::Prefix *address(const config::RuleMatch &m, bool by_dst)
{
	const std::optional<config::Prefix> &p = by_dst ? m.dst : m.src;
	return p ? &*p : nullptr;
}

// A rule that can only match frames of `family`, so one family's table may hold it, and whose
// fields fit an entry. Others stay in rte_acl: VLAN rules (an entry holds no tag), ranges
// upside down (they match nothing) or past 16 bits (not from a config).
bool bucketable(const config::RuleMatch &m, uint8_t family)
{
	uint16_t ether_type = family == 4 ? 0x0800 : 0x86dd;
	unsigned max_len = family == 4 ? 32 : 128;
	auto fits = [](const std::optional<config::Range> &r) { return !r || (r->lo <= r->hi && r->hi <= UINT16_MAX); };
	auto of_family = [&](const std::optional<config::Prefix> &p) {
		return !p || (p->family == family && p->len <= max_len);
	};
	return !m.vlan && of_family(m.src) && of_family(m.dst) && (!m.ether_type || *m.ether_type == ether_type) &&
	       fits(m.src_port) && fits(m.dst_port) && fits(m.frame_size);
}

uint32_t slot_hash(uint64_t prefix)
{
	return rte_hash_crc_8byte(prefix, 0);
}

// Buckets are keyed on at most an address's first 64 bits, which one load reads; entries test
// whole addresses, so longer prefixes share a bucket and stay exact.
constexpr unsigned kMaxSplit = 64;

struct Entry {
	Bytes key;        // the rule's prefix cut to the table's length
	uint32_t rule;
	bool operator<(const Entry &o) const { return key != o.key ? key < o.key : rule < o.rule; }
};

// The rules a (field, length) split would bucket, grouped by prefix; groups of more than
// kMaxBucket rules left out.
std::vector<Entry> bucket_entries(const config::Config &cfg, uint8_t family, bool by_dst, unsigned len)
{
	Bytes mask = prefix_mask(len);
	std::vector<Entry> all;
	for (size_t i = 0; i < cfg.rules.size(); i++) {
		const config::RuleMatch &m = cfg.rules[i].match;
		const config::Prefix *p = address(m, by_dst);
		if (p != nullptr && p->len >= len && bucketable(m, family))
			all.push_back({masked(p->addr, mask), uint32_t(i)});
	}
	std::sort(all.begin(), all.end());
	std::vector<Entry> kept;
	for (size_t at = 0; at < all.size();) {
		size_t end = at;
		while (end < all.size() && all[end].key == all[at].key)
			end++;
		if (end - at <= PrefixBuckets::kMaxBucket)
			kept.insert(kept.end(), all.begin() + long(at), all.begin() + long(end));
		at = end;
	}
	return kept;
}

struct Split {
	bool by_dst = false;
	unsigned len = 0;
	std::vector<Entry> entries;
};

// The address and prefix length that bucket the most rules (ties: the longer prefix).
Split choose_split(const config::Config &cfg, uint8_t family)
{
	Split best;
	for (bool by_dst : {false, true}) {
		std::vector<unsigned> lens;
		for (const config::RuleConfig &r : cfg.rules)
			if (const config::Prefix *p = address(r.match, by_dst); p && p->len > 0 && bucketable(r.match, family))
				lens.push_back(std::min(unsigned(p->len), kMaxSplit));
		std::sort(lens.begin(), lens.end());
		for (size_t i = 0; i < lens.size(); i = size_t(std::upper_bound(lens.begin(), lens.end(), lens[i]) - lens.begin())) {
			if (lens.size() - i < best.entries.size())
				break; // fewer rules are this long than the best split already takes
			std::vector<Entry> e = bucket_entries(cfg, family, by_dst, lens[i]);
			if (e.size() >= best.entries.size())
				best = Split{by_dst, lens[i], std::move(e)};
		}
	}
	return best;
}

} // namespace

std::unique_ptr<PrefixBuckets> PrefixBuckets::build(const config::Config &cfg, uint8_t family, std::vector<bool> &taken)
{
	Split split = choose_split(cfg, family);
	if (split.entries.size() < kMinRules)
		return nullptr;
	std::unique_ptr<PrefixBuckets> b(new PrefixBuckets());
	b->by_dst_ = split.by_dst;
	std::memcpy(&b->mask_, prefix_mask(split.len).data(), 8);
	b->rules_ = split.entries.size();

	size_t groups = 0;
	for (size_t i = 0; i < split.entries.size(); i++)
		groups += i == 0 || split.entries[i].key != split.entries[i - 1].key;
	size_t size = 16;
	while (size < 4 * groups) // a quarter full: most probes end at the first slot
		size *= 2;
	std::vector<Slot> slots(size);
	std::vector<BucketEntry4> entries4;
	std::vector<BucketEntry6> entries6;
	for (size_t at = 0; at < split.entries.size();) {
		Slot s{};
		std::memcpy(&s.prefix, split.entries[at].key.data(), 8);
		s.first = uint32_t(family == 4 ? entries4.size() : entries6.size());
		for (size_t first = at; at < split.entries.size() && split.entries[at].key == split.entries[first].key; at++) {
			uint32_t i = split.entries[at].rule;
			if (family == 4)
				entries4.push_back(entry_of<BucketEntry4>(cfg.rules[i].match, i));
			else
				entries6.push_back(entry_of<BucketEntry6>(cfg.rules[i].match, i));
			taken[i] = true;
		}
		s.count = uint32_t((family == 4 ? entries4.size() : entries6.size()) - s.first);
		size_t i = slot_hash(s.prefix) & (size - 1);
		while (slots[i].count != 0)
			i = (i + 1) & (size - 1);
		slots[i] = s;
	}
	b->slots_ = DpdkArray<Slot>(slots);
	b->entries4_ = DpdkArray<BucketEntry4>(entries4);
	b->entries6_ = DpdkArray<BucketEntry6>(entries6);
	return b;
}

PrefixBuckets::~PrefixBuckets() = default;

template <typename Entry>
void PrefixBuckets::lookup_in(const DpdkArray<Entry> &entries, const packet::FlowKey *const *keys, uint32_t *best,
			      unsigned n) const
{
	uint64_t prefix[kMaxKeys];
	const Slot *slot[kMaxKeys];
	const size_t last = slots_.size() - 1;
	// Hash and prefetch every slot, then probe and prefetch every bucket, then test: the
	// burst's cache misses overlap.
	for (unsigned i = 0; i < n; i++) {
		const std::array<uint8_t, 16> &addr = by_dst_ ? keys[i]->dst : keys[i]->src;
		std::memcpy(&prefix[i], addr.data(), 8);
		prefix[i] &= mask_;
		slot[i] = &slots_[slot_hash(prefix[i]) & last];
		rte_prefetch0(slot[i]);
	}
	for (unsigned i = 0; i < n; i++) {
		const Slot *s = slot[i];
		while (s->count != 0 && s->prefix != prefix[i])
			s = &slots_[(size_t(s - slots_.data()) + 1) & last];
		slot[i] = s;
		rte_prefetch0(entries.data() + s->first);
	}
	// A bucket holds its rules in rule order: the first that matches wins, and one past
	// rte_acl's match ends the scan. Stopping early reads fewer entries, which in a large
	// rule set come from L3.
	for (unsigned i = 0; i < n; i++) {
		const Entry *e = entries.data() + slot[i]->first, *end = e + slot[i]->count;
		if (e == end || e->tail.rule >= best[i])
			continue;
		const typename Entry::Key key(*keys[i]);
		for (; e != end && e->tail.rule < best[i]; e++) {
			if (e->matches(key)) {
				best[i] = e->tail.rule;
				break;
			}
		}
	}
}

void PrefixBuckets::lookup(const packet::FlowKey *const *keys, uint32_t *best, unsigned n) const
{
	if (!entries4_.empty())
		lookup_in(entries4_, keys, best, n);
	else
		lookup_in(entries6_, keys, best, n);
}

} // namespace tripath::classify
