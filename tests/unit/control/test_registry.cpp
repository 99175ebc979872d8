// The command registry: grammar matching, parameters, errors, help and completion.
#include <gtest/gtest.h>

#include <tripath/control/registry.h>

using namespace tripath::control;

namespace {

CommandRegistry make()
{
	CommandRegistry r;
	r.add("show port stats all", "port", "all ports", [](const Args &) { return ok("all\n"); });
	r.add("show port stats <port>", "port", "one port", [](const Args &a) { return ok("one " + a[0] + "\n"); });
	r.add("show path stats", "path", "paths", [](const Args &) { return ok("paths\n"); });
	r.add("quit", "general", "leave", [](const Args &) { return CommandResult{Status::quit, {}}; });
	return r;
}

} // namespace

TEST(Registry, LiteralBeatsParameter)
{
	CommandRegistry r = make();
	EXPECT_EQ(r.execute("show port stats all").output, "all\n");
	EXPECT_EQ(r.execute("  show   port stats wire0 ").output, "one wire0\n");
	EXPECT_EQ(r.execute("show port stats \"my port\"").output, "one my port\n");
}

TEST(Registry, BlankAndCommentLinesDoNothing)
{
	CommandRegistry r = make();
	EXPECT_EQ(r.execute("").status, Status::ok);
	EXPECT_EQ(r.execute("   # a comment").output, "");
}

TEST(Registry, UnknownCommandNamesItAndSuggests)
{
	CommandRegistry r = make();
	CommandResult res = r.execute("show port statz all");
	EXPECT_EQ(res.status, Status::error);
	EXPECT_NE(res.output.find("unknown command 'show port statz all'"), std::string::npos);
	EXPECT_NE(res.output.find("show port stats all"), std::string::npos);
	CommandResult none = r.execute("frobnicate");
	EXPECT_EQ(none.status, Status::error);
	EXPECT_NE(none.output.find("type 'help'"), std::string::npos);
}

TEST(Registry, QuitStatus) { EXPECT_EQ(make().execute("quit").status, Status::quit); }

TEST(Registry, DuplicateGrammarIsRefused)
{
	CommandRegistry r = make();
	EXPECT_THROW(r.add("show path stats", "path", "again", [](const Args &) { return ok(); }), std::invalid_argument);
	EXPECT_THROW(r.add("  ", "x", "empty", [](const Args &) { return ok(); }), std::invalid_argument);
}

TEST(Registry, HelpBySection)
{
	CommandRegistry r = make();
	std::string all = r.help();
	EXPECT_NE(all.find("show path stats"), std::string::npos);
	EXPECT_NE(all.find("quit"), std::string::npos);
	std::string port = r.help("port");
	EXPECT_NE(port.find("show port stats <port>"), std::string::npos);
	EXPECT_EQ(port.find("quit"), std::string::npos);
	EXPECT_EQ(r.help("nope").rfind("error: no help section 'nope'", 0), 0u);
}

TEST(Registry, CompletesNextLiteral)
{
	CommandRegistry r = make();
	EXPECT_EQ(r.complete("show p"), (std::vector<std::string>{"port", "path"}));
	EXPECT_EQ(r.complete("show port stats "), (std::vector<std::string>{"all"}));
	EXPECT_EQ(r.complete("q"), (std::vector<std::string>{"quit"}));
}

TEST(Registry, RestParameterTakesTheLineAsTyped)
{
	CommandRegistry r;
	r.add("rule add <spec...>", "rules", "add", [](const Args &a) { return ok("[" + a[0] + "]"); });
	r.add("tenant quota <name> <path> <spec...>", "tenants", "quota",
	      [](const Args &a) { return ok(a[0] + "|" + a[1] + "|" + a[2]); });
	EXPECT_EQ(r.execute("rule add {name: web,  path: kernel} ").output, "[{name: web,  path: kernel}]");
	EXPECT_EQ(r.execute("  tenant quota acme kernel {pps: 10}").output, "acme|kernel|{pps: 10}");
	EXPECT_EQ(r.execute("rule add").status, Status::error) << "the rest needs at least one word";
}

TEST(Registry, JsonFormRunsForATrailingFlag)
{
	CommandRegistry r = make();
	r.add_json("show port stats <port>", [](const Args &a) { return ok("{\"port\": \"" + a[0] + "\"}"); });
	EXPECT_EQ(r.execute("show port stats wire0 --json").output, "{\"port\": \"wire0\"}\n");
	EXPECT_EQ(r.execute("show port stats wire0").output, "one wire0\n") << "without the flag, the text";
	CommandResult none = r.execute("show path stats --json");
	EXPECT_EQ(none.status, Status::error);
	EXPECT_EQ(none.output, "error: 'show path stats' has no --json form\n");
	EXPECT_THROW(r.add_json("show nothing", [](const Args &) { return ok(); }), std::invalid_argument);
}

TEST(Registry, ReaderIsRefusedChangesByName)
{
	CommandRegistry r = make();
	r.add("rule del <name>", "rules", "delete", [](const Args &a) { return ok("deleted " + a[0] + "\n"); });
	r.add("audit tail <n>", "audit", "tail", [](const Args &) { return ok("records\n"); });
	EXPECT_EQ(r.execute("show path stats", Role::reader).output, "paths\n");
	EXPECT_EQ(r.execute("audit tail 3", Role::reader).output, "records\n");
	EXPECT_EQ(r.execute("quit", Role::reader).status, Status::quit);
	CommandResult refused = r.execute("rule del web", Role::reader);
	EXPECT_EQ(refused.status, Status::error);
	EXPECT_EQ(refused.output, "error: 'rule del <name>' changes tripath and needs the admin role; this client is read-only\n");
	EXPECT_EQ(r.execute("rule del web", Role::admin).output, "deleted web\n");
}

TEST(Registry, CompletesNamesAndJsonFlag)
{
	CommandRegistry r = make();
	r.add_names("<port>", [] { return std::vector<std::string>{"wire0", "tap0"}; });
	r.add_json("show path stats", [](const Args &) { return ok("{}"); });
	EXPECT_EQ(r.complete("show port stats "), (std::vector<std::string>{"all", "wire0", "tap0"}));
	EXPECT_EQ(r.complete("show port stats w"), (std::vector<std::string>{"wire0"}));
	EXPECT_EQ(r.complete("show path stats "), (std::vector<std::string>{"--json"}));
	EXPECT_EQ(r.complete("show path stats --"), (std::vector<std::string>{"--json"}));
	EXPECT_TRUE(r.complete("show port stats wire0 ").empty()) << "no --json form declared there";
	r.add("guardian failsafe <enter|exit>", "guardian", "failsafe", [](const Args &) { return ok(); });
	EXPECT_EQ(r.complete("guardian failsafe "), (std::vector<std::string>{"enter", "exit"}));
}

TEST(Registry, HandlersSeeTheirCaller)
{
	CommandRegistry r;
	r.add("guardian propose <json...>", "guardian", "propose", [&r](const Args &) {
		const Caller &c = r.caller();
		return ok(std::string(c.remote ? "remote" : "local") + " uid " + std::to_string(c.uid) +
			  (c.role == Role::admin ? " admin" : " reader") + "\n");
	});
	EXPECT_EQ(r.execute("guardian propose {}").output, "local uid 0 admin\n");
	Caller agent{Role::reader, true, 65534, 65534, {}};
	EXPECT_EQ(r.execute("guardian propose {}", agent).output, "remote uid 65534 reader\n")
		<< "guardian propose is open to readers: the guardian decides who they are";
	EXPECT_FALSE(r.caller().remote) << "between commands the caller is the local admin again";
}
