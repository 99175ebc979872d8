// Path C through the dataplane with in-process transports: the worker hands bulk verdicts to
// the bulk path (polled here, as on the control lcore), which batches them into the loopback
// transport; the test holds the other end and plays the peer tripath. Real verbs: tests/rdma.
#include "dataplane_fixture.h"

#include <deque>

#include <tripath/bulk/batch_format.h>
#include <tripath/bulk/loopback_transport.h>

namespace {

using bulk::BulkError;
using bulk::BulkEventKind;
using bulk::LoopbackTransport;
using pipeline::PeerEventKind;

// Hands the dataplane its end of loopback pairs the test made ready; none ready: the peer is down.
struct TestConnector final : pipeline::BulkConnector {
	std::deque<std::unique_ptr<bulk::BulkTransport>> *ready = nullptr;
	unsigned *dials = nullptr;

	std::unique_ptr<bulk::BulkTransport> connect(size_t, std::string &error) override
	{
		++*dials;
		if (ready->empty()) {
			error = "peer down (test)";
			return nullptr;
		}
		auto t = std::move(ready->front());
		ready->pop_front();
		return t;
	}
};

// The peer tripath: reads our batches back into frames, releasing each slot unless told to hold.
struct PeerEnd {
	std::unique_ptr<LoopbackTransport> t;
	LoopbackTransport *ours = nullptr;     // the dataplane's end, to break the link from outside
	std::vector<Frame> frames;
	std::vector<uint16_t> ports;
	std::vector<BulkError> errors;
	bool hold = false;
	bool bad_batch = false;

	unsigned poll()
	{
		if (!t)
			return 0;
		bulk::BulkEvent ev[32];
		size_t n = t->poll(ev);
		for (size_t i = 0; i < n; i++) {
			if (ev[i].kind == BulkEventKind::error)
				errors.push_back(ev[i].error);
			if (ev[i].kind != BulkEventKind::batch_received)
				continue;
			bulk::BatchReader r(t->received(ev[i].slot));
			bulk::BatchRecord rec;
			while (r.next(rec)) {
				frames.emplace_back(reinterpret_cast<const uint8_t *>(rec.frame.data()),
						    reinterpret_cast<const uint8_t *>(rec.frame.data()) + rec.frame.size());
				ports.push_back(rec.port);
			}
			bad_batch |= r.malformed();
			if (!hold)
				t->release(ev[i].slot);
		}
		return unsigned(n);
	}

	// Sends `frames` to the dataplane as one batch.
	bool send(const std::vector<Frame> &batch)
	{
		auto slot = t->claim_send_slot();
		if (!slot)
			return false;
		bulk::BatchWriter w(slot->payload);
		for (const Frame &f : batch) {
			auto dst = w.append(uint32_t(f.size()), 0);
			if (dst.size() != f.size())
				return false;
			std::memcpy(dst.data(), f.data(), f.size());
		}
		return t->post_batch(slot->slot, w.bytes()) == BulkError::none;
	}
};

constexpr const char *kBulkRules = R"(  - { name: discard, priority: 10, match: { proto: udp, dst_port: 9 }, path: drop }
  - { name: backup, priority: 20, match: { proto: tcp, dst_port: 873 }, path: bulk, peer: peer1 }
  - { name: default, priority: 65535, path: kernel }
)";

class BulkPathTest : public DataplaneTest {
protected:
	// 4 slots of 4 KiB: about 15 of our 254-byte frames per batch, and credit runs out fast.
	void start_bulk(bool peer_up, uint32_t stall_ms = 2000, uint32_t batch_us = 200, unsigned kernel_ring = 1024)
	{
		std::string yaml = config_yaml(kernel_ring, kBulkRules);
		std::string from = R"(  bulk: { peers: [{ name: peer1, address: "10.0.0.9:7000" }] })";
		std::string to = "  bulk: { slots: 4, slot_size: 4096, batch_us: " + std::to_string(batch_us) +
				 ", reconnect_ms: 10, stall_ms: " + std::to_string(stall_ms) + R"(, peers: [{ name: peer1, address: "10.0.0.9:7000" }] })";
		yaml.replace(yaml.find(from), from.size(), to);
		if (peer_up)
			make_peer_ready();
		before_start = [this](pipeline::Dataplane &d) {
			auto c = std::make_unique<TestConnector>();
			c->ready = &ready;
			c->dials = &dials;
			d.enable_bulk(g_pool, std::move(c));
		};
		ASSERT_NO_FATAL_FAILURE(start(yaml));
	}

