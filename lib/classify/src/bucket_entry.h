// One rule as a prefix bucket holds it, and a key packed to be tested against it without
// branches. Entries are small (32 bytes for IPv4, 64 for IPv6) because a bucket scan reads a
// few of them per packet, mostly from L3 in large rule sets. VLAN rules are not held here.
#pragma once

#include <cstdint>
#include <cstring>

#include <tripath/packet/flow_key.h>

namespace tripath::classify {

// The small fields of a key in one word: proto, dscp, and whether ports were read.
constexpr unsigned kDscpShift = 8, kL4Shift = 16;
// Which small fields an entry names: selects the mask kSmallMasks[names].
constexpr uint8_t kNamesProto = 1, kNamesDscp = 2, kNamesL4 = 4;

inline uint32_t small_fields(const packet::FlowKey &k)
{
	return k.proto | uint32_t(k.dscp) << kDscpShift | uint32_t(k.l4_offset != 0) << kL4Shift;
}

// Frame length as every classifier here sees it (rte_acl's 16-bit field, the XDP program): a
// frame over 65535 bytes counts as 65535.
inline uint32_t frame_len_of(const packet::FlowKey &k)
{
	return k.frame_len < UINT16_MAX ? k.frame_len : UINT16_MAX;
}

constexpr uint32_t small_mask(unsigned names)
{
	return (names & kNamesProto ? 0xffu : 0) | (names & kNamesDscp ? 0xffu << kDscpShift : 0) |
	       (names & kNamesL4 ? 1u << kL4Shift : 0);
}

// Prefix masks of 0..64 bits over address bytes loaded as a little-endian word (x86).
constexpr uint64_t prefix_word(unsigned len)
{
	return len == 0 ? 0 : __builtin_bswap64(~uint64_t(0) << (64 - len));
}

struct PrefixMasks {
	uint64_t of[65];
	constexpr PrefixMasks() : of{}
	{
		for (unsigned len = 0; len <= 64; len++)
			of[len] = prefix_word(len);
	}
};
inline constexpr PrefixMasks kPrefixMasks;
inline constexpr uint32_t kSmallMasks[8] = {small_mask(0), small_mask(1), small_mask(2), small_mask(3),
					    small_mask(4), small_mask(5), small_mask(6), small_mask(7)};

// The fields all entries share, after the address values.
struct EntryTail {
	uint32_t small;                      // small_fields() values of the fields it names
	uint32_t rule;                       // index into cfg.rules
	uint16_t sport_lo, sport_span;       // port - lo <= span, unsigned
	uint16_t dport_lo, dport_span;
	uint16_t frame_lo, frame_span;       // frame_len_of() - lo <= span
	uint8_t names;                       // kNames* bits
	uint8_t src_len, dst_len;            // prefix lengths; 0 when the rule names no address
	uint8_t pad;

	template <typename Key>
	bool matches(const Key &k) const
	{
		return ((k.small & kSmallMasks[names]) == small) & (uint16_t(k.sport - sport_lo) <= sport_span) &
		       (uint16_t(k.dport - dport_lo) <= dport_span) & (k.frame_len - frame_lo <= frame_span);
	}
};

struct PackedKey4 {
	uint64_t addrs;                      // src in the low half, dst in the high (as stored)
	uint32_t small, frame_len;
	uint16_t sport, dport;

	explicit PackedKey4(const packet::FlowKey &k)
	{
		uint32_t s, d;
		std::memcpy(&s, k.src.data(), 4);
		std::memcpy(&d, k.dst.data(), 4);
		addrs = s | uint64_t(d) << 32;
		small = small_fields(k), frame_len = frame_len_of(k), sport = k.src_port, dport = k.dst_port;
	}
};

struct BucketEntry4 {
	using Key = PackedKey4;
	uint64_t addrs;                      // masked values, laid out as PackedKey4::addrs
	EntryTail tail;

	bool matches(const Key &k) const
	{
		uint64_t mask = kPrefixMasks.of[tail.src_len] | kPrefixMasks.of[tail.dst_len] << 32;
		return ((k.addrs & mask) == addrs) & tail.matches(k);
	}
};
static_assert(sizeof(EntryTail) == 24 && sizeof(BucketEntry4) == 32);

struct PackedKey6 {
	uint64_t src[2], dst[2];
	uint32_t small, frame_len;
	uint16_t sport, dport;

	explicit PackedKey6(const packet::FlowKey &k)
	{
		std::memcpy(src, k.src.data(), 16);
		std::memcpy(dst, k.dst.data(), 16);
		small = small_fields(k), frame_len = frame_len_of(k), sport = k.src_port, dport = k.dst_port;
	}
};

struct alignas(64) BucketEntry6 {
	using Key = PackedKey6;
	uint64_t src[2], dst[2];             // masked values
	EntryTail tail;

	// Masks of a 0..128-bit prefix's first and second words.
	static uint64_t high(unsigned len) { return kPrefixMasks.of[len < 64 ? len : 64]; }
	static uint64_t low(unsigned len) { return kPrefixMasks.of[len > 64 ? len - 64 : 0]; }

	bool matches(const Key &k) const
	{
		uint64_t diff = ((k.src[0] & high(tail.src_len)) ^ src[0]) | ((k.src[1] & low(tail.src_len)) ^ src[1]) |
				((k.dst[0] & high(tail.dst_len)) ^ dst[0]) | ((k.dst[1] & low(tail.dst_len)) ^ dst[1]);
		return (diff == 0) & tail.matches(k);
	}
};
static_assert(sizeof(BucketEntry6) == 64);

} // namespace tripath::classify
