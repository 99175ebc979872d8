// The generator's library against real sockets on loopback: a responder built on rpc_wire.h
// (echo, fragments, deliberate drops) and the bulk sink. Counts are asserted exactly; times
// only for order and plausibility (the machine is shared).
#include <chrono>
#include <random>
#include <thread>

#include <gtest/gtest.h>

#include <tripath/loadgen/bulk_client.h>
#include <tripath/loadgen/bulk_sink.h>
#include <tripath/loadgen/latency.h>
#include <tripath/loadgen/udp_client.h>

#include "rpc_responder.h"

using namespace tripath::loadgen;
using tripath::loadgen::test::RpcResponder;

namespace {

std::vector<Endpoint> endpoints(const std::vector<std::string> &texts, int socktype = SOCK_DGRAM)
{
	std::vector<Endpoint> out;
	for (const std::string &t : texts) {
		std::string error;
		auto e = resolve_endpoint(t, "--target", socktype, false, error);
		EXPECT_TRUE(e) << error;
		if (e)
			out.push_back(*e);
	}
	return out;
}

Options rpc_options(uint32_t fanout, uint64_t count)
{
	Options o;
	o.workload = WorkloadClass::rpc;
	o.fanout = fanout;
	o.count = count;
	o.duration_s = 0;
	o.warmup_s = 0;
	return o;
}

void expect_accounted(const RunResult &r)
{
	EXPECT_EQ(r.requests, r.completed + r.timeouts + r.abandoned + r.failed);
	EXPECT_EQ(r.rtt_ns.size(), r.completed);
}

void expect_plausible_latency(RunResult &r, double timeout_ms)
{
	LatencySummary s = summarize_latency(r.rtt_ns);
	ASSERT_GT(s.samples, 0u);
	EXPECT_GT(s.min_us, 0);
	EXPECT_LE(s.min_us, s.p50_us);
	EXPECT_LE(s.p50_us, s.p90_us);
	EXPECT_LE(s.p90_us, s.p99_us);
	EXPECT_LE(s.p99_us, s.p99_9_us);
	EXPECT_LE(s.p99_9_us, s.max_us);
	EXPECT_GE(s.mean_us, s.min_us);
	EXPECT_LE(s.mean_us, s.max_us);
	EXPECT_LT(s.max_us, timeout_ms * 1000);   // a completed request came back before its timeout
}

} // namespace

TEST(Loopback, RpcEchoAnswersEveryRequest)
{
	RpcResponder responder;
	ASSERT_TRUE(responder.ok());
	Options o = rpc_options(8, 2000);
	RunResult r;
	std::string error;
	std::atomic<bool> stop{false};
	ASSERT_TRUE(run_udp(o, endpoints({responder.address()}), stop, r, error)) << error;
	expect_accounted(r);
	EXPECT_EQ(r.requests, 2000u);
	EXPECT_EQ(r.completed, 2000u);
	EXPECT_EQ(r.timeouts, 0u);
	EXPECT_EQ(r.late + r.duplicates + r.invalid + r.refused, 0u);
	EXPECT_EQ(r.tx_datagrams, 2000u);
	EXPECT_EQ(r.rx_datagrams, 2000u);
	EXPECT_EQ(r.tx_bytes, 2000u * 22);    // a 64-byte IPv4 frame
	EXPECT_EQ(r.rx_bytes, r.tx_bytes);
	EXPECT_EQ(responder.requests(), 2000u);
	EXPECT_FALSE(r.interrupted);
	EXPECT_GT(r.elapsed_s, 0);
	EXPECT_GE(r.cpu_user_s + r.cpu_sys_s, 0);
	expect_plausible_latency(r, o.timeout_ms);
}

// 400 requests at 2,000/s in rounds of 4: 100 rounds 2 ms apart, so at least 99 periods pass.
TEST(Loopback, RatePacesTheRounds)
{
	RpcResponder responder;
	ASSERT_TRUE(responder.ok());
	Options o = rpc_options(4, 400);
	o.rate = 2000;
	RunResult r;
	std::string error;
	std::atomic<bool> stop{false};
	ASSERT_TRUE(run_udp(o, endpoints({responder.address()}), stop, r, error)) << error;
	expect_accounted(r);
	EXPECT_EQ(r.completed, 400u);
	EXPECT_GE(r.elapsed_s, 99 * 0.002);
	EXPECT_LE(r.rounds_behind, 100u);
	expect_plausible_latency(r, o.timeout_ms);
}

