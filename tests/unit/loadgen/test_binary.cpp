// The built tripath-load, run as a process: its JSON envelope parses (python3's json) and has
// every key, bad command lines exit 2 naming the flag, SIGINT still reports, sink + bulk talk.
#include <chrono>
#include <csignal>
#include <cstdlib>
#include <fcntl.h>
#include <fstream>
#include <spawn.h>
#include <sstream>
#include <sys/wait.h>
#include <thread>
#include <unistd.h>

#include <gtest/gtest.h>

#include "rpc_responder.h"

extern char **environ;

using tripath::loadgen::test::RpcResponder;

namespace {

// Checks the envelope; argv: FILE CLASS [key=value...] where each metric/parameter must match.
constexpr const char *kCheckEnvelope = R"PY(
import datetime, hashlib, json, sys
d = json.load(open(sys.argv[1]))
want = dict(a.split("=", 1) for a in sys.argv[2:])
for k in ("schema", "host", "kernel", "cpu", "dpdk_version", "git_revision", "git_dirty", "command",
          "config", "parameters", "metrics", "started_at", "duration_s"):
    assert k in d, "missing " + k
assert d["schema"] == "tripath.loadgen/1", d["schema"]
assert d["host"] and d["kernel"] and d["dpdk_version"] and d["git_revision"]
assert d["cpu"]["count"] >= 1 and d["cpu"]["model"], d["cpu"]
assert d["command"].startswith("tripath-load " + want.pop("class")), d["command"]
datetime.datetime.fromisoformat(d["started_at"].replace("Z", "+00:00"))
assert d["duration_s"] >= 0
m, p = d["metrics"], d["parameters"]
for k in ("rtt_us", "rtt_samples", "rtt_method", "requests", "requests_completed", "timeouts", "requests_per_s",
          "tx_bytes", "rx_bytes", "tx_bytes_per_s", "rx_bytes_per_s", "cpu", "interrupted", "targets"):
    assert k in m, "metrics: missing " + k
assert set(m["cpu"]) >= {"user_s", "sys_s", "per_request_us"}, m["cpu"]
r = m["rtt_us"]
if m["rtt_samples"]:
    assert r["min"] <= r["p50"] <= r["p90"] <= r["p99"] <= r["p99_9"] <= r["max"], r
    assert r["min"] <= r["mean"] <= r["max"], r
assert m["requests"] == m["requests_completed"] + m["timeouts"] + m["abandoned"] + m["failed"], m
if "config_file" in want:
    path = want.pop("config_file")
    f = d["config"]["file"]
    assert f["path"] == path and f["sha256"] == hashlib.sha256(open(path, "rb").read()).hexdigest(), f
if "label" in want:
    assert d["config"]["label"] == want.pop("label"), d["config"]
for k, v in want.items():
    section, name = k.split(".")
    got = (m if section == "metrics" else p)[name]
    assert json.dumps(got) == v, "%s: %r, wanted %s" % (k, got, v)
)PY";

std::string binary()
{
	const char *path = std::getenv("TRIPATH_LOAD");
	return path != nullptr ? path : "";
}

class BinaryTest : public ::testing::Test {
protected:
	void SetUp() override
	{
		ASSERT_FALSE(binary().empty()) << "TRIPATH_LOAD is not set (meson test sets it)";
		char tmpl[] = "/tmp/tripath-load-test-XXXXXX";
		ASSERT_NE(mkdtemp(tmpl), nullptr);
		dir = tmpl;
	}
	void TearDown() override { std::system(("rm -rf '" + dir + "'").c_str()); }

