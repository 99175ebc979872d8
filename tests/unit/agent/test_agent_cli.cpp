// The tripath-agent binary as scripts use it: exit 2 naming a bad flag, the ready line on
// stdout, counters as JSON after SIGTERM.
#include <csignal>
#include <cstdio>
#include <fstream>
#include <poll.h>
#include <sstream>
#include <sys/wait.h>
#include <unistd.h>

#include <gtest/gtest.h>

#include "rpc_client.h"

using namespace tripath::agent::test;

namespace {

struct Child {
	pid_t pid = -1;
	int out = -1; // stdout
	int err = -1; // stderr
};

Child spawn(const std::vector<std::string> &args)
{
	int out[2], err[2];
	EXPECT_EQ(pipe(out), 0);
	EXPECT_EQ(pipe(err), 0);
	Child c;
	c.pid = fork();
	if (c.pid == 0) {
		dup2(out[1], 1);
		dup2(err[1], 2);
		std::vector<char *> argv;
		argv.push_back(const_cast<char *>(TRIPATH_AGENT_EXE));
		for (const std::string &a : args)
			argv.push_back(const_cast<char *>(a.c_str()));
		argv.push_back(nullptr);
		execv(TRIPATH_AGENT_EXE, argv.data());
		_exit(127);
	}
	close(out[1]);
	close(err[1]);
	c.out = out[0];
	c.err = err[0];
	return c;
}

// Reads `fd` until `marker` shows up, EOF, or the timeout.
std::string read_until(int fd, const std::string &marker, int timeout_ms)
{
	std::string text;
	char buf[512];
	pollfd p{fd, POLLIN, 0};
	while (text.find(marker) == std::string::npos && poll(&p, 1, timeout_ms) == 1) {
		ssize_t n = read(fd, buf, sizeof(buf));
		if (n <= 0)
			break;
		text.append(buf, size_t(n));
	}
	return text;
}

int wait_exit(pid_t pid)
{
	int status = 0;
	waitpid(pid, &status, 0);
	return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
}

TEST(AgentCli, BadFlagsExit2NamingTheFlag)
{
	struct Case {
		std::vector<std::string> args;
		std::string named;
	};
	std::vector<Case> cases = {
		{{"--mode", "udp", "--port", "9000", "--bogus"}, "--bogus"},
		{{"--mode", "tcp", "--port", "9000"}, "--mode"},
		{{"--port", "9000"}, "--mode"},
		{{"--mode", "udp"}, "--port"},
		{{"--mode", "udp", "--port", "9001-9000"}, "--port"},
		{{"--mode", "udp", "--port", "70000"}, "--port"},
		{{"--mode", "xsk", "--port", "9000"}, "--iface"},
		{{"--mode", "xsk", "--iface", "eth0", "--queue", "x", "--port", "9000"}, "--queue"},
		{{"--mode", "udp", "--port"}, "--port"},
	};
	for (const Case &c : cases) {
		Child child = spawn(c.args);
		std::string err = read_until(child.err, "\n", 5000);
		EXPECT_EQ(wait_exit(child.pid), 2) << c.named;
		EXPECT_NE(err.find(c.named), std::string::npos) << err;
		close(child.out);
		close(child.err);
	}
}

TEST(AgentCli, UdpModeAnnouncesServesAndReportsOnSigterm)
{
	uint16_t port = uint16_t(30000 + getpid() % 20000);
	std::string json = "/tmp/tripath-agent-cli-" + std::to_string(getpid()) + ".json";
	std::string ports = std::to_string(port) + "-" + std::to_string(port + 1);
	Child child = spawn({"--mode", "udp", "--bind", "127.0.0.1", "--port", ports, "--stats-json", json});
	std::string out = read_until(child.out, "\n", 5000);
	EXPECT_EQ(out, "tripath-agent: ready (udp on 127.0.0.1 ports " + ports + ")\n");

	int fd = socket(AF_INET, SOCK_DGRAM, 0);
	std::vector<uint8_t> request = make_request(77, 3000, 20);
	check_reply(exchange(fd, peer("127.0.0.1", uint16_t(port + 1)), request, 3), request, 77, 3000);
	close(fd);

	kill(child.pid, SIGTERM);
	std::string rest = read_until(child.out, "not_rpc", 5000);
	EXPECT_EQ(wait_exit(child.pid), 0);
	EXPECT_NE(rest.find("requests     1"), std::string::npos) << rest;
	std::ifstream in(json);
	std::stringstream text;
	text << in.rdbuf();
	EXPECT_NE(text.str().find("\"requests\": 1,"), std::string::npos) << text.str();
	EXPECT_NE(text.str().find("\"datagrams\": 3,"), std::string::npos) << text.str();
	EXPECT_NE(text.str().find("\"bytes\": 3000,"), std::string::npos) << text.str();
	std::remove(json.c_str());
	close(child.out);
	close(child.err);
}

} // namespace
