// The client half of the service tests: sends RPC requests from a UDP socket and checks every
// datagram of each reply against the wire format, independently of lib/agent's responder.
#pragma once

#include <cstdint>
#include <string>
#include <sys/socket.h>
#include <vector>

namespace tripath::agent::test {

struct Peer {
	sockaddr_storage addr{};
	socklen_t len = 0;
};

Peer peer(const std::string &address, uint16_t port);

// A request of `size` bytes (>= header) asking for `response_bytes`; bytes after the header are a pattern.
std::vector<uint8_t> make_request(uint64_t id, uint32_t response_bytes, size_t size);

// Sends `request` and returns the datagrams that arrive until `expected` have come or
// `timeout_ms` passed without one.
std::vector<std::vector<uint8_t>> exchange(int fd, const Peer &to, const std::vector<uint8_t> &request,
					   size_t expected, int timeout_ms = 2000);

// Datagrams a reply to `response_bytes` must have: rpc_fragments of max(response_bytes, header).
size_t expected_datagrams(uint32_t response_bytes);

// gtest assertions over one reply: count, flags, id, every frag_index once, frag_count,
// sizes (each <= 1472, summing to the ask) or, for an echo, the request's bytes.
void check_reply(const std::vector<std::vector<uint8_t>> &reply, const std::vector<uint8_t> &request,
		 uint64_t id, uint32_t response_bytes);

// Datagrams that arrive on `fd` within `wait_ms` (for "no reply" checks).
size_t drain(int fd, int wait_ms);

// Bigger receive buffer, so a reply of hundreds of datagrams is not dropped before we read it.
void grow_receive_buffer(int fd);

} // namespace tripath::agent::test
