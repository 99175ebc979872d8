#include "verbs_device.h"

#include <arpa/inet.h>
#include <cerrno>
#include <cstring>

namespace tripath::bulk {

namespace {

bool is_ipv4_mapped(const ibv_gid &gid)
{
	static constexpr uint8_t prefix[12] = {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff};
	return std::memcmp(gid.raw, prefix, sizeof(prefix)) == 0;
}

bool is_zero(const ibv_gid &gid)
{
	static constexpr uint8_t zero[16] = {};
	return std::memcmp(gid.raw, zero, sizeof(zero)) == 0;
}

const char *gid_type_name(uint32_t type)
{
	switch (type) {
	case IBV_GID_TYPE_ROCE_V2: return "RoCEv2";
	case IBV_GID_TYPE_ROCE_V1: return "RoCEv1";
	default: return "IB";
	}
}

} // namespace

int choose_gid_index(ibv_context *context, uint8_t port_num, int table_length)
{
	int any_v2 = -1, any = -1;
	for (int i = 0; i < table_length; ++i) {
		ibv_gid_entry entry{};
		if (ibv_query_gid_ex(context, port_num, uint32_t(i), &entry, 0) != 0 || is_zero(entry.gid))
			continue;
		if (entry.gid_type == IBV_GID_TYPE_ROCE_V2 && is_ipv4_mapped(entry.gid))
			return i;
		if (entry.gid_type == IBV_GID_TYPE_ROCE_V2 && any_v2 < 0)
			any_v2 = i;
		if (any < 0)
			any = i;
	}
	return any_v2 >= 0 ? any_v2 : any;
}

std::string format_gid(const std::array<uint8_t, 16> &gid)
{
	char text[INET6_ADDRSTRLEN] = "?";
	::inet_ntop(AF_INET6, gid.data(), text, sizeof(text));
	return text;
}

bool open_verbs_port(const std::string &device, uint8_t port_num, int gid_index, VerbsPort &port,
	std::string &error)
{
	int count = 0;
	ibv_device **list = ibv_get_device_list(&count);
	if (list == nullptr || count == 0) {
		error = "no RDMA device (is an RDMA driver or rdma_rxe loaded, and ibverbs-providers installed?)";
		if (list != nullptr)
			ibv_free_device_list(list);
		return false;
	}
	ibv_device *chosen = nullptr;
	for (int i = 0; i < count && chosen == nullptr; ++i)
		if (device.empty() || device == ibv_get_device_name(list[i]))
			chosen = list[i];
	if (chosen == nullptr) {
		error = "no RDMA device named " + device;
		ibv_free_device_list(list);
		return false;
	}
	port.device_name = ibv_get_device_name(chosen);
	port.context = ibv_open_device(chosen);
	ibv_free_device_list(list);
	if (port.context == nullptr) {
		error = "ibv_open_device " + port.device_name + ": " + std::strerror(errno);
		return false;
	}

	ibv_port_attr attr{};
	if (ibv_query_port(port.context, port_num, &attr) != 0) {
		error = port.device_name + " has no port " + std::to_string(port_num);
		return false;
	}
	if (attr.state != IBV_PORT_ACTIVE) {
		error = port.device_name + " port " + std::to_string(port_num) + " is not active (its netdev down?)";
		return false;
	}
	port.port = port_num;
	port.ethernet = attr.link_layer == IBV_LINK_LAYER_ETHERNET;
	port.lid = attr.lid;
	port.active_mtu = attr.active_mtu;
	port.gid_index = gid_index >= 0 ? gid_index : choose_gid_index(port.context, port_num, attr.gid_tbl_len);
	ibv_gid_entry entry{};
	if (port.gid_index < 0 ||
		ibv_query_gid_ex(port.context, port_num, uint32_t(port.gid_index), &entry, 0) != 0) {
		error = port.device_name + ": no usable GID" +
			(gid_index >= 0 ? " at index " + std::to_string(gid_index) : std::string(" (does its netdev have an IP address?)"));
		return false;
	}
	std::memcpy(port.gid.data(), entry.gid.raw, 16);
	port.gid_type = gid_type_name(entry.gid_type);
	return true;
}

} // namespace tripath::bulk
