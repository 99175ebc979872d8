// guardian and audit commands: one registry, so they work in -i, over the control socket and
// in tripathctl alike. The proposer comes from the command, never from the JSON.
#include <algorithm>

#include <rte_cycles.h>

#include <tripath/audit/key.h>
#include <tripath/audit/tail.h>
#include <tripath/audit/verify.h>

#include "guardian_runtime.h"

namespace tripath::app {

using control::Args;
using control::CommandResult;
using control::fail;
using control::ok;

namespace {

CommandResult result(const Submitted &s) { return s.ok ? ok(s.text) : fail(s.text); }

CommandResult from_client(Runtime &rt, const std::string &id, const std::string &json, uint64_t received_tsc)
{
	const config::ClientScope *scope = rt.cfg.intent.client_named(id);
	if (scope == nullptr) {
		std::string known;
		for (const config::ClientScope &c : rt.cfg.intent.clients)
			known += (known.empty() ? "" : ", ") + c.name;
		return fail("error: guardian client " + id + ": no such client in " + rt.cfg.source + " intent.clients (" +
			    (known.empty() ? "none declared" : "declared: " + known) + ")\n");
	}
	return result(rt.guardian->submit(json, guardian::Proposer::client(scope->name, scope->tenants), received_tsc));
}

// `guardian propose` by the caller's identity: an admin is the operator; any other socket
// client proposes as the intent.clients entry its uid or group names, or is refused.
CommandResult propose(Runtime &rt, const std::string &json)
{
	const control::Caller &who = rt.registry.caller();
	if (who.role == control::Role::admin)
		return result(rt.guardian->submit(json, guardian::Proposer::operator_shell(), rte_rdtsc()));
	std::vector<std::string> matches;
	const auto &clients = rt.cfg.intent.clients;
	for (size_t i = 0; i < clients.size(); i++) {
		const std::optional<uint32_t> gid = i < rt.client_gids.size() ? rt.client_gids[i] : std::nullopt;
		bool in_group = gid && (who.gid == *gid || std::find(who.groups.begin(), who.groups.end(), *gid) != who.groups.end());
		if ((clients[i].uid && *clients[i].uid == who.uid) || in_group)
			matches.push_back(clients[i].name);
	}
	std::string id = "uid " + std::to_string(who.uid) + " (gid " + std::to_string(who.gid) + ")";
	if (matches.empty())
		return fail("error: guardian propose: " + id + " is not an admin, and no intent.clients entry in " + rt.cfg.source +
			    " names its uid or group; an agent proposes as a declared client (doc/guardian.md)\n");
	if (matches.size() > 1) {
		std::string names;
		for (const std::string &m : matches)
			names += (names.empty() ? "" : ", ") + m;
		return fail("error: guardian propose: " + id + " matches several intent.clients (" + names +
			    "); give each client its own uid or group\n");
	}
	return from_client(rt, matches[0], json, rte_rdtsc());
}

CommandResult audit_verify(Runtime &rt)
{
	GuardianRuntime &g = *rt.guardian;
	if (!g.log())
		return fail("error: audit verify: no audit log (config section audit:)\n");
	g.flush_deferred();
	audit::Key key;
	std::string error;
	if (!audit::load_key(g.audit_key(), key, error))
		return fail("error: audit verify: " + error + "\n");
	audit::VerifyReport r = audit::verify_log(g.audit_path(), key);
	if (!r.error.empty())
		return fail("error: audit verify: " + r.error + "\n");
	std::string out;
	for (const audit::Finding &f : r.problems)
		out += "  problem: " + audit::format_finding(g.audit_path(), f) + "\n";
	for (const audit::Finding &f : r.notices)
		if (f.kind != audit::FindingKind::not_closed) // the log is open: we are writing it
			out += "  notice: " + audit::format_finding(g.audit_path(), f) + "\n";
	std::string head = (r.ok() ? "audit verify: OK: " : "audit verify: FAILED: ") + std::to_string(r.records) +
			   " records, last seq " + std::to_string(r.last_seq) + ", head seq " + std::to_string(r.head_seq) + "\n";
	return r.ok() ? ok(head + out) : fail("error: " + head + out);
}

CommandResult audit_tail(Runtime &rt, const std::string &count)
{
	GuardianRuntime &g = *rt.guardian;
	if (!g.log())
		return fail("error: audit tail: no audit log (config section audit:)\n");
	g.flush_deferred();
	char *end = nullptr;
	unsigned long n = std::strtoul(count.c_str(), &end, 10);
	if (count.empty() || *end != '\0' || n == 0 || n > 10000)
		return fail("error: audit tail: '" + count + "' is not a count 1..10000\n");
	std::vector<std::string> lines;
	std::string error;
	if (!audit::tail_lines(g.audit_path(), n, lines, error))
		return fail("error: audit tail: " + error + "\n");
	std::string out;
	for (const std::string &l : lines)
		out += l + "\n";
	return ok(out);
}

} // namespace

void register_guardian_commands(Runtime &rt)
{
	control::CommandRegistry &r = rt.registry;
	r.add("guardian status", "guardian", "autonomy, FAILSAFE, decisions, canaries, observed SLO numbers, apply latency",
	      [&rt](const Args &) { return ok(rt.guardian->status()); });
	r.add("guardian propose <json...>", "guardian",
	      "propose {\"kind\":\"move_rule|promote_flow|demote_flow|set_meter\",...}: an admin as the operator, an agent as "
	      "the intent.clients entry its uid/group names (doc/guardian.md)",
	      [&rt](const Args &a) { return propose(rt, a[0]); });
	r.add("guardian client <id> propose <json...>", "guardian",
	      "propose as external client <id> of intent.clients, within its tenants",
	      [&rt](const Args &a) { return from_client(rt, a[0], a[1], rte_rdtsc()); });
	r.add("guardian autonomy <level>", "guardian", "who may change steering besides the operator: off|propose-only|bounded",
	      [&rt](const Args &a) {
		      const char *names[] = {"off", "propose-only", "bounded"};
		      for (unsigned i = 0; i < 3; i++)
			      if (a[0] == names[i]) {
				      bool done = false;
				      std::string out = rt.guardian->set_autonomy(config::Autonomy(i), done);
				      return done ? ok(out) : fail(out);
			      }
		      return fail("error: guardian autonomy: '" + a[0] + "' is not off, propose-only or bounded\n");
	      });
	r.add("guardian failsafe <enter|exit>", "guardian", "enter FAILSAFE (static profile, autonomy paused) or leave it",
	      [&rt](const Args &a) {
		      if (a[0] == "enter")
			      return result(rt.guardian->enter_failsafe("guardian failsafe enter (shell)"));
		      if (a[0] == "exit")
			      return result(rt.guardian->exit_failsafe());
		      return fail("error: guardian failsafe: '" + a[0] + "' is not enter or exit\n");
	      });
	r.add("guardian inject fast-p99 <us> <ms>", "guardian",
	      "drill: every tenant's fast p99 reads <us> for <ms> ms (canary rollback, SLO FAILSAFE); 0 ms ends it",
	      [&rt](const Args &a) {
		      char *e1 = nullptr, *e2 = nullptr;
		      double us = std::strtod(a[0].c_str(), &e1);
		      unsigned long ms = std::strtoul(a[1].c_str(), &e2, 10);
		      if (*e1 != '\0' || us < 0 || *e2 != '\0')
			      return fail("error: guardian inject fast-p99: expected <us> (a number >= 0) and <ms> (an integer)\n");
		      rt.guardian->inject_fast_p99(us, ms);
		      return ok("fast p99 reads " + a[0] + " us for " + a[1] + " ms\n");
	      });
	r.add("guardian latency", "guardian", "proposal -> applied on every worker, as JSON (ns)",
	      [&rt](const Args &) { return ok(rt.guardian->latency_json()); });
	r.add("guardian latency reset", "guardian", "forget the apply latency samples",
	      [&rt](const Args &) {
		      rt.guardian->reset_latency();
		      return ok();
	      });
	r.add("audit tail <n>", "audit", "the last <n> records of the audit log, as written",
	      [&rt](const Args &a) { return audit_tail(rt, a[0]); });
	r.add("audit verify", "audit", "check every record's HMAC, the hash chain and the head file",
	      [&rt](const Args &) { return audit_verify(rt); });
}

} // namespace tripath::app
