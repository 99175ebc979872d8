#include <arpa/inet.h>
#include <cstring>
#include <linux/if_packet.h>
#include <net/ethernet.h>
#include <net/if.h>
#include <poll.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <unistd.h>

#include "checksums.h"
#include "netns_pair.h"
#include "raw_client.h"

namespace tripath::agent::test {
namespace {

void put16(uint8_t *p, uint16_t v)
{
	p[0] = uint8_t(v >> 8);
	p[1] = uint8_t(v);
}

} // namespace

Mac mac_of(const std::string &ns, const std::string &iface)
{
	Mac mac{};
	run_in_netns(ns, [&] {
		int fd = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
		ifreq req{};
		iface.copy(req.ifr_name, sizeof(req.ifr_name) - 1);
		if (ioctl(fd, SIOCGIFHWADDR, &req) == 0)
			std::memcpy(mac.data(), req.ifr_hwaddr.sa_data, 6);
		close(fd);
	});
	return mac;
}

RawClient::RawClient(const std::string &ns, const std::string &iface)
{
	run_in_netns(ns, [&] { ifindex_ = int(if_nametoindex(iface.c_str())); });
	fd_ = socket_in(ns, AF_PACKET, SOCK_RAW, htons(ETH_P_ALL));
	if (fd_ < 0 || ifindex_ == 0)
		return;
	sockaddr_ll addr{};
	addr.sll_family = AF_PACKET;
	addr.sll_protocol = htons(ETH_P_ALL);
	addr.sll_ifindex = ifindex_;
	int one = 1;
	if (bind(fd_, reinterpret_cast<sockaddr *>(&addr), sizeof(addr)) != 0 ||
	    setsockopt(fd_, SOL_PACKET, PACKET_AUXDATA, &one, sizeof(one)) != 0) {
		close(fd_);
		fd_ = -1;
	}
}

RawClient::~RawClient()
{
	if (fd_ >= 0)
		close(fd_);
}

bool RawClient::send(const std::vector<uint8_t> &frame)
{
	return ::send(fd_, frame.data(), frame.size(), 0) == ssize_t(frame.size());
}

std::vector<std::vector<uint8_t>> RawClient::receive(size_t at_most, int wait_ms)
{
	std::vector<std::vector<uint8_t>> frames;
	uint8_t buf[65536];
	alignas(cmsghdr) uint8_t control[CMSG_SPACE(sizeof(tpacket_auxdata))];
	pollfd p{fd_, POLLIN, 0};
	while (frames.size() < at_most && poll(&p, 1, wait_ms) == 1) {
		sockaddr_ll from{};
		iovec iov{buf, sizeof(buf)};
		msghdr msg{};
		msg.msg_name = &from;
		msg.msg_namelen = sizeof(from);
		msg.msg_iov = &iov;
		msg.msg_iovlen = 1;
		msg.msg_control = control;
		msg.msg_controllen = sizeof(control);
		ssize_t n = recvmsg(fd_, &msg, 0);
		if (n < 12 || from.sll_pkttype == PACKET_OUTGOING)
			continue;
		std::vector<uint8_t> frame(buf, buf + n);
		for (cmsghdr *c = CMSG_FIRSTHDR(&msg); c; c = CMSG_NXTHDR(&msg, c)) {
			if (c->cmsg_level != SOL_PACKET || c->cmsg_type != PACKET_AUXDATA)
				continue;
			tpacket_auxdata aux;
			std::memcpy(&aux, CMSG_DATA(c), sizeof(aux));
			if (!(aux.tp_status & TP_STATUS_VLAN_VALID))
				continue;
			// The receive path moved the outer tag into metadata: put it back after the MACs.
			uint8_t tag[4];
			put16(tag, (aux.tp_status & TP_STATUS_VLAN_TPID_VALID) ? aux.tp_vlan_tpid : 0x8100);
			put16(tag + 2, aux.tp_vlan_tci);
			frame.insert(frame.begin() + 12, tag, tag + 4);
		}
		frames.push_back(std::move(frame));
	}
	return frames;
}

std::vector<uint8_t> udp4_frame(const Mac &dst, const Mac &src, const std::vector<VlanTag> &tags, const uint8_t src_ip[4],
				const uint8_t dst_ip[4], uint16_t src_port, uint16_t dst_port, const std::vector<uint8_t> &payload)
{
	size_t l3 = 14 + 4 * tags.size();
	std::vector<uint8_t> f(l3 + 20 + 8 + payload.size(), 0);
	std::memcpy(&f[0], dst.data(), 6);
	std::memcpy(&f[6], src.data(), 6);
	for (size_t i = 0; i < tags.size(); i++) {
		put16(&f[12 + 4 * i], tags[i].tpid);
		put16(&f[14 + 4 * i], tags[i].vid);
	}
	put16(&f[l3 - 2], 0x0800);
	uint8_t *ip = &f[l3];
	ip[0] = 0x45;
	put16(ip + 2, uint16_t(28 + payload.size()));
	ip[8] = 64;
	ip[9] = 17;
	std::memcpy(ip + 12, src_ip, 4);
	std::memcpy(ip + 16, dst_ip, 4);
	put16(ip + 10, uint16_t(~fold(add_bytes(0, ip, 20))));
	uint8_t *udp = ip + 20;
	put16(udp, src_port);
	put16(udp + 2, dst_port);
	put16(udp + 4, uint16_t(8 + payload.size()));
	std::memcpy(udp + 8, payload.data(), payload.size());
	uint16_t sum = uint16_t(~fold(add_bytes(pseudo_header_sum(ip, 4, 8 + payload.size()), udp, 8 + payload.size())));
	put16(udp + 6, sum == 0 ? 0xffff : sum);
	return f;
}

} // namespace tripath::agent::test
