// The worker feeds the guardian's flow sketches: one packet in sample_every, into the sketch of
// its verdict's path, handed over by close_window / poll without locks.
#include "dataplane_fixture.h"

#include <tripath/telemetry/flow_sketch.h>

namespace {

class FlowSamplingTest : public DataplaneTest {
protected:
	void attach(unsigned every)
	{
		before_start = [this, every](pipeline::Dataplane &d) {
			for (const auto &w : d.workers()) {
				for (size_t p = 0; p < sketches.size(); p++)
					w->sketches[p] = &sketches[p];
				w->sample_every = every;
				w->sample_countdown = 1;
			}
		};
	}

	// Close the window and wait for the worker's handoff; the closed window, or null.
	const telemetry::FlowWindow *handoff(telemetry::FlowSketch &s)
	{
		if (!s.close_window())
			return nullptr;
		const telemetry::FlowWindow *w = nullptr;
		wait_until([&] { return (w = s.closed_window()) != nullptr; }, [] { return 0u; });
		return w;
	}

	std::array<telemetry::FlowSketch, 3> sketches{telemetry::FlowSketch({256, 4, 8}), telemetry::FlowSketch({256, 4, 8}),
						       telemetry::FlowSketch({256, 4, 8})};
};

TEST_F(FlowSamplingTest, OneInNIntoItsPathsSketch)
{
	attach(8);
	ASSERT_NO_FATAL_FAILURE(start(config_yaml(1024, "  - { name: rpc, priority: 10, match: { proto: udp, dst_port: 7000 }, path: fast, endpoint: ep1 }\n"
						      "  - { name: default, priority: 65535, path: kernel }\n")));
	std::vector<Frame> in;
	for (unsigned i = 0; i < 160; i++)
		in.push_back(i % 2 ? udp4(7000, 1) : tcp4(22, 2, 100)); // one fast flow, one kernel flow
	ASSERT_NO_FATAL_FAILURE(inject(wire0->rx, in));
	ASSERT_TRUE(pump_until([&] { return dp->totals().rx_packets >= in.size(); }));

	const telemetry::FlowWindow *kernel = handoff(sketches[0]);
	const telemetry::FlowWindow *fast = handoff(sketches[1]);
	ASSERT_NE(kernel, nullptr) << "the worker never acknowledged the close (poll once per loop)";
	ASSERT_NE(fast, nullptr);
	// 160 packets, every 8th sampled (indices 0, 8, 16, ...: all even, so all the TCP flow).
	EXPECT_EQ(kernel->total_packets() + fast->total_packets(), 20u);
	EXPECT_EQ(kernel->total_packets(), 20u);
	ASSERT_FALSE(kernel->top_by_packets().empty());
	const telemetry::FlowId top = kernel->top_by_packets()[0].flow;
	EXPECT_EQ(top.proto, 6);
	EXPECT_EQ(top.dst_port, 22);
	EXPECT_EQ(top.family, 4);
	EXPECT_EQ(kernel->total_bytes(), 20u * in[0].size());

	// The next window: only the fast flow.
	std::vector<Frame> more(80, udp4(7000, 1));
	ASSERT_NO_FATAL_FAILURE(inject(wire0->rx, more));
	ASSERT_TRUE(pump_until([&] { return dp->totals().rx_packets >= in.size() + more.size(); }));
	const telemetry::FlowWindow *fast2 = handoff(sketches[1]);
	ASSERT_NE(fast2, nullptr);
	EXPECT_EQ(fast2->total_packets(), 10u); // its own window: the first batch sent nothing to path B
	ASSERT_FALSE(fast2->top_by_packets().empty());
	EXPECT_EQ(fast2->top_by_packets()[0].flow.dst_port, 7000);
	dp->stop();
	take(agent0->tx);
	take(kern0->tx);
}

TEST_F(FlowSamplingTest, OffWithoutSketches)
{
	ASSERT_NO_FATAL_FAILURE(start(config_yaml(1024)));
	ASSERT_NO_FATAL_FAILURE(inject(wire0->rx, {udp4(53, 1), udp4(53, 2)}));
	ASSERT_TRUE(pump_until([&] { return rte_ring_count(kern0->tx) >= 2; }));
	EXPECT_EQ(sketches[0].closed_window(), nullptr);
	dp->stop();
	take(kern0->tx);
}

} // namespace
