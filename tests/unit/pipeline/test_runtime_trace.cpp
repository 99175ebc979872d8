// Where the time goes and where packets went: the stage counters behind `show runtime`, the
// per-lcore drop counts behind `show errors`, and the packet trace behind `show trace`.
#include <set>

#include <tripath/pipeline/trace.h>

#include "dataplane_fixture.h"

using pipeline::Stage;
using pipeline::StageCounters;
using pipeline::TraceOutcome;
using pipeline::TraceRecord;
using pipeline::TraceRoute;
using pipeline::TraceWhere;

namespace {

const char *kRules = R"(  - { name: discard, priority: 10, match: { proto: udp, dst_port: 9 }, path: drop }
  - { name: rpc, priority: 20, match: { proto: udp, dst_port: "7000-7999" }, path: fast, endpoint: ep1 }
  - { name: backup, priority: 20, match: { proto: tcp, dst_port: 873 }, path: bulk, peer: peer1 }
  - { name: ssh, priority: 30, match: { proto: tcp, dst_port: 22 }, path: kernel }
  - { name: default, priority: 65535, path: kernel }
)";

StageCounters stage(const LcoreCounters &c, Stage s) { return c.stages[unsigned(s)]; }

class RuntimeTest : public DataplaneTest {
protected:
	const LcoreCounters &worker() const { return dp->lcore_counters(1); }
	StageCounters wire_rx() const { return pipeline::read_stage(dp->workers()[0]->poll_stages[0]); }

	// Wait until the trace holds `n` records.
	bool wait_records(size_t n)
	{
		return pump_until([&] { return dp->tracer().records().size() >= n; });
	}
};

// Six kinds of frames, ten of each: drop, fast, bulk (falls back to A: no peer), ssh, unmatched x2.
std::vector<Frame> mixed(unsigned count)
{
	std::vector<Frame> in;
	for (unsigned i = 0; i < count; i++) {
		const Frame kinds[] = {udp4(9, i), udp4(uint16_t(7000 + i), i), tcp4(873, i), tcp6(22, i), udp4(53, i), udp4(10, i)};
		in.push_back(kinds[i % 6]);
	}
	return in;
}

} // namespace

TEST_F(RuntimeTest, StagesCountWhatPassedThem)
{
	ASSERT_NO_FATAL_FAILURE(start(config_yaml(1024, kRules)));
	std::vector<Frame> in = mixed(60), bad = malformed_frames();
	in.insert(in.end(), bad.begin(), bad.end());
	ASSERT_NO_FATAL_FAILURE(inject(wire0->rx, in));
	ASSERT_TRUE(wait_rx(in.size()));
	ASSERT_TRUE(pump_until([&] { return rte_ring_count(kern0->tx) >= 40; }));
	dp->stop();
	take(kern0->tx);
	take(agent0->tx);

	const LcoreCounters &w = worker();
	StageCounters rx = wire_rx();
	EXPECT_EQ(rx.packets, in.size());
	EXPECT_GT(rx.calls, 0u);
	EXPECT_GT(rx.busy, 0u);
	EXPECT_LE(rx.busy, rx.calls);
	EXPECT_GE(rx.busy, (in.size() + pipeline::kBurst - 1) / pipeline::kBurst);
	EXPECT_EQ(rx.busy, w.rx_bursts) << "a busy rx call is a non-empty burst";
	EXPECT_GT(rx.cycles, 0u);
	EXPECT_EQ(pipeline::read_stage(dp->workers()[0]->poll_stages[1]).packets, 0u) << "agent0: no answers";
	EXPECT_GT(pipeline::read_stage(dp->workers()[0]->poll_stages[1]).calls, 0u) << "agent0 is polled";

	EXPECT_EQ(stage(w, Stage::parse).packets, in.size());
	EXPECT_EQ(stage(w, Stage::parse).calls, rx.busy) << "one call per non-empty burst";
	EXPECT_EQ(stage(w, Stage::quota).calls, 0u) << "no quota to police: tenants are counted in dispatch";
	for (Stage s : {Stage::classify, Stage::dispatch}) {
		EXPECT_EQ(stage(w, s).packets, 60u) << pipeline::stage_name(s) << ": the malformed ones stop at parse";
		EXPECT_EQ(stage(w, s).calls, rx.busy) << pipeline::stage_name(s);
		EXPECT_GT(stage(w, s).cycles, 0u) << pipeline::stage_name(s);
	}
	EXPECT_EQ(stage(w, Stage::drop).packets, 10u + bad.size()) << "rule drops and malformed";
	EXPECT_EQ(stage(w, Stage::fast_tx).packets, 10u);
	EXPECT_EQ(stage(w, Stage::kernel_handoff).packets, 40u) << "ssh, unmatched and the bulk fallback";
	EXPECT_EQ(stage(w, Stage::bulk_handoff).calls, 0u) << "peer1 is not up: nothing reached path C";
	for (Stage s : {Stage::drop, Stage::fast_tx, Stage::kernel_handoff}) {
		EXPECT_GT(stage(w, s).calls, 0u) << pipeline::stage_name(s);
		EXPECT_LE(stage(w, s).calls, rx.busy) << pipeline::stage_name(s);
	}
	EXPECT_GT(stage(w, Stage::return_tx).calls, 0u) << "the return ring is polled every loop";
	EXPECT_EQ(stage(w, Stage::return_tx).packets, 0u);
	EXPECT_GE(w.loops, w.busy_loops);
	EXPECT_GT(w.busy_loops, 0u);

	const LcoreCounters &control = dp->lcore_counters(kControlLcore);
	EXPECT_EQ(stage(control, Stage::tap_tx).packets, 40u);
	EXPECT_GE(stage(control, Stage::tap_tx).calls, stage(control, Stage::tap_tx).busy);
	EXPECT_GT(stage(control, Stage::tap_tx).busy, 0u);
	EXPECT_EQ(stage(control, Stage::tap_rx).packets, 0u);

	LcoreCounters t = dp->totals();
	EXPECT_EQ(stage(t, Stage::parse).packets, in.size()) << "totals sum the stages too";
}

