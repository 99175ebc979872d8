// The worker samples for the guardian: one packet in sample_every, handed to the control lcore
// on its flow-sample ring with its verdict's path; what the ring refuses is counted.
#include "dataplane_fixture.h"

#include <tripath/telemetry/flow_sketch.h>

namespace {

using telemetry::FlowSample;

constexpr const char *kRpcRules = "  - { name: rpc, priority: 10, match: { proto: udp, dst_port: 7000 }, path: fast, endpoint: ep1 }\n"
				  "  - { name: default, priority: 65535, path: kernel }\n";

class FlowSamplingTest : public DataplaneTest {
protected:
	void attach(unsigned every)
	{
		before_start = [every](pipeline::Dataplane &d) {
			for (const auto &w : d.workers()) {
				w->sample_every = every;
				w->sample_countdown = 1;
			}
		};
	}

	// What the worker has handed over so far, as the control lcore takes it.
	std::vector<FlowSample> drain()
	{
		std::vector<FlowSample> out;
		FlowSample batch[64];
		for (const auto &w : dp->workers())
			while (unsigned n = rte_ring_sc_dequeue_burst_elem(w->flow_samples, batch, sizeof(batch[0]), 64, nullptr))
				out.insert(out.end(), batch, batch + n);
		return out;
	}
};

TEST_F(FlowSamplingTest, OneInNWithItsPath)
{
	attach(8);
	ASSERT_NO_FATAL_FAILURE(start(config_yaml(1024, kRpcRules)));
	std::vector<Frame> in;
	for (unsigned i = 0; i < 160; i++)
		in.push_back(i % 2 ? udp4(7000, 1) : tcp4(22, 2, 100)); // one fast flow, one kernel flow
	ASSERT_NO_FATAL_FAILURE(inject(wire0->rx, in));
	ASSERT_TRUE(pump_until([&] { return dp->totals().rx_packets >= in.size(); }));

	// 160 packets, every 8th sampled (indices 0, 8, 16, ...: all even, so all the TCP flow).
	std::vector<FlowSample> got = drain();
	ASSERT_EQ(got.size(), 20u);
	for (const FlowSample &s : got) {
		EXPECT_EQ(s.path, uint8_t(config::PathKind::kernel));
		EXPECT_EQ(s.flow.family, 4);
		EXPECT_EQ(s.flow.proto, 6);
		EXPECT_EQ(s.flow.dst_port, 22);
		EXPECT_EQ(s.bytes, in[0].size());
	}

	// Only the fast flow now: every sample on path B.
	std::vector<Frame> more(80, udp4(7000, 1));
	ASSERT_NO_FATAL_FAILURE(inject(wire0->rx, more));
	ASSERT_TRUE(pump_until([&] { return dp->totals().rx_packets >= in.size() + more.size(); }));
	got = drain();
	ASSERT_EQ(got.size(), 10u);
	for (const FlowSample &s : got) {
		EXPECT_EQ(s.path, uint8_t(config::PathKind::fast));
		EXPECT_EQ(s.flow.proto, 17);
		EXPECT_EQ(s.flow.dst_port, 7000);
	}
	EXPECT_EQ(dp->totals().flow_samples_lost, 0u);
	dp->stop();
	take(agent0->tx);
	take(kern0->tx);
}

TEST_F(FlowSamplingTest, WhatAFullRingRefusesIsCounted)
{
	attach(1);
	ASSERT_NO_FATAL_FAILURE(start(config_yaml(1024, kRpcRules)));
	const unsigned capacity = rte_ring_get_capacity(dp->workers()[0]->flow_samples);
	// Nobody drains the samples: past the ring's capacity, each one is counted as lost.
	uint64_t sent = 0;
	for (unsigned batch : {2000u, 2000u, capacity + 100 - 4000}) {
		ASSERT_NO_FATAL_FAILURE(inject(wire0->rx, std::vector<Frame>(batch, udp4(7000, 1))));
		sent += batch;
		ASSERT_TRUE(wait_rx(sent));
		take(agent0->tx);
	}
	EXPECT_EQ(dp->totals().flow_samples_lost, 100u);
	EXPECT_EQ(drain().size(), capacity);
	dp->stop();
	take(agent0->tx);
}

TEST_F(FlowSamplingTest, OffUnlessAsked)
{
	ASSERT_NO_FATAL_FAILURE(start(config_yaml(1024)));
	ASSERT_NO_FATAL_FAILURE(inject(wire0->rx, {udp4(53, 1), udp4(53, 2)}));
	ASSERT_TRUE(pump_until([&] { return rte_ring_count(kern0->tx) >= 2; }));
	EXPECT_TRUE(drain().empty());
	dp->stop();
	take(kern0->tx);
}

} // namespace
