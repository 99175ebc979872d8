// Unit tests for the header parser. Every frame is parsed from a heap buffer of exactly
// `len` bytes so AddressSanitizer turns any read past the end into a failure.
#include "tripath/packet/flow_key.h"

#include <gtest/gtest.h>

#include <array>
#include <cstring>
#include <memory>
#include <ostream>
#include <random>
#include <set>
#include <string>
#include <vector>

namespace tripath::packet {
// Lets GoogleTest print statuses by name in failure messages.
void PrintTo(ParseStatus status, std::ostream *os)
{
	*os << parse_status_name(status);
}
} // namespace tripath::packet

namespace {

using tripath::packet::FlowKey;
using tripath::packet::kMaxIpv6Extensions;
using tripath::packet::parse_frame;
using tripath::packet::parse_status_name;
using tripath::packet::ParseStatus;
using Bytes = std::vector<uint8_t>;

constexpr size_t kEth = 14;

// ---- frame building -------------------------------------------------------------------

void put16(Bytes &b, uint16_t v)
{
	b.push_back(static_cast<uint8_t>(v >> 8));
	b.push_back(static_cast<uint8_t>(v));
}

void append(Bytes &b, const Bytes &tail)
{
	b.insert(b.end(), tail.begin(), tail.end());
}

struct VlanTag {
	uint16_t tpid;
	uint16_t tci;
};

Bytes ethernet(uint16_t ether_type, const std::vector<VlanTag> &tags = {})
{
	Bytes b = {0x02, 0, 0, 0, 0, 0x01, 0x02, 0, 0, 0, 0, 0x02};
	for (const VlanTag &tag : tags) {
		put16(b, tag.tpid);
		put16(b, tag.tci);
	}
	put16(b, ether_type);
	return b;
}

struct Ipv4Spec {
	uint8_t proto = 17;
	uint8_t tos = 0;
	uint8_t version = 4;
	uint8_t ihl = 5;
	uint16_t frag = 0;     // flags + offset word as on the wire
	int total_length = -1; // -1: header + payload
	std::array<uint8_t, 4> src{192, 0, 2, 1};
	std::array<uint8_t, 4> dst{198, 51, 100, 7};
};

// Writes max(ihl, 5) * 4 header bytes so a bad IHL still has a full fixed header behind it.
Bytes ipv4(const Ipv4Spec &s, const Bytes &payload)
{
	const size_t header_len = std::max<size_t>(s.ihl, 5) * 4;
	const int total = s.total_length >= 0 ? s.total_length : static_cast<int>(header_len + payload.size());
	Bytes b;
	b.push_back(static_cast<uint8_t>(s.version << 4 | (s.ihl & 0x0f)));
	b.push_back(s.tos);
	put16(b, static_cast<uint16_t>(total));
	put16(b, 0x1234); // id
	put16(b, s.frag);
	b.push_back(64);
	b.push_back(s.proto);
	put16(b, 0); // checksum is not the parser's business
	b.insert(b.end(), s.src.begin(), s.src.end());
	b.insert(b.end(), s.dst.begin(), s.dst.end());
	b.resize(header_len, 0x01); // options: NOPs
	append(b, payload);
	return b;
}

struct Ipv6Ext {
	uint8_t type;
	uint8_t len_field = 0;     // hdr_ext_len / AH payload length, raw
	uint16_t frag_offset = 0;  // fragment header only, in 8-byte units
	bool more = false;         // fragment header only
};

size_t ext_len(const Ipv6Ext &e)
{
	if (e.type == 44)
		return 8;
	if (e.type == 51)
		return (e.len_field + 2u) * 4;
	return (e.len_field + 1u) * 8;
}

struct Ipv6Spec {
	uint8_t proto = 17; // upper-layer protocol after the extensions
	uint8_t traffic_class = 0;
	uint8_t version = 6;
	std::vector<Ipv6Ext> exts = {};
};

const std::array<uint8_t, 16> kSrc6 = {0x20, 0x01, 0x0d, 0xb8, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0x01};
const std::array<uint8_t, 16> kDst6 = {0x20, 0x01, 0x0d, 0xb8, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0x02};

Bytes ipv6(const Ipv6Spec &s, const Bytes &payload)
{
	Bytes exts;
	for (size_t i = 0; i < s.exts.size(); ++i) {
		const Ipv6Ext &e = s.exts[i];
		const size_t start = exts.size();
		exts.push_back(i + 1 < s.exts.size() ? s.exts[i + 1].type : s.proto);
		if (e.type == 44) {
			exts.push_back(0);
			put16(exts, static_cast<uint16_t>(e.frag_offset << 3 | (e.more ? 1 : 0)));
		} else {
			exts.push_back(e.len_field);
		}
		exts.resize(start + ext_len(e), 0);
	}
	Bytes b;
	b.push_back(static_cast<uint8_t>(s.version << 4 | s.traffic_class >> 4));
	b.push_back(static_cast<uint8_t>(s.traffic_class << 4 | 0x0a)); // flow label bits set
	put16(b, 0xbeef);
	put16(b, static_cast<uint16_t>(exts.size() + payload.size()));
	b.push_back(s.exts.empty() ? s.proto : s.exts[0].type);
	b.push_back(64);
	b.insert(b.end(), kSrc6.begin(), kSrc6.end());
	b.insert(b.end(), kDst6.begin(), kDst6.end());
	append(b, exts);
	append(b, payload);
	return b;
}

Bytes tcp(uint16_t sport, uint16_t dport, uint8_t doff = 5, size_t payload = 0)
{
	Bytes b;
	put16(b, sport);
	put16(b, dport);
	b.resize(12, 0);
	b.push_back(static_cast<uint8_t>(doff << 4));
	b.push_back(0x02); // SYN
	b.resize(std::max<size_t>(doff, 5) * 4, 0x01);
	b.resize(b.size() + payload, 0xaa);
	return b;
}

Bytes udp(uint16_t sport, uint16_t dport, size_t payload = 0)
{
	Bytes b;
	put16(b, sport);
	put16(b, dport);
	put16(b, static_cast<uint16_t>(8 + payload));
	put16(b, 0);
	b.resize(b.size() + payload, 0xbb);
	return b;
}

Bytes sctp(uint16_t sport, uint16_t dport)
{
	Bytes b;
	put16(b, sport);
	put16(b, dport);
	b.resize(12, 0);
	return b;
}

Bytes icmp_echo()
{
	return {8, 0, 0, 0, 0, 1, 0, 1};
}

Bytes arp()
{
	Bytes b = {0, 1, 8, 0, 6, 4, 0, 1};
	b.resize(28, 0x11);
	return b;
}

Bytes frame(Bytes l2, const Bytes &rest)
{
	append(l2, rest);
	return l2;
}

// ---- parsing helpers ------------------------------------------------------------------

struct Parsed {
	ParseStatus status;
	FlowKey key;
};

// The first `len` bytes of `f` in an allocation of exactly `len` bytes; frame_len is the whole.
Parsed parse_prefix(const Bytes &f, size_t len)
{
	std::unique_ptr<uint8_t[]> buf(new uint8_t[len]);
	if (len != 0)
		std::memcpy(buf.get(), f.data(), len);
	Parsed p{};
	p.status = parse_frame(buf.get(), len, static_cast<uint32_t>(f.size()), p.key);
	return p;
}

Parsed parse(const Bytes &f)
{
	return parse_prefix(f, f.size());
}

void expect_same_key(const FlowKey &a, const FlowKey &b)
{
	EXPECT_EQ(a.frame_len, b.frame_len);
	EXPECT_EQ(a.ether_type, b.ether_type);
	EXPECT_EQ(a.vlan_count, b.vlan_count);
	EXPECT_EQ(a.vlan_ids, b.vlan_ids);
	EXPECT_EQ(a.ip_version, b.ip_version);
	EXPECT_EQ(a.proto, b.proto);
	EXPECT_EQ(a.dscp, b.dscp);
	EXPECT_EQ(a.fragment, b.fragment);
	EXPECT_EQ(a.first_fragment, b.first_fragment);
	EXPECT_EQ(a.src, b.src);
	EXPECT_EQ(a.dst, b.dst);
	EXPECT_EQ(a.src_port, b.src_port);
	EXPECT_EQ(a.dst_port, b.dst_port);
	EXPECT_EQ(a.l3_offset, b.l3_offset);
	EXPECT_EQ(a.l4_offset, b.l4_offset);
}

std::array<uint8_t, 16> v4_addr(std::array<uint8_t, 4> a)
{
	return {a[0], a[1], a[2], a[3]};
}

// Status expected from `from` bytes on, until the next cut.
struct Cut {
	size_t from;
	ParseStatus status;
};

// Parses every prefix 0..size; each must give its cut's status, and an ok prefix must give
// the same key as the whole frame (all headers were already present).
void expect_every_prefix(const Bytes &f, const std::vector<Cut> &cuts)
{
	const Parsed whole = parse(f);
	ASSERT_EQ(whole.status, cuts.back().status);
	for (size_t len = 0; len <= f.size(); ++len) {
		SCOPED_TRACE("prefix length " + std::to_string(len));
		ParseStatus expected = cuts.front().status;
		for (const Cut &c : cuts)
			if (len >= c.from)
				expected = c.status;
		const Parsed p = parse_prefix(f, len);
		ASSERT_EQ(p.status, expected);
		EXPECT_EQ(p.key.frame_len, f.size());
		if (p.status == ParseStatus::ok)
			expect_same_key(p.key, whole.key);
		else
			EXPECT_EQ(p.key.l4_offset, 0);
	}
}

// ---- valid frames ---------------------------------------------------------------------

TEST(ParseIpv4, Tcp)
{
	const Bytes f = frame(ethernet(0x0800), ipv4({.proto = 6}, tcp(40000, 443, 5, 10)));
	const Parsed p = parse(f);
	ASSERT_EQ(p.status, ParseStatus::ok);
	EXPECT_EQ(p.key.ether_type, 0x0800);
	EXPECT_EQ(p.key.vlan_count, 0);
	EXPECT_EQ(p.key.ip_version, 4);
	EXPECT_EQ(p.key.proto, 6);
	EXPECT_EQ(p.key.src, v4_addr({192, 0, 2, 1}));
	EXPECT_EQ(p.key.dst, v4_addr({198, 51, 100, 7}));
	EXPECT_EQ(p.key.src_port, 40000);
	EXPECT_EQ(p.key.dst_port, 443);
	EXPECT_EQ(p.key.l3_offset, kEth);
	EXPECT_EQ(p.key.l4_offset, kEth + 20);
	EXPECT_FALSE(p.key.fragment);
	EXPECT_FALSE(p.key.first_fragment);
	EXPECT_EQ(p.key.frame_len, f.size());
}

TEST(ParseIpv4, Udp)
{
	const Bytes f = frame(ethernet(0x0800), ipv4({.proto = 17}, udp(5353, 53, 12)));
	const Parsed p = parse(f);
	ASSERT_EQ(p.status, ParseStatus::ok);
	EXPECT_EQ(p.key.proto, 17);
	EXPECT_EQ(p.key.src_port, 5353);
	EXPECT_EQ(p.key.dst_port, 53);
	EXPECT_EQ(p.key.l4_offset, kEth + 20);
}

TEST(ParseIpv4, IcmpHasNoPorts)
{
	const Bytes f = frame(ethernet(0x0800), ipv4({.proto = 1}, icmp_echo()));
	const Parsed p = parse(f);
	ASSERT_EQ(p.status, ParseStatus::ok);
	EXPECT_EQ(p.key.ip_version, 4);
	EXPECT_EQ(p.key.proto, 1);
	EXPECT_EQ(p.key.src_port, 0);
	EXPECT_EQ(p.key.dst_port, 0);
	EXPECT_EQ(p.key.l4_offset, 0);
}

TEST(ParseIpv4, Sctp)
{
	const Bytes f = frame(ethernet(0x0800), ipv4({.proto = 132}, sctp(2905, 3868)));
	const Parsed p = parse(f);
	ASSERT_EQ(p.status, ParseStatus::ok);
	EXPECT_EQ(p.key.src_port, 2905);
	EXPECT_EQ(p.key.dst_port, 3868);
	EXPECT_EQ(p.key.l4_offset, kEth + 20);
}

TEST(ParseIpv4, OptionsShiftL4)
{
	const Bytes f = frame(ethernet(0x0800), ipv4({.proto = 17, .ihl = 15}, udp(1, 2)));
	const Parsed p = parse(f);
	ASSERT_EQ(p.status, ParseStatus::ok);
	EXPECT_EQ(p.key.l4_offset, kEth + 60);
	EXPECT_EQ(p.key.dst_port, 2);
}

TEST(ParseIpv4, Dscp)
{
	// EF with ECN bits set: ECN must not leak into the DSCP.
	Parsed p = parse(frame(ethernet(0x0800), ipv4({.tos = 0xbb}, udp(1, 2))));
	ASSERT_EQ(p.status, ParseStatus::ok);
	EXPECT_EQ(p.key.dscp, 46);
	p = parse(frame(ethernet(0x0800), ipv4({.tos = 0x03}, udp(1, 2))));
	EXPECT_EQ(p.key.dscp, 0);
	p = parse(frame(ethernet(0x0800), ipv4({.tos = 0xfc}, udp(1, 2))));
	EXPECT_EQ(p.key.dscp, 63);
}

TEST(ParseIpv4, FirstFragmentHasPorts)
{
	const Bytes f = frame(ethernet(0x0800), ipv4({.proto = 17, .frag = 0x2000}, udp(7, 9)));
	const Parsed p = parse(f);
	ASSERT_EQ(p.status, ParseStatus::ok);
	EXPECT_TRUE(p.key.fragment);
	EXPECT_TRUE(p.key.first_fragment);
	EXPECT_EQ(p.key.src_port, 7);
	EXPECT_EQ(p.key.l4_offset, kEth + 20);
}

TEST(ParseIpv4, LaterFragmentSkipsL4)
{
	// MF clear (last fragment), each offset bit; the 3 payload bytes are not a UDP header.
	for (uint16_t offset : {1, 185, 0x1000, 0x1fff}) {
		SCOPED_TRACE(offset);
		const Bytes f = frame(ethernet(0x0800), ipv4({.proto = 17, .frag = offset}, {0xde, 0xad, 0xbe}));
		const Parsed p = parse(f);
		ASSERT_EQ(p.status, ParseStatus::ok);
		EXPECT_TRUE(p.key.fragment);
		EXPECT_FALSE(p.key.first_fragment);
		EXPECT_EQ(p.key.proto, 17);
		EXPECT_EQ(p.key.src_port, 0);
		EXPECT_EQ(p.key.l4_offset, 0);
	}
}

TEST(ParseIpv4, DontFragmentIsNotAFragment)
{
	const Parsed p = parse(frame(ethernet(0x0800), ipv4({.frag = 0x4000}, udp(1, 2))));
	ASSERT_EQ(p.status, ParseStatus::ok);
	EXPECT_FALSE(p.key.fragment);
	EXPECT_FALSE(p.key.first_fragment);
	EXPECT_EQ(p.key.dst_port, 2);
}

TEST(ParseIpv4, TrailingPaddingIsIgnored)
{
	Bytes f = frame(ethernet(0x0800), ipv4({.proto = 17}, udp(1, 2)));
	f.resize(60, 0); // minimum Ethernet frame
	const Parsed p = parse(f);
	ASSERT_EQ(p.status, ParseStatus::ok);
	EXPECT_EQ(p.key.dst_port, 2);
}

TEST(ParseL2, Arp)
{
	const Bytes f = frame(ethernet(0x0806), arp());
	const Parsed p = parse(f);
	ASSERT_EQ(p.status, ParseStatus::ok);
	EXPECT_EQ(p.key.ether_type, 0x0806);
	EXPECT_EQ(p.key.ip_version, 0);
	EXPECT_EQ(p.key.proto, 0);
	EXPECT_EQ(p.key.l3_offset, kEth);
	EXPECT_EQ(p.key.l4_offset, 0);
}

TEST(ParseL2, LldpHeaderOnly)
{
	const Parsed p = parse(ethernet(0x88cc));
	ASSERT_EQ(p.status, ParseStatus::ok);
	EXPECT_EQ(p.key.ether_type, 0x88cc);
	EXPECT_EQ(p.key.ip_version, 0);
}

TEST(ParseL2, KeyIsResetAndFrameLenCopied)
{
	FlowKey key;
	key.vlan_count = 2;
	key.src_port = 99;
	key.fragment = true;
	key.src.fill(0xff);
	const Bytes f = frame(ethernet(0x0806), arp());
	ASSERT_EQ(parse_frame(f.data(), f.size(), 9000, key), ParseStatus::ok);
	EXPECT_EQ(key.frame_len, 9000u);
	EXPECT_EQ(key.vlan_count, 0);
	EXPECT_EQ(key.src_port, 0);
	EXPECT_FALSE(key.fragment);
	EXPECT_EQ(key.src, (std::array<uint8_t, 16>{}));
}

TEST(ParseL2, ShortHeadersOfLongerFrame)
{
	// Multi-segment mbuf: only the first segment's bytes are handed to the parser.
	const Bytes f = frame(ethernet(0x0800), ipv4({.proto = 6}, tcp(1, 2, 5, 3000)));
	const Parsed p = parse_prefix(f, kEth + 40);
	ASSERT_EQ(p.status, ParseStatus::ok);
	EXPECT_EQ(p.key.frame_len, f.size());
	EXPECT_EQ(p.key.dst_port, 2);
}

// ---- IPv6 -----------------------------------------------------------------------------

TEST(ParseIpv6, Udp)
{
	const Bytes f = frame(ethernet(0x86dd), ipv6({.proto = 17}, udp(546, 547, 20)));
	const Parsed p = parse(f);
	ASSERT_EQ(p.status, ParseStatus::ok);
	EXPECT_EQ(p.key.ether_type, 0x86dd);
	EXPECT_EQ(p.key.ip_version, 6);
	EXPECT_EQ(p.key.proto, 17);
	EXPECT_EQ(p.key.src, kSrc6);
	EXPECT_EQ(p.key.dst, kDst6);
	EXPECT_EQ(p.key.src_port, 546);
	EXPECT_EQ(p.key.dst_port, 547);
	EXPECT_EQ(p.key.l3_offset, kEth);
	EXPECT_EQ(p.key.l4_offset, kEth + 40);
	EXPECT_FALSE(p.key.fragment);
}

TEST(ParseIpv6, Tcp)
{
	const Bytes f = frame(ethernet(0x86dd), ipv6({.proto = 6}, tcp(50000, 8080, 8)));
	const Parsed p = parse(f);
	ASSERT_EQ(p.status, ParseStatus::ok);
	EXPECT_EQ(p.key.proto, 6);
	EXPECT_EQ(p.key.src_port, 50000);
	EXPECT_EQ(p.key.dst_port, 8080);
	EXPECT_EQ(p.key.l4_offset, kEth + 40);
}

TEST(ParseIpv6, Icmpv6HasNoPorts)
{
	const Parsed p = parse(frame(ethernet(0x86dd), ipv6({.proto = 58}, icmp_echo())));
	ASSERT_EQ(p.status, ParseStatus::ok);
	EXPECT_EQ(p.key.proto, 58);
	EXPECT_EQ(p.key.l4_offset, 0);
	EXPECT_EQ(p.key.src_port, 0);
}

TEST(ParseIpv6, Dscp)
{
	// Traffic class 0xb9: DSCP 46 (EF) with ECN 01, split across the first two bytes.
	const Parsed p = parse(frame(ethernet(0x86dd), ipv6({.traffic_class = 0xb9}, udp(1, 2))));
	ASSERT_EQ(p.status, ParseStatus::ok);
	EXPECT_EQ(p.key.dscp, 46);
	const Parsed q = parse(frame(ethernet(0x86dd), ipv6({.traffic_class = 0x04}, udp(1, 2))));
	EXPECT_EQ(q.key.dscp, 1);
}

struct ExtCase {
	const char *name;
	Ipv6Ext ext;
};

TEST(ParseIpv6, EachExtensionType)
{
	const std::vector<ExtCase> cases = {
		{"hop_by_hop", {.type = 0}},
		{"hop_by_hop_long", {.type = 0, .len_field = 3}},
		{"routing", {.type = 43, .len_field = 2}},
		{"fragment_first", {.type = 44, .frag_offset = 0, .more = true}},
		{"destination", {.type = 60, .len_field = 1}},
		{"auth", {.type = 51, .len_field = 4}},
	};
	for (const ExtCase &c : cases) {
		SCOPED_TRACE(c.name);
		const Bytes f = frame(ethernet(0x86dd), ipv6({.proto = 17, .exts = {c.ext}}, udp(1000, 2000)));
		const Parsed p = parse(f);
		ASSERT_EQ(p.status, ParseStatus::ok);
		EXPECT_EQ(p.key.proto, 17);
		EXPECT_EQ(p.key.l4_offset, kEth + 40 + ext_len(c.ext));
		EXPECT_EQ(p.key.src_port, 1000);
		EXPECT_EQ(p.key.dst_port, 2000);
		EXPECT_EQ(p.key.fragment, c.ext.type == 44);
		EXPECT_EQ(p.key.first_fragment, c.ext.type == 44);
	}
}

TEST(ParseIpv6, ChainOfSeveral)
{
	const std::vector<Ipv6Ext> exts = {
		{.type = 0}, {.type = 60, .len_field = 1}, {.type = 43, .len_field = 2},
		{.type = 44, .more = true}, {.type = 51, .len_field = 4}, {.type = 60},
	};
	size_t total = 0;
	for (const Ipv6Ext &e : exts)
		total += ext_len(e);
	const Bytes f = frame(ethernet(0x86dd), ipv6({.proto = 6, .exts = exts}, tcp(11, 22)));
	const Parsed p = parse(f);
	ASSERT_EQ(p.status, ParseStatus::ok);
	EXPECT_EQ(p.key.proto, 6);
	EXPECT_EQ(p.key.l4_offset, kEth + 40 + total);
	EXPECT_EQ(p.key.src_port, 11);
	EXPECT_TRUE(p.key.fragment);
	EXPECT_TRUE(p.key.first_fragment);
}

TEST(ParseIpv6, ChainRunsPastEnd)
{
	Bytes f = frame(ethernet(0x86dd), ipv6({.proto = 17, .exts = {{.type = 0}, {.type = 43}}}, udp(1, 2)));
	// The routing header now claims 256*8 bytes.
	f[kEth + 40 + 8 + 1] = 0xff;
	Parsed p = parse(f);
	EXPECT_EQ(p.status, ParseStatus::bad_ipv6_extension);
	EXPECT_EQ(p.key.ip_version, 6);
	EXPECT_EQ(p.key.l4_offset, 0);
	// An AH whose length overshoots by one word.
	Bytes g = frame(ethernet(0x86dd), ipv6({.proto = 59, .exts = {{.type = 51, .len_field = 1}}}, {}));
	g[kEth + 40 + 1] = 2;
	p = parse(g);
	EXPECT_EQ(p.status, ParseStatus::bad_ipv6_extension);
}

TEST(ParseIpv6, ExtensionEndingExactlyAtLenIsOk)
{
	// A destination header followed by no-next-header: nothing after it is needed.
	const Bytes f = frame(ethernet(0x86dd), ipv6({.proto = 59, .exts = {{.type = 60}}}, {}));
	const Parsed p = parse(f);
	ASSERT_EQ(p.status, ParseStatus::ok);
	EXPECT_EQ(p.key.proto, 59);
	EXPECT_EQ(p.key.l4_offset, 0);
}

TEST(ParseIpv6, TooManyExtensions)
{
	std::vector<Ipv6Ext> exts(kMaxIpv6Extensions, Ipv6Ext{.type = 60});
	Parsed p = parse(frame(ethernet(0x86dd), ipv6({.proto = 17, .exts = exts}, udp(1, 2))));
	ASSERT_EQ(p.status, ParseStatus::ok);
	EXPECT_EQ(p.key.dst_port, 2);
	exts.push_back({.type = 60});
	p = parse(frame(ethernet(0x86dd), ipv6({.proto = 17, .exts = exts}, udp(1, 2))));
	EXPECT_EQ(p.status, ParseStatus::bad_ipv6_extension);
	EXPECT_EQ(p.key.src_port, 0);
}

TEST(ParseIpv6, FragmentNotFirstSkipsL4)
{
	for (uint16_t offset : {1, 100, 0x1000, 0x1fff}) {
		SCOPED_TRACE(offset);
		const Ipv6Ext frag = {.type = 44, .frag_offset = offset, .more = offset < 0x1000};
		const Bytes f = frame(ethernet(0x86dd), ipv6({.proto = 17, .exts = {frag}}, {1, 2}));
		const Parsed p = parse(f);
		ASSERT_EQ(p.status, ParseStatus::ok);
		EXPECT_TRUE(p.key.fragment);
		EXPECT_FALSE(p.key.first_fragment);
		EXPECT_EQ(p.key.proto, 17);
		EXPECT_EQ(p.key.src_port, 0);
		EXPECT_EQ(p.key.l4_offset, 0);
	}
}

TEST(ParseIpv6, FragmentFirstReadsPorts)
{
	const Bytes f = frame(ethernet(0x86dd), ipv6({.proto = 6, .exts = {{.type = 44, .more = true}}}, tcp(3, 4)));
	const Parsed p = parse(f);
	ASSERT_EQ(p.status, ParseStatus::ok);
	EXPECT_TRUE(p.key.fragment);
	EXPECT_TRUE(p.key.first_fragment);
	EXPECT_EQ(p.key.dst_port, 4);
	EXPECT_EQ(p.key.l4_offset, kEth + 48);
}

TEST(ParseIpv6, EspAndNoNextHeaderStopTheWalk)
{
	// ESP after a hop-by-hop header: its SPI must not be read as ports.
	Parsed p = parse(frame(ethernet(0x86dd), ipv6({.proto = 50, .exts = {{.type = 0}}}, {0, 0, 1, 0, 0, 0, 0, 1})));
	ASSERT_EQ(p.status, ParseStatus::ok);
	EXPECT_EQ(p.key.proto, 50);
	EXPECT_EQ(p.key.l4_offset, 0);
	EXPECT_EQ(p.key.src_port, 0);
	p = parse(frame(ethernet(0x86dd), ipv6({.proto = 59}, {})));
	ASSERT_EQ(p.status, ParseStatus::ok);
	EXPECT_EQ(p.key.proto, 59);
}

// ---- VLAN -----------------------------------------------------------------------------

TEST(ParseVlan, Single)
{
	// PCP 7 and DEI set: only the 12-bit VID is kept.
	const Bytes f = frame(ethernet(0x0800, {{0x8100, 0xf064}}), ipv4({.proto = 17}, udp(1, 2)));
	const Parsed p = parse(f);
	ASSERT_EQ(p.status, ParseStatus::ok);
	EXPECT_EQ(p.key.vlan_count, 1);
	EXPECT_EQ(p.key.vlan_ids[0], 100);
	EXPECT_EQ(p.key.ether_type, 0x0800);
	EXPECT_EQ(p.key.l3_offset, kEth + 4);
	EXPECT_EQ(p.key.l4_offset, kEth + 4 + 20);
	EXPECT_EQ(p.key.dst_port, 2);
}

TEST(ParseVlan, QinQ)
{
	const Bytes f = frame(ethernet(0x86dd, {{0x88a8, 10}, {0x8100, 4095}}), ipv6({.proto = 6}, tcp(1, 2)));
	const Parsed p = parse(f);
	ASSERT_EQ(p.status, ParseStatus::ok);
	EXPECT_EQ(p.key.vlan_count, 2);
	EXPECT_EQ(p.key.vlan_ids[0], 10);
	EXPECT_EQ(p.key.vlan_ids[1], 4095);
	EXPECT_EQ(p.key.ether_type, 0x86dd);
	EXPECT_EQ(p.key.l3_offset, kEth + 8);
	EXPECT_EQ(p.key.l4_offset, kEth + 8 + 40);
}

TEST(ParseVlan, LegacyQinQTpidAndArpInside)
{
	const Parsed p = parse(frame(ethernet(0x0806, {{0x9100, 7}}), arp()));
	ASSERT_EQ(p.status, ParseStatus::ok);
	EXPECT_EQ(p.key.vlan_ids[0], 7);
	EXPECT_EQ(p.key.ether_type, 0x0806);
	EXPECT_EQ(p.key.l3_offset, kEth + 4);
}

TEST(ParseVlan, TripleStackIsTooMany)
{
	const Bytes f = frame(ethernet(0x0800, {{0x88a8, 1}, {0x8100, 2}, {0x8100, 3}}), ipv4({}, udp(1, 2)));
	const Parsed p = parse(f);
	EXPECT_EQ(p.status, ParseStatus::too_many_vlans);
	EXPECT_EQ(p.key.vlan_count, 2);
	EXPECT_EQ(p.key.vlan_ids[0], 1);
	EXPECT_EQ(p.key.vlan_ids[1], 2);
	EXPECT_EQ(p.key.ip_version, 0);
}

TEST(ParseVlan, TagTruncated)
{
	const Bytes f = frame(ethernet(0x0800, {{0x8100, 5}}), ipv4({}, udp(1, 2)));
	for (size_t len = kEth; len < kEth + 4; ++len) {
		SCOPED_TRACE(len);
		EXPECT_EQ(parse_prefix(f, len).status, ParseStatus::truncated_vlan);
	}
	EXPECT_EQ(parse_prefix(f, kEth + 4).status, ParseStatus::truncated_ipv4);
}

// ---- malformed ------------------------------------------------------------------------

TEST(ParseMalformed, BadIpv4Ihl)
{
	for (uint8_t ihl = 0; ihl < 5; ++ihl) {
		SCOPED_TRACE(static_cast<int>(ihl));
		const Parsed p = parse(frame(ethernet(0x0800), ipv4({.ihl = ihl}, udp(1, 2))));
		EXPECT_EQ(p.status, ParseStatus::bad_ipv4_ihl);
		EXPECT_EQ(p.key.l4_offset, 0);
	}
	// IHL 15 claims 60 bytes but only 20 + 8 follow the Ethernet header; ICMP so the
	// bytes taken as options leave nothing that must follow.
	Bytes f = frame(ethernet(0x0800), ipv4({.proto = 1}, icmp_echo()));
	f[kEth] = 0x4f;
	EXPECT_EQ(parse(f).status, ParseStatus::bad_ipv4_ihl);
	f[kEth] = 0x47; // 28 bytes: exactly what is present
	EXPECT_EQ(parse(f).status, ParseStatus::ok);
	f[kEth] = 0x48; // 32 bytes: 4 past the end
	EXPECT_EQ(parse(f).status, ParseStatus::bad_ipv4_ihl);
}

TEST(ParseMalformed, BadIpv4TotalLength)
{
	EXPECT_EQ(parse(frame(ethernet(0x0800), ipv4({.total_length = 19}, udp(1, 2)))).status,
		  ParseStatus::bad_ipv4_length);
	EXPECT_EQ(parse(frame(ethernet(0x0800), ipv4({.ihl = 6, .total_length = 20}, udp(1, 2)))).status,
		  ParseStatus::bad_ipv4_length);
	EXPECT_EQ(parse(frame(ethernet(0x0800), ipv4({.proto = 1, .ihl = 6, .total_length = 24}, {}))).status, ParseStatus::ok);
}

TEST(ParseMalformed, BadVersion)
{
	for (uint8_t v : {0, 1, 5, 6, 15}) {
		SCOPED_TRACE(static_cast<int>(v));
		EXPECT_EQ(parse(frame(ethernet(0x0800), ipv4({.version = v}, udp(1, 2)))).status,
			  ParseStatus::bad_ipv4_version);
	}
	for (uint8_t v : {0, 4, 7, 15}) {
		SCOPED_TRACE(static_cast<int>(v));
		const Parsed p = parse(frame(ethernet(0x86dd), ipv6({.version = v}, udp(1, 2))));
		EXPECT_EQ(p.status, ParseStatus::bad_ipv6_version);
		EXPECT_EQ(p.key.ip_version, 0);
	}
}

TEST(ParseMalformed, BadTcpOffset)
{
	for (uint8_t doff = 0; doff < 5; ++doff) {
		SCOPED_TRACE(static_cast<int>(doff));
		const Parsed p = parse(frame(ethernet(0x0800), ipv4({.proto = 6}, tcp(1, 2, doff, 40))));
		EXPECT_EQ(p.status, ParseStatus::bad_tcp_offset);
		EXPECT_EQ(p.key.src_port, 0);
		EXPECT_EQ(p.key.l4_offset, 0);
	}
	// Data offset 15 (60 bytes) with only 20 TCP bytes present.
	Bytes f = frame(ethernet(0x0800), ipv4({.proto = 6}, tcp(1, 2)));
	f[kEth + 20 + 12] = 0xf0;
	EXPECT_EQ(parse(f).status, ParseStatus::bad_tcp_offset);
}

TEST(ParseMalformed, TruncatedL4KeepsL3)
{
	const Bytes f = frame(ethernet(0x0800), ipv4({.proto = 17, .tos = 0x28}, udp(1, 2)));
	const Parsed p = parse_prefix(f, kEth + 20 + 7);
	EXPECT_EQ(p.status, ParseStatus::truncated_l4);
	EXPECT_EQ(p.key.ip_version, 4);
	EXPECT_EQ(p.key.proto, 17);
	EXPECT_EQ(p.key.dscp, 10);
	EXPECT_EQ(p.key.dst, v4_addr({198, 51, 100, 7}));
	EXPECT_EQ(p.key.l4_offset, 0);
	EXPECT_EQ(p.key.src_port, 0);
}

// ---- every truncation point -----------------------------------------------------------

TEST(ParseTruncated, Ipv4TcpWithOptions)
{
	// IHL 6 (4 option bytes), data offset 8 (12 option bytes), 5 payload bytes.
	const Bytes f = frame(ethernet(0x0800), ipv4({.proto = 6, .ihl = 6}, tcp(1, 2, 8, 5)));
	const size_t l4 = kEth + 24;
	expect_every_prefix(f, {{0, ParseStatus::truncated_ethernet},
				{kEth, ParseStatus::truncated_ipv4},
				{kEth + 20, ParseStatus::bad_ipv4_ihl},
				{l4, ParseStatus::truncated_l4},
				{l4 + 20, ParseStatus::bad_tcp_offset},
				{l4 + 32, ParseStatus::ok}});
}

TEST(ParseTruncated, Ipv4Udp)
{
	const Bytes f = frame(ethernet(0x0800), ipv4({.proto = 17}, udp(1, 2, 6)));
	expect_every_prefix(f, {{0, ParseStatus::truncated_ethernet},
				{kEth, ParseStatus::truncated_ipv4},
				{kEth + 20, ParseStatus::truncated_l4},
				{kEth + 28, ParseStatus::ok}});
}

TEST(ParseTruncated, Ipv4Sctp)
{
	const Bytes f = frame(ethernet(0x0800), ipv4({.proto = 132}, sctp(1, 2)));
	expect_every_prefix(f, {{0, ParseStatus::truncated_ethernet},
				{kEth, ParseStatus::truncated_ipv4},
				{kEth + 20, ParseStatus::truncated_l4},
				{kEth + 24, ParseStatus::ok}});
}

TEST(ParseTruncated, Ipv4IcmpAndLaterFragment)
{
	// Neither reads past the IPv4 header, so every prefix that holds it is ok.
	const std::vector<Cut> cuts = {{0, ParseStatus::truncated_ethernet},
				       {kEth, ParseStatus::truncated_ipv4},
				       {kEth + 20, ParseStatus::ok}};
	expect_every_prefix(frame(ethernet(0x0800), ipv4({.proto = 1}, icmp_echo())), cuts);
	expect_every_prefix(frame(ethernet(0x0800), ipv4({.proto = 6, .frag = 0x2010}, tcp(1, 2))), cuts);
}

TEST(ParseTruncated, Arp)
{
	expect_every_prefix(frame(ethernet(0x0806), arp()),
			    {{0, ParseStatus::truncated_ethernet}, {kEth, ParseStatus::ok}});
}

TEST(ParseTruncated, QinQIpv4Udp)
{
	const Bytes f = frame(ethernet(0x0800, {{0x88a8, 100}, {0x8100, 200}}), ipv4({.proto = 17}, udp(1, 2)));
	const size_t l3 = kEth + 8;
	expect_every_prefix(f, {{0, ParseStatus::truncated_ethernet},
				{kEth, ParseStatus::truncated_vlan},
				{l3, ParseStatus::truncated_ipv4},
				{l3 + 20, ParseStatus::truncated_l4},
				{l3 + 28, ParseStatus::ok}});
}

TEST(ParseTruncated, TripleVlanIsTooManyAsSoonAsThirdTpidIsSeen)
{
	const Bytes f = frame(ethernet(0x0800, {{0x88a8, 1}, {0x8100, 2}, {0x8100, 3}}), ipv4({}, udp(1, 2)));
	expect_every_prefix(f, {{0, ParseStatus::truncated_ethernet},
				{kEth, ParseStatus::truncated_vlan},
				{kEth + 8, ParseStatus::too_many_vlans}});
}

TEST(ParseTruncated, Ipv6ExtensionChainTcp)
{
	const std::vector<Ipv6Ext> exts = {
		{.type = 0}, {.type = 43, .len_field = 1}, {.type = 44, .more = true}, {.type = 51, .len_field = 1},
	};
	const Bytes f = frame(ethernet(0x86dd), ipv6({.proto = 6, .exts = exts}, tcp(1, 2, 6, 3)));
	const size_t l4 = kEth + 40 + 8 + 16 + 8 + 12;
	expect_every_prefix(f, {{0, ParseStatus::truncated_ethernet},
				{kEth, ParseStatus::truncated_ipv6},
				{kEth + 40, ParseStatus::bad_ipv6_extension},
				{l4, ParseStatus::truncated_l4},
				{l4 + 20, ParseStatus::bad_tcp_offset},
				{l4 + 24, ParseStatus::ok}});
}

TEST(ParseTruncated, Ipv6UdpAndIcmpv6)
{
	expect_every_prefix(frame(ethernet(0x86dd), ipv6({.proto = 17}, udp(1, 2, 4))),
			    {{0, ParseStatus::truncated_ethernet},
			     {kEth, ParseStatus::truncated_ipv6},
			     {kEth + 40, ParseStatus::truncated_l4},
			     {kEth + 48, ParseStatus::ok}});
	expect_every_prefix(frame(ethernet(0x86dd), ipv6({.proto = 58}, icmp_echo())),
			    {{0, ParseStatus::truncated_ethernet},
			     {kEth, ParseStatus::truncated_ipv6},
			     {kEth + 40, ParseStatus::ok}});
}

TEST(ParseTruncated, Ipv6LaterFragment)
{
	const Bytes f = frame(ethernet(0x86dd), ipv6({.proto = 17, .exts = {{.type = 44, .frag_offset = 3}}}, udp(1, 2)));
	expect_every_prefix(f, {{0, ParseStatus::truncated_ethernet},
				{kEth, ParseStatus::truncated_ipv6},
				{kEth + 40, ParseStatus::bad_ipv6_extension},
				{kEth + 48, ParseStatus::ok}});
}

// ---- names ----------------------------------------------------------------------------

TEST(ParseStatusName, MatchesEnumeratorSpelling)
{
	const std::vector<std::pair<ParseStatus, std::string>> names = {
		{ParseStatus::ok, "ok"},
		{ParseStatus::truncated_ethernet, "truncated_ethernet"},
		{ParseStatus::truncated_vlan, "truncated_vlan"},
		{ParseStatus::too_many_vlans, "too_many_vlans"},
		{ParseStatus::truncated_ipv4, "truncated_ipv4"},
		{ParseStatus::bad_ipv4_version, "bad_ipv4_version"},
		{ParseStatus::bad_ipv4_ihl, "bad_ipv4_ihl"},
		{ParseStatus::bad_ipv4_length, "bad_ipv4_length"},
		{ParseStatus::truncated_ipv6, "truncated_ipv6"},
		{ParseStatus::bad_ipv6_version, "bad_ipv6_version"},
		{ParseStatus::bad_ipv6_extension, "bad_ipv6_extension"},
		{ParseStatus::truncated_l4, "truncated_l4"},
		{ParseStatus::bad_tcp_offset, "bad_tcp_offset"},
	};
	ASSERT_EQ(names.size(), static_cast<size_t>(ParseStatus::count_));
	for (const auto &[status, name] : names)
		EXPECT_EQ(parse_status_name(status), name);
	EXPECT_STREQ(parse_status_name(ParseStatus::count_), "unknown");
}

// ---- random input ---------------------------------------------------------------------

template <typename T, size_t N>
T pick(std::mt19937 &rng, const std::array<T, N> &choices)
{
	return choices[rng() % N];
}

// Random bytes shaped like a header stack often enough to reach every parser branch.
Bytes plausible_frame(std::mt19937 &rng)
{
	constexpr size_t kMax = 128;
	Bytes f(kMax + 64);
	for (uint8_t &b : f)
		b = static_cast<uint8_t>(rng());
	size_t off = 12;
	const unsigned tags = rng() % 8 == 0 ? 3 : rng() % 3;
	for (unsigned i = 0; i < tags; ++i) {
		const uint16_t tpid = pick(rng, std::array<uint16_t, 3>{0x8100, 0x88a8, 0x9100});
		f[off] = static_cast<uint8_t>(tpid >> 8);
		f[off + 1] = static_cast<uint8_t>(tpid);
		off += 4;
	}
	const uint16_t type = pick(rng, std::array<uint16_t, 7>{0x0800, 0x0800, 0x86dd, 0x86dd, 0x0806, 0x88cc, 0x1234});
	f[off] = static_cast<uint8_t>(type >> 8);
	f[off + 1] = static_cast<uint8_t>(type);
	off += 2;
	const std::array<uint8_t, 11> protos{6, 17, 132, 1, 58, 0, 43, 44, 51, 60, 50};
	if (type == 0x0800) {
		const uint8_t ihl = static_cast<uint8_t>(rng() % 4 == 0 ? rng() % 16 : 5 + rng() % 3);
		f[off] = static_cast<uint8_t>((rng() % 16 == 0 ? rng() % 16 : 4) << 4 | ihl);
		f[off + 2] = 0;
		f[off + 3] = static_cast<uint8_t>(rng() % 4 == 0 ? rng() % 40 : 100);
		f[off + 6] = rng() % 4 == 0 ? static_cast<uint8_t>(rng()) : 0;
		f[off + 7] = rng() % 4 == 0 ? static_cast<uint8_t>(rng()) : 0;
		f[off + 9] = pick(rng, protos);
		const size_t l4 = off + size_t{ihl} * 4;
		if (l4 + 12 < f.size() && rng() % 2 == 0)
			f[l4 + 12] = static_cast<uint8_t>((5 + rng() % 4) << 4);
	} else if (type == 0x86dd) {
		f[off] = static_cast<uint8_t>((rng() % 16 == 0 ? rng() % 16 : 6) << 4);
		size_t at = off + 6;      // where the current next-header value lives
		size_t next = off + 40;   // where that header starts
		const unsigned chain = rng() % 11;
		for (unsigned i = 0; i < chain && next + 8 < f.size(); ++i) {
			const uint8_t nh = pick(rng, protos);
			f[at] = nh;
			f[next + 1] = static_cast<uint8_t>(rng() % 3);
			f[next + 2] = rng() % 2 == 0 ? 0 : static_cast<uint8_t>(rng());
			f[next + 3] = rng() % 2 == 0 ? 0 : static_cast<uint8_t>(rng());
			at = next;
			next += nh == 51 ? (f[next + 1] + 2u) * 4 : (f[next + 1] + 1u) * 8;
			if (next + 16 >= f.size())
				break;
		}
	}
	for (unsigned flips = rng() % 3; flips > 0; --flips)
		f[rng() % f.size()] = static_cast<uint8_t>(rng());
	f.resize(rng() % (kMax + 1));
	return f;
}

TEST(ParseRandom, NeverReadsPastLenAndOffsetsStayInside)
{
	std::mt19937 rng(20240611);
	std::set<ParseStatus> seen;
	for (int i = 0; i < 200000; ++i) {
		const Bytes f = plausible_frame(rng);
		const Parsed p = parse(f);
		const FlowKey &k = p.key;
		ASSERT_LT(static_cast<size_t>(p.status), static_cast<size_t>(ParseStatus::count_)) << "iteration " << i;
		seen.insert(p.status);
		ASSERT_EQ(k.frame_len, f.size());
		ASSERT_LE(k.vlan_count, tripath::packet::kMaxVlans);
		ASSERT_LE(k.l3_offset, f.size()) << "iteration " << i;
		if (k.ip_version != 0) {
			ASSERT_TRUE(k.ip_version == 4 || k.ip_version == 6);
			ASSERT_LT(k.l3_offset, f.size()) << "iteration " << i;
		}
		if (k.l4_offset != 0) {
			ASSERT_EQ(p.status, ParseStatus::ok);
			ASSERT_LT(k.l4_offset, f.size()) << "iteration " << i;
			ASSERT_GE(k.l4_offset, k.l3_offset + 20u);
			ASSERT_LE(k.l4_offset + 4u, f.size()); // the ports were inside
		}
		ASSERT_TRUE(k.fragment || !k.first_fragment);
	}
	// The generator must have exercised every outcome, or the test proves little.
	for (size_t s = 0; s < static_cast<size_t>(ParseStatus::count_); ++s) {
		EXPECT_TRUE(seen.count(static_cast<ParseStatus>(s)))
			<< "never produced " << parse_status_name(static_cast<ParseStatus>(s));
	}
}

} // namespace