// Every reason the test can provoke lands on the lcore that dropped the packet; per-lcore
// counts (show errors' rows) add up to the totals; every reason has its own name.
TEST_F(RuntimeTest, ErrorsPerLcoreAddUpForEveryProvokedReason)
{
	wire1 = std::make_unique<RingPort>("w1");
	std::string yaml = config_yaml(64, kRules, true) + R"(
tenants:
  - { name: capped, prefixes: [10.77.0.3/32], quota: { kernel: { pps: 1, burst_ms: 1 } } }
)";
	ASSERT_NO_FATAL_FAILURE(start(yaml));
	// Answers before any wire request: no next hop yet; an agent's ARP is not an answer.
	ASSERT_NO_FATAL_FAILURE(inject(agent0->rx, {udp4(40000, 1), arp(2)}));
	ASSERT_TRUE(wait_until([&] { return worker().answer_rx_packets >= 2; }, [] { return 0u; }));

	std::vector<Frame> in = malformed_frames();
	for (unsigned i = 0; i < 5; i++)
		in.push_back(udp4(9, i)); // rule_drop
	for (unsigned i = 0; i < 20; i++) {
		Frame f = udp4(53, i);
		f[14 + 15] = 3; // 10.77.0.3: the capped tenant
		in.push_back(f);
	}
	ASSERT_NO_FATAL_FAILURE(inject(wire0->rx, in));
	ASSERT_NO_FATAL_FAILURE(inject(wire1->rx, {udp4(53, 1), udp4(53, 2)})); // no TAP for wire1
	ASSERT_TRUE(wait_rx(in.size() + 2));
	// No poll_exception: the 64-slot ring to the control lcore fills.
	std::vector<Frame> flood;
	for (unsigned i = 0; i < 200; i++)
		flood.push_back(tcp6(22, i));
	ASSERT_NO_FATAL_FAILURE(inject(wire0->rx, flood));
	ASSERT_TRUE(wait_rx(in.size() + 2 + flood.size()));
	dp->stop(); // what is on the rings: shutdown, on the control lcore

	std::array<uint64_t, pipeline::kDropReasons> sum{};
	for (unsigned lcore : {0u, 1u})
		for (unsigned d = 0; d < pipeline::kDropReasons; d++)
			sum[d] += dp->lcore_counters(lcore).drops[d];
	LcoreCounters t = dp->totals();
	for (unsigned d = 1; d < pipeline::kDropReasons; d++)
		EXPECT_EQ(sum[d], t.drops[d]) << pipeline::drop_reason_name(DropReason(d));

	const LcoreCounters &w = worker();
	for (unsigned r = unsigned(DropReason::truncated_ethernet); r <= unsigned(DropReason::bad_tcp_offset); r++)
		EXPECT_EQ(w.drops[r], 1u) << pipeline::drop_reason_name(DropReason(r));
	EXPECT_EQ(drops(w, DropReason::rule_drop), 5u);
	EXPECT_GE(drops(w, DropReason::quota_exceeded), 15u) << "1 pps with a 1 ms burst lets a packet or two through";
	EXPECT_EQ(drops(w, DropReason::no_kernel_tap), 2u);
	EXPECT_GT(drops(w, DropReason::kernel_ring_full), 0u);
	EXPECT_EQ(drops(w, DropReason::not_an_answer), 1u);
	EXPECT_EQ(drops(w, DropReason::no_wire_neighbor), 1u);
	EXPECT_EQ(drops(dp->lcore_counters(kControlLcore), DropReason::shutdown), 64u);
	EXPECT_EQ(drops(w, DropReason::shutdown), 0u);
	EXPECT_EQ(stage(w, Stage::answer_tx).packets, 2u);
	EXPECT_GT(stage(w, Stage::quota).calls, 0u) << "a tenant has a quota: its packets are policed in their own stage";

	std::set<std::string> names;
	for (unsigned d = 1; d < pipeline::kDropReasons; d++)
		names.insert(pipeline::drop_reason_name(DropReason(d)));
	EXPECT_EQ(names.size(), pipeline::kDropReasons - 1);
	EXPECT_EQ(names.count("unknown"), 0u);
}

