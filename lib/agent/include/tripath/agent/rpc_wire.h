// The RPC format spoken between tools/loadgen (client) and tripath-agent (service), inside
// one UDP payload. 20 bytes, network byte order, so a 64-byte frame (14 + 20 + 8 + 22) holds it.
//
// A request asks for `response_bytes` of UDP payload back; 0 means "echo my size". A response
// larger than one datagram comes as `frag_count` datagrams (frag_index 0..count-1), each
// starting with this header (flags has kResponse) and carrying the request's id.
#pragma once

#include <cstddef>
#include <cstdint>
#include <cstring>
#include <optional>

#include <arpa/inet.h>

namespace tripath::agent {

constexpr uint16_t kRpcMagic = 0x5450;     // "TP"
constexpr uint8_t kRpcVersion = 1;
constexpr uint8_t kRpcResponse = 0x01;     // flags: set on every datagram of a response
constexpr size_t kRpcHeaderSize = 20;
constexpr size_t kRpcMaxDatagram = 1472;   // UDP payload that fits a 1500-byte IPv4 MTU

struct RpcHeader {
	uint8_t flags = 0;
	uint64_t id = 0;                   // chosen by the client, echoed on every fragment
	uint32_t response_bytes = 0;       // total UDP payload wanted back (0: same as request)
	uint16_t frag_index = 0;
	uint16_t frag_count = 1;
};

inline uint64_t rpc_hton64(uint64_t v)
{
	return (uint64_t(htonl(uint32_t(v))) << 32) | htonl(uint32_t(v >> 32));
}

inline void rpc_encode(const RpcHeader &h, uint8_t *out)
{
	uint16_t magic = htons(kRpcMagic);
	uint64_t id = rpc_hton64(h.id);
	uint32_t resp = htonl(h.response_bytes);
	uint16_t fi = htons(h.frag_index), fc = htons(h.frag_count);
	std::memcpy(out, &magic, 2);
	out[2] = kRpcVersion;
	out[3] = h.flags;
	std::memcpy(out + 4, &id, 8);
	std::memcpy(out + 12, &resp, 4);
	std::memcpy(out + 16, &fi, 2);
	std::memcpy(out + 18, &fc, 2);
}

// nullopt when the payload is too short, not ours, or of another version.
inline std::optional<RpcHeader> rpc_decode(const uint8_t *in, size_t len)
{
	if (len < kRpcHeaderSize)
		return std::nullopt;
	uint16_t magic;
	std::memcpy(&magic, in, 2);
	if (ntohs(magic) != kRpcMagic || in[2] != kRpcVersion)
		return std::nullopt;
	RpcHeader h;
	uint64_t id;
	uint32_t resp;
	uint16_t fi, fc;
	h.flags = in[3];
	std::memcpy(&id, in + 4, 8);
	std::memcpy(&resp, in + 12, 4);
	std::memcpy(&fi, in + 16, 2);
	std::memcpy(&fc, in + 18, 2);
	h.id = rpc_hton64(id);
	h.response_bytes = ntohl(resp);
	h.frag_index = ntohs(fi);
	h.frag_count = ntohs(fc);
	if (h.frag_count == 0 || h.frag_index >= h.frag_count)
		return std::nullopt;
	return h;
}

// Datagrams needed to carry `bytes` of UDP payload, every one starting with the header.
inline uint16_t rpc_fragments(uint32_t bytes)
{
	constexpr uint32_t room = kRpcMaxDatagram - kRpcHeaderSize;
	uint32_t data = bytes > kRpcHeaderSize ? bytes - kRpcHeaderSize : 0;
	uint32_t n = (data + room - 1) / room;
	return uint16_t(n == 0 ? 1 : n);
}

} // namespace tripath::agent
