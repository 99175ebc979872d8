// The interactive front ends' line editor: DPDK's rdline (editing keys, history, vt100) on a
// terminal in raw mode, with tab completion from a callback, so `tripath -i` and tripathctl
// complete commands and names the same way.
#pragma once

#include <functional>
#include <string>
#include <vector>

struct rdline;

namespace tripath::control {

class LineEditor {
public:
	// Candidates for the last word of the text left of the cursor.
	using Completer = std::function<std::vector<std::string>(const std::string &text)>;
	// Called with each entered line; returns false to end the editor.
	using OnLine = std::function<bool(const std::string &line)>;

	// Puts `in_fd` (a terminal) in raw mode until destroyed and shows the prompt.
	LineEditor(std::string prompt, Completer complete, OnLine on_line, int in_fd = 0, int out_fd = 1);
	~LineEditor();
	LineEditor(const LineEditor &) = delete;
	LineEditor &operator=(const LineEditor &) = delete;

	// Handle what is ready on the terminal; `wait_ms` 0 never blocks, -1 waits for input.
	// False once the editor has ended (on_line said so, Ctrl-D on an empty line, input closed).
	bool poll(int wait_ms = 0);

	// What the completion key does with `candidates` for the word `partial`: the characters to
	// append (a unique candidate also gets a space), or nothing when the choices must be listed.
	static std::string extension(const std::string &partial, const std::vector<std::string> &candidates);

private:
	static int write_char(struct rdline *rdl, char c);
	static void validate(struct rdline *rdl, const char *buf, unsigned int size);
	static int complete(struct rdline *rdl, const char *buf, char *dst, unsigned int dstsize, int *state);

	std::string prompt_;
	Completer complete_;
	OnLine on_line_;
	int in_fd_, out_fd_;
	struct rdline *rdl_ = nullptr;
	bool raw_ = false;
	bool ended_ = false;
	unsigned char saved_termios_[64]; // struct termios, kept opaque to spare includers <termios.h>
	std::vector<std::string> choices_; // the list being shown after a completion key
};

} // namespace tripath::control
