// The testpmd words operators type first: show port info|xstats, show|clear fwd stats all,
// set verbose, load FILE. Same layout as testpmd where testpmd has one.
#include <cerrno>
#include <cinttypes>
#include <cstring>
#include <fstream>

#include <nlohmann/json.hpp>

#include <rte_ethdev.h>

#include "runtime.h"
#include "text_line.h"

namespace tripath::app {

using control::Args;
using control::CommandResult;
using control::fail;
using control::ok;
using json = nlohmann::ordered_json;

namespace {

constexpr unsigned kMaxLoadDepth = 8; // a file that loads itself stops here

// Per port: what testpmd's forward statistics count, from the port's own counters.
struct FwdCounts {
	uint64_t rx = 0, rx_dropped = 0, tx = 0, tx_dropped = 0;
};

// `clear fwd stats all` keeps these marks instead of resetting counters other threads own.
std::vector<FwdCounts> g_fwd_marks;
pipeline::LcoreCounters g_path_mark;

FwdCounts fwd_counts(uint16_t port_id)
{
	rte_eth_stats s{};
	rte_eth_stats_get(port_id, &s);
	return {s.ipackets, s.imissed + s.ierrors + s.rx_nombuf, s.opackets, s.oerrors};
}

FwdCounts since_mark(const Runtime &rt, size_t i)
{
	FwdCounts now = fwd_counts(rt.dp->ports()[i].port_id);
	if (i < g_fwd_marks.size()) {
		const FwdCounts &m = g_fwd_marks[i];
		// A port reset (clear port stats) makes counters go back: count from zero then.
		auto minus = [](uint64_t a, uint64_t b) { return a >= b ? a - b : a; };
		now = {minus(now.rx, m.rx), minus(now.rx_dropped, m.rx_dropped), minus(now.tx, m.tx), minus(now.tx_dropped, m.tx_dropped)};
	}
	return now;
}

pipeline::LcoreCounters paths_since_mark(const Runtime &rt)
{
	pipeline::LcoreCounters now = rt.dp->totals();
	const pipeline::LcoreCounters &m = g_path_mark;
	for (unsigned p = 0; p < pipeline::kPaths; p++)
		now.path_packets[p] -= m.path_packets[p];
	for (unsigned d = 0; d < pipeline::kDropReasons; d++)
		now.drops[d] -= m.drops[d];
	now.rx_packets -= m.rx_packets;
	return now;
}

std::string fwd_block(const FwdCounts &c)
{
	return line("  RX-packets: %-14" PRIu64 " RX-dropped: %-14" PRIu64 "RX-total: %" PRIu64 "\n", c.rx, c.rx_dropped, c.rx + c.rx_dropped) +
	       line("  TX-packets: %-14" PRIu64 " TX-dropped: %-14" PRIu64 "TX-total: %" PRIu64 "\n", c.tx, c.tx_dropped, c.tx + c.tx_dropped);
}

CommandResult show_fwd_stats(const Runtime &rt)
{
	std::string out;
	FwdCounts sum;
	for (size_t i = 0; i < rt.dp->ports().size(); i++) {
		const pipeline::PortInfo &p = rt.dp->ports()[i];
		FwdCounts c = since_mark(rt, i);
		sum = {sum.rx + c.rx, sum.rx_dropped + c.rx_dropped, sum.tx + c.tx, sum.tx_dropped + c.tx_dropped};
		out += line("\n  ---------------------- Forward statistics for port %-2u (%s) ----------------------\n", p.port_id, p.name.c_str());
		out += fwd_block(c);
		out += "  ----------------------------------------------------------------------------\n";
	}
	out += "\n  +++++++++++++++ Accumulated forward statistics for all ports +++++++++++++++\n";
	out += fwd_block(sum);
	pipeline::LcoreCounters c = paths_since_mark(rt);
	out += "  by path:";
	for (unsigned p = 0; p < pipeline::kPaths; p++)
		out += line(" %s %" PRIu64, pipeline::path_name(pipeline::PathId(p)), c.path_packets[p]);
	out += line("; dropped by the workers %" PRIu64 "\n", pipeline::total_drops(c));
	out += "  ++++++++++++++++++++++++++++++++++++++++++++++++++++++++++++++++++++++++++++\n";
	return ok(out);
}

CommandResult fwd_stats_json(const Runtime &rt)
{
	json ports = json::array();
	for (size_t i = 0; i < rt.dp->ports().size(); i++) {
		FwdCounts c = since_mark(rt, i);
		ports.push_back({{"port_id", rt.dp->ports()[i].port_id}, {"name", rt.dp->ports()[i].name}, {"rx_packets", c.rx},
				 {"rx_dropped", c.rx_dropped}, {"tx_packets", c.tx}, {"tx_dropped", c.tx_dropped}});
	}
	pipeline::LcoreCounters c = paths_since_mark(rt);
	json paths = json::object(), drops = json::object();
	for (unsigned p = 0; p < pipeline::kPaths; p++)
		paths[pipeline::path_name(pipeline::PathId(p))] = c.path_packets[p];
	for (unsigned d = 1; d < pipeline::kDropReasons; d++)
		if (c.drops[d])
			drops[pipeline::drop_reason_name(pipeline::DropReason(d))] = c.drops[d];
	return ok(json{{"ports", ports}, {"paths", paths}, {"worker_drops", drops}}.dump(2) + "\n");
}

// name -> value of a port's extended statistics; false with `error` if the PMD has none.
bool read_xstats(uint16_t port_id, std::vector<std::pair<std::string, uint64_t>> &out, std::string &error)
{
	int n = rte_eth_xstats_get_names(port_id, nullptr, 0);
	if (n < 0) {
		error = rte_strerror(-n);
		return false;
	}
	std::vector<rte_eth_xstat_name> names(size_t(n) + 1);
	std::vector<rte_eth_xstat> values(size_t(n) + 1);
	int got_names = rte_eth_xstats_get_names(port_id, names.data(), unsigned(names.size()));
	int got = rte_eth_xstats_get(port_id, values.data(), unsigned(values.size()));
	if (got_names < 0 || got < 0) {
		error = rte_strerror(-(got < 0 ? got : got_names));
		return false;
	}
	for (int i = 0; i < got && i < got_names; i++)
		out.emplace_back(names[values[size_t(i)].id].name, values[size_t(i)].value);
	return true;
}

CommandResult show_xstats(const Runtime &rt, const std::string &which, bool as_json)
{
	json all = json::array();
	std::string out;
	bool any = false;
	for (const pipeline::PortInfo &p : rt.dp->ports()) {
		if (which != "all" && p.name != which && std::to_string(p.port_id) != which)
			continue;
		any = true;
		std::vector<std::pair<std::string, uint64_t>> xs;
		std::string error;
		bool got = read_xstats(p.port_id, xs, error);
		json stats = json::object();
		out += line("###### NIC extended statistics for port %-2u (%s)\n", p.port_id, p.name.c_str());
		if (!got)
			out += "  unavailable: " + error + "\n";
		for (const auto &[name, value] : xs) {
			out += line("%s: %" PRIu64 "\n", name.c_str(), value);
			stats[name] = value;
		}
		all.push_back({{"port_id", p.port_id}, {"name", p.name}, {"xstats", stats}});
	}
	if (!any)
		return no_such_port(rt, which);
	if (as_json)
		return ok((which == "all" ? all : all[0]).dump(2) + "\n");
	return ok(out);
}

CommandResult set_verbose(Runtime &rt, const std::string &level)
{
	char *end = nullptr;
	unsigned long v = std::strtoul(level.c_str(), &end, 10);
	if (level.empty() || *end != '\0' || v > 2)
		return fail("error: set verbose: '" + level + "' is not 0 (quiet), 1 (events) or 2 (events and every control command)\n");
	std::string out = "Change verbose level from " + std::to_string(rt.verbose) + " to " + std::to_string(v) + "\n";
	rt.verbose = unsigned(v);
	return ok(out);
}

} // namespace

CommandResult run_command_file(Runtime &rt, const std::string &path)
{
	std::ifstream in(path);
	if (!in)
		return fail("error: load: cannot read " + path + ": " + std::strerror(errno) + "\n");
	if (rt.load_depth >= kMaxLoadDepth)
		return fail("error: load " + path + ": files loading files nest deeper than " + std::to_string(kMaxLoadDepth) + "\n");
	rt.load_depth++;
	std::string out, line_text;
	unsigned failed = 0, ran = 0;
	for (unsigned n = 1; std::getline(in, line_text); n++) {
		control::CommandResult r = rt.registry.execute(line_text);
		ran++;
		if (r.status == control::Status::quit) { // the caller's front end decides what it ends
			rt.load_depth--;
			return {control::Status::quit, out};
		}
		if (r.status == control::Status::error) {
			failed++;
			out += path + ":" + std::to_string(n) + ": " + r.output;
		} else {
			out += r.output;
		}
	}
	rt.load_depth--;
	if (failed)
		return fail(out + "error: load " + path + ": " + std::to_string(failed) + " of " + std::to_string(ran) + " lines failed\n");
	return ok(out);
}

void register_testpmd_commands(Runtime &rt)
{
	control::CommandRegistry &r = rt.registry;
	r.add("show port info <port>", "port", "driver, MAC, link and queues of one port (name or id)", [&rt](const Args &a) {
		size_t i;
		const pipeline::PortInfo *p = find_port(rt, a[0], i);
		if (p == nullptr)
			return no_such_port(rt, a[0]);
		return ok(format_port_info(*p));
	});
	r.add("show port xstats all", "port", "every port's extended (PMD) statistics",
	      [&rt](const Args &) { return show_xstats(rt, "all", false); });
	r.add("show port xstats <port>", "port", "one port's extended (PMD) statistics",
	      [&rt](const Args &a) { return show_xstats(rt, a[0], false); });
	r.add_json("show port xstats all", [&rt](const Args &) { return show_xstats(rt, "all", true); });
	r.add_json("show port xstats <port>", [&rt](const Args &a) { return show_xstats(rt, a[0], true); });
	r.add("show fwd stats all", "forwarding", "per port RX/TX packets and drops, accumulated, and by path (since clear)",
	      [&rt](const Args &) { return show_fwd_stats(rt); });
	r.add_json("show fwd stats all", [&rt](const Args &) { return fwd_stats_json(rt); });
	r.add("clear fwd stats all", "forwarding", "start show fwd stats all from zero", [&rt](const Args &) {
		g_fwd_marks.clear();
		for (const pipeline::PortInfo &p : rt.dp->ports())
			g_fwd_marks.push_back(fwd_counts(p.port_id));
		g_path_mark = rt.dp->totals();
		return ok("  forward statistics cleared\n");
	});
	r.add("set verbose <verbosity>", "general", "0 quiet, 1 events (peers, guardian), 2 also log every control command",
	      [&rt](const Args &a) { return set_verbose(rt, a[0]); });
	r.add("load <file>", "general", "run the commands in <file>, as --cmdline-file does",
	      [&rt](const Args &a) { return run_command_file(rt, a[0]); });
}

} // namespace tripath::app
