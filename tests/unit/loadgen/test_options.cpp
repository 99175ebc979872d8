// The command line: accepted forms, defaults, and an error naming the flag for each mistake.
#include <gtest/gtest.h>

#include <sys/socket.h>

#include <tripath/loadgen/endpoint.h>
#include <tripath/loadgen/options.h>

using namespace tripath::loadgen;

namespace {

ParseResult parse(std::vector<std::string> args)
{
	return parse_options(args);
}

// Parsing fails and the message contains `needle` (usually the flag's name).
void expect_error(std::vector<std::string> args, const std::string &needle)
{
	ParseResult r = parse(args);
	std::string line;
	for (const std::string &a : args)
		line += a + " ";
	ASSERT_FALSE(r.error.empty()) << "accepted: " << line;
	EXPECT_NE(r.error.find(needle), std::string::npos) << line << "-> " << r.error;
}

} // namespace

TEST(Options, RpcWithEveryFlag)
{
	ParseResult r = parse({"rpc", "--target", "10.0.0.1:9000,10.0.0.2:9000", "--size", "128", "--fanout=16",
		"--duration", "2.5", "--warmup", "0", "--count", "1000", "--timeout-ms", "50", "--spin", "--json",
		"out.json", "--label", "path B", "--config-file", "lab.yaml"});
	ASSERT_TRUE(r.error.empty()) << r.error;
	const Options &o = r.options;
	EXPECT_EQ(o.workload, WorkloadClass::rpc);
	EXPECT_EQ(o.targets, (std::vector<std::string>{"10.0.0.1:9000", "10.0.0.2:9000"}));
	EXPECT_EQ(o.frame_bytes, 128u);
	EXPECT_EQ(o.fanout, 16u);
	EXPECT_DOUBLE_EQ(o.duration_s, 2.5);
	EXPECT_DOUBLE_EQ(o.warmup_s, 0);
	EXPECT_EQ(o.count, 1000u);
	EXPECT_EQ(o.timeout_ms, 50u);
	EXPECT_TRUE(o.spin);
	EXPECT_EQ(o.json_path, "out.json");
	EXPECT_EQ(o.label, "path B");
	EXPECT_EQ(o.config_file, "lab.yaml");
	EXPECT_EQ(o.command.size(), 21u);
}

TEST(Options, Defaults)
{
	ParseResult r = parse({"rpc", "--target", "[2001:db8::1]:9000"});
	ASSERT_TRUE(r.error.empty()) << r.error;
	EXPECT_EQ(r.options.frame_bytes, 0u);
	EXPECT_EQ(r.options.fanout, 1u);
	EXPECT_DOUBLE_EQ(r.options.duration_s, 10);
	EXPECT_DOUBLE_EQ(r.options.warmup_s, 1);
	EXPECT_EQ(r.options.count, 0u);
	EXPECT_EQ(r.options.timeout_ms, 1000u);
	EXPECT_EQ(r.options.rate, 0u);
}

TEST(Options, RateAndSamples)
{
	ParseResult r = parse({"rpc", "--target", "h:1", "--fanout", "8", "--rate", "20000", "--samples", "s.txt"});
	ASSERT_TRUE(r.error.empty()) << r.error;
	EXPECT_EQ(r.options.rate, 20000u);
	EXPECT_EQ(r.options.samples_path, "s.txt");
}

TEST(Options, CountAloneHasNoTimeLimit)
{
	ParseResult r = parse({"rpc", "--target", "h:1", "--count", "5"});
	ASSERT_TRUE(r.error.empty()) << r.error;
	EXPECT_DOUBLE_EQ(r.options.duration_s, 0);
	r = parse({"rpc", "--target", "h:1", "--count", "5", "--duration", "3"});
	EXPECT_DOUBLE_EQ(r.options.duration_s, 3);
}

TEST(Options, RetrievalRangeWithSuffixes)
{
	ParseResult r = parse({"retrieval", "--target", "h:1", "--response", "1K-16KiB", "--seed", "9"});
	ASSERT_TRUE(r.error.empty()) << r.error;
	EXPECT_EQ(r.options.response_min, 1024u);
	EXPECT_EQ(r.options.response_max, 16384u);
	EXPECT_EQ(r.options.seed, 9u);
	r = parse({"retrieval", "--target", "h:1", "--response", "4096"});
	ASSERT_TRUE(r.error.empty()) << r.error;
	EXPECT_EQ(r.options.response_min, 4096u);
	EXPECT_EQ(r.options.response_max, 4096u);
}

TEST(Options, BulkDefaultsToALongerTimeout)
{
	ParseResult r = parse({"bulk", "--target", "h:1", "--transfer", "1M", "--parallel", "4"});
	ASSERT_TRUE(r.error.empty()) << r.error;
	EXPECT_EQ(r.options.transfer_bytes, 1u << 20);
	EXPECT_EQ(r.options.parallel, 4u);
	EXPECT_EQ(r.options.timeout_ms, 10000u);
}

