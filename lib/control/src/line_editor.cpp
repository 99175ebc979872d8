#include <algorithm>
#include <cerrno>
#include <cstring>
#include <poll.h>
#include <termios.h>
#include <unistd.h>

#include <cmdline_rdline.h>

#include <tripath/control/line_editor.h>

namespace tripath::control {

static_assert(sizeof(termios) <= 64, "saved_termios_ is too small for struct termios");

namespace {

LineEditor *editor_of(struct rdline *rdl) { return static_cast<LineEditor *>(rdline_get_opaque(rdl)); }

// The word being completed: what follows the last blank.
std::string last_word(const std::string &text)
{
	size_t blank = text.find_last_of(" \t");
	return blank == std::string::npos ? text : text.substr(blank + 1);
}

} // namespace

LineEditor::LineEditor(std::string prompt, Completer complete, OnLine on_line, int in_fd, int out_fd)
	: prompt_(std::move(prompt)), complete_(std::move(complete)), on_line_(std::move(on_line)), in_fd_(in_fd),
	  out_fd_(out_fd)
{
	termios saved{};
	if (tcgetattr(in_fd_, &saved) == 0) {
		std::memcpy(saved_termios_, &saved, sizeof(saved));
		termios raw = saved;
		raw.c_lflag &= ~(ICANON | ECHO | IEXTEN); // keys one by one, we echo; Ctrl-C still signals
		raw.c_cc[VMIN] = 1;
		raw.c_cc[VTIME] = 0;
		raw_ = tcsetattr(in_fd_, TCSANOW, &raw) == 0;
	}
	rdl_ = rdline_new(&LineEditor::write_char, &LineEditor::validate, &LineEditor::complete, this);
	if (rdl_ == nullptr)
		ended_ = true;
	else
		rdline_newline(rdl_, prompt_.c_str());
}

LineEditor::~LineEditor()
{
	if (rdl_ != nullptr)
		rdline_free(rdl_);
	if (raw_) {
		termios saved;
		std::memcpy(&saved, saved_termios_, sizeof(saved));
		tcsetattr(in_fd_, TCSANOW, &saved);
	}
}

int LineEditor::write_char(struct rdline *rdl, char c)
{
	return write(editor_of(rdl)->out_fd_, &c, 1) == 1 ? 0 : -1;
}

void LineEditor::validate(struct rdline *rdl, const char *buf, unsigned int size)
{
	LineEditor *self = editor_of(rdl);
	std::string line(buf, strnlen(buf, size));
	while (!line.empty() && (line.back() == '\n' || line.back() == '\r'))
		line.pop_back();
	if (line.find_first_not_of(" \t") != std::string::npos)
		rdline_add_history(rdl, line.c_str());
	if (!self->on_line_(line)) {
		self->ended_ = true;
		rdline_quit(rdl);
	}
}

std::string LineEditor::extension(const std::string &partial, const std::vector<std::string> &candidates)
{
	if (candidates.empty())
		return {};
	if (candidates.size() == 1)
		return candidates[0].substr(std::min(partial.size(), candidates[0].size())) + " ";
	std::string common = candidates[0];
	for (const std::string &c : candidates) {
		size_t n = 0;
		while (n < common.size() && n < c.size() && common[n] == c[n])
			n++;
		common.resize(n);
	}
	return common.size() > partial.size() ? common.substr(partial.size()) : std::string();
}

// rdline's protocol: on the first call (*state 0) return 2 with characters to append; else
// return 1 with one choice per call (state counts them) and 0 when the list is done.
int LineEditor::complete(struct rdline *rdl, const char *buf, char *dst, unsigned int dstsize, int *state)
{
	LineEditor *self = editor_of(rdl);
	if (*state <= 0) {
		std::string text(buf);
		self->choices_ = self->complete_ ? self->complete_(text) : std::vector<std::string>{};
		std::string more = extension(last_word(text), self->choices_);
		if (*state == 0 && !more.empty()) {
			snprintf(dst, dstsize, "%s", more.c_str());
			return 2;
		}
		*state = 0;
	}
	if (size_t(*state) >= self->choices_.size())
		return 0;
	snprintf(dst, dstsize, "%s", self->choices_[size_t(*state)].c_str());
	(*state)++;
	return 1;
}

bool LineEditor::poll(int wait_ms)
{
	if (ended_)
		return false;
	pollfd p{in_fd_, POLLIN, 0};
	if (::poll(&p, 1, wait_ms) <= 0)
		return true;
	char buf[256];
	ssize_t n = read(in_fd_, buf, sizeof(buf));
	if (n == 0 || (n < 0 && errno != EAGAIN && errno != EINTR)) {
		ended_ = true;
		return false;
	}
	for (ssize_t i = 0; i < n && !ended_; i++) {
		if (buf[i] == 0x15) { // Ctrl-U, which rdline lacks: Ctrl-A (home) then Ctrl-K (kill right)
			rdline_char_in(rdl_, 0x01);
			buf[i] = 0x0b;
		}
		int rc = rdline_char_in(rdl_, buf[i]);
		if (rc == RDLINE_RES_EOF || rc == RDLINE_RES_EXITED || rc == RDLINE_RES_NOT_RUNNING)
			ended_ = true;
		else if (rc == RDLINE_RES_VALIDATED)
			rdline_newline(rdl_, prompt_.c_str());
	}
	return !ended_;
}

} // namespace tripath::control
