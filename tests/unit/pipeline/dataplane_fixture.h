// Shared by the dataplane tests: frames, ring ethdevs standing in for ports, a config with
// one wire, its TAP, an agent endpoint and a bulk peer, and the fixture that runs them.
#pragma once
// Each test file uses some of these helpers, not all.
#pragma GCC diagnostic ignored "-Wunused-function"
#include <algorithm>
#include <array>
#include <chrono>
#include <cstdio>
#include <cstring>
#include <functional>
#include <memory>
#include <stdexcept>
#include <string>
#include <thread>
#include <vector>

#include <gtest/gtest.h>

#include <rte_bus_vdev.h>
#include <rte_eal.h>
#include <rte_eth_ring.h>
#include <rte_ethdev.h>
#include <rte_mbuf.h>
#include <rte_ring.h>

#include <tripath/classify/rule_table.h>
#include <tripath/pipeline/dataplane.h>
#include <tripath/pipeline/idle_backoff.h>

#include <sys/prctl.h>

using namespace tripath;
using pipeline::DropReason;
using pipeline::LcoreCounters;
using pipeline::PathId;

namespace {

using Frame = std::vector<uint8_t>;

constexpr auto kPatience = std::chrono::seconds(2);
constexpr unsigned kControlLcore = 0;
constexpr unsigned kPortRingSize = 2048; // test-side rings: never the bottleneck

} // namespace

inline rte_mempool *g_pool = nullptr; // main: creates; tests allocate, whoever holds an mbuf frees it
inline unsigned g_serial = 0;         // ring and ethdev names are global: one suffix per creation

