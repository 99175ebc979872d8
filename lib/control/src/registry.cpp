#include <algorithm>
#include <map>
#include <sstream>
#include <stdexcept>

#include <tripath/control/registry.h>

namespace tripath::control {

namespace {

bool is_param(const std::string &word) { return word.size() > 2 && word.front() == '<' && word.back() == '>'; }

// "<spec...>" as the last word takes the rest of the line (at least one word).
bool is_rest(const std::string &word) { return is_param(word) && word.size() > 5 && word.compare(word.size() - 4, 4, "...>") == 0; }

bool takes_rest(const Command &cmd) { return !cmd.words.empty() && is_rest(cmd.words.back()); }

// -1 when `words` does not fit `cmd`; otherwise the number of literal words (more wins).
int match_score(const Command &cmd, const std::vector<std::string> &words)
{
	if (takes_rest(cmd) ? words.size() < cmd.words.size() : cmd.words.size() != words.size())
		return -1;
	int literals = 0;
	for (size_t i = 0; i < cmd.words.size(); i++) {
		if (is_param(cmd.words[i]))
			continue;
		if (cmd.words[i] != words[i])
			return -1;
		literals++;
	}
	return literals;
}

// How many leading words agree; used to suggest what the operator may have meant.
size_t common_prefix(const Command &cmd, const std::vector<std::string> &words)
{
	size_t n = 0;
	while (n < cmd.words.size() && n < words.size() && (is_param(cmd.words[n]) || cmd.words[n] == words[n]))
		n++;
	return n;
}

// The text of `line` from its `skip`th word on, as typed (quotes and inner spacing kept).
std::string rest_of_line(std::string_view line, size_t skip)
{
	size_t i = 0;
	for (size_t w = 0; w <= skip; w++) {
		while (i < line.size() && (line[i] == ' ' || line[i] == '\t'))
			i++;
		if (w == skip)
			break;
		while (i < line.size() && line[i] != ' ' && line[i] != '\t')
			i++;
	}
	std::string_view rest = line.substr(std::min(i, line.size()));
	while (!rest.empty() && (rest.back() == ' ' || rest.back() == '\t' || rest.back() == '\r' || rest.back() == '\n'))
		rest.remove_suffix(1);
	return std::string(rest);
}

// Commands that only look are open to read-only clients; the rest change tripath.
Role default_role(const std::vector<std::string> &words)
{
	static const std::vector<std::vector<std::string>> readers = {
		{"help"}, {"show"}, {"metrics"}, {"trace"}, {"complete"}, {"quit"}, {"whoami"},
		{"audit", "tail"}, {"audit", "verify"}, {"guardian", "status"}, {"guardian", "latency"},
		{"guardian", "propose"}, // decided by the guardian, as the caller is: operator or a declared client
	};
	for (const auto &prefix : readers)
		if (words.size() >= prefix.size() && std::equal(prefix.begin(), prefix.end(), words.begin()))
			return Role::reader;
	return Role::admin;
}

std::vector<std::string> split_choices(const std::string &param)
{
	std::vector<std::string> out;
	std::string inner = param.substr(1, param.size() - 2);
	for (size_t at = 0, bar;; at = bar + 1) {
		bar = inner.find('|', at);
		out.push_back(inner.substr(at, bar == std::string::npos ? std::string::npos : bar - at));
		if (bar == std::string::npos)
			return out;
	}
}

bool starts_with(const std::string &s, const std::string &prefix) { return s.compare(0, prefix.size(), prefix) == 0; }

} // namespace

std::vector<std::string> split_words(std::string_view line)
{
	std::vector<std::string> words;
	size_t i = 0;
	while (i < line.size()) {
		while (i < line.size() && (line[i] == ' ' || line[i] == '\t' || line[i] == '\r' || line[i] == '\n'))
			i++;
		if (i >= line.size())
			break;
		std::string word;
		if (line[i] == '"') {
			size_t end = line.find('"', i + 1);
			if (end == std::string_view::npos)
				end = line.size();
			word = std::string(line.substr(i + 1, end - i - 1));
			i = end + 1;
		} else {
			size_t end = i;
			while (end < line.size() && line[end] != ' ' && line[end] != '\t' && line[end] != '\r' && line[end] != '\n')
				end++;
			word = std::string(line.substr(i, end - i));
			i = end;
		}
		words.push_back(std::move(word));
	}
	return words;
}

void CommandRegistry::add(std::string_view grammar, std::string_view section, std::string_view help, Handler handler)
{
	Command cmd;
	cmd.words = split_words(grammar);
	if (cmd.words.empty())
		throw std::invalid_argument("empty command grammar");
	for (const Command &c : commands_)
		if (c.words == cmd.words)
			throw std::invalid_argument("command declared twice: " + std::string(grammar));
	cmd.grammar = std::string(grammar);
	cmd.section = std::string(section);
	cmd.help = std::string(help);
	cmd.handler = std::move(handler);
	cmd.role = default_role(cmd.words);
	commands_.push_back(std::move(cmd));
}

void CommandRegistry::add_json(std::string_view grammar, Handler json)
{
	std::vector<std::string> words = split_words(grammar);
	for (Command &c : commands_)
		if (c.words == words) {
			c.json = std::move(json);
			return;
		}
	throw std::invalid_argument("--json form for an undeclared command: " + std::string(grammar));
}

void CommandRegistry::add_names(std::string_view param, NameSource source)
{
	names_.emplace_back(std::string(param), std::move(source));
}

const Command *CommandRegistry::find(const std::vector<std::string> &words) const
{
	const Command *best = nullptr;
	int best_score = -1;
	for (const Command &c : commands_) {
		int s = match_score(c, words);
		if (s > best_score) {
			best = &c;
			best_score = s;
		}
	}
	return best;
}

CommandResult CommandRegistry::execute(std::string_view line, Role role) const
{
	Caller caller;
	caller.role = role;
	return execute(line, caller);
}

CommandResult CommandRegistry::execute(std::string_view line, const Caller &caller) const
{
	struct Restore {
		const Caller *&slot, *saved;
		~Restore() { slot = saved; }
	} restore{caller_, caller_};
	caller_ = &caller;
	const Role role = caller.role;
	std::vector<std::string> words = split_words(line);
	if (words.empty() || words[0][0] == '#')
		return ok();
	const Command *best = nullptr;
	bool json = false;
	if (words.size() > 1 && words.back() == "--json") {
		std::vector<std::string> bare(words.begin(), words.end() - 1);
		if ((best = find(bare)) != nullptr) {
			if (!best->json)
				return fail("error: '" + best->grammar + "' has no --json form\n");
			json = true;
			words = std::move(bare);
			line = line.substr(0, line.rfind("--json"));
		}
	}
	if (best == nullptr)
		best = find(words);
	if (best != nullptr && role == Role::reader && best->role == Role::admin)
		return fail("error: '" + best->grammar + "' changes tripath and needs the admin role; this client is read-only\n");
	if (best != nullptr) {
		Args args;
		size_t fixed = best->words.size() - (takes_rest(*best) ? 1 : 0);
		for (size_t i = 0; i < fixed; i++)
			if (is_param(best->words[i]))
				args.push_back(words[i]);
		if (takes_rest(*best))
			args.push_back(rest_of_line(line, fixed));
		if (!json)
			return best->handler(args);
		CommandResult r = best->json(args);
		if (!r.output.empty() && r.output.back() != '\n')
			r.output += '\n';
		return r;
	}
	std::ostringstream out;
	std::string joined;
	for (const std::string &w : words)
		joined += (joined.empty() ? "" : " ") + w;
	out << "error: unknown command '" << joined << "'";
	size_t longest = 0;
	for (const Command &c : commands_)
		longest = std::max(longest, common_prefix(c, words));
	if (longest > 0) {
		out << "; did you mean:\n";
		for (const Command &c : commands_)
			if (common_prefix(c, words) == longest)
				out << "  " << c.grammar << "\n";
	} else {
		out << " (type 'help')\n";
	}
	return fail(out.str());
}

std::string CommandRegistry::help(std::string_view section) const
{
	std::map<std::string, std::vector<const Command *>> by_section;
	for (const Command &c : commands_)
		if (section.empty() || c.section == section)
			by_section[c.section].push_back(&c);
	if (by_section.empty()) {
		std::string sections;
		for (const Command &c : commands_)
			if (sections.find(" " + c.section + " ") == std::string::npos)
				sections += " " + c.section + " ";
		return "error: no help section '" + std::string(section) + "'; sections:" + sections + "\n";
	}
	size_t width = 0;
	for (const Command &c : commands_)
		width = std::max(width, c.grammar.size());
	std::ostringstream out;
	for (const auto &[name, cmds] : by_section) {
		out << name << ":\n";
		for (const Command *c : cmds)
			out << "  " << c->grammar << std::string(width - c->grammar.size() + 2, ' ') << c->help << "\n";
	}
	return out.str();
}

std::vector<std::string> CommandRegistry::complete(std::string_view line) const
{
	std::vector<std::string> words = split_words(line);
	bool fresh = line.empty() || line.back() == ' ';
	std::string partial = fresh || words.empty() ? "" : words.back();
	if (!fresh && !words.empty())
		words.pop_back();
	std::vector<std::string> out;
	auto offer = [&](const std::string &word) {
		if (starts_with(word, partial) && std::find(out.begin(), out.end(), word) == out.end())
			out.push_back(word);
	};
	for (const Command &c : commands_) {
		if (common_prefix(c, words) != words.size() || (c.words.size() == words.size() && takes_rest(c)))
			continue;
		if (c.words.size() == words.size()) {
			if (c.json && match_score(c, words) >= 0)
				offer("--json"); // a complete show command may still take --json
			continue;
		}
		const std::string &next = c.words[words.size()];
		if (!is_param(next)) {
			offer(next);
			continue;
		}
		for (const auto &[param, source] : names_)
			if (param == next)
				for (const std::string &name : source())
					offer(name);
		if (next.find('|') != std::string::npos) // "<enter|exit>": the choices are in the grammar
			for (const std::string &choice : split_choices(next))
				offer(choice);
	}
	return out;
}

} // namespace tripath::control
