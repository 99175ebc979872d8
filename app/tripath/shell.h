// The -i shell on stdin: DPDK cmdline (line editing, history) on a terminal; plain lines
// from a pipe or file, so scripts and tests drive the same commands.
#pragma once

#include <string>

#include <tripath/control/registry.h>

struct cmdline;

namespace tripath::app {

class Shell {
public:
	explicit Shell(const control::CommandRegistry &registry);
	~Shell();
	Shell(const Shell &) = delete;
	Shell &operator=(const Shell &) = delete;

	// Handle what is ready on stdin without blocking; false once the shell has ended
	// ('quit', end of input).
	bool poll();

private:
	static int on_line(const char *line, void *opaque);
	int run(const char *line);

	const control::CommandRegistry &registry_;
	struct cmdline *cl_ = nullptr;   // on a terminal
	std::string pending_;            // partial line from a pipe
	bool ended_ = false;
};

} // namespace tripath::app
