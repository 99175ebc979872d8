// The control socket: commands in, output + NUL + status byte out; refuses a live socket.
#include <atomic>
#include <cstring>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <thread>
#include <unistd.h>

#include <gtest/gtest.h>

#include <tripath/control/socket_server.h>

using namespace tripath::control;

namespace {

int dial(const std::string &path)
{
	sockaddr_un addr{};
	addr.sun_family = AF_UNIX;
	std::strncpy(addr.sun_path, path.c_str(), sizeof(addr.sun_path) - 1);
	int fd = socket(AF_UNIX, SOCK_STREAM, 0);
	EXPECT_EQ(connect(fd, reinterpret_cast<sockaddr *>(&addr), sizeof(addr)), 0) << std::strerror(errno);
	return fd;
}

// Reads one framed answer: text, NUL, status.
std::pair<std::string, char> answer(int fd)
{
	std::string buf;
	char c;
	while (recv(fd, &c, 1, 0) == 1) {
		if (c == '\0') {
			char status = 0;
			EXPECT_EQ(recv(fd, &status, 1, 0), 1);
			return {buf, status};
		}
		buf += c;
	}
	return {buf, 'x'};
}

class SocketServerTest : public ::testing::Test {
protected:
	void SetUp() override
	{
		path = "/tmp/tripath-test-" + std::to_string(getpid()) + ".sock";
		registry.add("echo <word>", "test", "echo", [](const Args &a) { return ok(a[0] + "\n"); });
		registry.add("boom", "test", "fail", [](const Args &) { return fail("error: boom\n"); });
		registry.add("big", "test", "a large answer", [](const Args &) { return ok(std::string(64 * 1024, 'b') + "\n"); });
		std::string error;
		server.set_clock([this] { return clock_ms.load(); }); // still unless a test moves it
		ASSERT_TRUE(server.open(path, error)) << error;
		pump = std::thread([this] {
			while (!done)
				server.poll(registry), usleep(200);
		});
	}
	void TearDown() override
	{
		done = true;
		pump.join();
	}
	std::string path;
	CommandRegistry registry;
	SocketServer server;
	std::atomic<bool> done{false};
	std::atomic<uint64_t> clock_ms{1000};
	std::thread pump;
};

// Send a line, read its answer.
std::pair<std::string, char> ask(int fd, const std::string &line)
{
	std::string l = line + "\n";
	EXPECT_EQ(send(fd, l.data(), l.size(), MSG_NOSIGNAL), ssize_t(l.size()));
	return answer(fd);
}

} // namespace

TEST_F(SocketServerTest, AnswersEachLineInOrder)
{
	int fd = dial(path);
	const char req[] = "echo one\necho two\nboom\nnot a command\n";
	ASSERT_EQ(send(fd, req, sizeof(req) - 1, 0), ssize_t(sizeof(req) - 1));
	EXPECT_EQ(answer(fd), std::make_pair(std::string("one\n"), kStatusOk));
	EXPECT_EQ(answer(fd), std::make_pair(std::string("two\n"), kStatusOk));
	EXPECT_EQ(answer(fd), std::make_pair(std::string("error: boom\n"), kStatusError));
	auto [text, status] = answer(fd);
	EXPECT_EQ(status, kStatusError);
	EXPECT_NE(text.find("unknown command 'not a command'"), std::string::npos);
	close(fd);
}

TEST_F(SocketServerTest, SocketIsOwnerOnly)
{
	struct stat st{};
	ASSERT_EQ(stat(path.c_str(), &st), 0);
	EXPECT_EQ(st.st_mode & 0777, 0600u);
}

TEST_F(SocketServerTest, RefusesToStealALiveSocket)
{
	SocketServer second;
	std::string error;
	EXPECT_FALSE(second.open(path, error));
	EXPECT_NE(error.find("in use by another tripath"), std::string::npos);
}

TEST_F(SocketServerTest, OverlongLineIsAnErrorAndCloses)
{
	int fd = dial(path);
	std::string big(kMaxLine + 100, 'x');
	ASSERT_EQ(send(fd, big.data(), big.size(), 0), ssize_t(big.size()));
	auto [text, status] = answer(fd);
	EXPECT_EQ(status, kStatusError);
	EXPECT_NE(text.find("longer than"), std::string::npos);
	char c;
	EXPECT_EQ(recv(fd, &c, 1, 0), 0); // closed by the server
	close(fd);
}

// Found by fuzzing: a NUL inside a line came back inside the answer's text (an unknown word is
// quoted in the error), where tripathctl took it for the end of the answer.
TEST_F(SocketServerTest, LineWithANulIsRefusedAndFramingHolds)
{
	int fd = dial(path);
	const char req[] = "echo a\0b\necho after\n";
	ASSERT_EQ(send(fd, req, sizeof(req) - 1, 0), ssize_t(sizeof(req) - 1));
	EXPECT_EQ(answer(fd), std::make_pair(std::string("error: command line contains a NUL byte\n"), kStatusError));
	EXPECT_EQ(answer(fd), std::make_pair(std::string("after\n"), kStatusOk));
	close(fd);
}

