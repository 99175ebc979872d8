#include <cerrno>
#include <cstdio>
#include <fcntl.h>
#include <unistd.h>

#include "shell.h"
#include "shell_cmdline.h"

namespace tripath::app {

Shell::Shell(const control::CommandRegistry &registry) : registry_(registry)
{
	if (isatty(STDIN_FILENO)) {
		cl_ = tripath_shell_open("tripath> ", &Shell::on_line, this);
	} else {
		fcntl(STDIN_FILENO, F_SETFL, fcntl(STDIN_FILENO, F_GETFL) | O_NONBLOCK);
	}
}

Shell::~Shell()
{
	if (cl_ != nullptr)
		tripath_shell_close(cl_);
}

int Shell::on_line(const char *line, void *opaque) { return static_cast<Shell *>(opaque)->run(line); }

int Shell::run(const char *line)
{
	control::CommandResult r = registry_.execute(line);
	std::fwrite(r.output.data(), 1, r.output.size(), stdout);
	std::fflush(stdout);
	return r.status == control::Status::quit ? 1 : 0;
}

bool Shell::poll()
{
	if (ended_)
		return false;
	if (cl_ != nullptr) {
		if (tripath_shell_poll(cl_) < 0)
			ended_ = true;
		return !ended_;
	}
	char buf[1024];
	ssize_t n;
	while ((n = read(STDIN_FILENO, buf, sizeof(buf))) > 0)
		pending_.append(buf, size_t(n));
	size_t nl;
	while (!ended_ && (nl = pending_.find('\n')) != std::string::npos) {
		std::string line = pending_.substr(0, nl);
		pending_.erase(0, nl + 1);
		ended_ = run(line.c_str()) != 0;
	}
	if (n == 0 || (n < 0 && errno != EAGAIN && errno != EWOULDBLOCK)) {
		if (!ended_ && !pending_.empty())
			run(pending_.c_str());
		ended_ = true; // end of input ends the shell, as in testpmd
	}
	return !ended_;
}

} // namespace tripath::app