TEST_F(RuntimeTest, TraceRecordsExactlyNWithRuleAndOutcome)
{
	ASSERT_NO_FATAL_FAILURE(start(config_yaml(1024, kRules)));
	std::string error;
	ASSERT_TRUE(dp->tracer().add(TraceWhere::rx, pipeline::kNoPort, "rx", 5, error)) << error;
	std::vector<Frame> in;
	for (unsigned i = 0; i < 20; i++)
		in.push_back(tcp6(22, i));
	ASSERT_NO_FATAL_FAILURE(inject(wire0->rx, in));
	ASSERT_TRUE(pump_until([&] { return rte_ring_count(kern0->tx) >= in.size(); }));
	ASSERT_TRUE(wait_records(5));
	ASSERT_NO_FATAL_FAILURE(inject(wire0->rx, in)); // past N: not recorded
	ASSERT_TRUE(pump_until([&] { return rte_ring_count(kern0->tx) >= 2 * in.size(); }));
	EXPECT_EQ(take(kern0->tx).size(), 2 * in.size()) << "tracing changes nothing that is forwarded";

	std::vector<TraceRecord> recs = dp->tracer().records();
	ASSERT_EQ(recs.size(), 5u);
	for (size_t i = 0; i < recs.size(); i++) {
		const TraceRecord &r = recs[i];
		EXPECT_EQ(r.seq, i);
		EXPECT_EQ(r.lcore, 1u);
		EXPECT_EQ(r.port_id, wire0->id);
		EXPECT_EQ(r.pkt_len, in[i].size());
		EXPECT_EQ(r.key.ip_version, 6u);
		EXPECT_EQ(r.key.proto, 6u);
		EXPECT_EQ(r.key.dst_port, 22u);
		EXPECT_EQ(r.key.src_port, 40000u + i) << "in arrival order";
		EXPECT_STREQ(r.rule_name, "ssh");
		EXPECT_EQ(r.route, uint8_t(TraceRoute::kernel));
		EXPECT_EQ(r.outcome, uint8_t(TraceOutcome::queued_kernel));
		EXPECT_EQ(r.out_port, kern0->id);
	}
	dp->tracer().clear();
	EXPECT_FALSE(dp->tracer().armed());
	EXPECT_TRUE(dp->tracer().records().empty());
}

// An endpoint marked down (its netdev gone): a trace names the real reason, not fast_tx_full.
TEST_F(RuntimeTest, TraceNamesEndpointDown)
{
	ASSERT_NO_FATAL_FAILURE(start(config_yaml(1024, kRules)));
	dp->set_endpoint_down(0, true);
	std::string error;
	ASSERT_TRUE(dp->tracer().add(TraceWhere::fast, pipeline::kNoPort, "fast", 2, error)) << error;
	ASSERT_NO_FATAL_FAILURE(inject(wire0->rx, mixed(36)));
	ASSERT_TRUE(wait_records(2));
	for (const TraceRecord &r : dp->tracer().records()) {
		EXPECT_EQ(r.outcome, uint8_t(TraceOutcome::dropped));
		EXPECT_EQ(r.drop_reason, uint8_t(DropReason::endpoint_down));
	}
	dp->stop();
	EXPECT_GT(dp->totals().drops[unsigned(DropReason::endpoint_down)], 0u);
	take(kern0->tx);
}