TEST(SocketServerPath, TooLongPathIsAnError)
{
	SocketServer s;
	std::string error;
	EXPECT_FALSE(s.open("/tmp/" + std::string(200, 'a'), error));
	EXPECT_NE(error.find("longer than"), std::string::npos);
}

TEST_F(SocketServerTest, ManyLinesAreAnsweredInOrderAcrossPolls)
{
	int fd = dial(path);
	std::string req;
	for (unsigned i = 0; i < 500; i++)
		req += "echo w" + std::to_string(i) + "\n";
	ASSERT_EQ(send(fd, req.data(), req.size(), 0), ssize_t(req.size()));
	for (unsigned i = 0; i < 500; i++)
		ASSERT_EQ(answer(fd), std::make_pair("w" + std::to_string(i) + "\n", kStatusOk));
	shutdown(fd, SHUT_WR); // hung up with nothing pending: closed by the server
	char c;
	EXPECT_EQ(recv(fd, &c, 1, 0), 0);
	close(fd);
}

TEST(SocketServerBudget, AtMostMaxCommandsPerPoll)
{
	const std::string path = "/tmp/tripath-test-budget-" + std::to_string(getpid()) + ".sock";
	CommandRegistry registry;
	registry.add("echo <word>", "test", "echo", [](const Args &a) { return ok(a[0] + "\n"); });
	SocketServer server;
	std::string error;
	ASSERT_TRUE(server.open(path, error)) << error;
	int fd = dial(path);
	const char req[] = "echo a\necho b\necho c\necho d\necho e\n";
	ASSERT_EQ(send(fd, req, sizeof(req) - 1, 0), ssize_t(sizeof(req) - 1));
	unsigned first = 0;
	for (int i = 0; i < 1000 && first == 0; i++, usleep(100))
		first = server.poll(registry, 2);
	EXPECT_EQ(first, 2u);
	EXPECT_EQ(server.poll(registry, 2), 2u);
	EXPECT_EQ(server.poll(registry, 2), 1u); // the rest waited in the buffer, nothing lost
	EXPECT_EQ(answer(fd).first, "a\n");
	close(fd);
}

TEST_F(SocketServerTest, AMegabyteLineClosesOnlyItsClient)
{
	int big_fd = dial(path);
	std::thread sender([big_fd] {
		std::string mib(1 << 20, 'x');
		mib += "\n";
		// The server stops reading and closes: the send ends early with EPIPE/ECONNRESET.
		(void)!send(big_fd, mib.data(), mib.size(), MSG_NOSIGNAL);
	});
	int other = dial(path);
	const char req[] = "echo still-here\n";
	ASSERT_EQ(send(other, req, sizeof(req) - 1, 0), ssize_t(sizeof(req) - 1));
	EXPECT_EQ(answer(other), std::make_pair(std::string("still-here\n"), kStatusOk));
	sender.join();
	auto [text, status] = answer(big_fd);
	EXPECT_EQ(status, kStatusError);
	EXPECT_NE(text.find("command line longer than 4096 bytes"), std::string::npos) << text;
	close(big_fd);
	close(other);
}

TEST_F(SocketServerTest, ACompleteOverlongLineIsRefusedWithoutRunningIt)
{
	int fd = dial(path);
	std::string line = "echo " + std::string(kMaxLine, 'y') + "\necho after\n";
	ASSERT_EQ(send(fd, line.data(), line.size(), 0), ssize_t(line.size()));
	auto [text, status] = answer(fd);
	EXPECT_EQ(status, kStatusError);
	EXPECT_NE(text.find("longer than"), std::string::npos);
	EXPECT_EQ(answer(fd), std::make_pair(std::string("after\n"), kStatusOk));
	close(fd);
}

TEST_F(SocketServerTest, ASlowLorisLineIsClosedAfterItsDeadline)
{
	int slow = dial(path);
	ASSERT_EQ(send(slow, "echo ha", 7, 0), 7); // and never the newline
	usleep(20000);
	clock_ms += kPartialLineMs - 100;
	usleep(20000);
	int other = dial(path);
	EXPECT_EQ(ask(other, "echo fine"), std::make_pair(std::string("fine\n"), kStatusOk)) << "within the deadline it waits";
	clock_ms += 200;
	auto [text, status] = answer(slow);
	EXPECT_EQ(status, kStatusError);
	EXPECT_NE(text.find("unfinished for 5 s"), std::string::npos) << text;
	char c;
	EXPECT_EQ(recv(slow, &c, 1, 0), 0) << "and the connection is closed";
	EXPECT_EQ(server.counters().slow_closed, 1u);
	close(slow);
	close(other);
}

