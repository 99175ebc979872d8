// tripathctl: the tripath shell over the control socket. One-shot (words on the command
// line), batch (-f FILE) or interactive (a terminal: line editing, history, tab completion
// asked of the daemon; a pipe: lines from stdin).
#include <cstdio>
#include <cstring>
#include <fstream>
#include <iostream>
#include <string>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include <tripath/control/line_editor.h>
#include <tripath/control/socket_server.h>

namespace {

void usage(FILE *out)
{
	std::fputs("usage: tripathctl [-s SOCKET] COMMAND...   run one command\n"
		   "       tripathctl [-s SOCKET] -f FILE       run the commands in FILE ('-': stdin)\n"
		   "       tripathctl [-s SOCKET]               a shell on a terminal (editing, history, Tab\n"
		   "                                            completes commands and names); else stdin's lines\n"
		   "  -s SOCKET  control socket (default /run/tripath/tripath.sock; the lab uses\n"
		   "             /run/tripath/tripath-lab.sock)\n"
		   "  any show command takes --json\n"
		   "exit status: 0 every command succeeded (the terminal shell: 0 unless the connection was\n"
		   "lost), 1 a command failed, 2 usage or connection error\n",
		   out);
}

int connect_to(const std::string &path)
{
	sockaddr_un addr{};
	addr.sun_family = AF_UNIX;
	if (path.size() >= sizeof(addr.sun_path)) {
		std::fprintf(stderr, "tripathctl: socket path too long: %s\n", path.c_str());
		return -1;
	}
	std::memcpy(addr.sun_path, path.c_str(), path.size());
	int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (fd < 0 || connect(fd, reinterpret_cast<sockaddr *>(&addr), sizeof(addr)) != 0) {
		std::fprintf(stderr, "tripathctl: cannot connect to %s: %s (is tripath running? -s names the socket)\n",
			     path.c_str(), std::strerror(errno));
		if (fd >= 0)
			close(fd);
		return -1;
	}
	return fd;
}

bool is_blank_or_comment(const std::string &line)
{
	size_t i = line.find_first_not_of(" \t\r");
	return i == std::string::npos || line[i] == '#';
}

// `quit` ends the session: the daemon closes the connection after answering it.
bool is_quit(const std::string &line)
{
	size_t b = line.find_first_not_of(" \t"), e = line.find_last_not_of(" \t\r");
	return b != std::string::npos && line.substr(b, e - b + 1) == "quit";
}

// Send one line and collect its answer; returns 0 ok, 1 command error, 2 connection lost.
int ask(int fd, const std::string &line, std::string &answer)
{
	std::string msg = line + "\n";
	answer.clear();
	if (send(fd, msg.data(), msg.size(), MSG_NOSIGNAL) != ssize_t(msg.size())) {
		std::fprintf(stderr, "tripathctl: connection lost\n");
		return 2;
	}
	std::string out;
	char buf[4096];
	for (;;) {
		ssize_t n = recv(fd, buf, sizeof(buf), 0);
		if (n <= 0) {
			answer = out;
			std::fprintf(stderr, "tripathctl: connection closed before the answer ended\n");
			return 2;
		}
		out.append(buf, size_t(n));
		size_t nul = out.find('\0');
		if (nul != std::string::npos && out.size() > nul + 1) {
			answer = out.substr(0, nul);
			return out[nul + 1] == tripath::control::kStatusOk ? 0 : 1;
		}
	}
}

// Send one line, print the answer; returns as ask().
int run_line(int fd, const std::string &line)
{
	std::string answer;
	int rc = ask(fd, line, answer);
	std::fwrite(answer.data(), 1, answer.size(), stdout);
	std::fflush(stdout);
	return rc;
}

// The terminal shell: the daemon's own registry completes, through its `complete` command.
// Exit status 0 unless the connection was lost: a person saw each command's error already.
int run_terminal(int fd)
{
	int lost = 0;
	auto complete = [fd](const std::string &text) {
		std::string answer;
		std::vector<std::string> out;
		if (text.find('"') != std::string::npos || ask(fd, "complete \"" + text + "\"", answer) != 0)
			return out;
		for (size_t at = 0, nl; (nl = answer.find('\n', at)) != std::string::npos; at = nl + 1)
			out.push_back(answer.substr(at, nl - at));
		return out;
	};
	auto on_line = [fd, &lost](const std::string &line) {
		if (is_blank_or_comment(line))
			return true;
		if (run_line(fd, line) == 2)
			lost = 2;
		return lost == 0 && !is_quit(line);
	};
	tripath::control::LineEditor editor("tripath> ", complete, on_line);
	while (editor.poll(-1)) {
	}
	std::fputs("\n", stdout);
	return lost;
}

int run_stream(int fd, std::istream &in, const std::string &name)
{
	int worst = 0;
	std::string line;
	for (unsigned n = 1; std::getline(in, line); n++) {
		if (is_blank_or_comment(line))
			continue;
		int rc = run_line(fd, line);
		if (rc == 1)
			std::fprintf(stderr, "tripathctl: %s:%u: command failed: %s\n", name.c_str(), n, line.c_str());
		if (rc == 2)
			return 2;
		worst = std::max(worst, rc);
	}
	return worst;
}

} // namespace

int main(int argc, char **argv)
{
	std::string socket_path = "/run/tripath/tripath.sock";
	std::string file;
	int i = 1;
	for (; i < argc && argv[i][0] == '-'; i++) {
		std::string a = argv[i];
		if ((a == "-s" || a == "-f") && i + 1 < argc) {
			(a == "-s" ? socket_path : file) = argv[++i];
		} else if (a == "-h" || a == "--help") {
			usage(stdout);
			return 0;
		} else {
			std::fprintf(stderr, "tripathctl: unknown option or missing value: %s\n", a.c_str());
			usage(stderr);
			return 2;
		}
	}
	int fd = connect_to(socket_path);
	if (fd < 0)
		return 2;
	int rc;
	if (i < argc) {
		std::string line;
		for (; i < argc; i++)
			line += std::string(line.empty() ? "" : " ") + argv[i];
		rc = run_line(fd, line);
	} else if (!file.empty() && file != "-") {
		std::ifstream in(file);
		if (!in) {
			std::fprintf(stderr, "tripathctl: -f %s: cannot read it\n", file.c_str());
			close(fd);
			return 2;
		}
		rc = run_stream(fd, in, file);
	} else if (file.empty() && isatty(STDIN_FILENO)) {
		rc = run_terminal(fd);
	} else {
		rc = run_stream(fd, std::cin, "stdin");
	}
	close(fd);
	return rc;
}