namespace {

uint64_t drops(const LcoreCounters &c, DropReason r) { return c.drops[unsigned(r)]; }
uint64_t path_packets(const LcoreCounters &c, PathId p) { return c.path_packets[unsigned(p)]; }

// What the worker itself drops; the rest of rx_packets was handed to a path.
uint64_t worker_drops(const LcoreCounters &c)
{
	uint64_t n = drops(c, DropReason::rule_drop) + drops(c, DropReason::quota_exceeded) + drops(c, DropReason::no_kernel_tap) +
		     drops(c, DropReason::kernel_ring_full) + drops(c, DropReason::fast_tx_full);
	for (unsigned r = unsigned(DropReason::truncated_ethernet); r <= unsigned(DropReason::bad_tcp_offset); r++)
		n += c.drops[r];
	return n;
}

uint64_t total_bytes(const std::vector<Frame> &frames)
{
	uint64_t n = 0;
	for (const Frame &f : frames)
		n += f.size();
	return n;
}

// ---- frame building (network byte order) ------------------------------------------------

void put16(Frame &f, uint16_t v)
{
	f.push_back(uint8_t(v >> 8));
	f.push_back(uint8_t(v));
}

void put32(Frame &f, uint32_t v)
{
	put16(f, uint16_t(v >> 16));
	put16(f, uint16_t(v));
}

// MACs, then one tag per TPID (VIDs 100, 101, ...), then the ethertype.
Frame ethernet(uint16_t ether_type, std::initializer_list<uint16_t> tpids = {})
{
	Frame f = {0x02, 0x74, 0x70, 0x00, 0x00, 0x01, 0x02, 0x74, 0x70, 0x00, 0x00, 0x02};
	uint16_t vid = 100;
	for (uint16_t tpid : tpids) {
		put16(f, tpid);
		put16(f, vid++);
	}
	put16(f, ether_type);
	return f;
}

void ipv4(Frame &f, uint8_t proto, size_t l4_len)
{
	put16(f, 0x4500); // version 4, IHL 5, DSCP 0
	put16(f, uint16_t(20 + l4_len));
	put32(f, 0x00014000); // id 1, DF
	put16(f, uint16_t(64 << 8 | proto));
	put16(f, 0);
	put32(f, 0x0a4d0002); // 10.77.0.2 -> 10.77.0.1
	put32(f, 0x0a4d0001);
}

void ipv6(Frame &f, uint8_t next_header, size_t payload_len)
{
	put32(f, 0x60000000);
	put16(f, uint16_t(payload_len));
	put16(f, uint16_t(next_header << 8 | 64));
	for (uint8_t host : {2, 1}) { // fd77::2 -> fd77::1
		put16(f, 0xfd77);
		f.insert(f.end(), 13, 0);
		f.push_back(host);
	}
}

// `seq` lands in the source port and the payload, so every frame's bytes differ.
void udp(Frame &f, uint16_t dst_port, unsigned seq, size_t payload)
{
	put16(f, uint16_t(40000 + seq));
	put16(f, dst_port);
	put16(f, uint16_t(8 + payload));
	put16(f, 0);
	f.insert(f.end(), payload, uint8_t(seq));
}

void tcp(Frame &f, uint16_t dst_port, unsigned seq, size_t payload)
{
	put16(f, uint16_t(40000 + seq));
	put16(f, dst_port);
	put32(f, seq);
	put32(f, 0);
	put16(f, 0x5018); // data offset 5, PSH|ACK
	put16(f, 0xffff);
	put32(f, 0);
	f.insert(f.end(), payload, uint8_t(seq));
}

Frame udp4(uint16_t dst_port, unsigned seq, size_t payload = 18)
{
	Frame f = ethernet(0x0800);
	ipv4(f, 17, 8 + payload);
	udp(f, dst_port, seq, payload);
	return f;
}

Frame tcp4(uint16_t dst_port, unsigned seq, size_t payload = 10)
{
	Frame f = ethernet(0x0800);
	ipv4(f, 6, 20 + payload);
	tcp(f, dst_port, seq, payload);
	return f;
}

Frame tcp6(uint16_t dst_port, unsigned seq, size_t payload = 10)
{
	Frame f = ethernet(0x86dd);
	ipv6(f, 6, 20 + payload);
	tcp(f, dst_port, seq, payload);
	return f;
}

Frame arp(unsigned seq)
{
	Frame f = ethernet(0x0806);
	put32(f, 0x00010800); // Ethernet, IPv4
	put32(f, 0x06040001); // hlen 6, plen 4, request
	f.insert(f.end(), f.begin() + 6, f.begin() + 12);
	put32(f, 0x0a4d0002);
	f.insert(f.end(), 6, 0);
	put32(f, 0x0a4d0000 | (seq & 0xff));
	return f;
}

// One frame per parse failure, in DropReason order (truncated_ethernet first).
std::vector<Frame> malformed_frames()
{
	std::vector<Frame> v;
	v.push_back(Frame(10, 0xee)); // truncated_ethernet
	Frame vlan = ethernet(0x8100);
	put16(vlan, 0x0064);
	v.push_back(vlan); // truncated_vlan: TCI but no inner ethertype
	Frame qinqinq = ethernet(0x0800, {0x88a8, 0x8100, 0x8100});
	ipv4(qinqinq, 17, 8);
	udp(qinqinq, 53, 0, 0);
	v.push_back(qinqinq); // too_many_vlans: three tags
	Frame short4 = ethernet(0x0800);
	short4.insert(short4.end(), 10, 0x45);
	v.push_back(short4); // truncated_ipv4
	Frame v6in4 = udp4(53, 0);
	v6in4[14] = 0x65;
	v.push_back(v6in4); // bad_ipv4_version
	Frame ihl3 = udp4(53, 0);
	ihl3[14] = 0x43;
	v.push_back(ihl3); // bad_ipv4_ihl
	Frame len16 = udp4(53, 0);
	len16[16] = 0, len16[17] = 16;
	v.push_back(len16); // bad_ipv4_length: total length below the header's 20
	Frame short6 = ethernet(0x86dd);
	short6.insert(short6.end(), 20, 0x60);
	v.push_back(short6); // truncated_ipv6
	Frame v4in6 = tcp6(22, 0);
	v4in6[14] = 0x45;
	v.push_back(v4in6); // bad_ipv6_version
	Frame hbh = ethernet(0x86dd);
	ipv6(hbh, 0, 0);
	v.push_back(hbh); // bad_ipv6_extension: hop-by-hop header missing
	Frame short_udp = ethernet(0x0800);
	ipv4(short_udp, 17, 4);
	put32(short_udp, 0x9c400035);
	v.push_back(short_udp); // truncated_l4: half a UDP header
	Frame doff2 = tcp4(22, 0);
	doff2[14 + 20 + 12] = 0x20;
	v.push_back(doff2); // bad_tcp_offset: data offset 2
	return v;
}

constexpr uint8_t kAgentMac[6] = {0x02, 0x74, 0x70, 0x01, 0x00, 0x02};

// ---- ports and mbufs ----------------------------------------------------------------------

rte_mbuf *to_mbuf(const Frame &f)
{
	rte_mbuf *m = rte_pktmbuf_alloc(g_pool);
	if (m == nullptr)
		return nullptr;
	char *data = rte_pktmbuf_append(m, uint16_t(f.size()));
	if (data == nullptr) {
		rte_pktmbuf_free(m);
		return nullptr;
	}
	std::memcpy(data, f.data(), f.size());
	return m;
}

// The frames arrive on the port: its next rx bursts return them, in order.
void inject(rte_ring *rx, const std::vector<Frame> &frames)
{
	for (const Frame &f : frames) {
		rte_mbuf *m = to_mbuf(f);
		ASSERT_NE(m, nullptr) << "mbuf pool exhausted";
		if (rte_ring_enqueue(rx, m) != 0) {
			rte_pktmbuf_free(m);
			FAIL() << "port rx ring full";
		}
	}
}

// The same, all in one enqueue: the worker's next polls see them all, so its bursts are full.
void inject_at_once(rte_ring *rx, const std::vector<Frame> &frames)
{
	std::vector<rte_mbuf *> mbufs;
	for (const Frame &f : frames) {
		rte_mbuf *m = to_mbuf(f);
		if (m == nullptr) {
			rte_pktmbuf_free_bulk(mbufs.data(), unsigned(mbufs.size()));
			FAIL() << "mbuf pool exhausted";
		}
		mbufs.push_back(m);
	}
	if (rte_ring_enqueue_bulk(rx, reinterpret_cast<void **>(mbufs.data()), unsigned(mbufs.size()), nullptr) == 0) {
		rte_pktmbuf_free_bulk(mbufs.data(), unsigned(mbufs.size()));
		FAIL() << "port rx ring has no room for " << mbufs.size();
	}
}

// Everything the port has sent so far, copied out; the mbufs are freed.
std::vector<Frame> take(rte_ring *tx)
{
	std::vector<Frame> out;
	void *obj;
	while (rte_ring_dequeue(tx, &obj) == 0) {
		auto *m = static_cast<rte_mbuf *>(obj);
		Frame f(m->pkt_len);
		const void *p = rte_pktmbuf_read(m, 0, m->pkt_len, f.data());
		if (p != f.data())
			std::memcpy(f.data(), p, f.size());
		out.push_back(std::move(f));
		rte_pktmbuf_free(m);
	}
	return out;
}

// A ring ethdev whose rings the test holds: what is enqueued on `rx` arrives on the port,
// what the port sends lands on `tx`.
struct RingPort {
	std::string name;
	rte_ring *rx = nullptr;
	rte_ring *tx = nullptr;
	uint16_t id = pipeline::kNoPort;

