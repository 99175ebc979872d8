// Errors in the shape of the file: syntax, unknown or repeated keys, types, ranges, required keys.
#include "config_test.h"

namespace tripath::config::test {
namespace {

TEST(ConfigShape, YamlSyntaxError)
{
	EXPECT_TRUE(fails_at(R"(
ports:
  - { name: wire0, driver: af_xdp
lcores: []
)", "t.yaml:3:7", "YAML syntax error: end of map flow not found"));
	EXPECT_TRUE(fails_at(R"(
ports:
  - name: a
     driver: ring
)", "t.yaml:3:12", "YAML syntax error"));
	// yaml-cpp 0.7 would spin on this forever in LoadAll (jbeder/yaml-cpp#1040).
	EXPECT_TRUE(fails_at(R"(
, ports: []
)", "t.yaml:1:1", "YAML syntax error: unexpected ','"));
}

TEST(ConfigShape, EmptyAndNotAMap)
{
	EXPECT_TRUE(fails_at("# nothing here\n", "t.yaml:1:1", "the config is empty"));
	EXPECT_TRUE(fails_at(R"(
- ports
)", "t.yaml:1:1", "top level: expected a map with keys eal, ports"));
	EXPECT_TRUE(fails_at(R"(
ports: []
---
lcores: []
)", "t.yaml:3:1", "a second YAML document"));
}

TEST(ConfigShape, UnknownTopLevelKey)
{
	EXPECT_TRUE(fails_at(R"(
ports: [{ name: p, driver: ring }]
lcores: [{ id: 0, role: control }, { id: 1, role: worker, poll: [{ port: p, queue: 0 }] }]
rule: []
)", "t.yaml:3:1",
			     "unknown key 'rule' at top level (expected one of: eal, ports, lcores, paths, "
			     "tenants, rules, intent, audit, control)"));
}

TEST(ConfigShape, UnknownNestedKey)
{
	EXPECT_TRUE(fails_at(R"(
ports:
  - { name: p, driver: ring }
  - name: wire0
    driver: af_xdp
    args: { iface: eth0 }
    queus: 2
)", "t.yaml:6:5",
			     "unknown key 'queus' in ports[1] (expected one of: name, driver, args, pci, "
			     "queues, rx_desc, tx_desc, promisc, ingress)"));
	EXPECT_TRUE(fails_at(R"(
ports: [{ name: p, driver: ring }]
lcores:
  - { id: 0, role: control, idle: { sleep_us: 5 } }
)", "t.yaml:3:37", "unknown key 'sleep_us' in lcores[0].idle"));
	EXPECT_TRUE(fails_at(R"(
ports: [{ name: p, driver: ring }]
lcores: [{ id: 0, role: control }, { id: 1, role: worker, poll: [{ port: p, queue: 0 }] }]
paths: { kernel: { rings: 64 } }
)", "t.yaml:3:20", "unknown key 'rings' in paths.kernel"));
}

TEST(ConfigShape, DuplicateYamlKeys)
{
	EXPECT_TRUE(fails_at(R"(
ports:
  - name: p
    driver: ring
    queues: 2
    queues: 4
)", "t.yaml:5:5", "duplicate key 'queues' in ports[0] (first at t.yaml:4:5)"));
	EXPECT_TRUE(fails_at(R"(
ports: [{ name: p, driver: ring }]
ports: [{ name: q, driver: ring }]
)", "t.yaml:2:1", "duplicate key 'ports' at top level"));
	EXPECT_TRUE(fails_at(R"(
ports: [{ name: p, driver: af_xdp, args: { iface: a, iface: b } }]
)", "t.yaml:1:54", "duplicate key 'iface' in ports[0].args (first at t.yaml:1:44)"));
}

TEST(ConfigShape, WrongTypes)
{
	EXPECT_TRUE(fails_at(R"(
ports:
  - name: p
    driver: ring
    queues: many
)", "t.yaml:4:13", "ports[0].queues: expected an integer 1..64, got 'many'"));
	EXPECT_TRUE(fails_at(R"(
ports: [{ name: p, driver: ring }]
lcores:
  - { id: 0, role: control }
  - { id: [1], role: worker }
)", "t.yaml:4:11", "lcores[1].id: expected an integer 0..127, got a list"));
	EXPECT_TRUE(fails_at(R"(
ports: [{ name: p, driver: ring }]
lcores:
  - { id: 0, role: control }
  - { id: 1, role: worker, poll: [{ port: p, queue: -1 }] }
)", "t.yaml:4:53", "lcores[1].poll[0].queue: expected an integer 0..63, got '-1'"));
	EXPECT_TRUE(fails_at(R"(
ports: [{ name: p, driver: ring, promisc: maybe }]
)", "t.yaml:1:43", "ports[0].promisc: expected true or false, got 'maybe'"));
	EXPECT_TRUE(fails_at(R"(
ports: { name: p }
)", "t.yaml:1:8", "ports: expected a list, got a map"));
	EXPECT_TRUE(fails_at(R"(
ports: [{ name: { a: 1 }, driver: ring }]
)", "t.yaml:1:17", "ports[0].name: expected a name of 1..31"));
	EXPECT_TRUE(fails_at(R"(
ports: [{ name: p, driver: e1000 }]
)", "t.yaml:1:28", "ports[0].driver: expected one of af_xdp, tap, pcap, ring, null, ice, bnxt, got 'e1000'"));
	// An empty value is blamed at its key: yaml-cpp marks it at the next token.
	EXPECT_TRUE(fails_at(R"(
ports:
  - name: p
    driver:

lcores: []
)", "t.yaml:3:5", "ports[0].driver: expected one of af_xdp"));
	// Only a plain `null` names the null PMD: `~`, NULL and nothing stay errors.
	EXPECT_TRUE(fails_at(R"(
ports: [{ name: p, driver: ~ }]
)", "t.yaml:1:20", "ports[0].driver: expected one of af_xdp, tap, pcap, ring, null, ice, bnxt, got nothing"));
	EXPECT_TRUE(fails_at(R"(
ports: [{ name: p, driver: NULL }]
)", "t.yaml:1:20", "ports[0].driver: expected one of af_xdp"));
	EXPECT_TRUE(fails_at(R"(
ports: [{ name: p, driver: }, { name: q, driver: null }]
)", "t.yaml:1:20", "ports[0].driver: expected one of af_xdp"));
	EXPECT_TRUE(fails_at(R"(
ports: [{ name: p, driver: nullx }]
)", "t.yaml:1:28", "ports[0].driver: expected one of af_xdp, tap, pcap, ring, null, ice, bnxt, got 'nullx'"));
	EXPECT_TRUE(fails_at(R"(
ports:
  - name: p
    driver:
  - null
)", "t.yaml:3:5", "ports[0].driver: expected one of af_xdp"));
	EXPECT_TRUE(fails_at(R"(
eal: { lcores: "0-1", hugepages: maybe }
)", "t.yaml:1:34", "eal.hugepages: expected one of auto, on, off, true, false, got 'maybe'"));
	EXPECT_TRUE(fails_at(R"(
eal: { lcores: "0-1", extra_args: "--no-pci" }
)", "t.yaml:1:35", "eal.extra_args: expected a list, got '--no-pci'"));
}

TEST(ConfigShape, OutOfRange)
{
	EXPECT_TRUE(fails_at(R"(
ports: [{ name: p, driver: ring, queues: 65 }]
)", "t.yaml:1:42", "ports[0].queues: expected an integer 1..64, got '65'"));
	EXPECT_TRUE(fails_at(R"(
ports: [{ name: p, driver: ring, rx_desc: 1000 }]
)", "t.yaml:1:43", "ports[0].rx_desc: expected a power of two 64..16384, got '1000'"));
	EXPECT_TRUE(fails_at(R"(
ports: [{ name: p, driver: ring, tx_desc: 32768 }]
)", "t.yaml:1:43", "ports[0].tx_desc: expected a power of two 64..16384, got '32768'"));
	EXPECT_TRUE(fails_at(R"(
eal: { lcores: "0-1", memory_mb: 8 }
)", "t.yaml:1:34", "eal.memory_mb: expected an integer 16..65536, got '8'"));
	EXPECT_TRUE(fails_at(R"(
eal: { lcores: "0-200" }
)", "t.yaml:1:16", "eal.lcores: expected lcore ids below 128"));
	EXPECT_TRUE(fails_at(R"(
eal: { lcores: [0, 1, 1] }
)", "t.yaml:1:16", "eal.lcores: lcore 1 is listed twice"));
	EXPECT_TRUE(fails_at(R"(
eal: { lcores: "0-1", main_lcore: 2 }
)", "t.yaml:1:35", "eal.main_lcore: lcore 2 is not in eal.lcores (0-1)"));
	EXPECT_TRUE(fails_at(R"(
eal: { lcores: "0-1", file_prefix: "a/b" }
)", "t.yaml:1:36", "eal.file_prefix: expected a name"));
	EXPECT_TRUE(fails_at(R"(
ports: [{ name: p, driver: ring }]
lcores:
  - id: 0
    role: control
    idle: { pause_after: 0 }
)", "t.yaml:5:26", "lcores[0].idle.pause_after: expected an integer 1..1000000, got '0'"));
	EXPECT_TRUE(fails_at(R"(
ports: [{ name: p, driver: ring }]
lcores:
  - id: 0
    role: control
    idle: { sleep_min_us: 50, sleep_max_us: 10 }
)", "t.yaml:5:45", "lcores[0].idle.sleep_max_us: 10 is below sleep_min_us (50)"));
	EXPECT_TRUE(fails_at(R"(
ports: [{ name: p, driver: ring }]
lcores:
  - id: 0
    role: control
    idle: { sleep_min_us: 800 }
)", "t.yaml:5:27", "above the default sleep_max_us (500)"));
	EXPECT_TRUE(fails_at(R"(
ports: [{ name: p, driver: ring }]
lcores: [{ id: 0, role: control }, { id: 1, role: worker, poll: [{ port: p, queue: 0 }], flow_cache: 1000 }]
)", "t.yaml:2:102", "lcores[1].flow_cache: expected a power of two 64..1048576, got '1000'"));
	EXPECT_TRUE(fails_at(R"(
ports: [{ name: p, driver: ring }]
lcores: [{ id: 0, role: control, flow_cache: 64 }]
)", "t.yaml:2:46", "only worker lcores classify packets, so only they have a flow_cache"));
	EXPECT_TRUE(fails_at(R"(
eal: { lcores: "0-1", mbuf_pool_ops: stack }
)", "t.yaml:1:38", "eal.mbuf_pool_ops"));
	EXPECT_TRUE(fails_at(R"(
ports: [{ name: p, driver: ring }]
lcores:
  - id: 0
    role: control
    idle: { timer_slack_ns: 0 }
)", "t.yaml:5:29", "lcores[0].idle.timer_slack_ns: expected an integer 1..1000000, got '0'"));
	EXPECT_TRUE(fails_at(R"(
ports: [{ name: p, driver: ring }]
lcores: [{ id: 0, role: control }, { id: 1, role: worker, poll: [{ port: p, queue: 0 }] }]
paths: { kernel: { ring_size: 100 } }
)", "t.yaml:3:31", "paths.kernel.ring_size: expected a power of two 64..65536, got '100'"));
	EXPECT_TRUE(fails_at(R"(
ports: [{ name: p, driver: ring }]
lcores: [{ id: 0, role: control }, { id: 1, role: worker, poll: [{ port: p, queue: 0 }] }]
rules:
  - name: r
    priority: 70000
    match: { dscp: 64 }
)", "t.yaml:5:15", "rules[0].priority: expected an integer 0..65535, got '70000'"));
	EXPECT_TRUE(fails_at(R"(
ports: [{ name: p, driver: ring }]
lcores: [{ id: 0, role: control }, { id: 1, role: worker, poll: [{ port: p, queue: 0 }] }]
rules:
  - name: r
    match:
      dscp: 64
)", "t.yaml:6:13", "rules[0].match.dscp: expected an integer 0..63, got '64'"));
	EXPECT_TRUE(fails_at(R"(
ports: [{ name: p, driver: ring }]
lcores: [{ id: 0, role: control }, { id: 1, role: worker, poll: [{ port: p, queue: 0 }] }]
rules:
  - { name: r, match: { vlan: 4096 }, path: drop }
)", "t.yaml:4:31", "rules[0].match.vlan: expected an integer 0..4095, got '4096'"));
	EXPECT_TRUE(fails_at(R"(
ports: [{ name: p, driver: ring }]
lcores: [{ id: 0, role: control }, { id: 1, role: worker, poll: [{ port: p, queue: 0 }] }]
rules:
  - { name: r, match: { frame_size: 10-100 }, path: drop }
)", "t.yaml:4:37", "rules[0].match.frame_size: expected an integer 14..65535 or a range"));
	EXPECT_TRUE(fails_at(R"(
ports: [{ name: p, driver: ring }]
lcores: [{ id: 0, role: control }, { id: 1, role: worker, poll: [{ port: p, queue: 0 }] }]
rules:
  - { name: r, match: { proto: tcp, dst_port: 2000-1000 }, path: drop }
)", "t.yaml:4:47", "rules[0].match.dst_port: range 2000-1000 is backwards"));
	EXPECT_TRUE(fails_at(R"(
ports: [{ name: p, driver: ring }]
lcores: [{ id: 0, role: control }, { id: 1, role: worker, poll: [{ port: p, queue: 0 }] }]
rules:
  - { name: r, match: { proto: 256 }, path: drop }
)", "t.yaml:4:32", "rules[0].match.proto: expected tcp, udp, icmp, icmpv6, sctp, or an integer 0..255, got '256'"));
	EXPECT_TRUE(fails_at(R"(
ports: [{ name: p, driver: ring }]
lcores: [{ id: 0, role: control }, { id: 1, role: worker, poll: [{ port: p, queue: 0 }] }]
rules:
  - { name: r, match: { ether_type: vlan }, path: drop }
)", "t.yaml:4:37", "rules[0].match.ether_type: expected arp, ipv4, ipv6, or an integer 0..65535, got 'vlan'"));
}

TEST(ConfigShape, MissingRequiredKeys)
{
	EXPECT_TRUE(fails_at(R"(
eal: { lcores: "0-1" }
lcores: []
)", "t.yaml:1:1", "missing required key 'ports' at top level"));
	EXPECT_TRUE(fails_at(R"(
ports:
  - { name: p, driver: ring }
  - name: q
    queues: 2
)", "t.yaml:3:5", "missing required key 'driver' in ports[1]"));
	EXPECT_TRUE(fails_at(R"(
eal: { memory_mb: 512 }
)", "t.yaml:1:6", "missing required key 'lcores' in eal"));
	EXPECT_TRUE(fails_at(R"(
ports: [{ name: p, driver: ring }]
lcores: [{ id: 0, role: control }, { id: 1, role: worker, poll: [{ port: p, queue: 0 }] }]
rules:
  - name: r
    priority: 5
)", "t.yaml:4:5", "missing required key 'path' in rules[0]"));
	EXPECT_TRUE(fails_at(R"(
ports: [{ name: p, driver: ring }]
lcores: [{ id: 0, role: control }, { id: 1, role: worker, poll: [{ port: p, queue: 0 }] }]
rules:
  - { name: r, path: fast }
)", "t.yaml:4:5",
			     "missing required key 'endpoint' in rules[0] 'r' (path fast sends to one of "
			     "paths.fast.endpoints)"));
	EXPECT_TRUE(fails_at(R"(
ports: [{ name: p, driver: ring }]
lcores: [{ id: 0, role: control }, { id: 1, role: worker, poll: [{ port: p, queue: 0 }] }]
rules:
  - { name: r, path: bulk }
)", "t.yaml:4:5", "missing required key 'peer' in rules[0] 'r'"));
	EXPECT_TRUE(fails_at(R"(
ports: [{ name: nic, driver: ice }]
)", "t.yaml:1:9", "missing required key 'pci' in ports[0] (driver ice needs"));
	EXPECT_TRUE(fails_at(R"(
ports:
  - name: w
    driver: af_xdp
    args: { start_queue: 0 }
)", "t.yaml:4:11", "missing required key 'iface' in ports[0].args"));
	EXPECT_TRUE(fails_at(R"(
ports: [{ name: w, driver: af_xdp }]
)", "t.yaml:1:9", "missing required key 'iface' in ports[0].args"));
	EXPECT_TRUE(fails_at(R"(
ports: [{ name: cap, driver: pcap, args: { mac: "02:00:00:00:00:01" } }]
)", "t.yaml:1:42", "driver pcap needs one of rx_pcap, tx_pcap, rx_iface, tx_iface, iface"));
	EXPECT_TRUE(fails_at(R"(
ports: [{ name: p, driver: ring }]
lcores:
  - { role: control }
)", "t.yaml:3:5", "missing required key 'id' in lcores[0]"));
}

} // namespace
} // namespace tripath::config::test
