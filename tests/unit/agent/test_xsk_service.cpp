// XskService on the service end of a veth: the XDP program redirects the agent's ports into the
// AF_XDP socket, everything else still reaches the namespace's stack. Every reply is checked
// datagram by datagram by the client's kernel, which also verifies our checksums.
#include <algorithm>
#include <arpa/inet.h>
#include <chrono>
#include <cstdio>
#include <cstring>

#include <tripath/agent/rpc_wire.h>
#include <tripath/agent/xsk_service.h>

#include "checksums.h"
#include "raw_client.h"
#include "service_test.h"

using namespace tripath::agent;
using namespace tripath::agent::test;

namespace {

class XskServiceTest : public ServiceTest {
protected:
	void start(bool spin = false, bool busy_poll = false)
	{
		XskServiceConfig config;
		config.iface = net.service_ns;
		config.queue = 0;
		config.port_lo = port;
		config.port_hi = uint16_t(port + 1);
		config.spin = spin;
		config.busy_poll = busy_poll;
		config.program_path = TRIPATH_XSK_REDIRECT_OBJ;
		start_service([this, config](std::string &error) { return service.open(config, error); },
			      [this](const std::atomic<bool> &s) { service.run(s); }, [this] { service.close(); });
		ASSERT_TRUE(opened) << open_error;
		for (const std::string &w : service.warnings())
			std::printf("warning: %s\n", w.c_str());
	}

	// A plain UDP socket in the service namespace: what the stack gets when XDP passes a frame.
	int stack_socket(uint16_t on_port)
	{
		int fd = socket_in(net.service_ns, AF_INET, SOCK_DGRAM);
		sockaddr_in addr{};
		addr.sin_family = AF_INET;
		addr.sin_port = htons(on_port);
		EXPECT_EQ(bind(fd, reinterpret_cast<sockaddr *>(&addr), sizeof(addr)), 0);
		sockets.push_back(fd);
		return fd;
	}

	bool xdp_attached() { return NetnsPair::run_in(net.service_ns, "ip link show dev " + net.service_ns + " | grep -q xdp") == 0; }

