// Stats in testpmd's layout where testpmd has one, so operators read them at a glance.
#include <cinttypes>
#include <cstdio>
#include <sstream>

#include <rte_cycles.h>
#include <rte_ethdev.h>
#include <rte_lcore.h>

#include "runtime.h"
#include "text_line.h"

namespace tripath::app {

using pipeline::DropReason;
using pipeline::LcoreCounters;
using pipeline::PathId;

std::string format_port_stats(Runtime &rt, size_t index)
{
	const pipeline::PortInfo &p = rt.dp->ports()[index];
	rte_eth_stats s{};
	if (rte_eth_stats_get(p.port_id, &s) != 0)
		return line("  port %s: statistics unavailable\n", p.name.c_str());
	PortRateMark &mark = rt.rate_marks[index];
	uint64_t now = rte_rdtsc();
	double secs = mark.tsc ? double(now - mark.tsc) / double(rte_get_tsc_hz()) : 0.0;
	auto rate = [&](uint64_t cur, uint64_t prev) { return secs > 0 && cur >= prev ? uint64_t(double(cur - prev) / secs) : 0; };
	std::string out;
	out += line("\n  ######################## NIC statistics for port %-2u (%s) ########################\n", p.port_id, p.name.c_str());
	out += line("  RX-packets: %-10" PRIu64 " RX-missed: %-10" PRIu64 " RX-bytes:  %" PRIu64 "\n", s.ipackets, s.imissed, s.ibytes);
	out += line("  RX-errors: %" PRIu64 "\n", s.ierrors);
	out += line("  RX-nombuf:  %-10" PRIu64 "\n", s.rx_nombuf);
	out += line("  TX-packets: %-10" PRIu64 " TX-errors: %-10" PRIu64 " TX-bytes:  %" PRIu64 "\n", s.opackets, s.oerrors, s.obytes);
	out += line("\n  Throughput (since last show)\n");
	out += line("  Rx-pps: %12" PRIu64 "          Rx-bps: %12" PRIu64 "\n", rate(s.ipackets, mark.ipackets), 8 * rate(s.ibytes, mark.ibytes));
	out += line("  Tx-pps: %12" PRIu64 "          Tx-bps: %12" PRIu64 "\n", rate(s.opackets, mark.opackets), 8 * rate(s.obytes, mark.obytes));
	out += "  ###################################################################################\n";
	mark = {now, s.ipackets, s.opackets, s.ibytes, s.obytes};
	return out;
}

std::string format_path_stats(const LcoreCounters &c)
{
	std::string out;
	uint64_t to_paths = 0;
	for (unsigned p = 0; p < pipeline::kPaths; p++)
		to_paths += c.path_packets[p];
	uint64_t drops = pipeline::total_drops(c);
	uint64_t rx_drops = 0, answer_drops = 0;
	for (unsigned d = 1; d < pipeline::kDropReasons; d++) {
		rx_drops += pipeline::is_wire_rx_drop(DropReason(d)) ? c.drops[d] : 0;
		answer_drops += pipeline::is_answer_drop(DropReason(d)) ? c.drops[d] : 0;
	}
	out += "\n  ######################## path statistics ########################\n";
	out += line("  RX-packets: %-12" PRIu64 " RX-bytes: %" PRIu64 "\n", c.rx_packets, c.rx_bytes);
	out += line("  %-8s %14s %16s\n", "path", "packets", "bytes");
	for (unsigned p = 0; p < pipeline::kPaths; p++)
		out += line("  %-8s %14" PRIu64 " %16" PRIu64 "\n", pipeline::path_name(PathId(p)), c.path_packets[p], c.path_bytes[p]);
	out += line("  only the default rule matched:          %" PRIu64 "\n", c.unmatched);
	out += line("  fast/bulk verdicts carried by kernel:  %" PRIu64 "\n", c.fallback_to_kernel);
	out += line("  flow cache: hits %" PRIu64 ", misses %" PRIu64 "; flow samples lost %" PRIu64 "\n", c.flow_cache_hits,
		    c.flow_cache_misses, c.flow_samples_lost);
	out += line("  fast path: answers from agents %" PRIu64 ", to the wire %" PRIu64 " (dropped %" PRIu64 ")\n",
		    c.answer_rx_packets, c.answer_tx_packets, answer_drops);
	out += line("  demoted to kernel (over a quota):      %" PRIu64 "\n", c.demoted);
	out += line("  bulk path: unpacked from peers %" PRIu64 ", emitted to TAP or wire %" PRIu64 "\n", c.bulk_rx_packets,
		    c.bulk_emitted);
	out += line("  kernel path: into TAP %" PRIu64 ", kernel output from TAP %" PRIu64 ", sent on wire %" PRIu64 "\n",
		    c.tap_tx_packets, c.tap_rx_packets, c.wire_tx_packets);
	out += line("  drops: %" PRIu64 "\n", drops);
	for (unsigned d = 1; d < pipeline::kDropReasons; d++)
		if (c.drops[d])
			out += line("    %-22s %" PRIu64 "\n", pipeline::drop_reason_name(DropReason(d)), c.drops[d]);
	// What came in is either on a path or dropped at the worker; anything else is in flight.
	out += line("  balance: rx %" PRIu64 " = to paths %" PRIu64 " + dropped at worker %" PRIu64 " + in flight %" PRId64 "\n",
		    c.rx_packets, to_paths, rx_drops, int64_t(c.rx_packets - to_paths - rx_drops));
	out += "  ###################################################################\n";
	return out;
}

std::string format_lcores(const Runtime &rt)
{
	std::string out = line("  %-6s %-8s %-6s %-28s %12s %12s %7s %12s %12s\n", "lcore", "role", "socket", "polls",
			       "loops", "rx-packets", "busy%", "cycles/pkt", "idle-sleeps");
	uint64_t elapsed = rt.forwarding_since_tsc ? rte_rdtsc() - rt.forwarding_since_tsc : 0;
	for (const config::LcoreConfig &lc : rt.cfg.lcores) {
		std::string polls;
		for (const config::PollEntry &pe : lc.poll)
			polls += (polls.empty() ? "" : " ") + pe.port + ":" + std::to_string(pe.queue);
		if (lc.role == config::LcoreRole::control)
			polls = "shell, TAP I/O";
		const LcoreCounters &c = rt.dp->lcore_counters(lc.id);
		uint64_t busy = pipeline::read_counter(c.busy_cycles);
		uint64_t rx = pipeline::read_counter(c.rx_packets);
		double pct = elapsed ? 100.0 * double(busy) / double(elapsed) : 0.0;
		// Cycles in loops that moved packets, per packet taken: the worker's cost per packet.
		double per_pkt = rx ? double(busy) / double(rx) : 0.0;
		out += line("  %-6u %-8s %-6u %-28s %12" PRIu64 " %12" PRIu64 " %6.1f%% %12.1f %12" PRIu64 "\n", lc.id,
			    config::lcore_role_name(lc.role), rte_lcore_to_socket_id(lc.id), polls.c_str(),
			    pipeline::read_counter(c.loops), rx, pct, per_pkt, pipeline::read_counter(c.idle_sleeps));
	}
	return out;
}

std::string format_totals(Runtime &rt)
{
	std::string out;
	for (size_t i = 0; i < rt.dp->ports().size(); i++)
		out += format_port_stats(rt, i);
	out += format_path_stats(rt.dp->totals());
	return out;
}

} // namespace tripath::app
