// One command registry: the interactive shell, the control socket and --cmdline-file all
// parse a line here and call the same typed handler.
#pragma once

#include <functional>
#include <string>
#include <string_view>
#include <vector>

namespace tripath::control {

enum class Status { ok, error, quit };

struct CommandResult {
	Status status = Status::ok;
	std::string output;        // what the front end prints (ends with '\n' when non-empty)
};

// Values of the <param> words of the grammar, in order.
using Args = std::vector<std::string>;
using Handler = std::function<CommandResult(const Args &args)>;

struct Command {
	std::vector<std::string> words;   // literal words, or "<name>" for a parameter
	std::string grammar;              // as declared, e.g. "show port info <port>"
	std::string help;                 // one line
	std::string section;              // help SECTION groups commands
	Handler handler;
};

class CommandRegistry {
public:
	// Declare a command once: grammar, help and handler. Throws std::invalid_argument if the
	// grammar is empty or already declared.
	void add(std::string_view grammar, std::string_view section, std::string_view help, Handler handler);

	// Run one line. Blank lines and '#' comments do nothing. An unknown command is an error
	// that names the line and suggests the closest grammars.
	CommandResult execute(std::string_view line) const;

	// "help" lists sections and commands; "help SECTION" one section.
	std::string help(std::string_view section = {}) const;

	// Candidates for the last word of `line` (for tab completion).
	std::vector<std::string> complete(std::string_view line) const;

	const std::vector<Command> &commands() const { return commands_; }

private:
	std::vector<Command> commands_;
};

// Split on blanks; "double quoted" words keep their spaces.
std::vector<std::string> split_words(std::string_view line);

// Helpers for handlers.
inline CommandResult ok(std::string out = {}) { return {Status::ok, std::move(out)}; }
inline CommandResult fail(std::string out) { return {Status::error, std::move(out)}; }

} // namespace tripath::control