	void make_peer_ready()
	{
		auto [ours, theirs] = bulk::make_loopback_pair(4, 4096);
		peer.ours = ours.get();
		peer.t = std::move(theirs);
		ready.push_back(std::move(ours));
	}

	// The control loop with path C on it, and the peer, until `done`.
	bool pump(const std::function<bool()> &done)
	{
		return wait_until(done, [&] { return dp->poll_exception() + dp->poll_bulk() + peer.poll(); });
	}

	// Path C alone (the peer does not read) for `ms`: open batches age out and are posted.
	void pump_bulk_for(unsigned ms)
	{
		auto until = std::chrono::steady_clock::now() + std::chrono::milliseconds(ms);
		while (std::chrono::steady_clock::now() < until)
			dp->poll_exception(), dp->poll_bulk();
	}

	std::vector<PeerEventKind> events()
	{
		std::vector<PeerEventKind> kinds;
		for (const pipeline::PeerEvent &e : dp->bulk()->take_events())
			kinds.push_back(e.kind);
		return kinds;
	}

	static std::vector<Frame> bulk_frames(unsigned first, unsigned n)
	{
		std::vector<Frame> v;
		for (unsigned i = first; i < first + n; i++)
			v.push_back(tcp4(873, i, 200));
		return v;
	}

	void TearDown() override
	{
		if (dp)
			dp->stop();   // before the peer's end goes: the dataplane's end is freed with it
		dp.reset();
		peer.t.reset();
		ready.clear();
		DataplaneTest::TearDown();
	}

	std::deque<std::unique_ptr<bulk::BulkTransport>> ready;
	unsigned dials = 0;
	PeerEnd peer;
};

} // namespace

TEST_F(BulkPathTest, BulkFlowsCrossInBatchesInOrderWithCredits)
{
	ASSERT_NO_FATAL_FAILURE(start_bulk(true));
	ASSERT_TRUE(pump([&] { return dp->bulk()->stats(0).up.load(); }));
	std::vector<Frame> in = bulk_frames(0, 200);
	in.push_back(tcp4(22, 7)); // path A, to show the split
	ASSERT_NO_FATAL_FAILURE(inject(wire0->rx, in));
	ASSERT_TRUE(pump([&] { return peer.frames.size() >= 200 && rte_ring_count(kern0->tx) >= 1; }));
	const pipeline::BulkPeerStats &s = dp->bulk()->stats(0);
	ASSERT_TRUE(pump([&] { return pipeline::read_counter(s.packets_acked) == 200; }));
	dp->stop();

	std::vector<Frame> expected(in.begin(), in.begin() + 200);
	EXPECT_EQ(peer.frames, expected) << "every byte, in order, once";
	EXPECT_TRUE(std::all_of(peer.ports.begin(), peer.ports.end(), [&](uint16_t p) { return p == wire0->id; }));
	EXPECT_EQ(take(kern0->tx), std::vector<Frame>{tcp4(22, 7)});
	EXPECT_EQ(s.packets_packed, 200u);
	EXPECT_EQ(s.bytes_packed, total_bytes(expected));
	EXPECT_GE(s.batches_posted, 200u / 16) << "4 KiB batches hold about 15 of these frames";
	EXPECT_GE(s.credit_stalls, 1u) << "200 frames need ~14 batches through 4 slots: credit must have run out";
	EXPECT_EQ(s.packets_fallback, 0u);
	LcoreCounters t = dp->totals();
	EXPECT_EQ(path_packets(t, PathId::bulk), 200u);
	EXPECT_EQ(t.fallback_to_kernel, 0u);
	EXPECT_EQ(pipeline::total_drops(t), 0u);
	EXPECT_EQ(events(), std::vector<PeerEventKind>{PeerEventKind::up});
}

