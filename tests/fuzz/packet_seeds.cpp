// Writes the packet_classify seeds: frames from the XDP agreement test's own builder, one per
// kind the lab rules and the parser tell apart, then a spread of random well-formed ones.
#include <cstdio>
#include <fstream>
#include <string>

#include "../unit/bpf/frames.h"

using tripath::test::FrameSpec;

namespace {

void write(const std::string &path, const std::vector<uint8_t> &frame)
{
	std::ofstream(path, std::ios::binary).write(reinterpret_cast<const char *>(frame.data()), std::streamsize(frame.size()));
}

FrameSpec v4(uint8_t proto, uint16_t dport, uint8_t last_dst = 2)
{
	FrameSpec s;
	s.proto = proto;
	s.src = {10, 77, 0, 2};
	s.dst = {10, 77, 1, last_dst};
	s.sport = 40000;
	s.dport = dport;
	return s;
}

} // namespace

int main(int argc, char **argv)
{
	if (argc != 2) {
		std::fprintf(stderr, "usage: %s CORPUS_DIR\n", argv[0]);
		return 2;
	}
	const std::string dir = argv[1];
	FrameSpec arp;
	arp.ether_type = 0x0806, arp.ip_version = 0, arp.pad_to = 60;
	write(dir + "/arp", build_frame(arp));
	write(dir + "/ssh", build_frame(v4(6, 22)));
	write(dir + "/dns", build_frame(v4(17, 53)));
	write(dir + "/agent-rpc", build_frame(v4(17, 7000)));
	write(dir + "/icmp", build_frame(v4(1, 0)));
	FrameSpec vlan = v4(17, 7042);
	vlan.tpids = {0x8100}, vlan.tcis = {100};
	write(dir + "/vlan-rpc", build_frame(vlan));
	FrameSpec qinq = v4(6, 22);
	qinq.tpids = {0x88a8, 0x8100}, qinq.tcis = {10, 20};
	write(dir + "/qinq-ssh", build_frame(qinq));
	FrameSpec options = v4(6, 443);
	options.ihl = 8, options.tcp_doff = 10;
	write(dir + "/ipv4-options-tcp-options", build_frame(options));
	FrameSpec fragment = v4(17, 7000);
	fragment.frag = 0x2000; // MF, offset 0: the first fragment still carries the ports
	write(dir + "/ipv4-first-fragment", build_frame(fragment));
	fragment.frag = 0x00b9;
	write(dir + "/ipv4-later-fragment", build_frame(fragment));
	FrameSpec v6 = v4(17, 7000);
	v6.ether_type = 0x86dd, v6.ip_version = 6;
	v6.src = {0xfd, 0x77, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 2};
	v6.dst = {0xfd, 0x77, 0, 1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 2};
	write(dir + "/ipv6-udp", build_frame(v6));
	v6.ext = {{0, 0}, {60, 1}, {43, 0}, {44, 0}};
	v6.frag6 = 0x0001;
	write(dir + "/ipv6-extension-chain-fragment", build_frame(v6));
	FrameSpec jumbo = v4(17, 7001);
	jumbo.pad_to = 9000;
	write(dir + "/jumbo-rpc", build_frame(jumbo));
	std::vector<uint8_t> runt = build_frame(v4(6, 22));
	runt.resize(20);
	write(dir + "/runt", runt);
	tripath::test::Rng g(8);
	for (int i = 0; i < 24; i++)
		write(dir + "/random-" + std::to_string(i), build_frame(tripath::test::random_spec(g)));
	return 0;
}
