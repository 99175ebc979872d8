// The control socket (unix stream): tripathctl sends command lines, gets each command's
// output followed by a NUL byte and a status byte ('0' ok, '1' error). Polled without
// blocking from the control lcore's loop. Each client runs with the role its credentials give
// it (access.h): readers are refused commands that change tripath.
#pragma once

#include <string>
#include <vector>

#include <tripath/control/access.h>
#include <tripath/control/registry.h>

namespace tripath::control {

inline constexpr char kStatusOk = '0';
inline constexpr char kStatusError = '1';
inline constexpr size_t kMaxLine = 4096;
// Commands run per poll (the control loop polls about every ms): a client sending faster waits in
// its socket buffer instead of holding the control lcore, which also carries path A's TAP I/O.
inline constexpr unsigned kMaxCommandsPerPoll = 16;
inline constexpr size_t kMaxBuffered = 64 * 1024; // read no further ahead per client

class SocketServer {
public:
	SocketServer() = default;
	~SocketServer();
	SocketServer(const SocketServer &) = delete;
	SocketServer &operator=(const SocketServer &) = delete;

	// Bind and listen at `path` with access.mode and access.group (default 0600, the daemon's
	// group); replaces a stale socket file, refuses a live one.
	bool open(const std::string &path, std::string &error, const SocketAccess &access = {});
	// Accept, read and answer what is ready, at most `max_commands` commands (the clients take
	// turns starting); never blocks. Returns commands executed.
	unsigned poll(const CommandRegistry &registry, unsigned max_commands = kMaxCommandsPerPoll);
	const std::string &path() const { return path_; }

private:
	struct Client {
		int fd = -1;
		std::string in;
		std::string out;
		bool closing = false;
		Peer peer;                     // who it is (SO_PEERCRED at accept) and its role
	};
	void serve(Client &c, const CommandRegistry &registry, unsigned &executed, unsigned max_commands);
	static void flush(Client &c);

	SocketAccess access_;
	int listen_fd_ = -1;
	std::string path_;
	std::vector<Client> clients_;
	size_t first_ = 0;                 // the client served first at the next poll (round robin)
};

} // namespace tripath::control
