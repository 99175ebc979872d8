#include <cerrno>
#include <cstring>
#include <ctime>
#include <fcntl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include <tripath/control/socket_server.h>

namespace tripath::control {

namespace {

uint64_t monotonic_ns()
{
	timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return uint64_t(ts.tv_sec) * 1000000000ull + uint64_t(ts.tv_nsec);
}

// "whoami" alone on the line, without splitting every line into words.
bool is_whoami(std::string_view line)
{
	size_t at = line.find("whoami");
	return at != std::string_view::npos && split_words(line) == std::vector<std::string>{"whoami"};
}

uint64_t monotonic_ms()
{
	timespec ts;
	clock_gettime(CLOCK_MONOTONIC_COARSE, &ts);
	return uint64_t(ts.tv_sec) * 1000 + uint64_t(ts.tv_nsec) / 1000000;
}

bool fill_address(const std::string &path, sockaddr_un &addr, std::string &error)
{
	std::memset(&addr, 0, sizeof(addr));
	addr.sun_family = AF_UNIX;
	if (path.empty() || path.size() >= sizeof(addr.sun_path)) {
		error = "control socket path '" + path + "' is empty or longer than " +
			std::to_string(sizeof(addr.sun_path) - 1) + " bytes";
		return false;
	}
	std::memcpy(addr.sun_path, path.c_str(), path.size());
	return true;
}

} // namespace

SocketServer::~SocketServer()
{
	for (Client &c : clients_)
		close(c.fd);
	if (listen_fd_ >= 0) {
		close(listen_fd_);
		unlink(path_.c_str());
	}
}

bool SocketServer::open(const std::string &path, std::string &error, const SocketAccess &access)
{
	sockaddr_un addr;
	if (!fill_address(path, addr, error))
		return false;
	// A socket that still answers belongs to a running tripath: do not steal it.
	int probe = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (probe >= 0 && connect(probe, reinterpret_cast<sockaddr *>(&addr), sizeof(addr)) == 0) {
		close(probe);
		error = "control socket " + path + " is in use by another tripath (use --socket to pick another path)";
		return false;
	}
	if (probe >= 0)
		close(probe);
	unlink(path.c_str());
	listen_fd_ = socket(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	mode_t old_mask = umask(0177);
	bool bound = listen_fd_ >= 0 && bind(listen_fd_, reinterpret_cast<sockaddr *>(&addr), sizeof(addr)) == 0;
	umask(old_mask);
	// Created owner-only above; widened to the configured mode and group before anyone may connect.
	const char *step = !bound ? "bind" : nullptr;
	if (!step && access.group && chown(path.c_str(), uid_t(-1), *access.group) != 0)
		step = "chown to the control group";
	if (!step && chmod(path.c_str(), access.mode) != 0)
		step = "chmod to the control mode";
	if (!step && listen(listen_fd_, 8) != 0)
		step = "listen";
	if (step) {
		error = "control socket " + path + ": " + step + ": " + std::strerror(errno);
		if (listen_fd_ >= 0)
			close(listen_fd_);
		listen_fd_ = -1;
		return false;
	}
	path_ = path;
	access_ = access;
	return true;
}

void SocketServer::flush(Client &c)
{
	while (!c.out.empty()) {
		ssize_t n = send(c.fd, c.out.data(), c.out.size(), MSG_NOSIGNAL | MSG_DONTWAIT);
		if (n <= 0) {
			if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK))
				return;
			c.closing = true;
			c.out.clear();
			return;
		}
		c.out.erase(0, size_t(n));
	}
}

void SocketServer::say_and_close(Client &c, const std::string &text)
{
	c.out += text;
	c.out += '\0';
	c.out += kStatusError;
	c.in.clear();
	c.closing = true;
}

bool SocketServer::out_of_round(unsigned executed, const ServeRound &round) const
{
	return executed >= round.max_commands || (round.budget_ns && executed > 0 && monotonic_ns() - round_started_ns_ >= round.budget_ns);
}