TEST_F(SocketServerTest, ANewcomerEvictsTheClientIdleLongestWhenFull)
{
	std::vector<int> fds;
	for (size_t i = 0; i < kMaxClients; i++) {
		fds.push_back(dial(path));
		EXPECT_EQ(ask(fds.back(), "echo " + std::to_string(i)).second, kStatusOk);
		clock_ms += 10; // client 0 has been idle longest
	}
	int late = dial(path);
	EXPECT_EQ(ask(late, "echo late"), std::make_pair(std::string("late\n"), kStatusOk));
	auto [text, status] = answer(fds[0]);
	EXPECT_EQ(status, kStatusError);
	EXPECT_NE(text.find("idle longest"), std::string::npos) << text;
	EXPECT_EQ(ask(fds[1], "echo still"), std::make_pair(std::string("still\n"), kStatusOk)) << "the others stay";
	EXPECT_EQ(server.counters().idle_evicted, 1u);
	for (int fd : fds)
		close(fd);
	close(late);
}

TEST_F(SocketServerTest, AClientThatNeverReadsItsAnswersIsClosed)
{
	int fd = dial(path);
	int rcv = 4096;
	setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &rcv, sizeof(rcv));
	std::string lines;
	for (int i = 0; i < 64; i++)
		lines += "big\n";
	ASSERT_EQ(send(fd, lines.data(), lines.size(), MSG_NOSIGNAL), ssize_t(lines.size()));
	usleep(50000); // the server fills what the socket takes, then holds the rest
	clock_ms += kStuckOutputMs + 1;
	for (int i = 0; i < 200 && server.counters().slow_closed == 0; i++)
		usleep(5000);
	EXPECT_EQ(server.counters().slow_closed, 1u);
	int other = dial(path);
	EXPECT_EQ(ask(other, "echo ok"), std::make_pair(std::string("ok\n"), kStatusOk));
	close(fd);
	close(other);
}

TEST(SocketServerBudget, LinesLeftByARoundArePendingAndTheHooksRunOnce)
{
	const std::string path = "/tmp/tripath-test-round-" + std::to_string(getpid()) + ".sock";
	CommandRegistry registry;
	registry.add("echo <word>", "test", "echo", [](const Args &a) { return ok(a[0] + "\n"); });
	SocketServer server;
	std::string error;
	ASSERT_TRUE(server.open(path, error)) << error;
	int fd = dial(path);
	const char req[] = "echo a\necho b\necho c\n";
	ASSERT_EQ(send(fd, req, sizeof(req) - 1, 0), ssize_t(sizeof(req) - 1));
	unsigned lowered = 0, answered = 0;
	ServeRound round;
	round.max_commands = 2;
	round.before_commands = [&] { lowered++; };
	round.before_answers = [&] { return ++answered > 0; };
	unsigned first = 0;
	for (int i = 0; i < 1000 && first == 0; i++, usleep(100))
		first = server.poll(registry, round);
	EXPECT_EQ(first, 2u);
	EXPECT_TRUE(server.has_pending()); // "echo c" was read and waits: the caller polls again soon
	EXPECT_EQ(server.poll(registry, round), 1u);
	EXPECT_FALSE(server.has_pending());
	EXPECT_EQ(server.poll(registry, round), 0u);
	EXPECT_EQ(lowered, 2u);  // once per round that ran a command, not per command
	EXPECT_EQ(answered, 2u); // and never for a round with nothing to answer
	for (const char *w : {"a\n", "b\n", "c\n"})
		EXPECT_EQ(answer(fd), std::make_pair(std::string(w), kStatusOk));
	close(fd);
}

TEST(SocketServerBudget, AnswersAreWithheldWhenTheirRecordFailed)
{
	const std::string path = "/tmp/tripath-test-withheld-" + std::to_string(getpid()) + ".sock";
	CommandRegistry registry;
	registry.add("echo <word>", "test", "echo", [](const Args &a) { return ok(a[0] + "\n"); });
	SocketServer server;
	std::string error;
	ASSERT_TRUE(server.open(path, error)) << error;
	int fd = dial(path);
	const char req[] = "echo a\necho b\n";
	ASSERT_EQ(send(fd, req, sizeof(req) - 1, 0), ssize_t(sizeof(req) - 1));
	ServeRound round;
	round.before_answers = [] { return false; };
	unsigned ran = 0;
	for (int i = 0; i < 1000 && ran < 2; i++, usleep(100))
		ran += server.poll(registry, round);
	EXPECT_EQ(ran, 2u);
	for (int i = 0; i < 2; i++) { // one error per command: the framing holds
		auto [text, status] = answer(fd);
		EXPECT_EQ(status, kStatusError);
		EXPECT_NE(text.find("answer withheld: the audit log failed"), std::string::npos) << text;
	}
	close(fd);
}