TEST(Options, SinkAcceptsPortZero)
{
	ParseResult r = parse({"sink", "--listen", "127.0.0.1:0"});
	ASSERT_TRUE(r.error.empty()) << r.error;
	EXPECT_EQ(r.options.listen, "127.0.0.1:0");
}

TEST(Options, Help)
{
	EXPECT_TRUE(parse({"--help"}).help);
	EXPECT_TRUE(parse({"rpc", "--target", "h:1", "-h"}).help);
	EXPECT_NE(usage().find("tripath-load rpc"), std::string::npos);
}

TEST(Options, ErrorsNameTheFlag)
{
	expect_error({}, "no class");
	expect_error({"ping"}, "unknown class 'ping'");
	expect_error({"rpc", "--target", "h:1", "--bogus"}, "unknown flag --bogus");
	expect_error({"rpc", "--target", "h:1", "stray"}, "unexpected argument 'stray'");
	expect_error({"rpc", "--target", "h:1", "--transfer", "1M"}, "--transfer does not apply to tripath-load rpc");
	expect_error({"sink", "--listen", "h:1", "--count", "3"}, "--count does not apply");
	expect_error({"rpc", "--target"}, "--target needs a value");
	expect_error({"rpc", "--target", "h:1", "--target", "h:2"}, "--target given twice");
	expect_error({"rpc"}, "needs --target");
	expect_error({"retrieval", "--target", "h:1"}, "needs --response");
	expect_error({"bulk", "--target", "h:1"}, "needs --transfer");
	expect_error({"sink"}, "needs --listen");
	expect_error({"rpc", "--target", "h:1", "--fanout", "0"}, "--fanout '0'");
	expect_error({"rpc", "--target", "h:1", "--fanout", "3x"}, "--fanout '3x'");
	expect_error({"rpc", "--target", "h:1", "--rate", "0"}, "--rate '0'");
	expect_error({"bulk", "--target", "h:1", "--transfer", "1M", "--rate", "10"}, "--rate does not apply");
	expect_error({"rpc", "--target", "h:1", "--size", "abc"}, "--size 'abc'");
	expect_error({"rpc", "--target", "h:1", "--duration", "0"}, "--duration '0'");
	expect_error({"rpc", "--target", "h:1", "--duration", "-1"}, "--duration '-1'");
	expect_error({"rpc", "--target", "h:1", "--warmup", "soon"}, "--warmup 'soon'");
	expect_error({"rpc", "--target", "h:1", "--count", "0"}, "--count '0'");
	expect_error({"rpc", "--target", "h:1", "--timeout-ms", "0"}, "--timeout-ms '0'");
	expect_error({"rpc", "--target", "h:1", "--spin=yes"}, "--spin takes no value");
	expect_error({"rpc", "--target", "h:1", "--json", ""}, "--json needs a non-empty value");
	expect_error({"retrieval", "--target", "h:1", "--response", "16K-1K"}, "MIN is larger than MAX");
	expect_error({"retrieval", "--target", "h:1", "--response", "1K-"}, "--response '1K-'");
	expect_error({"retrieval", "--target", "h:1", "--response", "0-10"}, "--response '0-10'");
	expect_error({"retrieval", "--target", "h:1", "--response", "1-17M"}, "--response '1-17M'");
	expect_error({"bulk", "--target", "h:1", "--transfer", "65535"}, "--transfer '65535'");
	expect_error({"bulk", "--target", "h:1", "--transfer", "1M", "--parallel", "0"}, "--parallel '0'");
	expect_error({"rpc", "--target", "10.0.0.1"}, "has no :PORT");
	expect_error({"rpc", "--target", "10.0.0.1:0"}, "port '0'");
	expect_error({"rpc", "--target", "10.0.0.1:65536"}, "port '65536'");
	expect_error({"rpc", "--target", "10.0.0.1:http"}, "port 'http'");
	expect_error({"rpc", "--target", "::1:9000"}, "in brackets");
	expect_error({"rpc", "--target", "[::1:9000"}, "not [IPV6]:PORT");
	expect_error({"rpc", "--target", "h:1,,h:2"}, "empty entry");
	expect_error({"rpc", "--target", ":9000"}, "no address");
	expect_error({"sink", "--listen", "127.0.0.1"}, "--listen");
}

TEST(Endpoint, ResolvesNumericAddresses)
{
	std::string error;
	auto v4 = resolve_endpoint("127.0.0.1:9000", "--target", SOCK_DGRAM, false, error);
	ASSERT_TRUE(v4) << error;
	EXPECT_EQ(v4->family(), AF_INET);
	EXPECT_EQ(format_address(v4->sockaddr_ptr()), "127.0.0.1:9000");
	auto v6 = resolve_endpoint("[::1]:9000", "--target", SOCK_DGRAM, false, error);
	ASSERT_TRUE(v6) << error;
	EXPECT_EQ(v6->family(), AF_INET6);
	EXPECT_EQ(format_address(v6->sockaddr_ptr()), "[::1]:9000");
	auto bad = resolve_endpoint("127.0.0.1:0", "--target", SOCK_DGRAM, false, error);
	EXPECT_FALSE(bad);
	EXPECT_NE(error.find("--target"), std::string::npos) << error;
}
