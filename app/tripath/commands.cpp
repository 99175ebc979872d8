// The shell's commands, declared once; the shell, the control socket and --cmdline-file run
// them through the same registry.
#include <rte_cycles.h>
#include <rte_ethdev.h>

#include "reload.h"
#include "runtime.h"

namespace tripath::app {

using control::Args;
using control::CommandResult;
using control::fail;
using control::ok;

// A port named by its config name or its ethdev id.
const pipeline::PortInfo *find_port(const Runtime &rt, const std::string &word, size_t &index)
{
	const auto &ports = rt.dp->ports();
	for (index = 0; index < ports.size(); index++)
		if (ports[index].name == word || std::to_string(ports[index].port_id) == word)
			return &ports[index];
	return nullptr;
}

namespace {

std::string port_names(const Runtime &rt)
{
	std::string names;
	for (const pipeline::PortInfo &p : rt.dp->ports())
		names += (names.empty() ? "" : ", ") + p.name;
	return names;
}

} // namespace

CommandResult no_such_port(const Runtime &rt, const std::string &word)
{
	return fail("error: no port '" + word + "' (ports: " + port_names(rt) + ")\n");
}

std::string format_port_info(const pipeline::PortInfo &p)
{
	rte_eth_dev_info info{};
	rte_eth_link link{};
	rte_ether_addr mac{};
	rte_eth_dev_info_get(p.port_id, &info);
	rte_eth_link_get_nowait(p.port_id, &link);
	rte_eth_macaddr_get(p.port_id, &mac);
	char macs[RTE_ETHER_ADDR_FMT_SIZE];
	rte_ether_format_addr(macs, sizeof(macs), &mac);
	return "  port " + std::to_string(p.port_id) + " " + p.name + ": driver " + (info.driver_name ? info.driver_name : "?") +
	       ", MAC " + macs + ", link " + (link.link_status ? "up" : "down") + ", queues " + std::to_string(p.queues) + "\n";
}

CommandResult start_forwarding(Runtime &rt)
{
	if (rt.dp->running())
		return fail("error: forwarding is already started\n");
	std::string error;
	if (!rt.dp->start(error))
		return fail("error: " + error + "\n");
	rt.forwarding_since_tsc = rte_rdtsc();
	return ok("Forwarding started: " + std::to_string(rt.dp->workers().size()) + " worker lcore(s)\n");
}

CommandResult stop_forwarding(Runtime &rt)
{
	if (!rt.dp->running())
		return fail("error: forwarding is not started\n");
	rt.dp->stop();
	rt.forwarding_since_tsc = 0;
	return ok("Telling cores to stop...\nWaiting for lcores to finish...\n" + format_totals(rt) + "\nDone.\n");
}

void register_commands(Runtime &rt)
{
	control::CommandRegistry &r = rt.registry;
	r.add("help", "general", "list commands", [&rt](const Args &) { return ok(rt.registry.help()); });
	r.add("help <section>", "general", "list the commands of one section",
	      [&rt](const Args &a) {
		      std::string h = rt.registry.help(a[0]);
		      return h.rfind("error:", 0) == 0 ? fail(h) : ok(h);
	      });
	// The front end decides what quit ends: the shell ends tripath, a socket client its session.
	r.add("quit", "general", "stop forwarding, print totals and exit (over the socket: end the session)",
	      [](const Args &) { return CommandResult{control::Status::quit, {}}; });
	r.add("start", "forwarding", "start the worker lcores", [&rt](const Args &) { return start_forwarding(rt); });
	r.add("stop", "forwarding", "stop the worker lcores and print the totals",
	      [&rt](const Args &) { return stop_forwarding(rt); });

	r.add("show port stats all", "port", "NIC statistics of every port", [&rt](const Args &) {
		std::string out;
		for (size_t i = 0; i < rt.dp->ports().size(); i++)
			out += format_port_stats(rt, i);
		return ok(out);
	});
	r.add("show port stats <port>", "port", "NIC statistics of one port (name or id)", [&rt](const Args &a) {
		size_t i;
		if (!find_port(rt, a[0], i))
			return no_such_port(rt, a[0]);
		return ok(format_port_stats(rt, i));
	});
	r.add("clear port stats all", "port", "reset every port's NIC statistics", [&rt](const Args &) {
		std::string out;
		for (size_t i = 0; i < rt.dp->ports().size(); i++) {
			const pipeline::PortInfo &p = rt.dp->ports()[i];
			int rc = rte_eth_stats_reset(p.port_id);
			rt.rate_marks[i] = {};
			out += rc == 0 ? "  NIC statistics for port " + std::to_string(p.port_id) + " (" + p.name + ") cleared\n"
				       : "  port " + p.name + ": reset failed: " + rte_strerror(-rc) + "\n";
		}
		return ok(out);
	});
	r.add("show port info all", "port", "driver, MAC, link and queues of every port", [&rt](const Args &) {
		std::string out;
		for (const pipeline::PortInfo &p : rt.dp->ports())
			out += format_port_info(p);
		return ok(out);
	});
	r.add("show path stats", "path", "packets and bytes per path, drops by reason, the balance",
	      [&rt](const Args &) { return ok(format_path_stats(rt.dp->totals())); });
	r.add("show lcores", "lcore", "role, polled queues, loops, busy share of each lcore",
	      [&rt](const Args &) { return ok(format_lcores(rt)); });
	register_rule_commands(rt);
	register_fast_commands(rt);
	register_bulk_commands(rt);
	register_capture_commands(rt);
	register_runtime_commands(rt);
	register_guardian_commands(rt);
	register_testpmd_commands(rt);
	register_reload_commands(rt); // config reload
	register_drill_commands(rt);  // the fault matrix's drills
	r.add("complete <text...>", "general", "the candidates for the last word of \"TEXT\" (tripathctl's tab completion)",
	      [&rt](const Args &a) {
		      std::string text = a[0];
		      if (text.size() >= 2 && text.front() == '"' && text.back() == '"')
			      text = text.substr(1, text.size() - 2); // quoted, so trailing blanks count
		      std::string out;
		      for (const std::string &c : rt.registry.complete(text))
			      out += c + "\n";
		      return ok(out);
	      });
	register_completion_names(rt);
	register_json_views(rt); // last: it gives the commands declared above their --json form
}

} // namespace tripath::app
