// The line editor on a real pseudo-terminal: keys typed on the master side, the echo and the
// lines that reach the callback checked as a terminal would show them.
#include <gtest/gtest.h>

#include <cctype>
#include <fcntl.h>
#include <poll.h>
#include <pty.h>
#include <unistd.h>

#include <tripath/control/line_editor.h>

using tripath::control::LineEditor;

namespace {

class Pty : public ::testing::Test {
protected:
	void SetUp() override { ASSERT_EQ(openpty(&master_, &slave_, nullptr, nullptr, nullptr), 0); }
	void TearDown() override
	{
		close(master_);
		close(slave_);
	}
	// Type `keys`, let the editor handle them, return what it echoed.
	std::string type(LineEditor &ed, const std::string &keys)
	{
		EXPECT_EQ(write(master_, keys.data(), keys.size()), ssize_t(keys.size()));
		while (ed.poll(50)) {
			pollfd p{slave_, POLLIN, 0};
			if (::poll(&p, 1, 0) == 0)
				break;
		}
		return visible(drain());
	}
	// The echo without vt100 control sequences (ESC [ ... letter).
	static std::string visible(const std::string &raw)
	{
		std::string out;
		for (size_t i = 0; i < raw.size(); i++) {
			if (raw[i] != '\x1b') {
				out += raw[i];
				continue;
			}
			while (i < raw.size() && !std::isalpha(static_cast<unsigned char>(raw[i])))
				i++; // the loop's i++ steps over the final letter
		}
		return out;
	}
	std::string drain()
	{
		std::string out;
		char buf[512];
		fcntl(master_, F_SETFL, O_NONBLOCK);
		for (ssize_t n; (n = read(master_, buf, sizeof(buf))) > 0;)
			out.append(buf, size_t(n));
		return out;
	}
	int master_ = -1, slave_ = -1;
};

std::vector<std::string> commands(const std::string &text)
{
	std::vector<std::string> all = {"show", "start", "stop", "set"}, out;
	if (text.find(' ') != std::string::npos)
		return text.rfind("show ", 0) == 0 ? std::vector<std::string>{"port", "path"} : out;
	for (const std::string &c : all)
		if (c.rfind(text, 0) == 0)
			out.push_back(c);
	return out;
}

} // namespace

TEST(LineEditorExtension, UniqueCommonAndNone)
{
	EXPECT_EQ(LineEditor::extension("sh", {"show"}), "ow ") << "a unique word is finished with a space";
	EXPECT_EQ(LineEditor::extension("s", {"start", "stop"}), "t") << "the common part";
	EXPECT_EQ(LineEditor::extension("st", {"start", "stop"}), "") << "nothing more in common: list them";
	EXPECT_EQ(LineEditor::extension("x", {}), "");
}

TEST_F(Pty, TabCompletesAndEnterRunsTheLine)
{
	std::vector<std::string> lines;
	LineEditor ed("t> ", commands, [&](const std::string &l) { lines.push_back(l); return true; }, slave_, slave_);
	EXPECT_NE(drain().find("t> "), std::string::npos) << "the prompt";
	EXPECT_EQ(type(ed, "sh\t"), "show ") << "echoed as typed, then completed with a space";
	std::string listed = type(ed, "p\t");
	EXPECT_NE(listed.find(" port"), std::string::npos) << listed;
	EXPECT_NE(listed.find(" path"), std::string::npos) << listed;
	type(ed, "ort\r");
	ASSERT_EQ(lines, (std::vector<std::string>{"show port"}));
}

TEST_F(Pty, HistoryCtrlUAndEndOfInput)
{
	std::vector<std::string> lines;
	LineEditor ed("t> ", commands, [&](const std::string &l) { lines.push_back(l); return l != "quit"; }, slave_, slave_);
	type(ed, "stop\r");
	type(ed, "\x1b[A\r"); // up arrow: the last line again
	type(ed, "garbage\x15set\r"); // Ctrl-U drops what was typed
	EXPECT_EQ(lines, (std::vector<std::string>{"stop", "stop", "set"}));
	type(ed, "quit\r");
	EXPECT_FALSE(ed.poll(0)) << "on_line said stop";
}
