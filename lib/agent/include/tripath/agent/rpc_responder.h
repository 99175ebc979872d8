// How tripath-agent answers one RPC request (rpc_wire.h), independent of how datagrams move:
// plan the reply once, then write each response datagram's UDP payload where the caller wants
// it (a socket buffer, a umem frame, the request's own buffer).
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <vector>

#include <tripath/agent/rpc_wire.h>

namespace tripath::agent {

// Larger asks are refused, so one small datagram cannot buy an unbounded reply; the same limit
// as tools/loadgen's --response flags (11,555 datagrams, well inside frag_count's 16 bits).
constexpr uint32_t kRpcMaxResponseBytes = 16u << 20;

// A datagram never carries less than the header, so asks below it get a header-only reply.
struct RpcReply {
	RpcHeader header;          // the request's id and response_bytes; flags has kRpcResponse
	uint32_t total_bytes = 0;  // UDP payload over all datagrams: max(response_bytes, header), or the request's size
	uint16_t fragments = 1;    // rpc_fragments(response_bytes); 1 for an echo
	bool echo = false;         // response_bytes == 0: the request's bytes with the header rewritten
};

// nullopt unless `payload` is an RPC request (a decodable header without kRpcResponse, asking
// for at most kRpcMaxResponseBytes).
std::optional<RpcReply> rpc_plan_reply(const uint8_t *payload, size_t len);

// UDP payload size of datagram `index` (< reply.fragments); the sizes sum to total_bytes, each
// is at most kRpcMaxDatagram unless an echo of a larger request.
size_t rpc_fragment_size(const RpcReply &reply, uint16_t index);

// Writes datagram `index` to `out` (room for rpc_fragment_size bytes) and returns its size.
// `request` is read only for an echo; `out` may be `request` itself.
size_t rpc_write_fragment(const RpcReply &reply, uint16_t index, const uint8_t *request, uint8_t *out);

// Every response datagram of one request, or none when it is not a request. For tests and
// callers that do not care about copies.
std::vector<std::vector<uint8_t>> rpc_respond(const uint8_t *payload, size_t len);

} // namespace tripath::agent
