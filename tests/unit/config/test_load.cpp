// Configs that must load, and the typed values they must produce.
#include "config_test.h"

#ifndef TRIPATH_SOURCE_ROOT
#error "build with -DTRIPATH_SOURCE_ROOT=\"/path/to/tripath\""
#endif

namespace tripath::config::test {
namespace {

std::string prefix_bytes(const Prefix &p)
{
	std::string out;
	for (int i = 0; i < (p.family == 4 ? 4 : 16); i++)
		out += std::to_string(p.addr[i]) + (i + 1 < (p.family == 4 ? 4 : 16) ? "." : "");
	return out + "/" + std::to_string(p.len);
}

TEST(ConfigLoad, LabConfig)
{
	const std::string path = TRIPATH_SOURCE_ROOT "/config/lab.yaml";
	Config cfg = load_config_file(path);
	EXPECT_EQ(cfg.source, path);

	EXPECT_EQ(cfg.eal.lcores, (std::vector<unsigned>{0, 1}));
	EXPECT_EQ(cfg.eal.main_lcore, 0u);
	EXPECT_EQ(cfg.eal.memory_mb, 256u);
	EXPECT_EQ(cfg.eal.hugepages, HugepageMode::automatic);
	EXPECT_EQ(cfg.eal.file_prefix, "tripath-lab");
	EXPECT_EQ(cfg.eal.loc.line, 24);

	ASSERT_EQ(cfg.ports.size(), 3u);
	const PortConfig &wire = cfg.ports[0];
	EXPECT_EQ(wire.name, "wire0");
	EXPECT_EQ(wire.driver, Driver::af_xdp);
	using Args = std::vector<std::pair<std::string, std::string>>;
	EXPECT_EQ(wire.args, (Args{{"iface", "wire0"}, {"start_queue", "0"}, {"queue_count", "1"}}));
	EXPECT_EQ(wire.queues, 1);
	EXPECT_EQ(wire.rx_desc, 1024);
	EXPECT_EQ(wire.tx_desc, 1024);
	EXPECT_TRUE(wire.promisc);
	EXPECT_EQ(wire.loc.str(), path + ":31:5");
	EXPECT_EQ(wire.ingress, Ingress::owned);
	EXPECT_EQ(cfg.ports[1].driver, Driver::tap);
	EXPECT_EQ(cfg.ports[1].args, (Args{{"iface", "kern0"}, {"mac", "02:74:70:00:00:01"}}));
	EXPECT_EQ(cfg.find_port("kern0"), &cfg.ports[1]);
	EXPECT_EQ(cfg.find_port("nope"), nullptr);

	ASSERT_EQ(cfg.lcores.size(), 2u);
	EXPECT_EQ(cfg.lcores[0].id, 0u);
	EXPECT_EQ(cfg.lcores[0].role, LcoreRole::control);
	EXPECT_TRUE(cfg.lcores[0].poll.empty());
	EXPECT_EQ(cfg.lcores[0].idle.pause_after, 64u);
	EXPECT_EQ(cfg.lcores[0].idle.sleep_min_us, 10u);
	EXPECT_EQ(cfg.lcores[0].idle.sleep_max_us, 1000u);
	EXPECT_EQ(cfg.lcores[1].role, LcoreRole::worker);
	ASSERT_EQ(cfg.lcores[1].poll.size(), 2u);
	EXPECT_EQ(cfg.lcores[1].poll[0].port, "wire0");
	EXPECT_EQ(cfg.lcores[1].poll[0].queue, 0);
	EXPECT_EQ(cfg.lcores[1].poll[0].loc.line, 50);
	EXPECT_EQ(cfg.lcores[1].poll[1].port, "agent1");
	EXPECT_EQ(cfg.lcores[1].idle.sleep_max_us, 200u);

	EXPECT_EQ(cfg.paths.kernel.ring_size, 1024u);
	ASSERT_EQ(cfg.paths.kernel.taps.size(), 1u);
	EXPECT_EQ(cfg.paths.kernel.taps[0].wire, "wire0");
	EXPECT_EQ(cfg.paths.kernel.taps[0].tap, "kern0");
	ASSERT_EQ(cfg.paths.fast_endpoints.size(), 1u);
	EXPECT_EQ(cfg.paths.fast_endpoints[0].port, "agent1");
	EXPECT_EQ(cfg.paths.fast_endpoints[0].wire, "wire0");
	EXPECT_EQ(cfg.ports[2].args, (Args{{"iface", "ag1"}, {"start_queue", "0"}, {"queue_count", "1"}}));
	EXPECT_TRUE(cfg.paths.bulk.peers.empty());

	ASSERT_EQ(cfg.tenants.size(), 1u);
	ASSERT_EQ(cfg.tenants[0].prefixes.size(), 2u);
	EXPECT_EQ(prefix_bytes(cfg.tenants[0].prefixes[0]), "10.77.0.0/24");
	EXPECT_EQ(cfg.tenants[0].prefixes[1].family, 6);
	EXPECT_EQ(cfg.tenants[0].prefixes[1].addr[0], 0xfd);
	EXPECT_EQ(cfg.tenants[0].prefixes[1].addr[1], 0x77);
	EXPECT_EQ(cfg.tenants[0].prefixes[1].len, 64);

	ASSERT_EQ(cfg.rules.size(), 5u);
	EXPECT_EQ(cfg.rules[0].name, "arp");
	EXPECT_EQ(cfg.rules[0].match.ether_type, 0x0806);
	EXPECT_EQ(cfg.rules[1].name, "ssh");
	EXPECT_EQ(cfg.rules[1].match.proto, 6);
	ASSERT_TRUE(cfg.rules[1].match.dst_port);
	EXPECT_EQ(cfg.rules[1].match.dst_port->lo, 22u);
	EXPECT_EQ(cfg.rules[1].match.dst_port->hi, 22u);
	EXPECT_EQ(cfg.rules[2].name, "dns");
	EXPECT_EQ(cfg.rules[2].match.proto, 17);
	EXPECT_EQ(cfg.rules[3].name, "agent-rpc");
	EXPECT_EQ(cfg.rules[3].path, PathKind::fast);
	EXPECT_EQ(cfg.rules[3].target, "agent1");
	EXPECT_EQ(cfg.rules[4].name, "lab-default");
	EXPECT_EQ(cfg.rules[4].priority, 65000u);
	EXPECT_EQ(cfg.rules[4].tenant, "lab");
	EXPECT_FALSE(cfg.rules[4].match.proto);
	for (size_t i : {0, 1, 2, 4})
		EXPECT_EQ(cfg.rules[i].path, PathKind::kernel);
	EXPECT_TRUE(cfg.warnings.empty());
}

TEST(ConfigLoad, EveryFeature)
{
	Config cfg = load(R"(
eal:
  lcores: [0, 1, 2, 3]
  main_lcore: 1
  memory_mb: 1024
  hugepages: false
  file_prefix: full_1
  extra_args: ["--log-level=8", --no-pci]
ports:
  - name: nic0
    driver: ice
    pci: "0000:3b:00.1"
    queues: 2
    rx_desc: 2048
    tx_desc: 512
    promisc: false
  - name: nic1
    driver: bnxt
    pci: 5e:1f.7
  - name: agent0
    driver: af_xdp
    queues: 2
    args: { iface: veth-a, start_queue: 3 }
    ingress: split
  - { name: cap, driver: pcap, args: { rx_pcap: /tmp/in.pcap } }
  - { name: r, driver: ring }
  - { name: n, driver: "null" }
  - { name: kern0, driver: tap }
lcores:
  - id: 1
    role: control
  - id: 0
    role: worker
    poll: [{ port: nic0, queue: 0 }, { port: nic0, queue: 1 }]
    idle: { enabled: false }
  - id: 2
    role: worker
    poll: [{ port: r, queue: 0 }]
    idle: { enabled: yes, pause_after: 1000000, sleep_min_us: 600 , sleep_max_us: 600, timer_slack_ns: 2000 }
  - { id: 3, role: bulk }
paths:
  kernel:
    ring_size: 65536
    taps: [{ wire: nic0, tap: kern0 }]
  fast:
    endpoints: [{ name: tools, port: agent0, wire: nic0, mac: "02:00:00:00:00:0a" }]
  bulk:
    peers:
      - { name: east, address: "10.0.0.2:7000" }
      - { name: west, address: "[fd00::2]:7001" }
tenants:
  - { name: acme, prefixes: [10.1.0.0/16, "2001:db8::/32", 10.2.3.4] }
rules:
  - name: tool-calls
    priority: 100
    match:
      ether_type: ipv4
      src: 10.1.0.0/16
      dst: 192.168.1.7
      proto: tcp
      src_port: 1024-65535
      dst_port: "8000"
      dscp: 46
      vlan: 4095
      frame_size: 64-1518
    path: fast
    endpoint: tools
    tenant: acme
  - name: sync
    priority: 0
    match: { ether_type: 0x88cc, proto: 200, frame_size: 9000 }
    path: bulk
    peer: west
  - name: v6-sctp
    match: { dst: "2001:db8::/32", proto: sctp, dst_port: 0-0, ether_type: 34525 }
    path: drop
  - name: ping6
    match: { proto: icmpv6 }
    path: kernel
  - { name: default, priority: 65535, path: drop }
)");
	EXPECT_EQ(cfg.source, "t.yaml");
	EXPECT_EQ(cfg.eal.lcores, (std::vector<unsigned>{0, 1, 2, 3}));
	EXPECT_EQ(cfg.eal.main_lcore, 1u);
	EXPECT_EQ(cfg.eal.memory_mb, 1024u);
	EXPECT_EQ(cfg.eal.hugepages, HugepageMode::off);
	EXPECT_EQ(cfg.eal.file_prefix, "full_1");
	EXPECT_EQ(cfg.eal.extra_args, (std::vector<std::string>{"--log-level=8", "--no-pci"}));

	ASSERT_EQ(cfg.ports.size(), 7u);
	EXPECT_EQ(cfg.ports[0].driver, Driver::ice);
	EXPECT_EQ(cfg.ports[0].pci, "0000:3b:00.1");
	EXPECT_EQ(cfg.ports[0].queues, 2);
	EXPECT_EQ(cfg.ports[0].rx_desc, 2048);
	EXPECT_EQ(cfg.ports[0].tx_desc, 512);
	EXPECT_FALSE(cfg.ports[0].promisc);
	EXPECT_EQ(cfg.ports[1].driver, Driver::bnxt);
	EXPECT_EQ(cfg.ports[1].pci, "5e:1f.7");
	EXPECT_EQ(cfg.ports[2].args[1], (std::pair<std::string, std::string>{"start_queue", "3"}));
	EXPECT_EQ(cfg.ports[2].ingress, Ingress::split);
	EXPECT_EQ(cfg.ports[0].ingress, Ingress::owned);
	EXPECT_EQ(cfg.ports[3].driver, Driver::pcap);
	EXPECT_EQ(cfg.ports[4].driver, Driver::ring);
	EXPECT_EQ(cfg.ports[5].driver, Driver::null);
	EXPECT_EQ(cfg.ports[6].driver, Driver::tap);
	EXPECT_EQ(cfg.ports[3].loc.str(), "t.yaml:24:5");

	ASSERT_EQ(cfg.lcores.size(), 4u);
	EXPECT_EQ(cfg.lcores[0].role, LcoreRole::control);
	EXPECT_EQ(cfg.lcores[1].poll.size(), 2u);
	EXPECT_EQ(cfg.lcores[1].poll[1].queue, 1);
	EXPECT_EQ(cfg.lcores[1].poll[1].loc.str(), "t.yaml:33:38");
	EXPECT_FALSE(cfg.lcores[1].idle.enabled);
	EXPECT_EQ(cfg.lcores[1].idle.pause_after, 256u); // defaults kept
	EXPECT_TRUE(cfg.lcores[2].idle.enabled);
	EXPECT_EQ(cfg.lcores[2].idle.pause_after, 1000000u);
	EXPECT_EQ(cfg.lcores[2].idle.sleep_min_us, 600u);
	EXPECT_EQ(cfg.lcores[2].idle.sleep_max_us, 600u);
	EXPECT_EQ(cfg.lcores[2].idle.timer_slack_ns, 2000u);
	EXPECT_EQ(cfg.lcores[1].idle.timer_slack_ns, 0u) << "unset: the kernel's default";
	EXPECT_EQ(cfg.lcores[3].role, LcoreRole::bulk);

	EXPECT_EQ(cfg.paths.kernel.ring_size, 65536u);
	EXPECT_EQ(cfg.paths.kernel.taps.at(0).tap, "kern0");
	ASSERT_EQ(cfg.paths.fast_endpoints.size(), 1u);
	EXPECT_EQ(cfg.paths.fast_endpoints[0].port, "agent0");
	EXPECT_EQ(cfg.paths.fast_endpoints[0].wire, "nic0");
	ASSERT_TRUE(cfg.paths.fast_endpoints[0].mac.has_value());
	EXPECT_EQ((*cfg.paths.fast_endpoints[0].mac)[5], 0x0a);
	ASSERT_EQ(cfg.paths.bulk.peers.size(), 2u);
	EXPECT_EQ(cfg.paths.bulk.peers[1].address, "[fd00::2]:7001");
	EXPECT_EQ(cfg.paths.bulk.peers[1].loc.str(), "t.yaml:49:9");

	ASSERT_EQ(cfg.tenants.at(0).prefixes.size(), 3u);
	EXPECT_EQ(prefix_bytes(cfg.tenants[0].prefixes[0]), "10.1.0.0/16");
	EXPECT_EQ(cfg.tenants[0].prefixes[1].len, 32);
	EXPECT_EQ(prefix_bytes(cfg.tenants[0].prefixes[2]), "10.2.3.4/32");

	ASSERT_EQ(cfg.rules.size(), 5u);
	const RuleConfig &sync = cfg.rules[0];
	EXPECT_EQ(sync.name, "sync");
	EXPECT_EQ(sync.path, PathKind::bulk);
	EXPECT_EQ(sync.target, "west");
	EXPECT_EQ(sync.match.ether_type, 0x88cc);
	EXPECT_EQ(sync.match.proto, 200);
	EXPECT_EQ(sync.match.frame_size->lo, 9000u);
	EXPECT_EQ(sync.match.frame_size->hi, 9000u);

	const RuleConfig &tools = cfg.rules[1];
	EXPECT_EQ(tools.name, "tool-calls");
	EXPECT_EQ(tools.priority, 100u);
	EXPECT_EQ(tools.path, PathKind::fast);
	EXPECT_EQ(tools.target, "tools");
	EXPECT_EQ(tools.tenant, "acme");
	EXPECT_EQ(tools.loc.str(), "t.yaml:53:5");
	const RuleMatch &m = tools.match;
	EXPECT_EQ(m.ether_type, 0x0800);
	EXPECT_EQ(prefix_bytes(*m.src), "10.1.0.0/16");
	EXPECT_EQ(prefix_bytes(*m.dst), "192.168.1.7/32");
	EXPECT_EQ(m.proto, 6);
	EXPECT_EQ(m.src_port->lo, 1024u);
	EXPECT_EQ(m.src_port->hi, 65535u);
	EXPECT_EQ(m.dst_port->lo, 8000u);
	EXPECT_EQ(m.dst_port->hi, 8000u);
	EXPECT_EQ(m.dscp, 46);
	EXPECT_EQ(m.vlan, 4095);
	EXPECT_EQ(m.frame_size->lo, 64u);
	EXPECT_EQ(m.frame_size->hi, 1518u);

	const RuleConfig &v6 = cfg.rules[2];
	EXPECT_EQ(v6.name, "v6-sctp");
	EXPECT_EQ(v6.priority, 1000u);
	EXPECT_EQ(v6.path, PathKind::drop);
	EXPECT_EQ(v6.match.proto, 132);
	EXPECT_EQ(v6.match.ether_type, 0x86dd);
	EXPECT_EQ(v6.match.dst->family, 6);
	EXPECT_EQ(v6.match.dst->len, 32);
	EXPECT_EQ(v6.match.dst_port->hi, 0u);
	EXPECT_FALSE(v6.match.src);
	EXPECT_EQ(cfg.rules[3].match.proto, 58);
	EXPECT_EQ(cfg.rules[4].name, "default");
	EXPECT_EQ(cfg.rules[4].path, PathKind::drop);
	// agent0 (af_xdp) is an endpoint no worker polls: its agent's answers would be lost.
	ASSERT_EQ(cfg.warnings.size(), 1u);
	EXPECT_NE(cfg.warnings[0].find("endpoint tools: port agent0 is not polled by any worker"), std::string::npos) << cfg.warnings[0];
	for (const auto &t : cfg.tenants[0].quota)
		EXPECT_FALSE(t);
	EXPECT_EQ(cfg.tenants[0].over_quota, OverQuota::drop);
}

TEST(ConfigLoad, RulesSortedByPriorityTiesInFileOrder)
{
	Config cfg = load(R"(
ports: [{ name: p, driver: "null" }]
lcores: [{ id: 0, role: control }, { id: 1, role: worker, poll: [{ port: p, queue: 0 }] }]
rules:
  - { name: a, priority: 30, path: drop }
  - { name: b, path: kernel }
  - { name: c, priority: 10, path: drop }
  - { name: d, priority: 30, path: kernel }
  - { name: e, priority: 10, path: kernel }
  - { name: f, path: drop }
  - { name: g, priority: 0, path: drop }
)");
	std::string order;
	for (const auto &r : cfg.rules)
		order += r.name;
	EXPECT_EQ(order, "gceadbf");
	// None has a match, so g, first, shadows all the others.
	ASSERT_EQ(cfg.warnings.size(), 6u);
	EXPECT_EQ(cfg.warnings[0], "t.yaml:6:5: warning: rule 'c' can never match: rule 'g' (t.yaml:10:5) "
				   "comes first and matches everything it matches");
}

TEST(ConfigLoad, UnquotedNullDriver)
{
	// A plain `null` is YAML's null value; as a driver it means DPDK's null PMD.
	Config cfg = load(R"(
ports:
  - { name: a, driver: null }
  - name: b
    driver: null   # a sink
  - { name: c, driver: "null" }
  - { name: d, driver: 'null', queues: 2, args: { no-rx: 1, size2: 64 } }
  - { name: e, driver: null}
  - name: f
    driver:
      null
lcores: [{ id: 0, role: control }, { id: 1, role: worker, poll: [{ port: a, queue: 0 }] }]
rules: [{ name: default, path: kernel }]
)");
	ASSERT_EQ(cfg.ports.size(), 6u);
	for (const auto &p : cfg.ports)
		EXPECT_EQ(p.driver, Driver::null) << p.name;
	EXPECT_EQ(cfg.ports[3].queues, 2);
	using Args = std::vector<std::pair<std::string, std::string>>;
	EXPECT_EQ(cfg.ports[3].args, (Args{{"no-rx", "1"}, {"size2", "64"}})); // net_null's devarg
}

TEST(ConfigLoad, NoEalSectionUsesTheLcoresGiven)
{
	Config cfg = load(R"(
ports: [{ name: p, driver: ring }]
lcores: [{ id: 3, role: worker, poll: [{ port: p, queue: 0 }] }, { id: 2, role: control }]
rules: [{ name: default, path: kernel }]
)");
	EXPECT_EQ(cfg.eal.lcores, (std::vector<unsigned>{2, 3}));
	EXPECT_EQ(cfg.eal.main_lcore, 2u);
	EXPECT_EQ(cfg.eal.memory_mb, 256u);
	EXPECT_EQ(cfg.rules.size(), 1u);
}

TEST(ConfigLoad, EalLcoreStringsAndDefaultMain)
{
	Config cfg = load(R"(
eal: { lcores: "2,4-6", hugepages: on }
ports: [{ name: p, driver: ring }]
lcores: [{ id: 2, role: control }, { id: 5, role: worker, poll: [{ port: p, queue: 0 }] }]
rules: [{ name: default, path: kernel }]
)");
	EXPECT_EQ(cfg.eal.lcores, (std::vector<unsigned>{2, 4, 5, 6}));
	EXPECT_EQ(cfg.eal.main_lcore, 2u);
	EXPECT_EQ(cfg.eal.hugepages, HugepageMode::on);
}

TEST(ConfigLoad, FlowCacheAndMbufPoolOps)
{
	Config cfg = load(R"(
eal: { lcores: "0-2", mbuf_pool_ops: lf_stack }
ports: [{ name: p, driver: ring, queues: 2 }]
lcores:
  - { id: 0, role: control }
  - { id: 1, role: worker, poll: [{ port: p, queue: 0 }] }
  - { id: 2, role: worker, poll: [{ port: p, queue: 1 }], flow_cache: 0 }
rules: [{ name: default, path: kernel }]
)");
	EXPECT_EQ(cfg.eal.mbuf_pool_ops, "lf_stack");
	EXPECT_EQ(cfg.lcores[1].flow_cache, 32768u) << "on by default";
	EXPECT_EQ(cfg.lcores[2].flow_cache, 0u);
	Config dflt = load(R"(
ports: [{ name: p, driver: ring }]
lcores: [{ id: 0, role: control }, { id: 1, role: worker, poll: [{ port: p, queue: 0 }], flow_cache: 65536 }]
rules: [{ name: default, path: kernel }]
)");
	EXPECT_EQ(dflt.eal.mbuf_pool_ops, "ring_mp_mc") << "DPDK's default unless asked";
	EXPECT_EQ(dflt.lcores[1].flow_cache, 65536u);
}

TEST(ConfigLoad, NamesAndLocations)
{
	EXPECT_STREQ(driver_name(Driver::af_xdp), "af_xdp");
	EXPECT_STREQ(driver_name(Driver::bnxt), "bnxt");
	EXPECT_STREQ(lcore_role_name(LcoreRole::control), "control");
	EXPECT_STREQ(path_kind_name(PathKind::drop), "drop");
	EXPECT_EQ((SourceLoc{"a.yaml", 3, 7}).str(), "a.yaml:3:7");
	ConfigError e({"a.yaml", 3, 7}, "boom");
	EXPECT_STREQ(e.what(), "a.yaml:3:7: boom");
	EXPECT_EQ(e.message(), "boom");
	EXPECT_EQ(e.where().line, 3);
}

TEST(ConfigLoad, MissingFile)
{
	try {
		load_config_file("/nonexistent/tripath.yaml");
		FAIL() << "loaded a file that does not exist";
	} catch (const ConfigError &e) {
		EXPECT_STREQ(e.what(), "/nonexistent/tripath.yaml:1:1: cannot read the config file");
	}
}

} // namespace
} // namespace tripath::config::test
