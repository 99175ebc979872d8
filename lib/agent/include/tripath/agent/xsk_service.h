// An agent service on its own AF_XDP socket: bpf/xsk_redirect.bpf.o (attached with libxdp)
// redirects UDP to the agent's ports into the socket of one rx queue; replies are built in
// umem frames and sent on the same socket. Everything else still reaches the kernel stack.
#pragma once

#include <atomic>
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include <tripath/agent/counters.h>

namespace tripath::agent {

struct XskServiceConfig {
	std::string iface;
	uint32_t queue = 0;
	uint16_t port_lo = 0;       // both ends included
	uint16_t port_hi = 0;
	bool busy_poll = false;     // SO_PREFER_BUSY_POLL / SO_BUSY_POLL / SO_BUSY_POLL_BUDGET, best effort
	bool spin = false;          // spin on the rings instead of sleeping in poll()
	std::string program_path;   // empty: xsk_program_path()
};

// $TRIPATH_XSK_PROG, else the installed xsk_redirect.bpf.o, else the one in this build tree.
std::string xsk_program_path();

class XskService {
public:
	XskService();
	~XskService();
	XskService(const XskService &) = delete;
	XskService &operator=(const XskService &) = delete;

	// Attaches the program, opens and registers the socket; on failure everything is undone.
	bool open(const XskServiceConfig &config, std::string &error);
	// Serves until `stop` is set (checked at least every 100 ms).
	void run(const std::atomic<bool> &stop);
	// Closes the socket, detaches the program, frees the umem.
	void close();

	AgentStats stats() const;
	const std::vector<std::string> &warnings() const;
	// "native" or "skb" while open, "none" otherwise.
	const char *attach_mode() const;

private:
	class Engine;
	std::unique_ptr<Engine> engine_;
};

} // namespace tripath::agent