	XskService service;
};

TEST_F(XskServiceTest, AnswersEverySizeOverIpv4AndIpv6)
{
	start();
	EXPECT_STREQ(service.attach_mode(), "native"); // veth has driver-mode XDP
	int v4 = client_socket(AF_INET), v6 = client_socket(AF_INET6);
	unsigned sent = ask_every_size(v4, NetnsPair::kServiceIpv4, port, 100);
	// IPv6 replies of 1472 bytes exceed the 1500 MTU: they must arrive IP-fragmented, as from a socket.
	sent += ask_every_size(v6, NetnsPair::kServiceIpv6, uint16_t(port + 1), 200);
	stop_service();

	AgentStats s = service.stats();
	EXPECT_EQ(s.requests, sent);
	EXPECT_EQ(s.responses, sent);
	RoundTotals round = expected_round_totals();
	EXPECT_EQ(s.datagrams, 2 * round.datagrams);
	EXPECT_EQ(s.bytes, 2 * round.bytes);
	EXPECT_EQ(s.malformed, 0u);
	EXPECT_EQ(s.not_rpc, 0u);
	EXPECT_EQ(s.tx_full, 0u);
	EXPECT_EQ(s.rx_dropped, 0u);
}

// Tagged frames (one 802.1Q tag; 802.1ad outer + 802.1Q inner) come back with the same tags,
// addresses and ports swapped and valid checksums.
TEST_F(XskServiceTest, AnswersThroughVlanTags)
{
	start();
	// A full 1500-byte packet under two tags is a 1522-byte frame; veth accepts MTU + 18, so the
	// client end needs the 4 bytes more a QinQ trunk port has.
	ASSERT_EQ(NetnsPair::run_in(net.client_ns, "ip link set dev " + net.client_ns + " mtu 1504"), 0);
	RawClient raw(net.client_ns, net.client_ns);
	ASSERT_TRUE(raw.ok());
	Mac service_mac = mac_of(net.service_ns, net.service_ns), client_mac = mac_of(net.client_ns, net.client_ns);
	const uint8_t client_ip[4] = {10, 77, 0, 2}, service_ip[4] = {10, 77, 0, 1};
	const std::vector<std::vector<VlanTag>> tag_sets = {{{0x8100, 7}}, {{0x88a8, 100}, {0x8100, 5}}};
	uint64_t id = 30;
	for (const std::vector<VlanTag> &tags : tag_sets) {
		std::vector<uint8_t> request = make_request(++id, 3000, 20);
		ASSERT_TRUE(raw.send(udp4_frame(service_mac, client_mac, tags, client_ip, service_ip, 4000, port, request)));

		size_t l3 = 14 + 4 * tags.size(), l4 = l3 + 20;
		std::vector<std::vector<uint8_t>> datagrams;
		for (const std::vector<uint8_t> &f : raw.receive(8, 1000)) {
			if (f.size() < l4 + 8 || get16(&f[l4]) != port)
				continue; // ARP, ND and the like
			EXPECT_EQ(0, std::memcmp(&f[0], client_mac.data(), 6));
			EXPECT_EQ(0, std::memcmp(&f[6], service_mac.data(), 6));
			for (size_t t = 0; t < tags.size(); t++) {
				EXPECT_EQ(get16(&f[12 + 4 * t]), tags[t].tpid);
				EXPECT_EQ(get16(&f[14 + 4 * t]) & 0xfff, tags[t].vid);
			}
			EXPECT_EQ(get16(&f[l3 - 2]), 0x0800);
			EXPECT_EQ(0, std::memcmp(&f[l3 + 12], service_ip, 4));
			EXPECT_EQ(0, std::memcmp(&f[l3 + 16], client_ip, 4));
			EXPECT_TRUE(ipv4_header_checksum_ok(&f[l3]));
			EXPECT_EQ(get16(&f[l4 + 2]), 4000);
			size_t udp_len = get16(&f[l4 + 4]);
			ASSERT_EQ(l4 + udp_len, f.size());
			EXPECT_TRUE(udp_checksum_ok(&f[l3], 4, &f[l4], udp_len));
			datagrams.emplace_back(f.begin() + long(l4 + 8), f.end());
		}
		check_reply(datagrams, request, id, 3000);
	}
}

TEST_F(XskServiceTest, EverythingElseStillReachesTheStack)
{
	start();
	EXPECT_EQ(NetnsPair::run_in(net.client_ns, std::string("ping -c 2 -W 2 ") + NetnsPair::kServiceIpv4), 0);
	EXPECT_EQ(NetnsPair::run_in(net.client_ns, std::string("ping -6 -c 2 -W 2 ") + NetnsPair::kServiceIpv6), 0);
	// A port outside the range goes to the stack's socket, not to us.
	uint16_t outside = uint16_t(port + 2);
	int stack = stack_socket(outside);
	int fd = client_socket(AF_INET);
	std::vector<uint8_t> request = make_request(7, 0, 32);
	Peer to = peer(NetnsPair::kServiceIpv4, outside);
	ASSERT_EQ(sendto(fd, request.data(), request.size(), 0, reinterpret_cast<const sockaddr *>(&to.addr), to.len),
		  ssize_t(request.size()));
	EXPECT_EQ(drain(stack, 1000), 1u);
	stop_service();
	EXPECT_EQ(service.stats().requests, 0u);
}

TEST_F(XskServiceTest, IgnoresWhatIsNotARequestAndCountsIt)
{
	start();
	int fd = client_socket(AF_INET);
	Peer to = peer(NetnsPair::kServiceIpv4, port);
	std::vector<uint8_t> garbage(64, 0xab);
	std::vector<uint8_t> response = make_request(2, 100, 20);
	response[3] |= kRpcResponse;
	for (const auto *d : {&garbage, &response})
		ASSERT_EQ(sendto(fd, d->data(), d->size(), 0, reinterpret_cast<const sockaddr *>(&to.addr), to.len),
			  ssize_t(d->size()));
	EXPECT_EQ(drain(fd, 300), 0u);
	std::vector<uint8_t> request = make_request(4, 0, 40);
	check_reply(exchange(fd, to, request, 1), request, 4, 0);
	stop_service();
	EXPECT_EQ(service.stats().malformed, 2u);
	EXPECT_EQ(service.stats().requests, 1u);
}

TEST_F(XskServiceTest, SpinAndBusyPollAnswerToo)
{
	start(true, true);
	int fd = client_socket(AF_INET6);
	ask_every_size(fd, NetnsPair::kServiceIpv6, port, 400);
}

TEST_F(XskServiceTest, CloseDetachesTheProgram)
{
	start();
	EXPECT_TRUE(xdp_attached());
	stop_service(); // closes the service in its namespace
	EXPECT_STREQ(service.attach_mode(), "none");
	EXPECT_FALSE(xdp_attached());
	// And the port is the stack's again.
	int stack = stack_socket(port);
	int fd = client_socket(AF_INET);
	std::vector<uint8_t> request = make_request(9, 0, 32);
	Peer to = peer(NetnsPair::kServiceIpv4, port);
	ASSERT_EQ(sendto(fd, request.data(), request.size(), 0, reinterpret_cast<const sockaddr *>(&to.addr), to.len),
		  ssize_t(request.size()));
	EXPECT_EQ(drain(stack, 1000), 1u);
}

TEST_F(XskServiceTest, CloseFromAnotherNamespaceDetachesInTheRightOne)
{
	XskServiceConfig config;
	config.iface = net.service_ns;
	config.port_lo = config.port_hi = port;
	config.program_path = TRIPATH_XSK_REDIRECT_OBJ;
	start_service([this, config](std::string &error) { return service.open(config, error); },
		      [this](const std::atomic<bool> &s) { service.run(s); }, [] {});
	ASSERT_TRUE(opened) << open_error;
	stop_service();
	EXPECT_TRUE(xdp_attached());
	service.close(); // from the test's own namespace, where the ifindex means something else
	EXPECT_FALSE(xdp_attached());
}

TEST_F(XskServiceTest, RefusesAMissingInterfaceOrProgram)
{
	XskService other;
	std::string error;
	XskServiceConfig config;
	config.iface = "tpag-nosuch";
	config.port_lo = config.port_hi = 9;
	config.program_path = TRIPATH_XSK_REDIRECT_OBJ;
	EXPECT_FALSE(other.open(config, error));
	EXPECT_NE(error.find("tpag-nosuch"), std::string::npos) << error;
	config.iface = "lo";
	config.program_path = "/nonexistent/xsk_redirect.bpf.o";
	EXPECT_FALSE(other.open(config, error));
	EXPECT_NE(error.find("/nonexistent/xsk_redirect.bpf.o"), std::string::npos) << error;
}

TEST_F(XskServiceTest, CountsFramesDroppedForWantOfFillFrames)
{
	hold = true;
	start();
	const unsigned sent = 6000; // more than the fill ring holds
	flood_while_held(client_socket(AF_INET), peer(NetnsPair::kServiceIpv4, port), sent);
	AgentStats s = service.stats();
	EXPECT_GT(s.rx_dropped, 0u);
	EXPECT_EQ(s.requests + s.rx_dropped, sent);
	EXPECT_EQ(s.responses, s.requests);
}

TEST_F(XskServiceTest, EchoRoundTrip)
{
	start();
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
	std::printf("xsk echo RTT over veth: p50 %.1f us, p99 %.1f us (%zu requests)\n", rtt_us[rtt_us.size() / 2],
		    rtt_us[rtt_us.size() * 99 / 100], rtt_us.size());
}

} // namespace
