// Fragment layout: every datagram starts with the header; the body bytes after the headers fill
// datagrams in order, kRpcMaxDatagram at a time, so only the last ones are short.
#include <algorithm>
#include <cstring>

#include <tripath/agent/rpc_responder.h>

namespace tripath::agent {
namespace {

constexpr uint32_t kBodyPerDatagram = kRpcMaxDatagram - kRpcHeaderSize;

uint32_t body_bytes(const RpcReply &reply)
{
	return reply.total_bytes - uint32_t(reply.fragments) * kRpcHeaderSize;
}

} // namespace

std::optional<RpcReply> rpc_plan_reply(const uint8_t *payload, size_t len)
{
	std::optional<RpcHeader> request = rpc_decode(payload, len);
	if (!request || (request->flags & kRpcResponse) || request->response_bytes > kRpcMaxResponseBytes)
		return std::nullopt;
	RpcReply reply;
	reply.header = *request;
	reply.header.flags |= kRpcResponse;
	reply.header.frag_index = 0;
	if (request->response_bytes == 0) {
		reply.echo = true;
		reply.total_bytes = uint32_t(len);
		reply.fragments = 1;
	} else {
		reply.total_bytes = std::max<uint32_t>(request->response_bytes, kRpcHeaderSize);
		reply.fragments = rpc_fragments(reply.total_bytes);
	}
	reply.header.frag_count = reply.fragments;
	return reply;
}

size_t rpc_fragment_size(const RpcReply &reply, uint16_t index)
{
	if (reply.echo)
		return reply.total_bytes;
	uint32_t body = body_bytes(reply);
	uint32_t before = uint32_t(index) * kBodyPerDatagram;
	uint32_t mine = before >= body ? 0 : std::min(kBodyPerDatagram, body - before);
	return kRpcHeaderSize + mine;
}

size_t rpc_write_fragment(const RpcReply &reply, uint16_t index, const uint8_t *request, uint8_t *out)
{
	size_t size = rpc_fragment_size(reply, index);
	RpcHeader header = reply.header;
	header.frag_index = index;
	if (reply.echo) {
		if (out != request)
			std::memcpy(out + kRpcHeaderSize, request + kRpcHeaderSize, size - kRpcHeaderSize);
	} else {
		std::memset(out + kRpcHeaderSize, 0, size - kRpcHeaderSize);
	}
	rpc_encode(header, out);
	return size;
}

std::vector<std::vector<uint8_t>> rpc_respond(const uint8_t *payload, size_t len)
{
	std::vector<std::vector<uint8_t>> datagrams;
	std::optional<RpcReply> reply = rpc_plan_reply(payload, len);
	if (!reply)
		return datagrams;
	for (uint16_t i = 0; i < reply->fragments; i++) {
		datagrams.emplace_back(rpc_fragment_size(*reply, i));
		rpc_write_fragment(*reply, i, payload, datagrams.back().data());
	}
	return datagrams;
}

} // namespace tripath::agent
