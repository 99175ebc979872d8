#include <cerrno>
#include <cstdio>
#include <fcntl.h>
#include <unistd.h>

#include "shell.h"

namespace tripath::app {

Shell::Shell(const control::CommandRegistry &registry) : registry_(registry)
{
	if (isatty(STDIN_FILENO)) {
		editor_ = std::make_unique<control::LineEditor>(
			"tripath> ", [this](const std::string &text) { return registry_.complete(text); },
			[this](const std::string &line) { return run(line.c_str()) == 0; });
	} else {
		fcntl(STDIN_FILENO, F_SETFL, fcntl(STDIN_FILENO, F_GETFL) | O_NONBLOCK);
	}
}

Shell::~Shell() = default;

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
	if (editor_ != nullptr) {
		ended_ = !editor_->poll();
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
