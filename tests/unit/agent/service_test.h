// What the UDP and XSK service tests share: the namespaces, a service thread inside the service
// namespace, and client sockets inside the client namespace.
#pragma once

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdint>
#include <functional>
#include <string>
#include <thread>
#include <unistd.h>
#include <vector>

#include <gtest/gtest.h>

#include "netns_pair.h"
#include "rpc_client.h"

namespace tripath::agent::test {

// The sizes every service must answer: echo, below/at/above the header, one full datagram,
// one byte more, a multi-datagram reply and one of well over a hundred datagrams.
inline const std::vector<uint32_t> kResponseSizes = {0, 1, 20, 21, 1472, 1473, 16384, 200000};

// What the service should count for one ask_every_size() round: datagrams and payload bytes.
struct RoundTotals {
	uint64_t datagrams = 0;
	uint64_t bytes = 0;
};

inline RoundTotals expected_round_totals()
{
	RoundTotals t;
	for (uint32_t size : kResponseSizes) {
		t.datagrams += size == 0 ? 1 : expected_datagrams(size);
		t.bytes += size == 0 ? 64 : std::max<uint32_t>(size, kRpcHeaderSize);
	}
	return t;
}

class ServiceTest : public ::testing::Test {
protected:
	void SetUp() override
	{
		if (geteuid() != 0)
			GTEST_SKIP() << "needs root (network namespaces, veth, XDP)";
		std::string error = net.create();
		ASSERT_EQ(error, "");
		port = uint16_t(30000 + getpid() % 20000);
	}

	void TearDown() override { stop_service(); }

	// Runs open(), run(stop) and close() in a thread inside the service namespace (close too:
	// detaching XDP by ifindex from another namespace would hit another interface); returns once
	// open() answered. The open result and error land in opened/open_error.
	void start_service(std::function<bool(std::string &)> open, std::function<void(const std::atomic<bool> &)> run,
			   std::function<void()> close)
	{
		std::atomic<int> state{0}; // 0 opening, 1 open, 2 failed
		service_thread = std::thread([&, open, run, close] {
			std::string error;
			if (!enter_netns(net.service_ns)) {
				open_error = "cannot enter " + net.service_ns;
				state = 2;
				return;
			}
			if (!open(error)) {
				open_error = error;
				state = 2;
				return;
			}
			state = 1;
			while (hold)
				std::this_thread::sleep_for(std::chrono::milliseconds(1));
			run(stop);
			close();
		});
		while (state == 0)
			std::this_thread::sleep_for(std::chrono::milliseconds(5));
		opened = state == 1;
	}

	void stop_service()
	{
		stop = true;
		if (service_thread.joinable())
			service_thread.join();
	}

	int client_socket(int domain)
	{
		int fd = socket_in(net.client_ns, domain, SOCK_DGRAM);
		EXPECT_GE(fd, 0);
		grow_receive_buffer(fd);
		sockets.push_back(fd);
		return fd;
	}

	// Every size of kResponseSizes to `address`:`to_port`, ids from `first_id`; returns requests sent.
	unsigned ask_every_size(int fd, const std::string &address, uint16_t to_port, uint64_t first_id)
	{
		unsigned sent = 0;
		for (uint32_t size : kResponseSizes) {
			uint64_t id = first_id + sent++;
			std::vector<uint8_t> request = make_request(id, size, size == 0 ? 64 : 20);
			size_t expected = size == 0 ? 1 : expected_datagrams(size);
			check_reply(exchange(fd, peer(address, to_port), request, expected), request, id, size);
		}
		return sent;
	}

	// Sends `count` small requests while the service is held, then lets it read: what did not fit
	// its receive queue must show up as rx_dropped.
	void flood_while_held(int fd, const Peer &to, unsigned count)
	{
		for (unsigned i = 0; i < count; i++) {
			std::vector<uint8_t> request = make_request(i, 20, 20);
			ASSERT_EQ(sendto(fd, request.data(), request.size(), 0, reinterpret_cast<const sockaddr *>(&to.addr), to.len),
				  ssize_t(request.size()));
		}
		hold = false;
		// Replies arrive until the backlog is served.
		while (drain(fd, 500) > 0) {
		}
		stop_service();
	}

	~ServiceTest() override
	{
		for (int fd : sockets)
			close(fd);
	}

	NetnsPair net;
	uint16_t port = 0;
	std::atomic<bool> stop{false};
	std::atomic<bool> hold{false}; // set before start_service: the service opens but does not read yet
	std::thread service_thread;
	bool opened = false;
	std::string open_error;
	std::vector<int> sockets;
};

} // namespace tripath::agent::test
