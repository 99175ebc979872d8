// The rule list as a whole: priority order, unique names, the default rule last, and rules an
// earlier one shadows. Shared by the loader and the shell (check_rules).
#include "reader.h"
#include "sections.h"

#include <algorithm>
#include <bit>
#include <map>

namespace tripath::config {

namespace detail {

namespace {

// The shadow scan is quadratic: 20,000 rules is 2e8 pairs, about 0.2 s (x86-64, -O2).
constexpr size_t max_rules_shadow_checked = 20000;

constexpr const char *default_example = "{ name: default, priority: 65535, path: kernel }";

bool matches_everything(const RuleMatch &m)
{
	return !m.ether_type && !m.src && !m.dst && !m.proto && !m.src_port && !m.dst_port &&
		!m.dscp && !m.vlan && !m.frame_size;
}

// Rules built outside a file (the shell, tests) did not pass read_range: check them here.
void check_range(const RuleConfig &r, const char *field, const std::optional<Range> &range,
		 uint32_t lo, uint32_t hi)
{
	if (!range)
		return;
	std::string text = std::to_string(range->lo) + "-" + std::to_string(range->hi);
	std::string who = "rule '" + r.name + "': match." + field + " ";
	if (range->lo > range->hi)
		throw ConfigError(r.loc, who + "range " + text + " is backwards (LO must be <= HI)");
	if (range->lo < lo || range->hi > hi)
		throw ConfigError(r.loc, who + text + " is out of range (" + std::to_string(lo) +
						 ".." + std::to_string(hi) + ")");
}

// Which match fields a FlatMatch has.
enum MatchBit : uint32_t {
	bit_ether = 1u << 0,
	bit_src = 1u << 1,
	bit_dst = 1u << 2,
	bit_proto = 1u << 3,
	bit_sport = 1u << 4,
	bit_dport = 1u << 5,
	bit_dscp = 1u << 6,
	bit_vlan = 1u << 7,
	bit_frame = 1u << 8,
};

// A match flattened for the pairwise scan: presence bits, 128-bit prefixes, plain values.
struct FlatMatch {
	struct Net {
		uint64_t hi = 0, lo = 0;
		uint8_t family = 0, len = 0;
	};
	uint32_t has = 0;
	// The fields a wider rule can cover only with the same field: all of `has` but a /0
	// prefix (any address of its family) and a 0-65535 port range (any L4 header).
	uint32_t needs_same = 0;
	uint8_t family = 0; // 4 or 6 when a prefix limits the rule to that IP version
	uint16_t ether_type = 0, vlan = 0;
	uint8_t proto = 0, dscp = 0;
	Net src, dst;
	Range sport, dport, frame;
};

FlatMatch::Net flat_net(const Prefix &p)
{
	FlatMatch::Net n;
	for (int i = 0; i < 8; i++) {
		n.hi = n.hi << 8 | p.addr[i];
		n.lo = n.lo << 8 | p.addr[i + 8];
	}
	n.family = p.family;
	n.len = p.len;
	return n;
}

FlatMatch flatten(const RuleMatch &m)
{
	FlatMatch f;
	auto set = [&](uint32_t bit, bool wildcard) {
		f.has |= bit;
		if (!wildcard)
			f.needs_same |= bit;
	};
	if (m.ether_type) {
		set(bit_ether, false);
		f.ether_type = *m.ether_type;
	}
	if (m.src) {
		set(bit_src, m.src->len == 0);
		f.src = flat_net(*m.src);
		f.family = m.src->family;
	}
	if (m.dst) {
		set(bit_dst, m.dst->len == 0);
		f.dst = flat_net(*m.dst);
		f.family = m.dst->family;
	}
	if (m.proto) {
		set(bit_proto, false);
		f.proto = *m.proto;
	}
	if (m.src_port) {
		set(bit_sport, m.src_port->lo == 0 && m.src_port->hi >= 65535);
		f.sport = *m.src_port;
	}
	if (m.dst_port) {
		set(bit_dport, m.dst_port->lo == 0 && m.dst_port->hi >= 65535);
		f.dport = *m.dst_port;
	}
	if (m.dscp) {
		set(bit_dscp, false);
		f.dscp = *m.dscp;
	}
	if (m.vlan) {
		set(bit_vlan, false);
		f.vlan = *m.vlan;
	}
	if (m.frame_size) {
		set(bit_frame, false);
		f.frame = *m.frame_size;
	}
	return f;
}

bool contains(const Range &wide, const Range &narrow)
{
	return wide.lo <= narrow.lo && narrow.hi <= wide.hi;
}

bool contains(const FlatMatch::Net &wide, const FlatMatch::Net &narrow)
{
	if (wide.family != narrow.family || wide.len > narrow.len)
		return false;
	if (wide.len == 0)
		return true;
	uint64_t hi_mask = wide.len >= 64 ? ~0ull : ~0ull << (64 - wide.len);
	uint64_t lo_mask = wide.len <= 64 ? 0 : ~0ull << (128 - wide.len);
	return ((wide.hi ^ narrow.hi) & hi_mask) == 0 && ((wide.lo ^ narrow.lo) & lo_mask) == 0;
}

// A prefix condition of `a` holds for every packet `b` matches: b's own prefix lies inside,
// or a's prefix is a /0 of the one IP version b is limited to.
bool net_covers(const FlatMatch::Net &a, bool b_has, const FlatMatch::Net &b, uint8_t b_family)
{
	if (b_has)
		return contains(a, b);
	return a.len == 0 && a.family == b_family;
}

// A port condition of `a` holds for every packet `b` matches: b's range lies inside, or a's
// is 0-65535 and b has some port condition, so only packets with an L4 header reach it.
bool port_covers(const Range &a, bool b_has, const Range &b, bool b_l4)
{
	if (b_has)
		return contains(a, b);
	return a.lo == 0 && a.hi >= 65535 && b_l4;
}

// Does every packet `b` matches also match `a`? Only says yes when certain (reference
// semantics: classify::rule_matches): a field in `a` must be at least as wide in `b`.
bool covers(const FlatMatch &a, const FlatMatch &b)
{
	if ((a.needs_same & ~b.has) != 0)
		return false;
	const uint32_t both = a.has & b.has;
	if ((both & bit_proto) && a.proto != b.proto)
		return false;
	if ((both & bit_ether) && a.ether_type != b.ether_type)
		return false;
	if ((both & bit_dscp) && a.dscp != b.dscp)
		return false;
	if ((both & bit_vlan) && a.vlan != b.vlan)
		return false;
	const bool b_l4 = (b.has & (bit_sport | bit_dport)) != 0;
	if ((a.has & bit_dport) &&
	    !port_covers(a.dport, b.has & bit_dport, b.dport, b_l4))
		return false;
	if ((a.has & bit_sport) &&
	    !port_covers(a.sport, b.has & bit_sport, b.sport, b_l4))
		return false;
	if ((a.has & bit_dst) && !net_covers(a.dst, b.has & bit_dst, b.dst, b.family))
		return false;
	if ((a.has & bit_src) && !net_covers(a.src, b.has & bit_src, b.src, b.family))
		return false;
	if ((both & bit_frame) && !contains(a.frame, b.frame))
		return false;
	return true;
}

// The first words of a FlatMatch, packed so that one pass of masks and xors rejects almost
// every pair that cannot cover (different exact values, disjoint prefixes, missing fields).
struct QuickMatch {
	uint64_t exact_mask = 0, exact = 0; // ether_type, proto, dscp, vlan side by side
	uint64_t src_mask = 0, src_hi = 0;  // the first 64 bits of each prefix
	uint64_t dst_mask = 0, dst_hi = 0;
	uint32_t needs_same = 0, has = 0;
};

uint64_t hi_mask(const FlatMatch::Net &n)
{
	return n.len == 0 ? 0 : n.len >= 64 ? ~0ull : ~0ull << (64 - n.len);
}

QuickMatch quick(const FlatMatch &f)
{
	QuickMatch q;
	q.needs_same = f.needs_same;
	q.has = f.has;
	// Bits 0-15 ether_type, 16-23 proto, 24-31 dscp, 32-47 vlan.
	q.exact = uint64_t(f.ether_type) | uint64_t(f.proto) << 16 | uint64_t(f.dscp) << 24 |
		uint64_t(f.vlan) << 32;
	if (f.has & bit_ether)
		q.exact_mask |= 0xffffull;
	if (f.has & bit_proto)
		q.exact_mask |= 0xffull << 16;
	if (f.has & bit_dscp)
		q.exact_mask |= 0xffull << 24;
	if (f.has & bit_vlan)
		q.exact_mask |= 0xffffull << 32;
	if (f.has & bit_src) {
		q.src_mask = hi_mask(f.src);
		q.src_hi = f.src.hi;
	}
	if (f.has & bit_dst) {
		q.dst_mask = hi_mask(f.dst);
		q.dst_hi = f.dst.hi;
	}
	return q;
}

// QuickMatches as columns, so that the scan over all earlier rules vectorizes: for rule `b`,
// a bit per earlier rule that might cover it (false only when it certainly does not).
class QuickColumns {
public:
	explicit QuickColumns(size_t n)
	{
		for (auto *c : {&needs_same_, &exact_mask_, &exact_, &src_mask_, &src_hi_, &dst_mask_,
				&dst_hi_})
			c->reserve(n);
	}
	void push_back(const QuickMatch &q)
	{
		needs_same_.push_back(q.needs_same);
		exact_mask_.push_back(q.exact_mask);
		exact_.push_back(q.exact);
		src_mask_.push_back(q.src_mask);
		src_hi_.push_back(q.src_hi);
		dst_mask_.push_back(q.dst_mask);
		dst_hi_.push_back(q.dst_hi);
	}
	// Bit k for rule from+k, for the up to 64 rules from `from` that are below `end`.
	uint64_t may_cover(size_t from, size_t end, const QuickMatch &b) const
	{
		const uint64_t b_lacks = ~uint64_t(b.has);
		const uint64_t *ns = &needs_same_[from], *em = &exact_mask_[from], *ex = &exact_[from],
			       *sm = &src_mask_[from], *sh = &src_hi_[from], *dm = &dst_mask_[from],
			       *dh = &dst_hi_[from];
		uint64_t miss[64];
		for (size_t k = 0; k < 64; k++)
			miss[k] = (ns[k] & b_lacks) | ((ex[k] ^ b.exact) & em[k]) |
				((sh[k] ^ b.src_hi) & sm[k]) | ((dh[k] ^ b.dst_hi) & dm[k]);
		uint64_t bits = 0;
		for (size_t k = 0; k < 64; k++)
			bits |= uint64_t(miss[k] == 0) << k;
		const size_t n = end - from;
		return n >= 64 ? bits : bits & ((1ull << n) - 1);
	}
	// Pad to a whole chunk of 64 so may_cover never reads past the end.
	void pad()
	{
		while (needs_same_.size() % 64)
			push_back(QuickMatch{.needs_same = ~0u});
	}

private:
	std::vector<uint64_t> needs_same_, exact_mask_, exact_, src_mask_, src_hi_, dst_mask_, dst_hi_;
};

void warn_shadowed(const std::vector<RuleConfig> &rules, const SourceLoc &list,
		   std::vector<std::string> &warnings)
{
	if (rules.size() > max_rules_shadow_checked) {
		warnings.push_back(Reader::warning(
			list, "rules: " + std::to_string(rules.size()) +
				      " rules; the check for rules that can never match was skipped (it "
				      "runs up to " +
				      std::to_string(max_rules_shadow_checked) + " rules)"));
		return;
	}
	std::vector<FlatMatch> flat;
	std::vector<QuickMatch> quick_of;
	QuickColumns columns(rules.size());
	flat.reserve(rules.size());
	quick_of.reserve(rules.size());
	for (const auto &r : rules) {
		flat.push_back(flatten(r.match));
		quick_of.push_back(quick(flat.back()));
		columns.push_back(quick_of.back());
	}
	columns.pad();
	for (size_t b = 1; b < rules.size(); b++) {
		std::optional<size_t> cover;
		for (size_t from = 0; from < b && !cover; from += 64)
			for (uint64_t bits = columns.may_cover(from, b, quick_of[b]); bits && !cover;
			     bits &= bits - 1) {
				size_t a = from + static_cast<size_t>(std::countr_zero(bits));
				if (covers(flat[a], flat[b]))
					cover = a;
			}
		if (cover)
			warnings.push_back(Reader::warning(
				rules[b].loc, "rule '" + rules[b].name + "' can never match: rule '" +
						      rules[*cover].name + "' (" + rules[*cover].loc.str() +
						      ") comes first and matches everything it matches"));
	}
}

} // namespace

void check_rule_list(std::vector<RuleConfig> &rules, const SourceLoc &list,
		     std::vector<std::string> &warnings)
{
	std::map<std::string, SourceLoc, std::less<>> names;
	for (const auto &r : rules) {
		auto [first, fresh] = names.emplace(r.name, r.loc);
		if (!fresh)
			throw ConfigError(r.loc, "duplicate rule name '" + r.name + "' (first at " +
							 first->second.str() + ")");
		check_range(r, "src_port", r.match.src_port, 0, 65535);
		check_range(r, "dst_port", r.match.dst_port, 0, 65535);
		check_range(r, "frame_size", r.match.frame_size, 14, 65535);
	}
	// Ties keep input order, so an operator can read precedence straight off the file.
	std::ranges::stable_sort(rules, {}, &RuleConfig::priority);
	if (rules.empty())
		throw ConfigError(list, std::string("rules: no default rule: end the rules with one "
						    "that has no match, e.g. ") +
						default_example);
	const RuleConfig &last = rules.back();
	if (!matches_everything(last.match))
		throw ConfigError(list, std::string("rules: no default rule: end the rules with one "
						    "that has no match, e.g. ") +
						default_example + " (the last rule by priority, '" +
						last.name + "' at " + last.loc.str() +
						", has a match)");
	warn_shadowed(rules, list, warnings);
}

} // namespace detail

void check_rules(std::vector<RuleConfig> &rules, const std::string &source,
		 std::vector<std::string> &warnings)
{
	detail::check_rule_list(rules, SourceLoc{source, 1, 1}, warnings);
}

} // namespace tripath::config
