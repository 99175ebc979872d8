// The responder: echo, the size matrix, fragment layout, and input it must ignore.
#include <numeric>

#include <gtest/gtest.h>

#include <tripath/agent/rpc_responder.h>

using namespace tripath::agent;

namespace {

std::vector<uint8_t> request(uint64_t id, uint32_t response_bytes, size_t size = kRpcHeaderSize)
{
	std::vector<uint8_t> r(size);
	for (size_t i = kRpcHeaderSize; i < size; i++)
		r[i] = uint8_t(i);
	RpcHeader h;
	h.id = id;
	h.response_bytes = response_bytes;
	rpc_encode(h, r.data());
	return r;
}

std::vector<std::vector<uint8_t>> respond(const std::vector<uint8_t> &r)
{
	return rpc_respond(r.data(), r.size());
}

TEST(RpcResponder, EchoesTheRequestWithTheHeaderTurnedIntoAResponse)
{
	std::vector<uint8_t> r = request(42, 0, 100);
	auto out = respond(r);
	ASSERT_EQ(out.size(), 1u);
	ASSERT_EQ(out[0].size(), r.size());
	EXPECT_TRUE(std::equal(out[0].begin() + kRpcHeaderSize, out[0].end(), r.begin() + kRpcHeaderSize));
	std::optional<RpcHeader> h = rpc_decode(out[0].data(), out[0].size());
	ASSERT_TRUE(h);
	EXPECT_EQ(h->flags, kRpcResponse);
	EXPECT_EQ(h->id, 42u);
	EXPECT_EQ(h->response_bytes, 0u);
	EXPECT_EQ(h->frag_index, 0);
	EXPECT_EQ(h->frag_count, 1);
}

TEST(RpcResponder, EchoInPlaceRewritesOnlyTheHeader)
{
	std::vector<uint8_t> r = request(7, 0, 64);
	std::vector<uint8_t> original = r;
	std::optional<RpcReply> reply = rpc_plan_reply(r.data(), r.size());
	ASSERT_TRUE(reply);
	EXPECT_TRUE(reply->echo);
	EXPECT_EQ(rpc_write_fragment(*reply, 0, r.data(), r.data()), 64u);
	EXPECT_TRUE(std::equal(r.begin() + kRpcHeaderSize, r.end(), original.begin() + kRpcHeaderSize));
	EXPECT_TRUE(rpc_decode(r.data(), r.size())->flags & kRpcResponse);
}

struct SizeCase {
	uint32_t ask;
	std::vector<size_t> sizes; // every datagram's UDP payload, in fragment order
};

TEST(RpcResponder, AnswersEachSizeWithTheRightDatagrams)
{
	std::vector<SizeCase> cases = {
		{1, {20}},         // below the header: a header-only reply
		{20, {20}},
		{21, {21}},
		{1472, {1472}},
		{1473, {1453, 20}}, // two headers, 1433 body bytes: the body fills datagrams in order
	};
	SizeCase big{16384, std::vector<size_t>(11, 1472)};
	big.sizes.push_back(16384 - 11 * 1472);
	cases.push_back(big);
	for (const SizeCase &c : cases) {
		auto out = respond(request(9, c.ask));
		ASSERT_EQ(out.size(), c.sizes.size()) << c.ask;
		ASSERT_EQ(out.size(), rpc_fragments(c.ask)) << c.ask;
		size_t total = 0;
		for (size_t i = 0; i < out.size(); i++) {
			EXPECT_EQ(out[i].size(), c.sizes[i]) << "ask " << c.ask << " datagram " << i;
			EXPECT_LE(out[i].size(), kRpcMaxDatagram);
			std::optional<RpcHeader> h = rpc_decode(out[i].data(), out[i].size());
			ASSERT_TRUE(h);
			EXPECT_EQ(h->flags, kRpcResponse);
			EXPECT_EQ(h->id, 9u);
			EXPECT_EQ(h->response_bytes, c.ask);
			EXPECT_EQ(h->frag_index, i);
			EXPECT_EQ(h->frag_count, out.size());
			total += out[i].size();
		}
		EXPECT_EQ(total, std::max<size_t>(c.ask, kRpcHeaderSize)) << c.ask;
	}
}

TEST(RpcResponder, LargestAllowedAskIsPlannedWithoutBuilding)
{
	std::vector<uint8_t> r = request(1, kRpcMaxResponseBytes);
	std::optional<RpcReply> reply = rpc_plan_reply(r.data(), r.size());
	ASSERT_TRUE(reply);
	EXPECT_EQ(reply->fragments, rpc_fragments(kRpcMaxResponseBytes));
	size_t total = 0;
	for (uint16_t i = 0; i < reply->fragments; i++) {
		size_t size = rpc_fragment_size(*reply, i);
		EXPECT_GE(size, kRpcHeaderSize);
		EXPECT_LE(size, kRpcMaxDatagram);
		total += size;
	}
	EXPECT_EQ(total, kRpcMaxResponseBytes);
}

TEST(RpcResponder, IgnoresGarbageTruncatedResponsesAndOversizedAsks)
{
	std::vector<uint8_t> garbage(64, 0x5a);
	EXPECT_TRUE(respond(garbage).empty());
	std::vector<uint8_t> empty;
	EXPECT_TRUE(rpc_respond(empty.data(), 0).empty());
	std::vector<uint8_t> truncated = request(1, 100);
	for (size_t len = 0; len < kRpcHeaderSize; len++)
		EXPECT_TRUE(rpc_respond(truncated.data(), len).empty()) << len;
	std::vector<uint8_t> response = request(1, 100);
	response[3] = kRpcResponse;
	EXPECT_TRUE(respond(response).empty());
	EXPECT_TRUE(respond(request(1, kRpcMaxResponseBytes + 1)).empty());
}

} // namespace
