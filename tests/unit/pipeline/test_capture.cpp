// Capture while forwarding: the worker copies, this thread (the control lcore) writes pcapng;
// the file holds what was asked for and the originals go on untouched.
#include <fstream>
#include <iterator>
#include <unistd.h>

#include <tripath/pipeline/capture.h>

#include "dataplane_fixture.h"

using pipeline::CaptureStatus;
using pipeline::CaptureWhere;

namespace {

// The packets of a pcapng file's Enhanced Packet Blocks (type 6), as captured.
std::vector<Frame> pcapng_packets(const std::string &path)
{
	std::ifstream in(path, std::ios::binary);
	std::vector<uint8_t> b{std::istreambuf_iterator<char>(in), {}};
	auto u32 = [&](size_t at) { uint32_t v; std::memcpy(&v, &b[at], 4); return v; };
	std::vector<Frame> out;
	for (size_t at = 0; at + 12 <= b.size();) {
		uint32_t type = u32(at), len = u32(at + 4);
		if (len < 12 || at + len > b.size())
			break;
		if (type == 6) {
			uint32_t caplen = u32(at + 20);
			out.emplace_back(b.begin() + long(at + 28), b.begin() + long(at + 28 + caplen));
		}
		at += len;
	}
	return out;
}

class CaptureTest : public DataplaneTest {
protected:
	void TearDown() override
	{
		capture.reset(); // before the dataplane it reads
		unlink(file.c_str());
		DataplaneTest::TearDown();
	}

	bool idle() const { return capture->status().state == CaptureStatus::State::idle; }

	std::unique_ptr<pipeline::Capture> capture;
	std::string file = "/tmp/tp-capture-test-" + std::to_string(getpid()) + ".pcapng";
};

} // namespace

TEST_F(CaptureTest, PortRxStopsAfterNAndForwardingGoesOn)
{
	ASSERT_NO_FATAL_FAILURE(start(config_yaml(1024)));
	capture = std::make_unique<pipeline::Capture>(*dp);
	std::string error;
	ASSERT_TRUE(capture->start(CaptureWhere::port, wire0->id, "wire0", file, 20, error)) << error;
	std::vector<Frame> in;
	for (unsigned i = 0; i < 50; i++)
		in.push_back(i % 2 ? udp4(53, i) : tcp6(22, i));
	ASSERT_NO_FATAL_FAILURE(inject(wire0->rx, in));
	ASSERT_TRUE(pump_until([&] { capture->poll(); return rte_ring_count(kern0->tx) >= in.size() && idle(); }));
	EXPECT_EQ(take(kern0->tx), in) << "capturing must not change what is forwarded";
	CaptureStatus s = capture->status();
	EXPECT_EQ(s.written, 20u);
	EXPECT_EQ(s.ring_full + s.no_mbuf, 0u);
	EXPECT_EQ(pcapng_packets(file), std::vector<Frame>(in.begin(), in.begin() + 20));
	EXPECT_EQ(pipeline::total_drops(dp->totals()), 0u);
}

TEST_F(CaptureTest, DropPathHoldsOnlyDroppedPackets)
{
	ASSERT_NO_FATAL_FAILURE(start(config_yaml(1024, "  - { name: discard, priority: 10, match: { proto: udp, dst_port: 9 }, path: drop }\n"
							"  - { name: default, priority: 65535, path: kernel }\n")));
	capture = std::make_unique<pipeline::Capture>(*dp);
	std::string error;
	ASSERT_TRUE(capture->start(CaptureWhere::drop, pipeline::kNoPort, "drop", file, 0, error)) << error;
	std::vector<Frame> in, dropped, kept;
	for (unsigned i = 0; i < 30; i++) {
		in.push_back(i % 3 ? tcp4(22, i) : udp4(9, i));
		(i % 3 ? kept : dropped).push_back(in.back());
	}
	std::vector<Frame> bad = malformed_frames();
	in.insert(in.end(), bad.begin(), bad.begin() + 2);
	dropped.insert(dropped.end(), bad.begin(), bad.begin() + 2);
	ASSERT_NO_FATAL_FAILURE(inject(wire0->rx, in));
	ASSERT_TRUE(pump_until([&] { capture->poll(); return rte_ring_count(kern0->tx) >= kept.size() && capture->status().written >= dropped.size(); }));
	capture->stop(true);
	EXPECT_EQ(take(kern0->tx), kept);
	// Malformed frames are copied before classification, rule drops after: compare as sets.
	std::vector<Frame> got = pcapng_packets(file);
	std::sort(got.begin(), got.end());
	std::sort(dropped.begin(), dropped.end());
	EXPECT_EQ(got, dropped);
}

TEST_F(CaptureTest, AFullRingIsCountedNotDropped)
{
	ASSERT_NO_FATAL_FAILURE(start(config_yaml(2048)));
	capture = std::make_unique<pipeline::Capture>(*dp);
	std::string error;
	ASSERT_TRUE(capture->start(CaptureWhere::kernel, pipeline::kNoPort, "kernel", file, 0, error)) << error;
	std::vector<Frame> in;
	for (unsigned i = 0; i < 1500; i++)
		in.push_back(udp4(53, i));
	ASSERT_NO_FATAL_FAILURE(inject(wire0->rx, in));
	// The capture is not drained meanwhile: its ring (1023 usable slots) fills.
	ASSERT_TRUE(pump_until([&] { return rte_ring_count(kern0->tx) >= in.size(); }));
	EXPECT_EQ(take(kern0->tx), in) << "a full capture ring must not cost a forwarded packet";
	CaptureStatus s = capture->status();
	EXPECT_EQ(s.ring_full + s.no_mbuf, in.size() - 1023);
	capture->stop(true);
	EXPECT_EQ(capture->status().written, 1023u);
	EXPECT_EQ(pcapng_packets(file).size(), 1023u);
	EXPECT_EQ(pipeline::total_drops(dp->totals()), 0u);
}


// With path C polled by the control lcore, this thread is an RCU reader: a capture stopped
// and waited for must not wait for its own quiescent report (it hung here before).
TEST_F(CaptureTest, StopWithPathCOnTheControlLcoreDoesNotWaitForItself)
{
	before_start = [](pipeline::Dataplane &d) { d.enable_bulk(g_pool, std::make_unique<NoPeer>()); };
	ASSERT_NO_FATAL_FAILURE(start(config_yaml(1024)));
	ASSERT_TRUE(dp->bulk_on_control());
	dp->poll_bulk();
	capture = std::make_unique<pipeline::Capture>(*dp);
	std::string error;
	ASSERT_TRUE(capture->start(CaptureWhere::port, wire0->id, "wire0", file, 0, error)) << error;
	ASSERT_NO_FATAL_FAILURE(inject(wire0->rx, {tcp6(22, 1), tcp6(22, 2)}));
	ASSERT_TRUE(pump_until([&] { capture->poll(); return capture->status().written == 2; }));
	capture->stop(true);
	EXPECT_TRUE(idle());
	EXPECT_EQ(pcapng_packets(file).size(), 2u);
	take(kern0->tx);
}