	explicit RingPort(const std::string &base);
	~RingPort();
	RingPort(const RingPort &) = delete;
	RingPort &operator=(const RingPort &) = delete;
};

RingPort::RingPort(const std::string &base) : name(base + "_" + std::to_string(g_serial++))
{
	rx = rte_ring_create((name + "_rx").c_str(), kPortRingSize, SOCKET_ID_ANY, RING_F_SP_ENQ | RING_F_SC_DEQ);
	tx = rte_ring_create((name + "_tx").c_str(), kPortRingSize, SOCKET_ID_ANY, RING_F_SP_ENQ | RING_F_SC_DEQ);
	if (rx == nullptr || tx == nullptr)
		throw std::runtime_error("cannot create the rings of " + name + ": " + rte_strerror(rte_errno));
	int port = rte_eth_from_rings(name.c_str(), &rx, 1, &tx, 1, rte_socket_id());
	if (port < 0)
		throw std::runtime_error("cannot create ring ethdev " + name + ": " + rte_strerror(rte_errno));
	id = uint16_t(port);
	rte_eth_conf conf{};
	int socket = rte_eth_dev_socket_id(id);
	if (rte_eth_dev_configure(id, 1, 1, &conf) != 0 ||
	    rte_eth_rx_queue_setup(id, 0, 512, socket, nullptr, g_pool) != 0 ||
	    rte_eth_tx_queue_setup(id, 0, 512, socket, nullptr) != 0 || rte_eth_dev_start(id) != 0)
		throw std::runtime_error("cannot start ring ethdev " + name);
}

RingPort::~RingPort()
{
	if (id != pipeline::kNoPort) {
		rte_eth_dev_stop(id);
		rte_vdev_uninit(("net_ring_" + name).c_str()); // closes and releases the ethdev
	}
	take(rx);
	take(tx);
	rte_ring_free(rx);
	rte_ring_free(tx);
}

// ---- config -------------------------------------------------------------------------------

// kern0 is declared a tap (path A insists) but is backed by a ring ethdev: the dataplane never
// looks at drivers. wire1, when present, is polled by the worker but has no TAP.
std::string config_yaml(unsigned ring_size, const std::string &rules = "  - { name: default, priority: 65535, path: kernel }\n", bool with_wire1 = false)
{
	std::string y = R"(
eal: { lcores: "0-1", main_lcore: 0 }
ports:
  - { name: wire0, driver: ring }
  - { name: kern0, driver: tap }
  - { name: agent0, driver: ring }
)";
	if (with_wire1)
		y += "  - { name: wire1, driver: ring }\n";
	y += R"(
lcores:
  - { id: 0, role: control }
  - id: 1
    role: worker
    idle: { pause_after: 64, sleep_min_us: 1, sleep_max_us: 50 }
    poll:
      - { port: wire0, queue: 0 }
      - { port: agent0, queue: 0 }
)";
	if (with_wire1)
		y += "      - { port: wire1, queue: 0 }\n";
	y += R"(
