// The ordered rule list: priority order, first match wins, each match field honoured.
#include <cstring>

#include <gtest/gtest.h>

#include <tripath/classify/rule_table.h>

using namespace tripath;

namespace {

const char *kConfig = R"(
eal: { lcores: "0-1" }
ports:
  - { name: wire0, driver: ring }
  - { name: agent0, driver: ring }
lcores:
  - { id: 0, role: control }
  - { id: 1, role: worker, poll: [{ port: wire0, queue: 0 }] }
paths:
  fast: { endpoints: [{ name: ep1, port: agent0 }] }
  bulk: { peers: [{ name: peer1, address: "10.0.0.9:7000" }] }
tenants:
  - { name: t1, prefixes: [10.1.0.0/16] }
rules:
  - { name: catch-all, priority: 60000, path: kernel }
  - { name: arp, priority: 1, match: { ether_type: arp }, path: kernel }
  - { name: rpc, priority: 10, match: { dst: 10.1.0.0/16, proto: udp, dst_port: "7000-7999" }, path: fast, endpoint: ep1, tenant: t1 }
  - { name: bulk, priority: 10, match: { src: "fd00::/8", proto: tcp, dst_port: 9000 }, path: bulk, peer: peer1 }
  - { name: vlan-drop, priority: 5, match: { vlan: 100 }, path: drop }
  - { name: dscp-ef, priority: 20, match: { dscp: 46 }, path: kernel }
  - { name: jumbo, priority: 30, match: { frame_size: "1500-9000" }, path: drop }
)";

packet::FlowKey udp4(const char *dst, uint16_t dport)
{
	packet::FlowKey k;
	k.ether_type = 0x0800;
	k.ip_version = 4;
	k.proto = 17;
	unsigned a, b, c, d;
	std::sscanf(dst, "%u.%u.%u.%u", &a, &b, &c, &d);
	k.dst[0] = uint8_t(a), k.dst[1] = uint8_t(b), k.dst[2] = uint8_t(c), k.dst[3] = uint8_t(d);
	k.dst_port = dport;
	k.src_port = 40000;
	k.l4_offset = 34;
	k.frame_len = 100;
	return k;
}

class RuleTableTest : public ::testing::Test {
protected:
	void SetUp() override
	{
		cfg = config::load_config_text(kConfig, "rules.yaml");
		table = classify::RuleTable::build(cfg);
	}
	std::string rule_of(const packet::FlowKey &k)
	{
		classify::Verdict v = table->lookup(k);
		return v.rule == classify::kNoRule ? "<none>" : table->rule_name(v.rule);
	}
	config::Config cfg;
	std::unique_ptr<classify::RuleTable> table;
};

} // namespace

TEST_F(RuleTableTest, DefaultRuleIsTheLastOne)
{
	EXPECT_EQ(table->default_rule(), table->size() - 1);
	EXPECT_EQ(table->rule_name(table->default_rule()), "catch-all");
}

TEST_F(RuleTableTest, PriorityOrderFirstMatchWins)
{
	ASSERT_EQ(table->size(), 7u);
	EXPECT_EQ(table->rule_name(0), "arp");
	EXPECT_EQ(table->rule_name(6), "catch-all");
}

TEST_F(RuleTableTest, ArpGoesToKernel)
{
	packet::FlowKey k;
	k.ether_type = 0x0806;
	k.frame_len = 60;
	EXPECT_EQ(rule_of(k), "arp");
	EXPECT_EQ(table->lookup(k).path, config::PathKind::kernel);
}

TEST_F(RuleTableTest, PrefixAndPortRangeBoundaries)
{
	EXPECT_EQ(rule_of(udp4("10.1.2.3", 7000)), "rpc");
	EXPECT_EQ(rule_of(udp4("10.1.255.255", 7999)), "rpc");
	EXPECT_EQ(rule_of(udp4("10.1.2.3", 6999)), "catch-all");
	EXPECT_EQ(rule_of(udp4("10.1.2.3", 8000)), "catch-all");
	EXPECT_EQ(rule_of(udp4("10.2.0.0", 7000)), "catch-all");
	classify::Verdict v = table->lookup(udp4("10.1.2.3", 7500));
	EXPECT_EQ(v.path, config::PathKind::fast);
	EXPECT_EQ(v.target, 0);
	EXPECT_EQ(v.tenant, 0);
}

TEST_F(RuleTableTest, NonFirstFragmentHasNoPortsSoPortRulesMiss)
{
	packet::FlowKey k = udp4("10.1.2.3", 7000);
	k.l4_offset = 0;
	k.dst_port = 0;
	k.fragment = true;
	EXPECT_EQ(rule_of(k), "catch-all");
}

