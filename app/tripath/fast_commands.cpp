// Path B in the shell: per-endpoint counters, burst fill and latency (show endpoints).
#include <cinttypes>
#include <cstdio>

#include <rte_cycles.h>
#include <rte_ether.h>

#include "runtime.h"

namespace tripath::app {

using control::Args;
using control::ok;

namespace {

std::string mac_text(const rte_ether_addr &a)
{
	char buf[RTE_ETHER_ADDR_FMT_SIZE];
	rte_ether_format_addr(buf, sizeof(buf), &a);
	return buf;
}

// p50 / p99 / max of a TSC histogram, in microseconds (bucket upper edges: 25% resolution).
std::string latency_text(const pipeline::LatencyHist &h)
{
	uint64_t n = 0;
	for (uint64_t c : h)
		n += c;
	if (n == 0)
		return "no samples";
	double us = 1e6 / double(rte_get_tsc_hz());
	char buf[160];
	std::snprintf(buf, sizeof(buf), "p50 %.2f  p99 %.2f  p99.9 %.2f  max %.2f us (%" PRIu64 " samples)",
		      double(pipeline::latency_quantile(h, 0.5)) * us, double(pipeline::latency_quantile(h, 0.99)) * us,
		      double(pipeline::latency_quantile(h, 0.999)) * us, double(pipeline::latency_quantile(h, 1.0)) * us, n);
	return buf;
}

const pipeline::PortInfo *port_named(const Runtime &rt, const std::string &name)
{
	for (const pipeline::PortInfo &p : rt.dp->ports())
		if (p.name == name)
			return &p;
	return nullptr;
}

std::string format_endpoint(const Runtime &rt, size_t i)
{
	const config::FastEndpointConfig &ep = rt.cfg.paths.fast_endpoints[i];
	pipeline::EndpointCounters c = rt.dp->endpoint_totals(i);
	std::string out = "  endpoint " + ep.name + ": port " + ep.port + ", answers leave on " +
			  (ep.wire.empty() ? std::string("(no wire)") : ep.wire);
	if (ep.mac) {
		rte_ether_addr a;
		std::copy(ep.mac->begin(), ep.mac->end(), a.addr_bytes);
		out += ", agent MAC " + mac_text(a);
	}
	out += "\n";
	char buf[256];
	double fill = c.to_agent_bursts ? double(c.to_agent_packets) / double(c.to_agent_bursts) : 0.0;
	std::snprintf(buf, sizeof(buf), "    to agent:  %" PRIu64 " packets, %" PRIu64 " bytes, %" PRIu64 " tx bursts (%.1f packets/burst)\n",
		      c.to_agent_packets, c.to_agent_bytes, c.to_agent_bursts, fill);
	out += buf;
	out += "      wire rx -> endpoint tx: " + latency_text(c.to_agent_cycles) + "\n";
	std::snprintf(buf, sizeof(buf), "    answers:   %" PRIu64 " packets, %" PRIu64 " bytes\n", c.answer_packets, c.answer_bytes);
	out += buf;
	out += "      endpoint rx -> wire tx: " + latency_text(c.answer_cycles) + "\n";
	if (const pipeline::PortInfo *wire = port_named(rt, ep.wire)) {
		auto hop = rt.dp->next_hop(wire->port_id);
		out += "    next hop on " + ep.wire + ": " + (hop ? mac_text(*hop) + " (learned from requests)" : std::string("not learned yet")) + "\n";
	}
	return out;
}

} // namespace

std::string format_endpoints(const Runtime &rt)
{
	const auto &eps = rt.cfg.paths.fast_endpoints;
	if (eps.empty())
		return "  no fast endpoints (paths.fast.endpoints is empty)\n";
	std::string out;
	for (size_t i = 0; i < eps.size(); i++)
		out += format_endpoint(rt, i);
	return out;
}

void register_fast_commands(Runtime &rt)
{
	rt.registry.add("show endpoints", "path", "path B: per endpoint packets, burst fill, rx->tx latency, next hop",
			[&rt](const Args &) { return ok(format_endpoints(rt)); });
}

} // namespace tripath::app