	// Starts `program` (searched in PATH) with stdout and stderr to files in the test directory.
	pid_t spawn(const std::string &program, const std::vector<std::string> &args, const std::string &name)
	{
		posix_spawn_file_actions_t actions;
		posix_spawn_file_actions_init(&actions);
		posix_spawn_file_actions_addopen(&actions, 1, (dir + "/" + name + ".out").c_str(),
			O_WRONLY | O_CREAT | O_TRUNC, 0644);
		posix_spawn_file_actions_addopen(&actions, 2, (dir + "/" + name + ".err").c_str(),
			O_WRONLY | O_CREAT | O_TRUNC, 0644);
		std::vector<std::string> all = {program};
		all.insert(all.end(), args.begin(), args.end());
		std::vector<char *> argv;
		for (std::string &a : all)
			argv.push_back(a.data());
		argv.push_back(nullptr);
		pid_t pid = -1;
		int rc = posix_spawnp(&pid, program.c_str(), &actions, nullptr, argv.data(), environ);
		posix_spawn_file_actions_destroy(&actions);
		EXPECT_EQ(rc, 0) << "cannot start " << program;
		return rc == 0 ? pid : -1;
	}

	// Exit status, or -1 (after SIGKILL) when it takes longer than `seconds`.
	static int wait_exit(pid_t pid, int seconds)
	{
		auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(seconds);
		int status = 0;
		while (waitpid(pid, &status, WNOHANG) == 0) {
			if (std::chrono::steady_clock::now() > deadline) {
				kill(pid, SIGKILL);
				waitpid(pid, &status, 0);
				return -1;
			}
			std::this_thread::sleep_for(std::chrono::milliseconds(20));
		}
		return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
	}

	int run(const std::vector<std::string> &args, const std::string &name, int seconds = 60)
	{
		pid_t pid = spawn(binary(), args, name);
		return pid < 0 ? -1 : wait_exit(pid, seconds);
	}

	std::string output(const std::string &name, const char *stream = "out")
	{
		std::ifstream in(dir + "/" + name + "." + stream);
		std::stringstream s;
		s << in.rdbuf();
		return s.str();
	}

	void check_envelope(const std::string &json, std::vector<std::string> expectations)
	{
		std::vector<std::string> args = {"-c", kCheckEnvelope, json};
		args.insert(args.end(), expectations.begin(), expectations.end());
		pid_t pid = spawn("python3", args, "check");
		ASSERT_EQ(wait_exit(pid, 30), 0) << output("check", "err") << "\n" << output("check", "out");
	}

	std::string dir;
};

} // namespace

TEST_F(BinaryTest, RpcWritesAParsableEnvelope)
{
	RpcResponder responder;
	ASSERT_TRUE(responder.ok());
	std::string config = dir + "/lab.yaml";
	std::ofstream(config) << "ports: []\n";
	std::string json = dir + "/rpc.json";
	int status = run({"rpc", "--target", responder.address(), "--size", "100", "--fanout", "4", "--count", "300",
			 "--warmup", "0.1", "--json", json, "--label", "binary test", "--config-file", config},
		"rpc");
	ASSERT_EQ(status, 0) << output("rpc", "err");
	EXPECT_NE(output("rpc").find("tripath-load rpc [binary test]: 300 completed, 0 timeouts"), std::string::npos)
		<< output("rpc");
	check_envelope(json, {"class=rpc", "label=binary test", "config_file=" + config, "parameters.fanout=4",
				     "parameters.size=100", "parameters.count=300", "metrics.requests_completed=300",
				     "metrics.timeouts=0", "metrics.rtt_samples=300", "metrics.tx_bytes=17400",
				     "metrics.interrupted=false"});
}

// --samples: one line per measured request, completion times in order, and the RTTs are the
// envelope's (their count is metrics.rtt_samples).
TEST_F(BinaryTest, SamplesListEveryMeasuredRequestInCompletionOrder)
{
	RpcResponder responder;
	ASSERT_TRUE(responder.ok());
	std::string samples = dir + "/rpc.samples";
	int status = run({"rpc", "--target", responder.address(), "--fanout", "4", "--count", "200", "--warmup", "0.05",
			 "--rate", "20000", "--samples", samples},
		"rpc");
	ASSERT_EQ(status, 0) << output("rpc", "err");
	std::ifstream in(samples);
	unsigned long long done = 0, rtt = 0, last_done = 0;
	size_t lines = 0;
	while (in >> done >> rtt) {
		EXPECT_GE(done, last_done) << "line " << lines + 1;
		EXPECT_GT(rtt, 0u) << "line " << lines + 1;
		EXPECT_LT(rtt, done) << "line " << lines + 1;
		last_done = done;
		lines++;
	}
	EXPECT_EQ(lines, 200u);
}