TEST_F(RuntimeTest, TraceAtAPathOrDropKeepsOnlyThose)
{
	ASSERT_NO_FATAL_FAILURE(start(config_yaml(1024, kRules)));
	std::string error;
	ASSERT_TRUE(dp->tracer().add(TraceWhere::fast, pipeline::kNoPort, "fast", 3, error)) << error;
	std::vector<Frame> in = mixed(36);
	ASSERT_NO_FATAL_FAILURE(inject(wire0->rx, in));
	ASSERT_TRUE(wait_records(3));
	std::vector<TraceRecord> recs = dp->tracer().records();
	ASSERT_EQ(recs.size(), 3u);
	for (const TraceRecord &r : recs) {
		EXPECT_STREQ(r.rule_name, "rpc");
		EXPECT_EQ(r.route, uint8_t(TraceRoute::fast));
		EXPECT_EQ(r.outcome, uint8_t(TraceOutcome::sent_fast));
		EXPECT_EQ(r.out_port, agent0->id);
	}

	// The drop stage: malformed frames with their fault, rule drops with the rule.
	ASSERT_TRUE(dp->tracer().add(TraceWhere::drop, pipeline::kNoPort, "drop", 4, error)) << error;
	std::vector<Frame> drops_in = {malformed_frames()[5], udp4(53, 1), udp4(9, 2), tcp6(22, 3), udp4(9, 4), malformed_frames()[11]};
	ASSERT_NO_FATAL_FAILURE(inject(wire0->rx, drops_in));
	ASSERT_TRUE(wait_records(4));
	recs = dp->tracer().records();
	ASSERT_EQ(recs.size(), 4u);
	EXPECT_EQ(recs[0].route, uint8_t(TraceRoute::malformed));
	EXPECT_EQ(recs[0].drop_reason, uint8_t(DropReason::bad_ipv4_ihl));
	EXPECT_STREQ(recs[1].rule_name, "discard");
	EXPECT_EQ(recs[1].route, uint8_t(TraceRoute::rule_drop));
	EXPECT_EQ(recs[1].drop_reason, uint8_t(DropReason::rule_drop));
	EXPECT_EQ(recs[2].key.src_port, 40004u);
	EXPECT_EQ(recs[3].drop_reason, uint8_t(DropReason::bad_tcp_offset));
	for (const TraceRecord &r : recs)
		EXPECT_EQ(r.outcome, uint8_t(TraceOutcome::dropped));

	// A port: only its packets; the fallback of a bulk verdict is named as such.
	ASSERT_TRUE(dp->tracer().add(TraceWhere::port, wire0->id, "wire0", 1, error)) << error;
	ASSERT_NO_FATAL_FAILURE(inject(wire0->rx, {tcp4(873, 7)}));
	ASSERT_TRUE(wait_records(1));
	recs = dp->tracer().records();
	ASSERT_EQ(recs.size(), 1u);
	EXPECT_STREQ(recs[0].rule_name, "backup");
	EXPECT_EQ(recs[0].route, uint8_t(TraceRoute::kernel_fallback));
	dp->stop();
	take(kern0->tx);
	take(agent0->tx);
	std::string too_many;
	EXPECT_FALSE(dp->tracer().add(TraceWhere::rx, pipeline::kNoPort, "rx", pipeline::kTraceMax + 1, too_many));
	EXPECT_FALSE(too_many.empty());
}


// With path C polled by the control lcore, this thread is an RCU reader too: replacing or
// clearing a trace must not wait for itself. The bulk lcore's steps are counted on it.
TEST_F(RuntimeTest, TraceClearsWithPathCOnTheControlLcore)
{
	before_start = [](pipeline::Dataplane &d) { d.enable_bulk(g_pool, std::make_unique<NoPeer>()); };
	ASSERT_NO_FATAL_FAILURE(start(config_yaml(1024, kRules)));
	ASSERT_TRUE(dp->bulk_on_control());
	for (int i = 0; i < 10; i++)
		dp->poll_bulk();
	std::string error;
	ASSERT_TRUE(dp->tracer().add(TraceWhere::kernel, pipeline::kNoPort, "kernel", 2, error)) << error;
	ASSERT_NO_FATAL_FAILURE(inject(wire0->rx, {tcp4(873, 1), tcp6(22, 2)}));
	ASSERT_TRUE(wait_records(2));
	EXPECT_EQ(dp->tracer().records()[0].route, uint8_t(TraceRoute::kernel_fallback)) << "peer1 is down";
	ASSERT_TRUE(dp->tracer().add(TraceWhere::rx, pipeline::kNoPort, "rx", 1, error)) << error; // replaces: waits a grace period
	dp->tracer().clear();
	EXPECT_FALSE(dp->tracer().armed());
	dp->stop();
	take(kern0->tx);
	const LcoreCounters &control = dp->lcore_counters(kControlLcore);
	EXPECT_GE(stage(control, Stage::bulk_connect).calls, 10u);
	EXPECT_GE(stage(control, Stage::bulk_receive).calls, 10u);
}
