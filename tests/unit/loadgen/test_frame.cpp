// --size (an Ethernet frame without FCS) to the UDP payload of the request, and its errors.
#include <gtest/gtest.h>

#include <netinet/in.h>
#include <sys/socket.h>

#include <tripath/agent/rpc_wire.h>
#include <tripath/loadgen/frame.h>
#include <tripath/loadgen/udp_client.h>

using namespace tripath::loadgen;

TEST(Frame, PayloadIsFrameMinusHeaders)
{
	std::string error;
	EXPECT_EQ(udp_payload_for_frame(64, AF_INET, error), 22u);
	EXPECT_EQ(udp_payload_for_frame(512, AF_INET, error), 470u);
	EXPECT_EQ(udp_payload_for_frame(512, AF_INET6, error), 450u);
	EXPECT_EQ(udp_payload_for_frame(1514, AF_INET, error), uint32_t(tripath::agent::kRpcMaxDatagram));
	EXPECT_EQ(udp_payload_for_frame(82, AF_INET6, error), 20u);
	EXPECT_EQ(udp_payload_for_frame(62, AF_INET, error), 20u);
	EXPECT_TRUE(error.empty()) << error;
}

TEST(Frame, TooSmallForTheHeaderNamesSizeAndTheMinimum)
{
	std::string error;
	EXPECT_FALSE(udp_payload_for_frame(64, AF_INET6, error));
	EXPECT_NE(error.find("--size 64"), std::string::npos) << error;
	EXPECT_NE(error.find("IPv6"), std::string::npos) << error;
	EXPECT_NE(error.find("--size 82 or more"), std::string::npos) << error;
	error.clear();
	EXPECT_FALSE(udp_payload_for_frame(61, AF_INET, error));
	EXPECT_NE(error.find("--size 62 or more"), std::string::npos) << error;
	error.clear();
	EXPECT_FALSE(udp_payload_for_frame(20, AF_INET, error));
	EXPECT_NE(error.find("leaves 0 B"), std::string::npos) << error;
}

TEST(Frame, LargerThanOneMtuFrameIsRefused)
{
	std::string error;
	EXPECT_FALSE(udp_payload_for_frame(1515, AF_INET, error));
	EXPECT_NE(error.find("--size 1515"), std::string::npos) << error;
}

TEST(Frame, SmallestFrameHoldsTheHeader)
{
	EXPECT_EQ(smallest_request_frame(AF_INET), 64u);
	EXPECT_EQ(smallest_request_frame(AF_INET6), 82u);
}

namespace {

Endpoint endpoint(const std::string &text)
{
	std::string error;
	auto e = resolve_endpoint(text, "--target", SOCK_DGRAM, false, error);
	EXPECT_TRUE(e) << error;
	return e.value_or(Endpoint{});
}

} // namespace

TEST(Frame, RequestPayloadsPerTargetFamily)
{
	std::vector<Endpoint> targets = {endpoint("127.0.0.1:7"), endpoint("[::1]:7")};
	Options o;
	std::string error;
	auto payloads = request_payloads(o, targets, error);   // default size: smallest per family
	ASSERT_TRUE(payloads) << error;
	EXPECT_EQ(*payloads, (std::vector<uint32_t>{22, 20}));
	o.frame_bytes = 128;
	payloads = request_payloads(o, targets, error);
	ASSERT_TRUE(payloads) << error;
	EXPECT_EQ(*payloads, (std::vector<uint32_t>{86, 66}));
	o.frame_bytes = 70;                // fine for IPv4, too small for IPv6
	EXPECT_FALSE(request_payloads(o, targets, error));
	EXPECT_NE(error.find("--size 70"), std::string::npos) << error;
	EXPECT_NE(error.find("[::1]:7"), std::string::npos) << error;
}