TEST_F(RuleTableTest, Ipv6PrefixDoesNotMatchIpv4)
{
	packet::FlowKey k;
	k.ether_type = 0x86dd;
	k.ip_version = 6;
	k.proto = 6;
	k.src[0] = 0xfd;
	k.dst_port = 9000;
	k.l4_offset = 54;
	k.frame_len = 200;
	EXPECT_EQ(rule_of(k), "bulk");
	EXPECT_EQ(table->lookup(k).path, config::PathKind::bulk);
	packet::FlowKey v4 = k;
	v4.ip_version = 4;
	v4.ether_type = 0x0800;
	EXPECT_EQ(rule_of(v4), "catch-all");
}

TEST_F(RuleTableTest, VlanAnyTagDscpAndFrameSize)
{
	packet::FlowKey k = udp4("192.0.2.1", 53);
	k.vlan_count = 2;
	k.vlan_ids = {7, 100};
	EXPECT_EQ(rule_of(k), "vlan-drop");
	EXPECT_EQ(table->lookup(k).path, config::PathKind::drop);
	k.vlan_ids = {7, 101};
	EXPECT_EQ(rule_of(k), "catch-all");
	k.dscp = 46;
	EXPECT_EQ(rule_of(k), "dscp-ef");
	k.dscp = 0;
	k.frame_len = 1500;
	EXPECT_EQ(rule_of(k), "jumbo");
	k.frame_len = 1499;
	EXPECT_EQ(rule_of(k), "catch-all");
}

TEST_F(RuleTableTest, BurstLookupEqualsSingleLookup)
{
	packet::FlowKey keys[4] = {udp4("10.1.0.1", 7001), udp4("10.9.0.1", 7001), udp4("10.1.0.1", 1), udp4("10.1.0.1", 7999)};
	classify::Verdict out[4];
	table->lookup_burst(keys, out, 4);
	for (unsigned i = 0; i < 4; i++) {
		classify::Verdict one = table->lookup(keys[i]);
		EXPECT_EQ(out[i].rule, one.rule) << i;
		EXPECT_EQ(out[i].path, one.path) << i;
	}
}

TEST(RuleTableNoRules, DefaultIsKernelWithNoRule)
{
	config::Config cfg = config::load_config_text(R"(
eal: { lcores: "0-1" }
ports: [{ name: wire0, driver: ring }]
lcores:
  - { id: 0, role: control }
  - { id: 1, role: worker, poll: [{ port: wire0, queue: 0 }] }
rules: [{ name: default, path: kernel }]
)", "empty.yaml");
	// The loader insists on a default rule; a table built from none still answers path A.
	cfg.rules.clear();
	auto table = classify::RuleTable::build(cfg);
	EXPECT_EQ(table->default_rule(), classify::kNoRule);
	classify::Verdict v = table->lookup(packet::FlowKey{});
	EXPECT_EQ(v.path, config::PathKind::kernel);
	EXPECT_EQ(v.rule, classify::kNoRule);
}

// Rule indexes past 65,535 survive into the verdict (they once went through a uint16_t).
TEST(RuleTableLarge, RuleIndexesAbove65535)
{
	config::Config cfg = config::load_config_text(kConfig, "rules.yaml");
	config::RuleConfig last_default = cfg.rules.back();
	cfg.rules.pop_back();
	constexpr uint32_t kRules = 70000;
	for (uint32_t i = uint32_t(cfg.rules.size()); i < kRules; i++) {
		config::RuleConfig r;
		r.name = "host" + std::to_string(i);
		r.priority = 40000;
		config::Prefix p;
		p.family = 4;
		p.len = 32;
		p.addr = {10, uint8_t(200 + (i >> 16)), uint8_t(i >> 8), uint8_t(i)};
		r.match.dst = p;
		r.path = config::PathKind::drop;
		cfg.rules.push_back(r);
	}
	cfg.rules.push_back(last_default);
	auto table = classify::RuleTable::build(cfg);
	ASSERT_EQ(table->size(), kRules + 1);
	for (uint32_t i : {70000u - 1, 65536u, 65535u, 100u}) {
		std::string dst = "10." + std::to_string(200 + (i >> 16)) + "." + std::to_string((i >> 8) & 0xff) + "." + std::to_string(i & 0xff);
		packet::FlowKey k = udp4(dst.c_str(), 53);
		classify::Verdict v = table->lookup(k);
		EXPECT_EQ(v.rule, i);
		EXPECT_EQ(table->rule_name(v.rule), "host" + std::to_string(i));
		EXPECT_EQ(v.path, config::PathKind::drop);
	}
}
