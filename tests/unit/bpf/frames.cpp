#include "frames.h"

#include <algorithm>

namespace tripath::test {

namespace {

void put16(std::vector<uint8_t> &out, uint16_t v)
{
	out.push_back(uint8_t(v >> 8));
	out.push_back(uint8_t(v));
}

void set16(std::vector<uint8_t> &out, size_t at, uint16_t v)
{
	out[at] = uint8_t(v >> 8);
	out[at + 1] = uint8_t(v);
}

void put_l4(std::vector<uint8_t> &out, const FrameSpec &s)
{
	const size_t start = out.size();
	switch (s.proto) {
	case 6:
		put16(out, s.sport);
		put16(out, s.dport);
		out.insert(out.end(), 8, 0);          // seq, ack
		out.push_back(uint8_t(s.tcp_doff << 4));
		out.insert(out.end(), 7, 0);          // flags, window, checksum, urgent
		if (s.tcp_doff > 5)
			out.insert(out.end(), size_t(s.tcp_doff - 5) * 4, 1);
		break;
	case 17:
		put16(out, s.sport);
		put16(out, s.dport);
		out.insert(out.end(), 4, 0);
		break;
	case 132:
		put16(out, s.sport);
		put16(out, s.dport);
		out.insert(out.end(), 8, 0);
		break;
	default:
		out.insert(out.end(), 8, 0x5a);       // ICMP and others: no ports
		break;
	}
	if (s.proto == 17)
		set16(out, start + 4, uint16_t(out.size() - start));
}

uint8_t version_of(const FrameSpec &s)
{
	return s.version_nibble ? s.version_nibble : s.ip_version;
}

} // namespace

std::vector<uint8_t> build_frame(const FrameSpec &s)
{
	std::vector<uint8_t> out = {0x02, 0, 0, 0, 0, 1, 0x02, 0, 0, 0, 0, 2};
	for (size_t i = 0; i < s.tpids.size(); i++) {
		put16(out, s.tpids[i]);
		put16(out, i < s.tcis.size() ? s.tcis[i] : 0);
	}
	put16(out, s.ether_type);
	size_t ip_at = out.size(), len_at = 0, len_base = 0;
	if (s.ip_version == 4) {
		out.push_back(uint8_t(version_of(s) << 4 | (s.ihl & 0x0f)));
		out.push_back(uint8_t(s.dscp << 2 | (s.ecn & 3)));
		len_at = out.size();
		len_base = ip_at;
		put16(out, 0);
		put16(out, 0x1234);                   // id
		put16(out, s.frag);
		out.push_back(64);                    // ttl
		out.push_back(s.proto);
		put16(out, 0);                        // checksum: not checked by either parser
		out.insert(out.end(), s.src.begin(), s.src.begin() + 4);
		out.insert(out.end(), s.dst.begin(), s.dst.begin() + 4);
		if (s.ihl > 5)
			out.insert(out.end(), size_t(s.ihl - 5) * 4, 1);
		put_l4(out, s);
	} else if (s.ip_version == 6) {
		const uint8_t tc = uint8_t(s.dscp << 2 | (s.ecn & 3));
		out.push_back(uint8_t(version_of(s) << 4 | tc >> 4));
		out.push_back(uint8_t(tc << 4));
		out.insert(out.end(), 2, 0);          // flow label
		len_at = out.size();
		len_base = ip_at + 40;
		put16(out, 0);
		out.push_back(s.ext.empty() ? s.proto : s.ext[0].first);
		out.push_back(64);                    // hop limit
		out.insert(out.end(), s.src.begin(), s.src.end());
		out.insert(out.end(), s.dst.begin(), s.dst.end());
		for (size_t i = 0; i < s.ext.size(); i++) {
			const auto [type, len_field] = s.ext[i];
			const uint8_t next = i + 1 < s.ext.size() ? s.ext[i + 1].first : s.proto;
			size_t len = type == 44 ? 8 : type == 51 ? (size_t(len_field) + 2) * 4 : (size_t(len_field) + 1) * 8;
			out.push_back(next);
			out.push_back(type == 44 ? 0 : len_field);
			if (type == 44) {
				put16(out, s.frag6);
				out.insert(out.end(), 4, 0xab); // identification
			} else {
				out.insert(out.end(), len - 2, 0);
			}
		}
		put_l4(out, s);
	} else {
		for (unsigned i = 0; i < 28; i++) // an ARP-sized body
			out.push_back(uint8_t(i));
	}
	if (out.size() < s.pad_to) {
		const size_t n = s.pad_to - out.size();
		for (size_t i = 0; i < n; i++)
			out.push_back(uint8_t(i * 7));
	}
	if (len_at) {
		const size_t len = std::min<size_t>(out.size() - len_base, 65535);
		set16(out, len_at, s.total_length >= 0 ? uint16_t(s.total_length) : uint16_t(len));
	}
	return out;
}

namespace {

constexpr uint16_t kTpids[] = {0x8100, 0x88a8, 0x9100};
constexpr uint16_t kPorts[] = {0, 1, 53, 80, 443, 999, 1000, 1999, 2000, 2999, 3000, 7000, 7999, 8000, 65534, 65535};
constexpr uint8_t kExtTypes[] = {0, 43, 44, 51, 60};

uint16_t random_port(Rng &g)
{
	return g.chance(70) ? kPorts[g.below(std::size(kPorts))] : uint16_t(g.below(65536));
}

void random_addr(Rng &g, std::array<uint8_t, 16> &a, unsigned bytes)
{
	a = {};
	const bool wild = g.chance(10);
	for (unsigned i = 0; i < bytes; i++)
		a[i] = wild ? g.byte() : uint8_t(g.below(4));
}

} // namespace

FrameSpec random_spec(Rng &g)
{
	FrameSpec s;
	const unsigned tags = g.chance(60) ? 0 : g.chance(60) ? 1 : g.chance(90) ? 2 : 3;
	for (unsigned i = 0; i < tags; i++) {
		s.tpids.push_back(kTpids[g.below(3)]);
		const uint16_t vid = g.chance(80) ? uint16_t(g.below(5)) : g.chance(50) ? 4095 : uint16_t(g.below(4096));
		s.tcis.push_back(uint16_t(g.below(16) << 12 | vid));
	}
	const unsigned kind = g.below(20);
	if (kind < 2) {
		s.ip_version = 0;
		s.ether_type = g.chance(50) ? 0x0806 : g.chance(50) ? 0x88cc : uint16_t(g.below(65536));
	} else {
		s.ip_version = kind < 11 ? 4 : 6;
		s.ether_type = s.ip_version == 4 ? 0x0800 : 0x86dd;
	}
	s.dscp = g.chance(60) ? uint8_t(g.below(5)) : g.chance(30) ? 46 : uint8_t(g.below(64));
	s.ecn = uint8_t(g.below(4));
	const unsigned p = g.below(100);
	s.proto = p < 35 ? 6 : p < 70 ? 17 : p < 78 ? 132 : p < 88 ? (s.ip_version == 6 ? 58 : 1) : g.byte();
	const unsigned bytes = s.ip_version == 6 ? 16 : 4;
	random_addr(g, s.src, bytes);
	random_addr(g, s.dst, bytes);
	if (s.ip_version == 4) {
		s.ihl = g.chance(85) ? 5 : uint8_t(6 + g.below(10));
		if (g.chance(3))
			s.total_length = int(g.below(s.ihl * 4u + 2));
		if (g.chance(20)) {
			// MF (first fragment), DF, a later fragment, a later fragment with MF.
			const uint16_t offset = uint16_t(1 + g.below(0x1fff));
			const uint16_t choices[] = {0x2000, 0x4000, offset, uint16_t(0x2000 | offset)};
			s.frag = choices[g.below(4)];
		}
	} else if (s.ip_version == 6 && g.chance(40)) {
		const unsigned n = g.chance(95) ? 1 + g.below(3) : 4 + g.below(6);
		for (unsigned i = 0; i < n; i++) {
			const uint8_t t = kExtTypes[g.below(std::size(kExtTypes))];
			s.ext.push_back({t, uint8_t(g.chance(90) ? g.below(3) : g.below(256))});
		}
		const uint16_t choices[] = {0, 1, 8, 9, uint16_t(g.below(65536))};
		s.frag6 = choices[g.below(5)];
	}
	s.sport = random_port(g);
	s.dport = random_port(g);
	if (g.chance(15))
		s.tcp_doff = uint8_t(g.below(16));
	const unsigned size = g.below(100);
	s.pad_to = size < 70 ? g.below(200) : size < 95 ? g.below(1600) : size < 99 ? g.below(9100) : 60000 + g.below(10000);
	return s;
}

void mutate(Rng &g, std::vector<uint8_t> &frame)
{
	if (frame.empty())
		return;
	const unsigned changes = 1 + g.below(4);
	for (unsigned i = 0; i < changes; i++) {
		const uint32_t span = uint32_t(g.chance(85) ? std::min<size_t>(frame.size(), 80) : frame.size());
		const size_t at = g.below(span);
		switch (g.below(3)) {
		case 0:
			frame[at] = g.byte();
			break;
		case 1:
			frame[at] ^= uint8_t(1u << g.below(8));
			break;
		default: {
			// Values the parsers branch on: TPIDs, ethertypes, versions, extension types.
			const uint8_t hot[] = {0x81, 0x88, 0xa8, 0x91, 0x08, 0x86, 0xdd, 0x45, 0x4f,
					       0x60, 0x00, 0xff, 6,    17,   44,   51,   60,   43};
			frame[at] = hot[g.below(std::size(hot))];
		}
		}
	}
}

} // namespace tripath::test
