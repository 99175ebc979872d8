// The control socket (unix stream): tripathctl sends command lines, gets each command's
// output followed by a NUL byte and a status byte ('0' ok, '1' error). Polled without
// blocking from the control lcore's loop. Each client runs with the role its credentials give
// it (access.h): readers are refused commands that change tripath.
#pragma once

#include <cstdint>
#include <functional>
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
inline constexpr size_t kMaxPendingOutput = 256 * 1024; // a client that does not read its answers gets no more
inline constexpr uint64_t kPartialLineMs = 5000;  // a line begun and not ended this long: slow-loris, closed
inline constexpr uint64_t kStuckOutputMs = 30000; // answers unread this long: the client is closed
inline constexpr size_t kMaxClients = 16;         // the 17th evicts the one idle longest

// What one poll may do, and what its caller does around it.
struct ServeRound {
	unsigned max_commands = kMaxCommandsPerPoll;
	uint64_t budget_ns = 0;                // 0: no time limit; else no command starts after this long
	bool accept = true;                    // take new connections (a round that only goes on with read lines need not)
	std::function<void()> before_commands; // once, before the round's first command (the caller lowers its priority)
	// Before a client's answers of this round are sent: false withholds them (each becomes an
	// error), as when the audit log failed to record what they answer.
	std::function<bool()> before_answers;
};

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
	unsigned poll(const CommandRegistry &registry, const ServeRound &round);
	// Complete command lines already read and left for the next poll (the round's limit ran out).
	bool has_pending() const { return pending_; }
	const std::string &path() const { return path_; }
	// Milliseconds of a monotonic clock; tests set their own.
	void set_clock(std::function<uint64_t()> now_ms) { now_ms_ = std::move(now_ms); }

	struct Counters {
		uint64_t slow_closed = 0;    // a partial line older than kPartialLineMs, or answers unread for kStuckOutputMs
		uint64_t idle_evicted = 0;   // idle longest when a client arrived at kMaxClients
		uint64_t refused = 0;        // arrived at kMaxClients with none idle
	};
	const Counters &counters() const { return counters_; }

private:
	struct Client {
		int fd = -1;
		std::string in;
		size_t in_at = 0;              // bytes of `in` already run (erased once per poll, not per line)
		std::string out;
		bool closing = false;
		Peer peer;                     // who it is (SO_PEERCRED at accept) and its role
		uint64_t active_ms = 0;        // last byte in or answer out
		uint64_t partial_since_ms = 0; // 0: no unfinished line
	};
	void serve(Client &c, const CommandRegistry &registry, unsigned &executed, const ServeRound &round, uint64_t now);
	bool out_of_round(unsigned executed, const ServeRound &round) const;
	void admit(int fd, uint64_t now);
	static void flush(Client &c);
	static void say_and_close(Client &c, const std::string &text);

	SocketAccess access_;
	int listen_fd_ = -1;
	std::string path_;
	std::vector<Client> clients_;
	size_t first_ = 0;                 // the client served first at the next poll (round robin)
	bool pending_ = false;             // see has_pending
	uint64_t round_started_ns_ = 0;
	std::function<uint64_t()> now_ms_;
	Counters counters_;
};

} // namespace tripath::control