TEST_F(BinaryTest, BadCommandLinesExitTwoNamingTheFlag)
{
	struct Case {
		std::vector<std::string> args;
		std::string says;
	};
	std::vector<Case> cases = {
		{{}, "no class"},
		{{"rpc", "--target", "127.0.0.1:9", "--size", "30"}, "--size 30"},
		{{"rpc", "--target", "[::1]:9", "--size", "64"}, "--size 64"},
		{{"rpc", "--target", "127.0.0.1"}, "--target"},
		{{"rpc", "--target", "127.0.0.1:9", "--fanout", "many"}, "--fanout 'many'"},
		{{"bulk", "--target", "127.0.0.1:9", "--transfer", "1000"}, "--transfer '1000'"},
		{{"rpc", "--target", "127.0.0.1:9", "--config-file", dir + "/missing.yaml"}, "--config-file"},
		{{"rpc", "--target", "127.0.0.1:9", "--json", dir + "/no/such/dir.json"}, "--json"},
		{{"rpc", "--target", "127.0.0.1:9", "--samples", dir + "/no/such/dir.txt"}, "--samples"},
	};
	for (size_t i = 0; i < cases.size(); i++) {
		std::string name = "bad" + std::to_string(i);
		EXPECT_EQ(run(cases[i].args, name, 20), 2) << cases[i].says;
		EXPECT_NE(output(name, "err").find(cases[i].says), std::string::npos) << output(name, "err");
	}
	EXPECT_EQ(run({"--help"}, "help", 20), 0);
	EXPECT_NE(output("help").find("tripath-load retrieval"), std::string::npos);
}

TEST_F(BinaryTest, InterruptedRunStillReports)
{
	RpcResponder responder;
	ASSERT_TRUE(responder.ok());
	std::string json = dir + "/interrupted.json";
	pid_t pid = spawn(binary(), {"rpc", "--target", responder.address(), "--duration", "60", "--warmup", "0",
					    "--json", json},
		"interrupted");
	ASSERT_GT(pid, 0);
	// Wait until it has measured something, then Ctrl-C.
	for (int i = 0; i < 250 && responder.requests() < 50; i++)
		std::this_thread::sleep_for(std::chrono::milliseconds(20));
	kill(pid, SIGINT);
	ASSERT_EQ(wait_exit(pid, 20), 0) << output("interrupted", "err");
	EXPECT_NE(output("interrupted").find("[interrupted]"), std::string::npos) << output("interrupted");
	check_envelope(json, {"class=rpc", "metrics.interrupted=true", "parameters.duration=60"});
}

TEST_F(BinaryTest, SinkServesBulk)
{
	pid_t sink = spawn(binary(), {"sink", "--listen", "127.0.0.1:0"}, "sink");
	ASSERT_GT(sink, 0);
	std::string address;
	for (int i = 0; i < 250 && address.empty(); i++) {
		std::string out = output("sink");
		size_t at = out.find("sink ready on ");
		size_t end = out.find('\n', at);
		if (at != std::string::npos && end != std::string::npos)
			address = out.substr(at + 14, end - at - 14);
		else
			std::this_thread::sleep_for(std::chrono::milliseconds(20));
	}
	ASSERT_FALSE(address.empty()) << output("sink") << output("sink", "err");
	std::string json = dir + "/bulk.json";
	int status = run({"bulk", "--target", address, "--transfer", "64K", "--parallel", "2", "--count", "6",
			 "--warmup", "0", "--json", json},
		"bulk");
	kill(sink, SIGTERM);
	EXPECT_EQ(wait_exit(sink, 20), 0) << output("sink", "err");
	ASSERT_EQ(status, 0) << output("bulk", "err");
	EXPECT_NE(output("sink").find("sink stopped: 2 connections, 6 transfers"), std::string::npos) << output("sink");
	check_envelope(json, {"class=bulk", "metrics.requests_completed=6", "metrics.goodput_bytes=393216",
				     "parameters.transfer=65536", "parameters.parallel=2"});
}
