// Frames for the XDP/C++ agreement test: built from a spec (every header field the parsers
// look at), then mutated or truncated.
#pragma once

#include <array>
#include <cstdint>
#include <random>
#include <utility>
#include <vector>

namespace tripath::test {

struct Rng {
	std::mt19937_64 engine;
	explicit Rng(uint64_t seed) : engine(seed) {}
	uint32_t below(uint32_t n) { return n ? uint32_t(engine() % n) : 0; }
	bool chance(unsigned pct) { return below(100) < pct; }
	uint8_t byte() { return uint8_t(engine()); }
};

struct FrameSpec {
	std::vector<uint16_t> tpids;         // one per VLAN tag, outermost first
	std::vector<uint16_t> tcis;
	uint16_t ether_type = 0x0800;
	uint8_t ip_version = 4;              // 0: no IP header follows (ARP, LLDP, ...)
	uint8_t version_nibble = 0;          // 0: same as ip_version (anything else: a bad version)
	uint8_t dscp = 0;
	uint8_t ecn = 0;
	uint8_t proto = 17;                  // IPv4 protocol / IPv6 upper-layer header
	std::array<uint8_t, 16> src{};       // IPv4 in bytes 0..3
	std::array<uint8_t, 16> dst{};
	uint8_t ihl = 5;                     // IPv4 header length in words (options are zeros)
	int total_length = -1;               // IPv4 total length field; -1: computed
	uint16_t frag = 0;                   // IPv4 flags/offset word
	// IPv6 extension headers in order: (type, length field); a fragment header (44) takes
	// frag6 as its offset/M word.
	std::vector<std::pair<uint8_t, uint8_t>> ext;
	uint16_t frag6 = 0;
	uint16_t sport = 0;
	uint16_t dport = 0;
	uint8_t tcp_doff = 5;                // TCP data offset in words (options are zeros)
	size_t pad_to = 0;                   // append payload up to this frame length
};

std::vector<uint8_t> build_frame(const FrameSpec &spec);

// A spec of a random well-formed frame: any mix of VLANs, IPv4/IPv6/non-IP, extension
// chains, fragments and L4 protocols, addresses from a small alphabet so prefixes hit.
FrameSpec random_spec(Rng &g);

// 1..4 random byte changes, mostly inside the first 80 bytes where the headers are.
void mutate(Rng &g, std::vector<uint8_t> &frame);

} // namespace tripath::test
