// Arbitrary bytes from a control client, as the socket server reads them in-process: the server
// answers each complete line with text, NUL and a status byte, refuses over-long lines, and
// never crashes, stalls or answers more than it was asked.
#include <cerrno>
#include <cstdint>
#include <poll.h>
#include <string>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include <tripath/control/socket_server.h>

#include "fuzz_check.h"
#include "grammar.h"

using namespace tripath;

namespace {

control::SocketServer &server()
{
	static control::SocketServer s;
	return s;
}

const control::CommandRegistry &registry()
{
	static const control::CommandRegistry r = fuzz::daemon_grammar();
	return r;
}

int dial()
{
	sockaddr_un addr{};
	addr.sun_family = AF_UNIX;
	server().path().copy(addr.sun_path, sizeof(addr.sun_path) - 1);
	int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK, 0);
	FUZZ_CHECK(fd >= 0 && connect(fd, reinterpret_cast<sockaddr *>(&addr), sizeof(addr)) == 0, "dial: %d", errno);
	return fd;
}

} // namespace

extern "C" int LLVMFuzzerInitialize(int *, char ***)
{
	std::string error;
	std::string path = "/tmp/tripath-fuzz-" + std::to_string(getpid()) + ".sock";
	FUZZ_CHECK(server().open(path, error), "open %s: %s", path.c_str(), error.c_str());
	registry();
	return 0;
}

extern "C" int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	// Bounded below the socket buffer so the client's write never waits on the server.
	size = std::min(size, control::kMaxLine * 4);
	int fd = dial();
	FUZZ_CHECK(send(fd, data, size, MSG_NOSIGNAL) == ssize_t(size), "send: %d", errno);
	shutdown(fd, SHUT_WR);
	size_t lines = 0;
	for (size_t i = 0; i < size; i++)
		lines += data[i] == '\n';
	std::string answers;
	char buf[65536];
	// Poll until the server closes this client (it does once the input is drained), bounded.
	for (unsigned round = 0; round < 10000; round++) {
		server().poll(registry());
		ssize_t n = recv(fd, buf, sizeof(buf), 0);
		if (n == 0)
			break;
		if (n > 0)
			answers.append(buf, size_t(n));
		else
			FUZZ_CHECK(errno == EAGAIN, "recv: %d", errno);
		FUZZ_CHECK(round + 1 < 10000, "the server never closed the client");
	}
	close(fd);
	size_t framed = 0;
	for (size_t at = answers.find('\0'); at != std::string::npos; at = answers.find('\0', at + 1)) {
		FUZZ_CHECK(at + 1 < answers.size(), "an answer without its status byte");
		char status = answers[at + 1];
		FUZZ_CHECK(status == control::kStatusOk || status == control::kStatusError, "status byte %d", status);
		framed++;
	}
	FUZZ_CHECK(framed <= lines + 1, "%zu answers to %zu lines", framed, lines);
	return 0;
}
