// The -i shell on stdin: line editing, history and tab completion on a terminal; plain lines
// from a pipe or file, so scripts and tests drive the same commands.
#pragma once

#include <memory>
#include <string>

#include <tripath/control/line_editor.h>
#include <tripath/control/registry.h>

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
	int run(const char *line);

	const control::CommandRegistry &registry_;
	std::unique_ptr<control::LineEditor> editor_; // on a terminal
	std::string pending_;            // partial line from a pipe
	bool ended_ = false;
};

} // namespace tripath::app