paths:
  kernel:
    ring_size: )" + std::to_string(ring_size) + R"(
    taps: [{ wire: wire0, tap: kern0 }]
  fast: { endpoints: [{ name: ep1, port: agent0, wire: wire0, mac: "02:74:70:01:00:02" }] }
  bulk: { peers: [{ name: peer1, address: "10.0.0.9:7000" }] }
)";
	if (!rules.empty())
		y += "rules:\n" + rules;
	return y;
}

class DataplaneTest : public ::testing::Test {
protected:
	void SetUp() override
	{
		wire0 = std::make_unique<RingPort>("w0");
		kern0 = std::make_unique<RingPort>("k0");
		agent0 = std::make_unique<RingPort>("a0");
	}

	void TearDown() override
	{
		dp.reset(); // before the ports: it frees what is still on its rings
		wire0.reset();
		kern0.reset();
		wire1.reset();
		agent0.reset();
		agent1.reset();
		EXPECT_EQ(rte_mempool_in_use_count(g_pool), 0u) << "an mbuf leaked";
	}

	// Build the dataplane over the ports that exist and launch its worker.
	void start(const std::string &yaml)
	{
		config::Config cfg = config::load_config_text(yaml, "dataplane_test.yaml");
		std::vector<pipeline::PortInfo> ports = {
			{"wire0", wire0->id, config::Driver::ring, 1},
			{"kern0", kern0->id, config::Driver::tap, 1},
			{"agent0", agent0->id, config::Driver::ring, 1},
		};
		if (wire1)
			ports.push_back({"wire1", wire1->id, config::Driver::ring, 1});
		if (agent1)
			ports.push_back({"agent1", agent1->id, config::Driver::ring, 1});
		dp = std::make_unique<pipeline::Dataplane>(cfg, ports);
		if (before_start)
			before_start(*dp);
		std::string error;
		ASSERT_TRUE(dp->start(error)) << error;
	}

	// Run `step` until `done`, for at most kPatience.
	static bool wait_until(const std::function<bool()> &done, const std::function<unsigned()> &step)
	{
		auto deadline = std::chrono::steady_clock::now() + kPatience;
		while (!done()) {
			if (std::chrono::steady_clock::now() > deadline)
				return false;
			if (step() == 0)
				std::this_thread::sleep_for(std::chrono::microseconds(10));
		}
		return true;
	}

	// The control loop: pump path A's TAP I/O until `done`.
	bool pump_until(const std::function<bool()> &done)
	{
		return wait_until(done, [&] { return dp->poll_exception(); });
	}

	// Without exception I/O: wait for the worker to have taken `n` frames off its queues.
	bool wait_rx(uint64_t n)
	{
		return wait_until([&] { return dp->totals().rx_packets >= n; }, [] { return 0u; });
	}

	// A frame as path B hands it to the agent: dst = the agent's MAC, src = the endpoint port's.
	Frame as_sent_to_agent(Frame f) const { return with_macs(std::move(f), kAgentMac, mac_of(agent0->id)); }

	static std::array<uint8_t, 6> mac_of(uint16_t port)
	{
		rte_ether_addr a;
		rte_eth_macaddr_get(port, &a);
		std::array<uint8_t, 6> out;
		std::copy(a.addr_bytes, a.addr_bytes + 6, out.begin());
		return out;
	}

	static Frame with_macs(Frame f, const uint8_t *dst, const std::array<uint8_t, 6> &src)
	{
		std::copy(dst, dst + 6, f.begin());
		std::copy(src.begin(), src.end(), f.begin() + 6);
		return f;
	}

	std::unique_ptr<RingPort> wire0, kern0, wire1, agent0, agent1; // wire1, agent1: when a test makes them
	std::unique_ptr<pipeline::Dataplane> dp;
	std::function<void(pipeline::Dataplane &)> before_start; // e.g. enable_bulk

};

// A path C peer that never answers: it stays down and, with no bulk lcore, the control lcore
// (this test thread) polls it, which makes this thread an RCU reader.
class NoPeer : public pipeline::BulkConnector {
public:
	std::unique_ptr<bulk::BulkTransport> connect(size_t, std::string &error) override
	{
		error.clear();
		return nullptr;
	}
};

} // namespace
