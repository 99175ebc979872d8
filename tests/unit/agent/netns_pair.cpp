#include <cstdlib>
#include <fcntl.h>
#include <sched.h>
#include <sys/socket.h>
#include <thread>
#include <unistd.h>

#include "netns_pair.h"

namespace tripath::agent::test {
namespace {

int sh(const std::string &command)
{
	int status = std::system((command + " >/dev/null 2>&1").c_str());
	return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

} // namespace

NetnsPair::NetnsPair()
{
	std::string base = "tpag" + std::to_string(getpid());
	service_ns = base + "a";
	client_ns = base + "b";
}

NetnsPair::~NetnsPair()
{
	// Deleting a namespace deletes the veth end (and so the pair) inside it.
	sh("ip netns del " + service_ns);
	sh("ip netns del " + client_ns);
}

int NetnsPair::run_in(const std::string &ns, const std::string &command)
{
	return sh("ip netns exec " + ns + " " + command);
}

std::string NetnsPair::create()
{
	const std::string &a = service_ns, &b = client_ns;
	const std::string steps[] = {
		"ip netns add " + a,
		"ip netns add " + b,
		"ip link add " + a + " netns " + a + " type veth peer name " + b + " netns " + b,
		"ip -n " + a + " addr add " + kServiceIpv4 + "/24 dev " + a,
		"ip -n " + b + " addr add " + kClientIpv4 + "/24 dev " + b,
		"ip -n " + a + " addr add " + kServiceIpv6 + "/64 dev " + a + " nodad",
		"ip -n " + b + " addr add " + kClientIpv6 + "/64 dev " + b + " nodad",
		"ip -n " + a + " link set lo up",
		"ip -n " + b + " link set lo up",
		"ip -n " + a + " link set " + a + " up",
		"ip -n " + b + " link set " + b + " up",
		// The client checksums in software: AF_XDP copies frames with partial checksums as they are.
		"ip netns exec " + b + " ethtool -K " + b + " tx off",
	};
	for (const std::string &step : steps)
		if (sh(step) != 0)
			return "setup step failed: " + step;
	return "";
}

bool enter_netns(const std::string &ns)
{
	int fd = open(("/var/run/netns/" + ns).c_str(), O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return false;
	bool ok = setns(fd, CLONE_NEWNET) == 0;
	close(fd);
	return ok;
}

bool run_in_netns(const std::string &ns, const std::function<void()> &fn)
{
	bool entered = false;
	std::thread([&] {
		entered = enter_netns(ns);
		if (entered)
			fn();
	}).join();
	return entered;
}

int socket_in(const std::string &ns, int domain, int type, int protocol)
{
	int fd = -1;
	run_in_netns(ns, [&] { fd = socket(domain, type | SOCK_CLOEXEC, protocol); });
	return fd;
}

} // namespace tripath::agent::test
