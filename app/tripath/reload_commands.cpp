// config reload [FILE] and SIGHUP: the file is loaded and checked in full before anything
// changes; what cannot change under running workers (EAL, ports, lcores, paths, the audit log,
// the control socket) is refused by name; rules and tenants go through the same stage, audit,
// publish as `rule add`, and the guardian's static profile (what FAILSAFE restores) becomes the file's.
#include <cstdio>
#include <sstream>

#include "config_diff.h"
#include "guardian_runtime.h"
#include "reload.h"

namespace tripath::app {

using control::Args;
using control::CommandResult;
using control::fail;
using control::ok;

namespace {

std::string started_with(const Runtime &rt) { return rt.cfg.source; }

} // namespace

CommandResult reload_config(Runtime &rt, const std::string &path)
{
	const std::string file = path.empty() ? started_with(rt) : path;
	if (file.empty() || file.front() == '<')
		return fail("error: config reload: tripath started on the embedded config; name a FILE (config reload FILE)\n");
	config::Config next;
	try {
		next = config::load_config_file(file); // every check of a start-up load, positions FILE:LINE:COL
	} catch (const config::ConfigError &e) {
		return fail(std::string("error: config reload: ") + e.what() + "; nothing changed\n");
	} catch (const std::exception &e) {
		return fail("error: config reload: " + file + ": " + e.what() + "; nothing changed\n");
	}
	std::vector<std::string> differs = structural_differences(rt.cfg, next);
	if (!differs.empty()) {
		std::string out = "error: config reload: " + file + " changes what cannot change while tripath runs; restart to apply; nothing changed:\n";
		for (const std::string &d : differs)
			out += "  " + d + "\n";
		return fail(out);
	}
	StagedTables staged;
	staged.rules = next.rules;
	staged.tenants = next.tenants;
	std::string error;
	const std::string source = "config reload " + file;
	if (!stage_tables(rt, staged, file, error))
		return fail("error: config reload: " + error + "; nothing changed\n");
	if (!audit_operator_change(rt, source, staged, error))
		return fail("error: " + source + ": not applied: " + error + "\n");
	std::vector<std::string> warnings = std::move(staged.warnings);
	publish_tables(rt, staged);
	adopt_operator_change(rt);
	// The file is now the static profile FAILSAFE restores, and the intent the guardian checks.
	const config::Autonomy autonomy = rt.cfg.intent.autonomy;
	rt.cfg.rules = next.rules;
	rt.cfg.tenants = next.tenants;
	rt.cfg.intent = next.intent;
	rt.cfg.intent.autonomy = autonomy; // `guardian autonomy` decides it while running
	rt.cfg.source = file;
	if (rt.guardian)
		rt.guardian->adopt_static_profile(rt.cfg);
	std::ostringstream out;
	out << "config reloaded from " << file << ": " << next.rules.size() << " rules, " << next.tenants.size()
	    << " tenants (rule generation " << rt.dp->rule_generation() << ")\n";
	for (const std::string &w : warnings)
		out << w << "\n";
	return ok(out.str());
}

void register_reload_commands(Runtime &rt)
{
	control::CommandRegistry &r = rt.registry;
	r.add("config reload", "config",
	      "reload the file tripath started with (also SIGHUP): rules, tenants and intent; the rest needs a restart",
	      [&rt](const Args &) { return reload_config(rt, ""); });
	r.add("config reload <file>", "config", "reload from FILE, which becomes the file SIGHUP reloads",
	      [&rt](const Args &a) { return reload_config(rt, a[0]); });
}

} // namespace tripath::app