TEST(Loopback, DroppedRequestsAreCountedAsTimeoutsExactly)
{
	RpcResponder responder(AF_INET, 10);  // every 10th request gets no answer
	ASSERT_TRUE(responder.ok());
	Options o = rpc_options(10, 200);
	o.timeout_ms = 250;
	RunResult r;
	std::string error;
	std::atomic<bool> stop{false};
	ASSERT_TRUE(run_udp(o, endpoints({responder.address()}), stop, r, error)) << error;
	expect_accounted(r);
	EXPECT_EQ(responder.dropped(), 20u);
	EXPECT_EQ(r.requests, 200u);
	EXPECT_EQ(r.completed, 180u);
	EXPECT_EQ(r.timeouts, 20u);
	EXPECT_EQ(r.targets[0].timeouts, 20u);
	EXPECT_EQ(r.late, 0u);
	expect_plausible_latency(r, o.timeout_ms);
}

TEST(Loopback, RetrievalReassemblesFragmentsFromTwoTargets)
{
	RpcResponder first, second;
	ASSERT_TRUE(first.ok() && second.ok());
	Options o = rpc_options(4, 200);
	o.workload = WorkloadClass::retrieval;
	o.response_min = 1024;
	o.response_max = 16384;
	o.seed = 5;
	RunResult r;
	std::string error;
	std::atomic<bool> stop{false};
	ASSERT_TRUE(run_udp(o, endpoints({first.address(), second.address()}), stop, r, error)) << error;
	expect_accounted(r);
	EXPECT_EQ(r.completed, 200u);
	EXPECT_EQ(r.timeouts, 0u);
	EXPECT_EQ(r.duplicates + r.invalid + r.late, 0u);
	// Round-robin over the targets.
	EXPECT_EQ(r.targets[0].completed, 100u);
	EXPECT_EQ(r.targets[1].completed, 100u);
	// The same seed draws the same sizes: every fragment they need arrived, no more.
	std::mt19937_64 rng(o.seed);
	std::uniform_int_distribution<uint32_t> size(o.response_min, o.response_max);
	uint64_t fragments = 0, bytes = 0;
	for (int i = 0; i < 200; i++) {
		uint32_t wanted = size(rng);
		fragments += tripath::agent::rpc_fragments(wanted);
		bytes += wanted;
	}
	first.stop();
	second.stop();
	EXPECT_EQ(first.datagrams_sent() + second.datagrams_sent(), fragments);
	EXPECT_EQ(r.rx_datagrams, fragments);
	EXPECT_EQ(r.rx_bytes, bytes);
	EXPECT_GT(r.rx_datagrams, r.completed * 2);   // most responses really were fragmented
	expect_plausible_latency(r, o.timeout_ms);
}

TEST(Loopback, Ipv6WithTheSmallestFrame)
{
	RpcResponder responder(AF_INET6);
	if (!responder.ok())
		GTEST_SKIP() << "no IPv6 loopback";
	Options o = rpc_options(4, 100);
	RunResult r;
	std::string error;
	std::atomic<bool> stop{false};
	ASSERT_TRUE(run_udp(o, endpoints({responder.address()}), stop, r, error)) << error;
	EXPECT_EQ(r.completed, 100u);
	EXPECT_EQ(r.targets[0].frame_bytes, 82u);
	EXPECT_EQ(r.tx_bytes, 100u * 20);
}

TEST(Loopback, SpinModeBusyPolls)
{
	RpcResponder responder;
	ASSERT_TRUE(responder.ok());
	Options o = rpc_options(4, 400);
	o.spin = true;
	RunResult r;
	std::string error;
	std::atomic<bool> stop{false};
	ASSERT_TRUE(run_udp(o, endpoints({responder.address()}), stop, r, error)) << error;
	EXPECT_EQ(r.completed, 400u);
	expect_plausible_latency(r, o.timeout_ms);
}

TEST(Loopback, WarmupIsDiscarded)
{
	RpcResponder responder;
	ASSERT_TRUE(responder.ok());
	Options o = rpc_options(2, 100);
	o.warmup_s = 0.3;
	RunResult r;
	std::string error;
	std::atomic<bool> stop{false};
	ASSERT_TRUE(run_udp(o, endpoints({responder.address()}), stop, r, error)) << error;
	EXPECT_EQ(r.requests, 100u);
	EXPECT_EQ(r.completed, 100u);
	EXPECT_GT(responder.requests(), 100u);   // the warm-up's requests were answered too, not counted
}

