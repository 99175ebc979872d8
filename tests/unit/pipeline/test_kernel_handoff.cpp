// Path A's hand-off (lib/pipeline/src/kernel_handoff.h): the exception lcore sends a header of
// its own over the worker's buffer, and the worker's mbuf comes back on its give-back ring only
// when that header is freed; what cannot be lent goes as the mbuf itself.
#include <cstring>
#include <string>

#include <gtest/gtest.h>
#include <rte_errno.h>
#include <rte_mbuf.h>
#include <rte_ring.h>

#include "kernel_handoff.h"

namespace tripath::pipeline {
namespace {

class KernelHandoffTest : public ::testing::Test {
protected:
	void SetUp() override
	{
		static unsigned n = 0;
		const std::string id = std::to_string(n++);
		pool = rte_pktmbuf_pool_create(("tkh_mb_" + id).c_str(), 255, 0, 0, RTE_MBUF_DEFAULT_BUF_SIZE, SOCKET_ID_ANY);
		headers = make_header_pool(("tkh_hd_" + id).c_str(), 3, SOCKET_ID_ANY);
		ring = make_handoff_ring(("tkh_r_" + id).c_str(), 64);
		give_back = rte_ring_create(("tkh_gb_" + id).c_str(), 64, SOCKET_ID_ANY, RING_F_SC_DEQ);
		ASSERT_TRUE(pool && headers && ring && give_back) << rte_strerror(rte_errno);
	}
	void TearDown() override
	{
		rte_ring_free(give_back);
		rte_ring_free(ring);
		rte_mempool_free(headers);
		rte_mempool_free(pool);
	}

	rte_mbuf *frame(uint16_t port, unsigned len, uint8_t fill)
	{
		rte_mbuf *m = rte_pktmbuf_alloc(pool);
		char *p = rte_pktmbuf_append(m, uint16_t(len));
		std::memset(p, fill, len);
		m->port = port;
		return m;
	}

	// Enqueue one packet, dequeue its descriptor, take it as the exception lcore would.
	rte_mbuf *hand_over(rte_mbuf *m, bool borrow, uint16_t &port)
	{
		EXPECT_EQ(enqueue_handoffs(ring, &m, 1, borrow), 1u);
		KernelHandoff h;
		EXPECT_EQ(rte_ring_sc_dequeue_burst_elem(ring, &h, sizeof(h), 1, nullptr), 1u);
		EXPECT_EQ(handoff_owner(h), m);
		return take_handoff(h, headers, give_back, port);
	}

	rte_mempool *pool = nullptr, *headers = nullptr;
	rte_ring *ring = nullptr, *give_back = nullptr;
};

TEST_F(KernelHandoffTest, HeaderBorrowsTheBufferAndItsFreeGivesTheMbufBack)
{
	rte_mbuf *m = frame(7, 300, 0xab);
	uint16_t port = 0;
	rte_mbuf *sent = hand_over(m, true, port);
	ASSERT_NE(sent, m) << "a one-segment frame is lent, not handed over";
	EXPECT_EQ(port, 7);
	EXPECT_EQ(sent->port, 7);
	EXPECT_EQ(sent->pkt_len, 300u);
	EXPECT_EQ(sent->data_len, 300);
	EXPECT_EQ(rte_pktmbuf_mtod(sent, uint8_t *), rte_pktmbuf_mtod(m, uint8_t *)) << "the header points at the worker's bytes";
	EXPECT_TRUE(RTE_MBUF_HAS_EXTBUF(sent));
	EXPECT_EQ(rte_ring_count(give_back), 0u) << "the owner stays lent while the header is out";

	rte_pktmbuf_free(sent); // what the TAP port does once it has written the frame
	ASSERT_EQ(rte_ring_count(give_back), 1u);
	void *back = nullptr;
	ASSERT_EQ(rte_ring_sc_dequeue(give_back, &back), 0);
	EXPECT_EQ(back, m);
	EXPECT_EQ(rte_mempool_in_use_count(headers), 0u) << "the header went back to its pool";
	EXPECT_EQ(m->pkt_len, 300u) << "the owner is untouched";
	rte_pktmbuf_free(m);
	EXPECT_EQ(rte_mempool_in_use_count(pool), 0u);
}

TEST_F(KernelHandoffTest, FreeGivenBackEmptiesTheRingIntoThePool)
{
	uint16_t port;
	for (unsigned i = 0; i < 3; i++)
		rte_pktmbuf_free(hand_over(frame(1, 64, uint8_t(i)), true, port));
	EXPECT_EQ(rte_mempool_in_use_count(pool), 3u);
	EXPECT_EQ(free_given_back(give_back), 3u);
	EXPECT_EQ(rte_mempool_in_use_count(pool), 0u);
	EXPECT_EQ(free_given_back(give_back), 0u);
}

TEST_F(KernelHandoffTest, WhatCannotBeLentGoesAsTheMbufItself)
{
	uint16_t port = 0;
	// The bulk lcore never lends (it has no give-back ring).
	rte_mbuf *m = frame(3, 100, 1);
	EXPECT_EQ(hand_over(m, false, port), m);
	EXPECT_EQ(port, 3);
	rte_pktmbuf_free(m);

	// A chain: a header would cover only its first segment.
	rte_mbuf *head = frame(4, 100, 2), *tail = frame(4, 50, 3);
	ASSERT_EQ(rte_pktmbuf_chain(head, tail), 0);
	EXPECT_EQ(hand_over(head, true, port), head);
	EXPECT_EQ(port, 4);
	rte_pktmbuf_free(head);

	// No header left (the pool holds 3): the rest go the old way, and nothing is lost.
	rte_mbuf *lent[3];
	for (rte_mbuf *&h : lent)
		ASSERT_NE(h = hand_over(frame(5, 80, 4), true, port), nullptr);
	rte_mbuf *last = frame(6, 80, 5);
	EXPECT_EQ(hand_over(last, true, port), last);
	EXPECT_EQ(port, 6);
	rte_pktmbuf_free(last);
	for (rte_mbuf *h : lent)
		rte_pktmbuf_free(h);
	EXPECT_EQ(free_given_back(give_back), 3u);
	EXPECT_EQ(rte_mempool_in_use_count(pool), 0u);
	EXPECT_EQ(rte_mempool_in_use_count(headers), 0u);
}

} // namespace
} // namespace tripath::pipeline