TEST_F(BulkPathTest, PeerBatchesAreUnpackedAndEmittedByOurRules)
{
	ASSERT_NO_FATAL_FAILURE(start_bulk(true));
	ASSERT_TRUE(pump([&] { return dp->bulk()->stats(0).up.load(); }));
	Frame to_kernel = tcp4(22, 1, 100), to_wire = tcp4(873, 2, 1400), dropped = udp4(9, 3), runt(10, 0xee);
	ASSERT_TRUE(peer.send({to_kernel, to_wire, dropped, runt}));
	ASSERT_TRUE(pump([&] { return rte_ring_count(kern0->tx) >= 1 && rte_ring_count(wire0->tx) >= 1; }));
	dp->stop();
	EXPECT_EQ(take(kern0->tx), std::vector<Frame>{to_kernel}) << "kernel verdict: path A on the peer's wire's TAP";
	EXPECT_EQ(take(wire0->tx), std::vector<Frame>{to_wire}) << "bulk verdict: past this host, out on the wire";
	LcoreCounters t = dp->totals();
	EXPECT_EQ(t.bulk_rx_packets, 4u);
	EXPECT_EQ(t.bulk_emitted, 2u);
	EXPECT_EQ(drops(t, DropReason::rule_drop), 1u);
	EXPECT_EQ(drops(t, DropReason::truncated_ethernet), 1u);
	EXPECT_EQ(dp->bulk()->stats(0).packets_received, 4u);
	EXPECT_EQ(dp->bulk()->stats(0).batches_received, 1u);
}

TEST_F(BulkPathTest, ABrokenLinkIsRepairedAndTheLostBatchesGoAgain)
{
	ASSERT_NO_FATAL_FAILURE(start_bulk(true));
	ASSERT_TRUE(pump([&] { return dp->bulk()->stats(0).up.load(); }));
	const pipeline::BulkPeerStats &s = dp->bulk()->stats(0);
	std::vector<Frame> first = bulk_frames(0, 40);
	ASSERT_NO_FATAL_FAILURE(inject(wire0->rx, first));
	// Let the batches reach the peer's inbox without the peer reading them, then cut the link.
	ASSERT_TRUE(wait_until([&] { return pipeline::read_counter(s.packets_packed) >= 40; },
			       [&] { return dp->poll_exception() + dp->poll_bulk(); }));
	pump_bulk_for(5);
	peer.ours->break_link(BulkError::retry_exceeded);
	std::vector<Frame> second = bulk_frames(40, 40);
	ASSERT_NO_FATAL_FAILURE(inject(wire0->rx, second));
	ASSERT_TRUE(pump([&] { return peer.frames.size() >= 80; }));
	dp->stop();
	std::vector<Frame> all = first;
	all.insert(all.end(), second.begin(), second.end());
	EXPECT_EQ(peer.frames, all) << "nothing lost, nothing twice, in order";
	EXPECT_EQ(s.reconnects, 1u);
	EXPECT_GE(s.batches_reposted, 1u);
	EXPECT_EQ(s.errors, 1u);
	EXPECT_EQ(s.last_error.load(), uint8_t(BulkError::retry_exceeded));
	EXPECT_EQ(dp->totals().fallback_to_kernel, 0u);
	EXPECT_EQ(events(), (std::vector<PeerEventKind>{PeerEventKind::up, PeerEventKind::error, PeerEventKind::up}));
}

TEST_F(BulkPathTest, APeerThatIsDownOrLostFallsBackToPathAAndPathCResumes)
{
	// Batches are posted only when full (15 of these frames), so the loss below finds one open.
	ASSERT_NO_FATAL_FAILURE(start_bulk(false, 2000, 1000000));
	const pipeline::BulkPeerStats &s = dp->bulk()->stats(0);
	ASSERT_TRUE(pump([&] { return dials >= 2; })) << "down: dialed again every reconnect_ms";
	std::vector<Frame> while_down = bulk_frames(0, 30);
	ASSERT_NO_FATAL_FAILURE(inject(wire0->rx, while_down));
	ASSERT_TRUE(pump([&] { return rte_ring_count(kern0->tx) >= 30; }));
	EXPECT_EQ(take(kern0->tx), while_down) << "fail open: path A carries them";
	EXPECT_EQ(dp->totals().fallback_to_kernel, 30u);

	make_peer_ready();   // the peer comes back
	ASSERT_TRUE(pump([&] { return s.up.load(); }));
	std::vector<Frame> while_up = bulk_frames(30, 45);
	ASSERT_NO_FATAL_FAILURE(inject(wire0->rx, while_up));
	ASSERT_TRUE(pump([&] { return peer.frames.size() >= 30 && pipeline::read_counter(s.packets_packed) >= 45; }));
	EXPECT_EQ(peer.frames, std::vector<Frame>(while_up.begin(), while_up.begin() + 30));

	// The peer's process is gone while 15 frames wait in the open batch: path A takes them.
	peer.ours->break_link(BulkError::peer_closed);
	ASSERT_TRUE(pump([&] { return !s.up.load() && rte_ring_count(kern0->tx) >= 15; }));
	EXPECT_EQ(take(kern0->tx), std::vector<Frame>(while_up.begin() + 30, while_up.end()));
	std::vector<Frame> after = bulk_frames(75, 10);
	ASSERT_NO_FATAL_FAILURE(inject(wire0->rx, after));
	ASSERT_TRUE(pump([&] { return rte_ring_count(kern0->tx) >= 10; }));
	dp->stop();
	EXPECT_EQ(take(kern0->tx), after);
	EXPECT_EQ(s.packets_fallback, 15u);
	EXPECT_EQ(s.losses, 1u);
	LcoreCounters t = dp->totals();
	EXPECT_EQ(t.fallback_to_kernel, 30u + 15u + 10u);
	EXPECT_EQ(pipeline::total_drops(t), 0u);
	auto ev = events();
	ASSERT_GE(ev.size(), 3u);
	EXPECT_EQ(ev[0], PeerEventKind::up);
	EXPECT_EQ(ev.back(), PeerEventKind::down);
}

