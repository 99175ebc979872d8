#include <algorithm>
#include <arpa/inet.h>
#include <cstring>
#include <netinet/in.h>
#include <poll.h>
#include <set>

#include <gtest/gtest.h>

#include <tripath/agent/rpc_wire.h>

#include "rpc_client.h"

namespace tripath::agent::test {

Peer peer(const std::string &address, uint16_t port)
{
	Peer p;
	auto *v4 = reinterpret_cast<sockaddr_in *>(&p.addr);
	auto *v6 = reinterpret_cast<sockaddr_in6 *>(&p.addr);
	if (inet_pton(AF_INET, address.c_str(), &v4->sin_addr) == 1) {
		v4->sin_family = AF_INET;
		v4->sin_port = htons(port);
		p.len = sizeof(*v4);
	} else if (inet_pton(AF_INET6, address.c_str(), &v6->sin6_addr) == 1) {
		v6->sin6_family = AF_INET6;
		v6->sin6_port = htons(port);
		p.len = sizeof(*v6);
	}
	return p;
}

std::vector<uint8_t> make_request(uint64_t id, uint32_t response_bytes, size_t size)
{
	std::vector<uint8_t> request(std::max(size, kRpcHeaderSize));
	for (size_t i = kRpcHeaderSize; i < request.size(); i++)
		request[i] = uint8_t(i * 7 + id);
	RpcHeader h;
	h.id = id;
	h.response_bytes = response_bytes;
	rpc_encode(h, request.data());
	return request;
}

std::vector<std::vector<uint8_t>> exchange(int fd, const Peer &to, const std::vector<uint8_t> &request,
					   size_t expected, int timeout_ms)
{
	std::vector<std::vector<uint8_t>> got;
	EXPECT_EQ(sendto(fd, request.data(), request.size(), 0, reinterpret_cast<const sockaddr *>(&to.addr), to.len),
		  ssize_t(request.size()))
		<< std::strerror(errno);
	std::vector<uint8_t> buf(65536);
	pollfd p{fd, POLLIN, 0};
	while (got.size() < expected && poll(&p, 1, timeout_ms) == 1) {
		ssize_t n = recv(fd, buf.data(), buf.size(), MSG_DONTWAIT);
		if (n >= 0)
			got.emplace_back(buf.begin(), buf.begin() + n);
	}
	return got;
}

size_t expected_datagrams(uint32_t response_bytes)
{
	size_t data = std::max<size_t>(response_bytes, kRpcHeaderSize) - kRpcHeaderSize;
	size_t room = kRpcMaxDatagram - kRpcHeaderSize;
	size_t n = (data + room - 1) / room;
	return n == 0 ? 1 : n;
}

void check_reply(const std::vector<std::vector<uint8_t>> &reply, const std::vector<uint8_t> &request,
		 uint64_t id, uint32_t response_bytes)
{
	size_t expected = response_bytes == 0 ? 1 : expected_datagrams(response_bytes);
	ASSERT_EQ(reply.size(), expected) << "id " << id << " asked for " << response_bytes << " bytes";
	std::set<uint16_t> indices;
	size_t total = 0;
	for (const std::vector<uint8_t> &d : reply) {
		std::optional<RpcHeader> h = rpc_decode(d.data(), d.size());
		ASSERT_TRUE(h) << "undecodable datagram of " << d.size() << " bytes";
		EXPECT_TRUE(h->flags & kRpcResponse);
		EXPECT_EQ(h->id, id);
		EXPECT_EQ(h->response_bytes, response_bytes);
		EXPECT_EQ(h->frag_count, expected);
		indices.insert(h->frag_index);
		total += d.size();
		if (response_bytes == 0) {
			ASSERT_EQ(d.size(), request.size());
			EXPECT_TRUE(std::equal(d.begin() + kRpcHeaderSize, d.end(), request.begin() + kRpcHeaderSize))
				<< "echo body differs";
		} else {
			EXPECT_LE(d.size(), kRpcMaxDatagram);
		}
	}
	EXPECT_EQ(indices.size(), expected) << "a fragment came twice";
	if (!indices.empty()) {
		EXPECT_EQ(*indices.rbegin(), expected - 1);
	}
	if (response_bytes != 0) {
		EXPECT_EQ(total, std::max<size_t>(response_bytes, kRpcHeaderSize));
	}
}

size_t drain(int fd, int wait_ms)
{
	size_t n = 0;
	char buf[65536];
	pollfd p{fd, POLLIN, 0};
	while (poll(&p, 1, wait_ms) == 1 && recv(fd, buf, sizeof(buf), MSG_DONTWAIT) >= 0)
		n++;
	return n;
}

void grow_receive_buffer(int fd)
{
	int bytes = 8 << 20;
	// FORCE: root may exceed net.core.rmem_max, which is small on default kernels.
	setsockopt(fd, SOL_SOCKET, SO_RCVBUFFORCE, &bytes, sizeof(bytes));
}

} // namespace tripath::agent::test
