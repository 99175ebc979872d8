// Errors in what the file means: repeated names, dangling references, lcore and queue plans,
// prefixes and rule matches.
#include "config_test.h"

namespace tripath::config::test {
namespace {

// Two ports and a valid lcore plan; tests append paths, tenants and rules from line 7.
constexpr const char *base = R"(
ports:
  - { name: wire0, driver: af_xdp, args: { iface: eth0 } }
  - { name: kern0, driver: tap }
lcores:
  - { id: 0, role: control }
  - { id: 1, role: worker, poll: [{ port: wire0, queue: 0 }] }
)";

std::string with_base(std::string_view rest)
{
	return base + std::string(yaml_text(rest));
}

TEST(ConfigRefs, DuplicatePortNames)
{
	EXPECT_TRUE(fails_at(R"(
ports:
  - { name: wire0, driver: ring }
  - { name: wire0, driver: "null" }
)", "t.yaml:3:13", "ports[1].name: duplicate port name 'wire0' (first at t.yaml:2:13)"));
}

TEST(ConfigRefs, DuplicateLcoreIds)
{
	EXPECT_TRUE(fails_at(with_base(R"(
  - { id: 1, role: bulk }
)"), "t.yaml:7:11", "lcores[2].id: duplicate lcore id '1' (first at t.yaml:6:11)"));
}

TEST(ConfigRefs, DuplicateRuleTenantEndpointPeerNames)
{
	EXPECT_TRUE(fails_at(with_base(R"(
rules:
  - { name: ssh, path: kernel }
  - { name: ssh, path: drop }
)"), "t.yaml:9:5", "duplicate rule name 'ssh' (first at t.yaml:8:5)"));
	EXPECT_TRUE(fails_at(with_base(R"(
tenants:
  - { name: acme, prefixes: [10.0.0.0/8] }
  - { name: acme, prefixes: [10.1.0.0/16] }
)"), "t.yaml:9:13", "tenants[1].name: duplicate tenant name 'acme'"));
	EXPECT_TRUE(fails_at(with_base(R"(
paths:
  fast:
    endpoints:
      - { name: tools, port: wire0 }
      - { name: tools, port: wire0 }
)"), "t.yaml:11:17", "paths.fast.endpoints[1].name: duplicate endpoint name 'tools'"));
	EXPECT_TRUE(fails_at(with_base(R"(
paths:
  bulk:
    peers: [{ name: east, address: "10.0.0.2:7000" }, { name: east, address: "10.0.0.3:7000" }]
)"), "t.yaml:9:63", "paths.bulk.peers[1].name: duplicate peer name 'east'"));
}

TEST(ConfigRefs, RuleReferencesUndefinedEndpointPeerTenant)
{
	EXPECT_TRUE(fails_at(with_base(R"(
paths: { fast: { endpoints: [{ name: agent1, port: wire0 }] } }
rules:
  - { name: ssh, path: kernel }
  - { name: any, path: drop }
  - { name: web, path: fast, endpoint: agent9 }
)"), "t.yaml:11:40",
			     "rules[2] 'web': path fast names endpoint 'agent9', which is not defined in "
			     "paths.fast.endpoints"));
	EXPECT_TRUE(fails_at(with_base(R"(
rules:
  - { name: sync, path: bulk, peer: west }
)"), "t.yaml:8:37", "rules[0] 'sync': path bulk names peer 'west', which is not defined in paths.bulk.peers"));
	EXPECT_TRUE(fails_at(with_base(R"(
rules:
  - { name: lab, path: kernel, tenant: lab }
)"), "t.yaml:8:40", "rules[0] 'lab': tenant 'lab' is not defined in tenants"));
	EXPECT_TRUE(fails_at(with_base(R"(
paths: { fast: { endpoints: [{ name: agent1, port: wire0 }] } }
rules:
  - { name: web, path: kernel, endpoint: agent1 }
)"), "t.yaml:9:32", "rules[0] 'web': endpoint is only for path fast (this rule's path is kernel)"));
}

TEST(ConfigRefs, PollReferences)
{
	EXPECT_TRUE(fails_at(R"(
ports: [{ name: wire0, driver: ring }]
lcores:
  - { id: 0, role: control }
  - { id: 1, role: worker, poll: [{ port: wire9, queue: 0 }] }
)", "t.yaml:4:43", "lcores[1].poll[0].port: no port named 'wire9' in ports"));
	EXPECT_TRUE(fails_at(R"(
ports: [{ name: wire0, driver: ring }, { name: kern0, driver: tap }]
lcores:
  - { id: 0, role: control }
  - id: 1
    role: worker
    poll:
      - { port: kern0, queue: 0 }
)", "t.yaml:7:17", "lcores[1].poll[0].port: port kern0 is a tap port; the control lcore owns TAP I/O"));
	EXPECT_TRUE(fails_at(R"(
ports: [{ name: wire0, driver: ring, queues: 2 }]
lcores:
  - { id: 0, role: control }
  - { id: 1, role: worker, poll: [{ port: wire0, queue: 2 }] }
)", "t.yaml:4:57", "lcores[1].poll[0].queue: queue 2 is out of range: port wire0 has 2 queues (0..1)"));
	EXPECT_TRUE(fails_at(R"(
ports: [{ name: wire0, driver: ring, queues: 2 }]
lcores:
  - { id: 0, role: control }
  - { id: 1, role: worker, poll: [{ port: wire0, queue: 1 }] }
  - { id: 2, role: worker, poll: [{ port: wire0, queue: 0 }, { port: wire0, queue: 1 }] }
)", "t.yaml:5:62", "lcores[2].poll[1]: port wire0 queue 1 is already polled by lcore 1 (at t.yaml:4:35)"));
}

TEST(ConfigRefs, LcorePlan)
{
	EXPECT_TRUE(fails_at(R"(
eal: { lcores: "0-1" }
ports: [{ name: p, driver: ring }]
lcores:
  - { id: 0, role: control }
  - { id: 5, role: worker, poll: [{ port: p, queue: 0 }] }
)", "t.yaml:5:11", "lcores[1].id: lcore 5 is not in eal.lcores (0-1)"));
	EXPECT_TRUE(fails_at(R"(
ports: [{ name: p, driver: ring }]
lcores:
  - { id: 0, role: worker, poll: [{ port: p, queue: 0 }] }
  - { id: 1, role: bulk }
)", "t.yaml:3:3", "lcores: no control lcore"));
	EXPECT_TRUE(fails_at(R"(
ports: [{ name: p, driver: ring }]
lcores:
  - { id: 0, role: control }
  - { id: 1, role: worker, poll: [{ port: p, queue: 0 }] }
  - { id: 2, role: control }
)", "t.yaml:5:20", "lcores[2].role: lcore 2 is a second control lcore (the first is lcore 0 at t.yaml:3:5)"));
	EXPECT_TRUE(fails_at(R"(
eal: { lcores: "0-1", main_lcore: 0 }
ports: [{ name: p, driver: ring }]
lcores:
  - { id: 0, role: worker, poll: [{ port: p, queue: 0 }] }
  - { id: 1, role: control }
)", "t.yaml:5:11", "lcores[1].id: the control lcore must be eal.main_lcore (0), got 1"));
	EXPECT_TRUE(fails_at(R"(
ports: [{ name: p, driver: ring }]
lcores: [{ id: 0, role: control }, { id: 1, role: bulk }]
)", "t.yaml:2:9", "lcores: no worker lcore"));
	EXPECT_TRUE(fails_at(R"(
ports: [{ name: p, driver: ring }]
lcores:
  - { id: 0, role: control }
  - id: 1
    role: worker
)", "t.yaml:4:5", "lcores[1]: worker lcore 1 polls no queue"));
	EXPECT_TRUE(fails_at(R"(
ports: [{ name: p, driver: ring }]
lcores:
  - { id: 0, role: control, poll: [{ port: p, queue: 0 }] }
)", "t.yaml:3:35", "lcores[0].poll: only worker lcores poll queues (this lcore's role is control)"));
}

TEST(ConfigRefs, KernelTaps)
{
	EXPECT_TRUE(fails_at(with_base(R"(
paths:
  kernel:
    taps: [{ wire: wire9, tap: kern0 }]
)"), "t.yaml:9:20", "paths.kernel.taps[0].wire: no port named 'wire9' in ports"));
	EXPECT_TRUE(fails_at(with_base(R"(
paths:
  kernel:
    taps: [{ wire: wire0, tap: kern9 }]
)"), "t.yaml:9:32", "paths.kernel.taps[0].tap: no port named 'kern9' in ports"));
	EXPECT_TRUE(fails_at(with_base(R"(
paths:
  kernel:
    taps: [{ wire: wire0, tap: wire0 }]
)"), "t.yaml:9:32",
			     "paths.kernel.taps[0].tap: port wire0 has driver af_xdp; tap must name a port "
			     "whose driver is tap"));
	EXPECT_TRUE(fails_at(with_base(R"(
paths:
  kernel:
    taps: [{ wire: kern0, tap: kern0 }]
)"), "t.yaml:9:20", "paths.kernel.taps[0].wire: port kern0 is a tap port"));
	EXPECT_TRUE(fails_at(R"(
ports:
  - { name: wire0, driver: ring }
  - { name: kern0, driver: tap }
  - { name: kern1, driver: tap }
lcores:
  - { id: 0, role: control }
  - { id: 1, role: worker, poll: [{ port: wire0, queue: 0 }] }
paths:
  kernel:
    taps:
      - { wire: wire0, tap: kern0 }
      - { wire: wire0, tap: kern1 }
)", "t.yaml:12:17", "paths.kernel.taps[1].wire: duplicate wire port 'wire0' (first at t.yaml:11:17)"));
	EXPECT_TRUE(fails_at(R"(
ports:
  - { name: wire0, driver: ring }
  - { name: wire1, driver: ring }
  - { name: kern0, driver: tap }
lcores:
  - { id: 0, role: control }
  - { id: 1, role: worker, poll: [{ port: wire1, queue: 0 }] }
paths:
  kernel:
    taps:
      - { wire: wire0, tap: kern0 }
)", "t.yaml:11:17", "paths.kernel.taps[0].wire: queue 0 of port wire0 is not polled by any worker"));
}

TEST(ConfigRefs, KernelTapsMaySinkIntoNullOrRing)
{
	Config cfg = load(R"(
ports:
  - { name: wire0, driver: ring }
  - { name: wire1, driver: ring }
  - { name: sink0, driver: null, args: { no-rx: 1 } }
  - { name: sink1, driver: ring }
lcores:
  - { id: 0, role: control }
  - { id: 1, role: worker, poll: [{ port: wire0, queue: 0 }, { port: wire1, queue: 0 }] }
paths:
  kernel:
    taps: [{ wire: wire0, tap: sink0 }, { wire: wire1, tap: sink1 }]
rules: [{ name: default, path: kernel }]
)");
	ASSERT_EQ(cfg.paths.kernel.taps.size(), 2u);
	EXPECT_EQ(cfg.find_port(cfg.paths.kernel.taps[0].tap)->driver, Driver::null);
	EXPECT_EQ(cfg.find_port(cfg.paths.kernel.taps[1].tap)->driver, Driver::ring);

	EXPECT_TRUE(fails_at(with_base(R"(
paths:
  kernel:
    taps: [{ wire: wire0, tap: wire0 }]
)"), "t.yaml:9:32",
			     "paths.kernel.taps[0].tap: port wire0 has driver af_xdp; tap must name a port "
			     "whose driver is tap (or null or ring, to sink path A in benchmarks and tests)"));
	// A null sink must not receive: its rx invents packets the kernel never sent.
	EXPECT_TRUE(fails_at(R"(
ports:
  - { name: wire0, driver: ring }
  - { name: sink0, driver: null }
lcores:
  - { id: 0, role: control }
  - { id: 1, role: worker, poll: [{ port: wire0, queue: 0 }] }
paths:
  kernel:
    taps: [{ wire: wire0, tap: sink0 }]
)", "t.yaml:9:32",
			     "paths.kernel.taps[0].tap: port sink0 is a null port without args { no-rx: 1 }"));
	// The control lcore reads the sink, as it would a TAP: no worker may poll it too.
	EXPECT_TRUE(fails_at(R"(
ports:
  - { name: wire0, driver: ring }
  - { name: sink0, driver: ring, queues: 2 }
lcores:
  - { id: 0, role: control }
  - { id: 1, role: worker, poll: [{ port: wire0, queue: 0 }] }
  - { id: 2, role: worker, poll: [{ port: sink0, queue: 1 }, { port: sink0, queue: 0 }] }
paths:
  kernel:
    taps: [{ wire: wire0, tap: sink0 }]
)", "t.yaml:10:32",
			     "paths.kernel.taps[0].tap: port sink0 is polled by lcore 2 (at t.yaml:7:35); "
			     "the control lcore reads a kernel tap port, so no worker may poll it"));
}

TEST(ConfigRefs, EveryQueueOfAPolledPortIsPolled)
{
	EXPECT_TRUE(fails_at(R"(
ports:
  - { name: wire0, driver: ring }
  - name: wire1
    driver: ring
    queues: 3
lcores:
  - { id: 0, role: control }
  - { id: 1, role: worker, poll: [{ port: wire0, queue: 0 }, { port: wire1, queue: 0 }] }
  - { id: 2, role: worker, poll: [{ port: wire1, queue: 2 }] }
)", "t.yaml:3:5",
			     "ports[1]: queue 1 of port wire1 is not polled by any worker; RSS spreads "
			     "packets over all 3 queues (0..2), so poll each of them or lower queues"));
	// A port nobody polls at all is fine (e.g. a NIC reserved for later), as is a full split.
	Config cfg = load(R"(
ports:
  - { name: wire0, driver: ring, queues: 2 }
  - { name: spare, driver: ring, queues: 4 }
lcores:
  - { id: 0, role: control }
  - { id: 1, role: worker, poll: [{ port: wire0, queue: 1 }] }
  - { id: 2, role: worker, poll: [{ port: wire0, queue: 0 }] }
rules: [{ name: default, path: kernel }]
)");
	EXPECT_EQ(cfg.lcores.size(), 3u);
}

TEST(ConfigRefs, Prefixes)
{
	EXPECT_TRUE(fails_at(with_base(R"(
tenants:
  - name: lab
    prefixes: [10.77.0.0/24, 10.77.0.1/24]
)"), "t.yaml:9:30", "tenants[0].prefixes[1]: 10.77.0.1/24 has host bits set; did you mean 10.77.0.0/24?"));
	EXPECT_TRUE(fails_at(with_base(R"(
tenants:
  - { name: lab, prefixes: ["fd77::1/64"] }
)"), "t.yaml:8:29", "fd77::1/64 has host bits set; did you mean fd77::/64?"));
	EXPECT_TRUE(fails_at(with_base(R"(
tenants:
  - { name: lab, prefixes: [10.77.0/24] }
)"), "t.yaml:8:29", "tenants[0].prefixes[0]: expected an IPv4 or IPv6 prefix such as 10.0.0.0/8"));
	EXPECT_TRUE(fails_at(with_base(R"(
tenants:
  - { name: lab, prefixes: [10.77.0.0/33] }
)"), "t.yaml:8:29", "prefix length 33 is out of range for IPv4 (0..32)"));
	EXPECT_TRUE(fails_at(with_base(R"(
rules:
  - { name: r, match: { src: "fd00::/129" }, path: drop }
)"), "t.yaml:8:30", "rules[0].match.src: prefix length 129 is out of range for IPv6 (0..128)"));
	EXPECT_TRUE(fails_at(with_base(R"(
rules:
  - { name: r, match: { src: 10.0.0.0/8, dst: "fd00::/8" }, path: drop }
)"), "t.yaml:8:47", "rules[0].match.dst: dst is IPv6 but src is IPv4; both must be the same family"));
	EXPECT_TRUE(fails_at(with_base(R"(
rules:
  - { name: r, match: { ether_type: ipv6, dst: 10.0.0.0/8 }, path: drop }
)"), "t.yaml:8:48", "rules[0].match.dst: 10.0.0.0/8 is IPv4 but ether_type is ipv6"));
}

TEST(ConfigRefs, PortsNeedTcpUdpOrSctp)
{
	EXPECT_TRUE(fails_at(with_base(R"(
rules:
  - { name: r, match: { proto: icmp, dst_port: 80 }, path: drop }
)"), "t.yaml:8:48", "rules[0].match.dst_port: ports only apply to proto tcp, udp or sctp (this rule has proto icmp)"));
	EXPECT_TRUE(fails_at(with_base(R"(
rules:
  - { name: r, match: { src_port: 1000-2000 }, path: drop }
)"), "t.yaml:8:35", "rules[0].match.src_port: ports only apply to proto tcp, udp or sctp (this rule has no proto)"));
}

TEST(ConfigRefs, PortDriverDetails)
{
	EXPECT_TRUE(fails_at(R"(
ports: [{ name: w, driver: af_xdp, args: { iface: eth0 }, pci: "0000:3b:00.0" }]
)", "t.yaml:1:64", "ports[0].pci: only ice and bnxt ports take a PCI address (this port's driver is af_xdp)"));
	EXPECT_TRUE(fails_at(R"(
ports: [{ name: n, driver: ice, pci: "3b:00" }]
)", "t.yaml:1:38", "ports[0].pci: expected a PCI address such as 0000:3b:00.0"));
	EXPECT_TRUE(fails_at(R"(
ports: [{ name: w, driver: af_xdp, args: { IFace: eth0 } }]
)", "t.yaml:1:44", "ports[0].args: argument names are a lowercase letter, then lowercase letters, digits, '_' or '-', got 'IFace'"));
	EXPECT_TRUE(fails_at(R"(
ports: [{ name: n, driver: "null", args: { -rx: 1 } }]
)", "t.yaml:1:44", "ports[0].args: argument names are a lowercase letter"));
	EXPECT_TRUE(fails_at(R"(
ports: [{ name: w, driver: ring, ingress: split }]
)", "t.yaml:1:43", "ports[0].ingress: only af_xdp ports choose an ingress mode (this port's driver is ring)"));
	EXPECT_TRUE(fails_at(R"(
ports: [{ name: w, driver: af_xdp, args: { iface: eth0 }, ingress: shared }]
)", "t.yaml:1:68", "ports[0].ingress: expected one of owned, split, got 'shared'"));
	EXPECT_TRUE(fails_at(with_base(R"(
paths: { bulk: { peers: [{ name: east, address: "10.0.0.2" }] } }
)"), "t.yaml:7:49", "paths.bulk.peers[0].address: expected HOST:PORT"));
}


// Path B endpoints: each needs a port of its own, a tx queue per sending worker, a wire for
// its answers that the worker reading them polls, and a unicast MAC.
constexpr const char *endpoint_base = R"(
ports:
  - { name: wire0, driver: ring }
  - { name: wire1, driver: ring }
  - { name: kern0, driver: tap }
  - { name: agent0, driver: ring, queues: 2 }
  - { name: agent1, driver: ring }
lcores:
  - { id: 0, role: control }
  - { id: 1, role: worker, poll: [{ port: wire0, queue: 0 }, { port: agent0, queue: 0 }] }
  - { id: 2, role: worker, poll: [{ port: wire1, queue: 0 }, { port: agent0, queue: 1 }, { port: agent1, queue: 0 }] }
)";

std::string endpoints(std::string_view rest)
{
	return endpoint_base + std::string(yaml_text(rest));
}

TEST(ConfigRefs, FastEndpoints)
{
	EXPECT_TRUE(fails_at(endpoints(R"(
paths: { fast: { endpoints: [{ name: a, port: agent0 }] } }
)"), "t.yaml:11:30", "paths.fast.endpoints[0]: endpoint a needs a wire: key (the port its answers leave on); there are 3 wire ports"));
	EXPECT_TRUE(fails_at(endpoints(R"(
paths: { fast: { endpoints: [{ name: a, port: agent1, wire: wire1 }] } }
)"), "t.yaml:11:47", "port agent1 has 1 queue(s) but 2 workers poll wire ports"));
	EXPECT_TRUE(fails_at(endpoints(R"(
paths: { fast: { endpoints: [{ name: a, port: agent0, wire: wire1 }] } }
)"), "t.yaml:11:47", "port agent0 is polled by lcore 1 (at t.yaml:9:62), which polls no queue of wire wire1"));
	EXPECT_TRUE(fails_at(endpoints(R"(
paths: { fast: { endpoints: [{ name: a, port: agent0, wire: kern0 }] } }
)"), "t.yaml:11:61", "port kern0 is not a wire port"));
	EXPECT_TRUE(fails_at(endpoints(R"(
paths:
  kernel: { taps: [{ wire: wire0, tap: kern0 }] }
  fast: { endpoints: [{ name: a, port: wire0 }] }
)"), "t.yaml:13:40", "port wire0 is already in paths.kernel.taps (at t.yaml:12:20)"));
	EXPECT_TRUE(fails_at(endpoints(R"(
paths: { fast: { endpoints: [{ name: a, port: agent0, wire: wire0, mac: "02:00:00:00:0g:01" }] } }
)"), "t.yaml:11:73", "expected a MAC address such as 02:74:70:01:00:02, got"));
	EXPECT_TRUE(fails_at(endpoints(R"(
paths: { fast: { endpoints: [{ name: a, port: agent0, wire: wire0, mac: "01:00:5e:00:00:01" }] } }
)"), "t.yaml:11:73", "MAC 01:00:5e:00:00:01 is a multicast address"));
	EXPECT_TRUE(fails_at(R"(
ports: [{ name: wire0, driver: ring }, { name: agent0, driver: ring }]
lcores: [{ id: 0, role: control }, { id: 1, role: worker, poll: [{ port: wire0, queue: 0 }] }]
paths: { fast: { endpoints: [{ name: a, port: agent0 }, { name: b, port: agent0 }] } }
)", "t.yaml:3:74", "paths.fast.endpoints[1].port: duplicate endpoint port 'agent0'"));
}

} // namespace
} // namespace tripath::config::test