TEST_F(BulkPathTest, APeerThatStopsFreeingSlotsIsDeclaredStalledAndBypassed)
{
	ASSERT_NO_FATAL_FAILURE(start_bulk(true, 50));
	ASSERT_TRUE(pump([&] { return dp->bulk()->stats(0).up.load(); }));
	peer.hold = true;  // reads batches but never frees a slot: 4 batches, then no credit
	std::vector<Frame> in = bulk_frames(0, 120);
	ASSERT_NO_FATAL_FAILURE(inject(wire0->rx, in));
	const pipeline::BulkPeerStats &s = dp->bulk()->stats(0);
	ASSERT_TRUE(pump([&] { return peer.frames.size() + rte_ring_count(kern0->tx) >= 120; }));
	dp->stop();
	std::vector<Frame> a = take(kern0->tx);
	EXPECT_EQ(peer.frames.size() + a.size(), 120u) << "every frame at the peer or on path A";
	std::vector<Frame> joined = peer.frames;
	joined.insert(joined.end(), a.begin(), a.end());
	EXPECT_EQ(joined, in) << "the peer got the head, path A the rest, in order, none twice";
	EXPECT_EQ(s.losses, 1u);
	EXPECT_GE(s.credit_stalls, 1u);
	auto ev = events();
	EXPECT_NE(std::find(ev.begin(), ev.end(), PeerEventKind::stalled), ev.end());
}

TEST_F(BulkPathTest, ASlowWayOutHoldsThePeersCreditInsteadOfDropping)
{
	// Path A's ring holds 64; the peer sends 4 batches of 60 kernel-bound frames.
	ASSERT_NO_FATAL_FAILURE(start_bulk(true, 2000, 200, 64));
	ASSERT_TRUE(pump([&] { return dp->bulk()->stats(0).up.load(); }));
	std::vector<Frame> sent;
	for (unsigned b = 0; b < 4; b++) {
		std::vector<Frame> batch;
		for (unsigned i = 0; i < 60; i++)
			batch.push_back(tcp4(22, b * 60 + i, 0));
		ASSERT_TRUE(peer.send(batch));
		sent.insert(sent.end(), batch.begin(), batch.end());
	}
	EXPECT_EQ(peer.t->credits(), 0u);
	// Nobody drains path A: the bulk path fills its ring and waits, slots held.
	auto until = std::chrono::steady_clock::now() + std::chrono::milliseconds(20);
	while (std::chrono::steady_clock::now() < until) {
		dp->poll_bulk();
		peer.poll();
	}
	LcoreCounters t = dp->totals();
	EXPECT_EQ(drops(t, DropReason::bulk_emit_full), 0u);
	EXPECT_LE(t.bulk_emitted, 64u);
	EXPECT_LT(peer.t->credits(), 4u) << "the slots not yet emitted are still held";
	ASSERT_TRUE(pump([&] { return rte_ring_count(kern0->tx) >= sent.size(); }));
	ASSERT_TRUE(pump([&] { return peer.t->credits() == 4; })) << "every slot released once emptied";
	dp->stop();
	EXPECT_EQ(take(kern0->tx), sent);
	EXPECT_EQ(pipeline::total_drops(dp->totals()), 0u);
}
