// UdpService in a network namespace, asked over a veth by a client in another: every reply
// checked datagram by datagram, over IPv4 and IPv6, on two ports of a range.
#include <algorithm>
#include <chrono>

#include <tripath/agent/rpc_wire.h>
#include <tripath/agent/udp_service.h>

#include "service_test.h"

using namespace tripath::agent;
using namespace tripath::agent::test;

namespace {

class UdpServiceTest : public ServiceTest {
protected:
	void start(UdpServiceConfig config)
	{
		start_service([this, config](std::string &error) { return service.open(config, error); },
			      [this](const std::atomic<bool> &s) { service.run(s); }, [this] { service.close(); });
		ASSERT_TRUE(opened) << open_error;
	}

	UdpServiceConfig range(uint16_t ports)
	{
		UdpServiceConfig config;
		config.port_lo = port;
		config.port_hi = uint16_t(port + ports - 1);
		return config;
	}

	UdpService service;
};

TEST_F(UdpServiceTest, AnswersEverySizeOverIpv4AndIpv6OnEveryPortOfTheRange)
{
	start(range(2));
	int v4 = client_socket(AF_INET), v6 = client_socket(AF_INET6);
	unsigned sent = ask_every_size(v4, NetnsPair::kServiceIpv4, port, 100);
	sent += ask_every_size(v6, NetnsPair::kServiceIpv6, uint16_t(port + 1), 200);
	stop_service();

	AgentStats s = service.stats();
	EXPECT_EQ(s.requests, sent);
	EXPECT_EQ(s.responses, sent);
	RoundTotals round = expected_round_totals();
	EXPECT_EQ(s.datagrams, 2 * round.datagrams);
	EXPECT_EQ(s.bytes, 2 * round.bytes);
	EXPECT_EQ(s.malformed, 0u);
	EXPECT_EQ(s.tx_full, 0u);
}

TEST_F(UdpServiceTest, IgnoresWhatIsNotARequestAndCountsIt)
{
	start(range(1));
	int fd = client_socket(AF_INET);
	Peer to = peer(NetnsPair::kServiceIpv4, port);
	std::vector<uint8_t> garbage(64, 0xab);
	std::vector<uint8_t> truncated = make_request(1, 100, 20);
	truncated.resize(kRpcHeaderSize - 1);
	std::vector<uint8_t> response = make_request(2, 100, 20);
	response[3] |= kRpcResponse; // a reply must never be answered: two agents would ping-pong
	std::vector<uint8_t> too_big = make_request(3, (16u << 20) + 1, 20);
	for (const auto *d : {&garbage, &truncated, &response, &too_big})
		ASSERT_EQ(sendto(fd, d->data(), d->size(), 0, reinterpret_cast<const sockaddr *>(&to.addr), to.len),
			  ssize_t(d->size()));
	EXPECT_EQ(drain(fd, 300), 0u);
	// Still serving afterwards.
	std::vector<uint8_t> request = make_request(4, 0, 40);
	check_reply(exchange(fd, to, request, 1), request, 4, 0);
	stop_service();
	EXPECT_EQ(service.stats().malformed, 4u);
	EXPECT_EQ(service.stats().requests, 1u);
}

TEST_F(UdpServiceTest, BindsOnlyTheAddressesAsked)
{
	UdpServiceConfig config = range(1);
	config.addresses = {NetnsPair::kServiceIpv6};
	start(config);
	int v4 = client_socket(AF_INET), v6 = client_socket(AF_INET6);
	std::vector<uint8_t> request = make_request(5, 0, 32);
	EXPECT_TRUE(exchange(v4, peer(NetnsPair::kServiceIpv4, port), request, 1, 300).empty());
	check_reply(exchange(v6, peer(NetnsPair::kServiceIpv6, port), request, 1), request, 5, 0);
}

TEST_F(UdpServiceTest, SpinModeAnswersToo)
{
	UdpServiceConfig config = range(1);
	config.spin = true;
	config.busy_poll = true; // best effort: refusals are warnings, never failures
	start(config);
	int fd = client_socket(AF_INET);
	ask_every_size(fd, NetnsPair::kServiceIpv4, port, 300);
}

TEST_F(UdpServiceTest, RefusesAnEmptyRangeAndABadAddress)
{
	UdpService other;
	std::string error;
	UdpServiceConfig config;
	config.port_lo = 10;
	config.port_hi = 9;
	EXPECT_FALSE(other.open(config, error));
	EXPECT_NE(error.find("port range"), std::string::npos) << error;
	config.port_hi = 10;
	config.addresses = {"not-an-address"};
	EXPECT_FALSE(other.open(config, error));
	EXPECT_NE(error.find("not-an-address"), std::string::npos) << error;
}

TEST_F(UdpServiceTest, CountsRequestsDroppedAtAFullReceiveBuffer)
{
	hold = true;
	start(range(1));
	const unsigned sent = 20000; // several times what a 4 MiB receive buffer holds
	flood_while_held(client_socket(AF_INET), peer(NetnsPair::kServiceIpv4, port), sent);
	AgentStats s = service.stats();
	EXPECT_GT(s.rx_dropped, 0u);
	EXPECT_EQ(s.requests + s.rx_dropped, sent);
	EXPECT_EQ(s.responses, s.requests);
}

TEST_F(UdpServiceTest, EchoRoundTrip)
{
	start(range(1));
	int fd = client_socket(AF_INET);
	Peer to = peer(NetnsPair::kServiceIpv4, port);
	std::vector<double> rtt_us;
	for (uint64_t id = 1; id <= 2000; id++) {
		std::vector<uint8_t> request = make_request(id, 0, 64);
		auto t0 = std::chrono::steady_clock::now();
		auto reply = exchange(fd, to, request, 1);
		rtt_us.push_back(std::chrono::duration<double, std::micro>(std::chrono::steady_clock::now() - t0).count());
		ASSERT_EQ(reply.size(), 1u);
	}
	std::sort(rtt_us.begin(), rtt_us.end());
	RecordProperty("echo_rtt_p50_us", std::to_string(rtt_us[rtt_us.size() / 2]));
	std::printf("udp echo RTT over veth: p50 %.1f us, p99 %.1f us (%zu requests)\n", rtt_us[rtt_us.size() / 2],
		    rtt_us[rtt_us.size() * 99 / 100], rtt_us.size());
}

} // namespace