TEST(Loopback, StopEndsTheRunAndKeepsWhatWasMeasured)
{
	RpcResponder responder;
	ASSERT_TRUE(responder.ok());
	Options o = rpc_options(4, 0);
	o.duration_s = 60;
	std::atomic<bool> stop{false};
	std::thread stopper([&] {
		std::this_thread::sleep_for(std::chrono::milliseconds(300));
		stop = true;
	});
	RunResult r;
	std::string error;
	auto began = std::chrono::steady_clock::now();
	bool ok = run_udp(o, endpoints({responder.address()}), stop, r, error);
	auto took = std::chrono::steady_clock::now() - began;
	stopper.join();
	ASSERT_TRUE(ok) << error;
	EXPECT_TRUE(r.interrupted);
	EXPECT_LT(took, std::chrono::seconds(30));
	EXPECT_GT(r.completed, 0u);
	expect_accounted(r);
}

TEST(Loopback, NobodyListeningIsRefusedNotAnswered)
{
	int probe = socket(AF_INET, SOCK_DGRAM, 0);
	sockaddr_in a{};
	a.sin_family = AF_INET;
	a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	socklen_t len = sizeof(a);
	ASSERT_EQ(bind(probe, reinterpret_cast<sockaddr *>(&a), len), 0);
	getsockname(probe, reinterpret_cast<sockaddr *>(&a), &len);
	close(probe);                      // the port is now closed: ICMP port unreachable
	Options o = rpc_options(1, 5);
	o.timeout_ms = 50;
	RunResult r;
	std::string error;
	std::atomic<bool> stop{false};
	ASSERT_TRUE(run_udp(o, endpoints({format_address(reinterpret_cast<sockaddr *>(&a))}), stop, r, error)) << error;
	expect_accounted(r);
	EXPECT_EQ(r.completed, 0u);
	EXPECT_GE(r.refused, 1u);
}

TEST(Loopback, BulkTransfersReachTheSink)
{
	std::string error;
	auto listen_on = resolve_endpoint("127.0.0.1:0", "--listen", SOCK_STREAM, true, error);
	ASSERT_TRUE(listen_on) << error;
	BulkSink sink;
	ASSERT_TRUE(sink.open(*listen_on, error)) << error;
	std::atomic<bool> sink_stop{false};
	std::thread server([&] { sink.run(sink_stop); });

	Options o = rpc_options(1, 20);
	o.workload = WorkloadClass::bulk;
	o.transfer_bytes = 256 << 10;
	o.parallel = 3;
	o.timeout_ms = 10000;
	RunResult r;
	std::atomic<bool> stop{false};
	bool ok = run_bulk(o, endpoints({sink.local_address()}, SOCK_STREAM), stop, r, error);
	sink_stop = true;
	server.join();
	ASSERT_TRUE(ok) << error;
	expect_accounted(r);
	EXPECT_EQ(r.requests, 20u);
	EXPECT_EQ(r.completed, 20u);
	EXPECT_EQ(r.timeouts + r.failed + r.reconnects, 0u);
	EXPECT_EQ(r.goodput_bytes, 20u * (256 << 10));
	EXPECT_EQ(r.tx_bytes, 20u * ((256 << 10) + 8));
	EXPECT_EQ(r.rx_bytes, 20u);
	EXPECT_EQ(sink.counters().connections, 3u);
	EXPECT_EQ(sink.counters().transfers, 20u);
	EXPECT_EQ(sink.counters().bytes, r.tx_bytes);
	expect_plausible_latency(r, o.timeout_ms);
}

TEST(Loopback, BulkForADurationAbandonsOnlyWhatIsInFlight)
{
	std::string error;
	auto listen_on = resolve_endpoint("127.0.0.1:0", "--listen", SOCK_STREAM, true, error);
	ASSERT_TRUE(listen_on) << error;
	BulkSink sink;
	ASSERT_TRUE(sink.open(*listen_on, error)) << error;
	std::atomic<bool> sink_stop{false};
	std::thread server([&] { sink.run(sink_stop); });

	Options o = rpc_options(1, 0);
	o.workload = WorkloadClass::bulk;
	o.transfer_bytes = 1 << 20;
	o.parallel = 2;
	o.duration_s = 0.5;
	o.warmup_s = 0.2;
	o.timeout_ms = 10000;
	RunResult r;
	std::atomic<bool> stop{false};
	bool ok = run_bulk(o, endpoints({sink.local_address()}, SOCK_STREAM), stop, r, error);
	sink_stop = true;
	server.join();
	ASSERT_TRUE(ok) << error;
	expect_accounted(r);
	EXPECT_GT(r.completed, 0u);
	EXPECT_LE(r.abandoned, 2u);
	EXPECT_GE(r.elapsed_s, 0.5);
	EXPECT_GT(sink.counters().transfers, r.completed);   // the warm-up's transfers were not counted
}