void SocketServer::serve(Client &c, const CommandRegistry &registry, unsigned &executed, const ServeRound &round, uint64_t now)
{
	char buf[16384];
	while (c.in.size() < kMaxBuffered) {
		ssize_t n = recv(c.fd, buf, sizeof(buf), MSG_DONTWAIT);
		if (n > 0) {
			c.in.append(buf, size_t(n));
			c.active_ms = now;
			continue;
		}
		if (n == 0 || (errno != EAGAIN && errno != EWOULDBLOCK))
			c.closing = true; // peer done: answer what is complete, then close
		break;
	}
	const size_t answered_from = c.out.size();
	unsigned ran = 0;
	size_t nl;
	while (!out_of_round(executed, round) && c.out.size() < kMaxPendingOutput &&
	       (nl = c.in.find('\n', c.in_at)) != std::string::npos) {
		std::string_view line(c.in.data() + c.in_at, nl - c.in_at);
		c.in_at = nl + 1;
		if (executed == 0 && round.before_commands)
			round.before_commands();
		CommandResult r;
		if (line.size() > kMaxLine)
			r = fail("error: command line longer than " + std::to_string(kMaxLine) + " bytes\n");
		else if (line.find('\0') != std::string::npos) // echoed back, a NUL would end the answer's frame early
			r = fail("error: command line contains a NUL byte\n");
		else if (is_whoami(line))
			r = ok(describe_peer(c.peer, access_)); // the connection's identity, not the registry's
		else
			r = registry.execute(line, Caller{c.peer.role, true, c.peer.uid, c.peer.gid,
							  std::vector<uint32_t>(c.peer.groups.begin(), c.peer.groups.end())});
		executed++;
		ran++;
		c.out += r.output;
		c.out += '\0';
		c.out += r.status == Status::error ? kStatusError : kStatusOk;
		if (r.status == Status::quit)
			c.closing = true;
	}
	c.in.erase(0, c.in_at); // once per poll: a flood's lines are not moved up one by one
	c.in_at = 0;
	if (ran > 0 && round.before_answers && !round.before_answers()) {
		c.out.resize(answered_from);
		for (unsigned i = 0; i < ran; i++) {
			c.out += "error: answer withheld: the audit log failed to record this round (guardian status); FAILSAFE in force\n";
			c.out += '\0';
			c.out += kStatusError;
		}
	}
	bool partial = !c.in.empty() && c.in.find('\n') == std::string::npos;
	if (partial && c.in.size() > kMaxLine) {
		say_and_close(c, "error: command line longer than " + std::to_string(kMaxLine) + " bytes\n");
	} else if (partial && !c.closing) {
		if (c.partial_since_ms == 0)
			c.partial_since_ms = now;
		if (now - c.partial_since_ms > kPartialLineMs) { // a slow-loris must not hold a client slot
			counters_.slow_closed++;
			say_and_close(c, "error: a command line unfinished for " + std::to_string(kPartialLineMs / 1000) + " s; closing\n");
		}
	} else {
		c.partial_since_ms = 0;
	}
	size_t before = c.out.size();
	flush(c);
	if (c.out.size() != before)
		c.active_ms = now;
	else if (!c.out.empty() && now - c.active_ms > kStuckOutputMs) { // answers nobody reads
		counters_.slow_closed++;
		c.out.clear();
		c.in.clear();
		c.closing = true;
	}
}

// At kMaxClients a newcomer evicts the client idle longest (nothing unanswered either way) or,
// failing that, the one whose unfinished line is oldest, so neither idle sessions nor
// slow-lorises lock the operator out; if every client has commands in hand, it is refused.
void SocketServer::admit(int fd, uint64_t now)
{
	if (clients_.size() >= kMaxClients) {
		Client *idle = nullptr;
		for (Client &c : clients_)
			if (!c.closing && c.in.empty() && c.out.empty() && (idle == nullptr || c.active_ms < idle->active_ms))
				idle = &c;
		Client *slowest = nullptr;
		for (Client &c : clients_)
			if (!c.closing && c.partial_since_ms != 0 && c.out.empty() && c.in.find('\n') == std::string::npos &&
			    (slowest == nullptr || c.partial_since_ms < slowest->partial_since_ms))
				slowest = &c;
		if (idle == nullptr)
			idle = slowest;
		if (idle == nullptr) {
			counters_.refused++;
			static const char busy[] = "error: too many control clients, all busy\n\0" "1";
			(void)!send(fd, busy, sizeof(busy) - 1, MSG_NOSIGNAL | MSG_DONTWAIT);
			close(fd);
			return;
		}
		counters_.idle_evicted++;
		say_and_close(*idle, "error: session closed: " + std::to_string(kMaxClients) +
					     " control clients and another arrived; this one was idle longest\n");
		flush(*idle);
		close(idle->fd);
		clients_.erase(clients_.begin() + (idle - clients_.data()));
	}
	Client c;
	c.fd = fd;
	c.active_ms = now;
	if (!identify_peer(fd, access_, c.peer)) {
		static const char unknown[] = "error: the kernel gave no credentials for this client\n\0" "1";
		(void)!send(fd, unknown, sizeof(unknown) - 1, MSG_NOSIGNAL | MSG_DONTWAIT);
		close(fd);
		return;
	}
	clients_.push_back(std::move(c));
}

unsigned SocketServer::poll(const CommandRegistry &registry, unsigned max_commands)
{
	ServeRound round;
	round.max_commands = max_commands;
	return poll(registry, round);
}

unsigned SocketServer::poll(const CommandRegistry &registry, const ServeRound &round)
{
	pending_ = false;
	if (listen_fd_ < 0)
		return 0;
	const uint64_t now = now_ms_ ? now_ms_() : monotonic_ms();
	if (round.budget_ns)
		round_started_ns_ = monotonic_ns();
	for (int fd; round.accept && (fd = accept4(listen_fd_, nullptr, nullptr, SOCK_NONBLOCK | SOCK_CLOEXEC)) >= 0;)
		admit(fd, now);
	unsigned executed = 0;
	for (size_t i = 0; i < clients_.size(); i++)
		serve(clients_[(first_ + i) % clients_.size()], registry, executed, round, now);
	first_ = clients_.empty() ? 0 : (first_ + 1) % clients_.size();
	for (auto it = clients_.begin(); it != clients_.end();) {
		// A client that hung up is closed once every line it sent has been answered.
		if (it->closing && it->out.empty() && it->in.find('\n') == std::string::npos) {
			close(it->fd);
			it = clients_.erase(it);
		} else {
			++it;
		}
	}
	for (const Client &c : clients_)
		pending_ = pending_ || (c.out.size() < kMaxPendingOutput && c.in.find('\n') != std::string::npos);
	return executed;
}

} // namespace tripath::control
