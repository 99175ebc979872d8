// Opening an RDMA device and choosing the GID this endpoint is addressed by.
#pragma once

#include <array>
#include <cstdint>
#include <string>

#include <infiniband/verbs.h>

namespace tripath::bulk {

struct VerbsPort {
	ibv_context *context = nullptr;
	std::string device_name;
	uint8_t port = 1;
	int gid_index = 0;
	std::array<uint8_t, 16> gid{};
	std::string gid_type;           // "RoCEv2", "RoCEv1", "IB"
	bool ethernet = true;           // RoCE (needs a GRH on every packet) or InfiniBand
	uint16_t lid = 0;
	ibv_mtu active_mtu = IBV_MTU_1024;
};

// Opens `device` (empty: the first one) and fills `port`; the caller owns port.context.
bool open_verbs_port(const std::string &device, uint8_t port_num, int gid_index, VerbsPort &port,
	std::string &error);

// -1 when the port has no usable GID. Prefers RoCE v2 with an IPv4-mapped address: it is
// routable (UDP/IP) and what every RoCE v2 NIC has once its netdev has an IPv4 address.
int choose_gid_index(ibv_context *context, uint8_t port_num, int table_length);

std::string format_gid(const std::array<uint8_t, 16> &gid);

} // namespace tripath::bulk
