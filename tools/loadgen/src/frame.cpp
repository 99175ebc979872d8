#include <algorithm>

#include <netinet/in.h>
#include <sys/socket.h>

#include <tripath/agent/rpc_wire.h>
#include <tripath/loadgen/frame.h>

namespace tripath::loadgen {

uint32_t udp_frame_overhead(int family)
{
	return kEthernetHeader + (family == AF_INET6 ? kIpv6Header : kIpv4Header) + kUdpHeader;
}

uint32_t smallest_request_frame(int family)
{
	return std::max<uint32_t>(kMinimumFrame, udp_frame_overhead(family) + agent::kRpcHeaderSize);
}

std::optional<uint32_t> udp_payload_for_frame(uint32_t frame_bytes, int family, std::string &error)
{
	const char *ip = family == AF_INET6 ? "IPv6" : "IPv4";
	uint32_t overhead = udp_frame_overhead(family);
	if (frame_bytes > kMaximumFrame) {
		error = "--size " + std::to_string(frame_bytes) + " is larger than one 1500-byte-MTU frame (" +
			std::to_string(kMaximumFrame) + " B without FCS)";
		return std::nullopt;
	}
	if (frame_bytes < overhead + agent::kRpcHeaderSize) {
		uint32_t left = frame_bytes > overhead ? frame_bytes - overhead : 0;
		error = "--size " + std::to_string(frame_bytes) + " leaves " + std::to_string(left) +
			" B of UDP payload over " + ip + " (" + std::to_string(overhead) +
			" B of Ethernet/IP/UDP headers); the RPC header needs " + std::to_string(agent::kRpcHeaderSize) +
			", so use --size " + std::to_string(overhead + agent::kRpcHeaderSize) + " or more";
		return std::nullopt;
	}
	return frame_bytes - overhead;
}

} // namespace tripath::loadgen
