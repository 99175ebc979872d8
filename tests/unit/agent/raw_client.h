// A client that speaks in whole Ethernet frames (AF_PACKET), for what the client's kernel
// cannot send here: VLAN-tagged RPCs (this kernel has no VLAN devices). Incoming frames come
// back with the tag the kernel moved into metadata put back in place.
#pragma once

#include <array>
#include <cstdint>
#include <string>
#include <vector>

namespace tripath::agent::test {

using Mac = std::array<uint8_t, 6>;

struct VlanTag {
	uint16_t tpid;
	uint16_t vid;
};

// The MAC of `iface` in namespace `ns`.
Mac mac_of(const std::string &ns, const std::string &iface);

class RawClient {
public:
	RawClient(const std::string &ns, const std::string &iface);
	~RawClient();
	bool ok() const { return fd_ >= 0; }
	bool send(const std::vector<uint8_t> &frame);
	// Frames received (not sent) on the interface within `wait_ms` of quiet, tags restored.
	std::vector<std::vector<uint8_t>> receive(size_t at_most, int wait_ms);

private:
	int fd_ = -1;
	int ifindex_ = 0;
};

// Ethernet, `tags`, IPv4 (TTL 64) and UDP around `payload`, checksums filled in.
std::vector<uint8_t> udp4_frame(const Mac &dst, const Mac &src, const std::vector<VlanTag> &tags, const uint8_t src_ip[4],
				const uint8_t dst_ip[4], uint16_t src_port, uint16_t dst_port, const std::vector<uint8_t> &payload);

} // namespace tripath::agent::test
