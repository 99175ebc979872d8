#include "grammar.h"

#include "fuzz_check.h"

namespace tripath::fuzz {

namespace {

// Every grammar app/tripath declares (grep 'add("' app/tripath), rest parameters included.
const char *const kGrammars[] = {
	"show bulk", "bulk inject wrong-rkey <peer>", "capture start <target> <file>",
	"capture start <target> <file> <count>", "capture stop", "show capture", "help", "help <section>",
	"quit", "start", "stop", "show port stats all", "show port stats <port>", "clear port stats all",
	"show port info all", "show port info <port>", "show port xstats all", "show port xstats <port>",
	"show path stats", "show lcores", "complete <text...>", "whoami", "show endpoints", "guardian status",
	"guardian propose <json...>", "guardian client <id> propose <json...>", "guardian autonomy <level>",
	"guardian failsafe <enter|exit>", "guardian inject fast-p99 <us> <ms>", "guardian latency",
	"guardian latency reset", "audit tail <n>", "audit verify", "show rules", "show xdp stats",
	"show tenants", "tenant quota <tenant> <path> <spec...>", "rule add <spec...>",
	"rule replace <spec...>", "rule del <rule>", "show runtime", "clear runtime", "show errors",
	"show errors all", "trace add <stage> <count>", "show trace", "trace clear", "metrics",
	"show fwd stats all", "clear fwd stats all", "set verbose <verbosity>", "load <file>",
};

control::CommandResult echo(const std::string &grammar, const control::Args &args, bool json)
{
	FUZZ_CHECK(args.size() == param_count(grammar), "'%s' got %zu args", grammar.c_str(), args.size());
	std::string out = json ? "{}" : grammar;
	for (const std::string &a : args) // "" is a word too: handlers see it and refuse it by name
		out += " [" + a + "]";
	return control::ok(out + "\n");
}

} // namespace

size_t param_count(const std::string &grammar)
{
	size_t n = 0;
	for (char c : grammar)
		n += c == '<';
	return n;
}

control::CommandRegistry daemon_grammar()
{
	control::CommandRegistry r;
	for (const char *g : kGrammars) {
		std::string grammar = g;
		r.add(grammar, grammar.substr(0, grammar.find(' ')), "fuzz",
		      [grammar](const control::Args &a) { return echo(grammar, a, false); });
		if (grammar.rfind("show ", 0) == 0 || grammar == "audit tail <n>")
			r.add_json(grammar, [grammar](const control::Args &a) { return echo(grammar, a, true); });
	}
	for (const char *param : {"<port>", "<peer>", "<rule>", "<tenant>", "<path>", "<section>", "<target>"})
		r.add_names(param, [] { return std::vector<std::string>{"wire0", "tap0", "agent1", "lab"}; });
	return r;
}

} // namespace tripath::fuzz
