// One command registry: the interactive shell, the control socket and --cmdline-file all
// parse a line here and call the same typed handler.
#pragma once

#include <cstdint>
#include <functional>
#include <string>
#include <string_view>
#include <vector>

namespace tripath::control {

enum class Status { ok, error, quit };

// What a control client may run: readers look (show, help, trace, metrics), admins change.
enum class Role { reader, admin };

// Who runs a command: the shell and command files are local admins; a socket client is who
// the kernel says it is (SO_PEERCRED), so a handler can tell an agent from the operator.
struct Caller {
	Role role = Role::admin;
	bool remote = false;                   // over the control socket
	uint32_t uid = 0, gid = 0;
	std::vector<uint32_t> groups;          // supplementary groups
};

struct CommandResult {
	Status status = Status::ok;
	std::string output;        // what the front end prints (ends with '\n' when non-empty)
};

// Values of the <param> words of the grammar, in order.
using Args = std::vector<std::string>;
using Handler = std::function<CommandResult(const Args &args)>;
// The names a <param> may take now (ports, rules, tenants...), for tab completion.
using NameSource = std::function<std::vector<std::string>()>;

struct Command {
	std::vector<std::string> words;   // literal words, or "<name>" for a parameter
	std::string grammar;              // as declared, e.g. "show port info <port>"
	std::string help;                 // one line
	std::string section;              // help SECTION groups commands
	Handler handler;
	Handler json;                     // the same answer as JSON text, for a trailing --json
	Role role = Role::admin;          // reader for commands that only look
};

class CommandRegistry {
public:
	// Declare a command once: grammar, help and handler. Throws std::invalid_argument if the
	// grammar is empty or already declared.
	void add(std::string_view grammar, std::string_view section, std::string_view help, Handler handler);

	// Give a declared command its --json form (throws std::invalid_argument if undeclared).
	void add_json(std::string_view grammar, Handler json);

	// Where completion finds the names of a parameter, e.g. "<port>".
	void add_names(std::string_view param, NameSource source);

	// Run one line. Blank lines and '#' comments do nothing. An unknown command is an error
	// that names the line and suggests the closest grammars. A trailing --json runs the
	// command's JSON form. A reader asking for an admin command is refused, naming it.
	CommandResult execute(std::string_view line, Role role = Role::admin) const;
	CommandResult execute(std::string_view line, const Caller &caller) const;

	// The caller of the command now running (for handlers); a local admin between commands.
	const Caller &caller() const { return *caller_; }

	// "help" lists sections and commands; "help SECTION" one section.
	std::string help(std::string_view section = {}) const;

	// Candidates for the last word of `line` (for tab completion): literal words, the names
	// of parameters, and --json after a complete show command.
	std::vector<std::string> complete(std::string_view line) const;

	const std::vector<Command> &commands() const { return commands_; }

private:
	const Command *find(const std::vector<std::string> &words) const;

	std::vector<Command> commands_;
	std::vector<std::pair<std::string, NameSource>> names_;
	inline static const Caller kLocal{};
	mutable const Caller *caller_ = &kLocal;
};

// Split on blanks; "double quoted" words keep their spaces.
std::vector<std::string> split_words(std::string_view line);

// Helpers for handlers.
inline CommandResult ok(std::string out = {}) { return {Status::ok, std::move(out)}; }
inline CommandResult fail(std::string out) { return {Status::error, std::move(out)}; }

} // namespace tripath::control
