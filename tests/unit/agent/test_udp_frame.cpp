// Frames as the XSK service sees them: parsing, the reply rewrite, checksums (verified with
// checksums.h, not lib/agent's sum) and IP fragmentation of replies larger than the MTU.
#include <algorithm>
#include <cstring>

#include <gtest/gtest.h>

#include <tripath/agent/ip_fragment.h>
#include <tripath/agent/udp_frame.h>

#include "checksums.h"

using namespace tripath::agent;
using namespace tripath::agent::test;

namespace {

const uint8_t kMacA[6] = {2, 0, 0, 0, 0, 0xa};
const uint8_t kMacB[6] = {2, 0, 0, 0, 0, 0xb};
const uint8_t kIpv4A[4] = {10, 0, 0, 1}, kIpv4B[4] = {10, 0, 0, 2};
const uint8_t kIpv6A[16] = {0xfd, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1};
const uint8_t kIpv6B[16] = {0xfd, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 2};

void put16(std::vector<uint8_t> &f, size_t at, uint16_t v)
{
	f[at] = uint8_t(v >> 8);
	f[at + 1] = uint8_t(v);
}

// Ethernet (+ VLAN tags) / IP / UDP from B:4000 to A:9000 with `payload` bytes, plus `padding`.
std::vector<uint8_t> make_frame(int version, unsigned vlans, size_t payload, size_t padding = 0)
{
	size_t l3 = 14 + 4 * vlans;
	size_t ip_len = version == 4 ? 20 : 40;
	std::vector<uint8_t> f(l3 + ip_len + 8 + payload + padding, 0);
	std::memcpy(&f[0], kMacA, 6);
	std::memcpy(&f[6], kMacB, 6);
	for (unsigned v = 0; v < vlans; v++) {
		put16(f, 12 + 4 * v, v == 0 && vlans == 2 ? 0x88a8 : 0x8100);
		put16(f, 14 + 4 * v, uint16_t(100 + v));
	}
	put16(f, l3 - 2, version == 4 ? 0x0800 : 0x86dd);
	uint8_t *ip = &f[l3];
	if (version == 4) {
		ip[0] = 0x45;
		put16(f, l3 + 2, uint16_t(20 + 8 + payload));
		ip[8] = 5; // a low TTL the reply must not inherit
		ip[9] = 17;
		std::memcpy(ip + 12, kIpv4B, 4);
		std::memcpy(ip + 16, kIpv4A, 4);
	} else {
		ip[0] = 0x60;
		put16(f, l3 + 4, uint16_t(8 + payload));
		ip[6] = 17;
		ip[7] = 5;
		std::memcpy(ip + 8, kIpv6B, 16);
		std::memcpy(ip + 24, kIpv6A, 16);
	}
	size_t l4 = l3 + ip_len;
	put16(f, l4, 4000);
	put16(f, l4 + 2, 9000);
	put16(f, l4 + 4, uint16_t(8 + payload));
	for (size_t i = 0; i < payload; i++)
		f[l4 + 8 + i] = uint8_t(i * 3);
	return f;
}

TEST(UdpFrame, FindsThePayloadBehindVlansAndIgnoresPadding)
{
	for (int version : {4, 6}) {
		for (unsigned vlans : {0u, 1u, 2u}) {
			std::vector<uint8_t> f = make_frame(version, vlans, 20, 17);
			std::optional<UdpFrame> u = parse_udp_frame(f.data(), f.size());
			ASSERT_TRUE(u) << version << " " << vlans;
			EXPECT_EQ(u->ip_version, version);
			EXPECT_EQ(u->l3_offset, 14 + 4 * vlans);
			EXPECT_EQ(u->payload_offset, u->l3_offset + (version == 4 ? 20 : 40) + 8);
			EXPECT_EQ(u->payload_len, 20);
			EXPECT_EQ(u->dst_port, 9000);
		}
	}
}

TEST(UdpFrame, RefusesWhatAReplyCannotBeBuiltFor)
{
	std::vector<uint8_t> f = make_frame(4, 0, 20);
	// Every truncation that cuts into the datagram.
	for (size_t len = 0; len < f.size(); len++)
		EXPECT_FALSE(parse_udp_frame(f.data(), len)) << len;

	std::vector<uint8_t> tcp = f;
	tcp[14 + 9] = 6;
	EXPECT_FALSE(parse_udp_frame(tcp.data(), tcp.size()));
	std::vector<uint8_t> fragment = f;
	put16(fragment, 14 + 6, 0x2000); // MF
	EXPECT_FALSE(parse_udp_frame(fragment.data(), fragment.size()));
	std::vector<uint8_t> long_udp = f;
	put16(long_udp, 34 + 4, 8 + 21);
	EXPECT_FALSE(parse_udp_frame(long_udp.data(), long_udp.size()));
	std::vector<uint8_t> short_udp = f;
	put16(short_udp, 34 + 4, 7);
	EXPECT_FALSE(parse_udp_frame(short_udp.data(), short_udp.size()));
	std::vector<uint8_t> arp = f;
	put16(arp, 12, 0x0806);
	EXPECT_FALSE(parse_udp_frame(arp.data(), arp.size()));

	// IPv6 with a hop-by-hop header before UDP: a reply would have to rebuild the chain.
	std::vector<uint8_t> v6 = make_frame(6, 0, 20);
	std::vector<uint8_t> ext(v6.begin(), v6.begin() + 54);
	ext[20] = 0; // next header: hop-by-hop
	put16(ext, 18, uint16_t(8 + 8 + 20));
	uint8_t hbh[8] = {17, 0, 1, 4, 0, 0, 0, 0};
	ext.insert(ext.end(), hbh, hbh + 8);
	ext.insert(ext.end(), v6.begin() + 54, v6.end());
	EXPECT_FALSE(parse_udp_frame(ext.data(), ext.size()));
}

TEST(UdpFrame, ReplyHeadersAreReversedWithValidChecksums)
{
	for (int version : {4, 6}) {
		for (unsigned vlans : {0u, 2u}) {
			std::vector<uint8_t> f = make_frame(version, vlans, 20);
			std::optional<UdpFrame> u = parse_udp_frame(f.data(), f.size());
			ASSERT_TRUE(u);
			std::vector<uint8_t> reply(u->payload_offset + 300, 0xee);
			std::memcpy(reply.data(), f.data(), u->payload_offset);
			reverse_udp_headers(reply.data(), *u);
			size_t len = seal_udp_frame(reply.data(), *u, 300);
			ASSERT_EQ(len, reply.size());

			EXPECT_EQ(0, std::memcmp(&reply[0], kMacB, 6));
			EXPECT_EQ(0, std::memcmp(&reply[6], kMacA, 6));
			EXPECT_EQ(0, std::memcmp(&reply[12], &f[12], u->l3_offset - 12)) << "VLAN tags kept";
			const uint8_t *ip = &reply[u->l3_offset];
			const uint8_t *udp = &reply[u->l4_offset];
			if (version == 4) {
				EXPECT_EQ(0, std::memcmp(ip + 12, kIpv4A, 4));
				EXPECT_EQ(0, std::memcmp(ip + 16, kIpv4B, 4));
				EXPECT_EQ(get16(ip + 2), 20 + 8 + 300);
				EXPECT_EQ(ip[8], 64);
				EXPECT_EQ(fold(add_bytes(0, ip, 20)), 0xffff) << "IPv4 header checksum";
			} else {
				EXPECT_EQ(0, std::memcmp(ip + 8, kIpv6A, 16));
				EXPECT_EQ(0, std::memcmp(ip + 24, kIpv6B, 16));
				EXPECT_EQ(get16(ip + 4), 8 + 300);
				EXPECT_EQ(ip[7], 64);
			}
			EXPECT_EQ(get16(udp), 9000);
			EXPECT_EQ(get16(udp + 2), 4000);
			EXPECT_EQ(get16(udp + 4), 8 + 300);
			EXPECT_TRUE(udp_checksum_ok(ip, version, udp, 8 + 300)) << version;
			EXPECT_EQ(udp_checksum(reply.data(), *u, 300), 0);
		}
	}
}

// Reassembles fragments written by write_ip_fragment and checks each on the way.
std::vector<uint8_t> reassemble(const std::vector<std::vector<uint8_t>> &fragments, const UdpFrame &u, uint32_t mtu)
{
	std::vector<uint8_t> data;
	uint32_t first_id = 0;
	for (size_t k = 0; k < fragments.size(); k++) {
		const std::vector<uint8_t> &f = fragments[k];
		const uint8_t *ip = &f[u.l3_offset];
		EXPECT_LE(f.size() - u.l3_offset, mtu);
		size_t offset, header;
		bool more;
		uint32_t id;
		if (u.ip_version == 6) {
			const uint8_t *fh = ip + 40;
			EXPECT_EQ(ip[6], 44);
			EXPECT_EQ(fh[0], 17);
			EXPECT_EQ(get16(ip + 4), f.size() - u.l3_offset - 40);
			offset = get16(fh + 2) & 0xfff8;
			more = get16(fh + 2) & 1;
			id = uint32_t(get16(fh + 4)) << 16 | get16(fh + 6);
			header = 48;
		} else {
			EXPECT_EQ(fold(add_bytes(0, ip, 20)), 0xffff) << "fragment " << k << " header checksum";
			EXPECT_EQ(get16(ip + 2), f.size() - u.l3_offset);
			offset = size_t(get16(ip + 6) & 0x1fff) * 8;
			more = get16(ip + 6) & 0x2000;
			EXPECT_FALSE(get16(ip + 6) & 0x4000) << "DF set on a fragment";
			id = get16(ip + 4);
			header = 20;
		}
		if (k == 0)
			first_id = id;
		EXPECT_EQ(id, first_id);
		EXPECT_EQ(offset, data.size());
		EXPECT_EQ(more, k + 1 < fragments.size());
		if (more) {
			EXPECT_EQ((f.size() - u.l3_offset - header) % 8, 0u);
		}
		data.insert(data.end(), f.begin() + u.l3_offset + header, f.end());
	}
	return data;
}

TEST(IpFragment, SplitsRepliesLargerThanTheMtuAndTheyReassemble)
{
	struct Case {
		int version;
		uint32_t mtu;
		size_t payload;
		unsigned fragments;
	};
	// A full RPC datagram over IPv6 (1520 bytes) at MTU 1500; IPv4 at a small MTU.
	for (Case c : {Case{6, 1500, 1472, 2}, Case{4, 576, 1472, 3}, Case{4, 1500, 1472, 1}, Case{6, 1500, 1452, 1}}) {
		std::vector<uint8_t> f = make_frame(c.version, 1, c.payload);
		std::optional<UdpFrame> u = parse_udp_frame(f.data(), f.size());
		ASSERT_TRUE(u);
		reverse_udp_headers(f.data(), *u);
		seal_udp_frame(f.data(), *u, uint16_t(c.payload));
		unsigned n = ip_fragment_count(*u, f.size(), c.mtu);
		ASSERT_EQ(n, c.fragments) << c.version << " mtu " << c.mtu;
		if (n == 1)
			continue;
		std::vector<std::vector<uint8_t>> fragments;
		for (unsigned k = 0; k < n; k++) {
			std::vector<uint8_t> out(f.size() + kIpv6FragmentHeader);
			out.resize(write_ip_fragment(f.data(), *u, f.size(), c.mtu, 0x12345678, k, out.data()));
			EXPECT_EQ(0, std::memcmp(out.data(), f.data(), u->l3_offset)) << "L2 header kept";
			fragments.push_back(out);
		}
		std::vector<uint8_t> data = reassemble(fragments, *u, c.mtu);
		ASSERT_EQ(data.size(), f.size() - u->l4_offset);
		EXPECT_TRUE(std::equal(data.begin(), data.end(), f.begin() + u->l4_offset));
	}
}

} // namespace
