// Where the time goes and where packets went: show runtime, clear runtime, show errors [all],
// trace add STAGE N, show trace, trace clear; each show also as --json.
#include <cinttypes>
#include <cstdlib>
#include <memory>

#include <rte_cycles.h>
#include <rte_ether.h>

#include <nlohmann/json.hpp>

#include <tripath/pipeline/trace.h>

#include "runtime.h"
#include "text_line.h"

namespace tripath::app {

using control::Args;
using control::CommandResult;
using control::fail;
using control::ok;
using nlohmann::ordered_json;
using pipeline::DropReason;
using pipeline::Stage;
using pipeline::StageCounters;

namespace {

// ---- show runtime ------------------------------------------------------------------------

struct StageRow {
	std::string name;     // "rx wire0:0", "parse", ...
	StageCounters c;
};

struct LcoreRow {
	unsigned lcore = 0;
	std::string role;
	uint64_t loops = 0, busy_loops = 0, idle_sleeps = 0, busy_cycles = 0;
	std::vector<StageRow> stages;   // every stage, zero ones too (the baseline needs them)
};

// `clear runtime` keeps the counters as they were (workers are their only writers) and
// `show runtime` subtracts them.
struct RuntimeBaseline {
	std::vector<LcoreRow> rows;
	uint64_t tsc = 0;
};

std::string poll_name(const Runtime &rt, const pipeline::PollQueue &pq)
{
	for (const pipeline::PortInfo &p : rt.dp->ports())
		if (p.port_id == pq.port_id)
			return "rx " + p.name + ":" + std::to_string(pq.queue);
	return "rx port" + std::to_string(pq.port_id) + ":" + std::to_string(pq.queue);
}

std::vector<LcoreRow> snapshot(const Runtime &rt)
{
	std::vector<LcoreRow> rows;
	for (const config::LcoreConfig &lc : rt.cfg.lcores) {
		const pipeline::LcoreCounters &c = rt.dp->lcore_counters(lc.id);
		LcoreRow r;
		r.lcore = lc.id;
		r.role = config::lcore_role_name(lc.role);
		r.loops = pipeline::read_counter(c.loops);
		r.busy_loops = pipeline::read_counter(c.busy_loops);
		r.idle_sleeps = pipeline::read_counter(c.idle_sleeps);
		r.busy_cycles = pipeline::read_counter(c.busy_cycles);
		for (const auto &w : rt.dp->workers())
			if (w->lcore_id == lc.id)
				for (size_t i = 0; i < w->polls.size(); i++)
					r.stages.push_back({poll_name(rt, w->polls[i]), pipeline::read_stage(w->poll_stages[i])});
		for (unsigned s = 0; s < pipeline::kStages; s++)
			r.stages.push_back({pipeline::stage_name(Stage(s)), pipeline::read_stage(c.stages[s])});
		rows.push_back(std::move(r));
	}
	return rows;
}

void subtract(std::vector<LcoreRow> &rows, const std::vector<LcoreRow> &base)
{
	if (base.size() != rows.size())
		return;
	for (size_t i = 0; i < rows.size(); i++) {
		LcoreRow &r = rows[i];
		const LcoreRow &b = base[i];
		r.loops -= b.loops, r.busy_loops -= b.busy_loops, r.idle_sleeps -= b.idle_sleeps, r.busy_cycles -= b.busy_cycles;
		for (size_t s = 0; s < r.stages.size() && s < b.stages.size(); s++) {
			StageCounters &c = r.stages[s].c;
			const StageCounters &o = b.stages[s].c;
			c.calls -= o.calls, c.busy -= o.busy, c.packets -= o.packets, c.cycles -= o.cycles;
		}
	}
}

double ratio(uint64_t a, uint64_t b) { return b ? double(a) / double(b) : 0.0; }

// Since forwarding started or the last clear runtime, whichever is later (0: stopped).
uint64_t window_cycles(const Runtime &rt, const RuntimeBaseline &base)
{
	if (rt.forwarding_since_tsc == 0)
		return 0;
	return rte_rdtsc() - std::max(rt.forwarding_since_tsc, base.tsc);
}

std::string format_runtime(const Runtime &rt, const std::vector<LcoreRow> &rows, uint64_t window)
{
	double hz = double(rte_get_tsc_hz());
	std::string out = line("  Time %.1f s%s; TSC %.0f MHz; cycles/packet and cycles/call are TSC cycles\n", double(window) / hz,
			       rt.forwarding_since_tsc ? "" : " (forwarding stopped)", hz / 1e6);
	for (const LcoreRow &r : rows) {
		out += line("\n  lcore %u (%s): loops %" PRIu64 ", busy %" PRIu64 ", idle %" PRIu64 " (%" PRIu64 " sleeps), busy time %.1f%%\n",
			    r.lcore, r.role.c_str(), r.loops, r.busy_loops, r.loops - r.busy_loops, r.idle_sleeps,
			    window ? 100.0 * ratio(r.busy_cycles, window) : 0.0);
		out += line("  %-22s %14s %14s %14s %10s %12s %12s\n", "stage", "calls", "busy-calls", "packets", "pkts/call",
			    "cycles/call", "cycles/pkt");
		bool any = false;
		for (const StageRow &s : r.stages) {
			if (s.c.calls == 0)
				continue;
			any = true;
			out += line("  %-22s %14" PRIu64 " %14" PRIu64 " %14" PRIu64 " %10.2f %12.1f %12.1f\n", s.name.c_str(), s.c.calls,
				    s.c.busy, s.c.packets, ratio(s.c.packets, s.c.busy), ratio(s.c.cycles, s.c.calls),
				    ratio(s.c.cycles, s.c.packets));
		}
		if (!any)
			out += "  (nothing ran)\n";
	}
	return out;
}

ordered_json runtime_json(const Runtime &rt, const std::vector<LcoreRow> &rows, uint64_t window)
{
	ordered_json j;
	j["seconds"] = double(window) / double(rte_get_tsc_hz());
	j["forwarding"] = rt.forwarding_since_tsc != 0;
	j["tsc_hz"] = rte_get_tsc_hz();
	ordered_json lcores = ordered_json::array();
	for (const LcoreRow &r : rows) {
		ordered_json l;
		l["lcore"] = r.lcore;
		l["role"] = r.role;
		l["loops"] = r.loops;
		l["busy_loops"] = r.busy_loops;
		l["idle_loops"] = r.loops - r.busy_loops;
		l["idle_sleeps"] = r.idle_sleeps;
		l["busy_cycles"] = r.busy_cycles;
		l["busy_share"] = window ? ratio(r.busy_cycles, window) : 0.0;
		ordered_json stages = ordered_json::array();
		for (const StageRow &s : r.stages) {
			if (s.c.calls == 0)
				continue;
			stages.push_back({{"stage", s.name}, {"calls", s.c.calls}, {"busy_calls", s.c.busy}, {"packets", s.c.packets},
					  {"cycles", s.c.cycles}, {"packets_per_call", ratio(s.c.packets, s.c.busy)},
					  {"cycles_per_call", ratio(s.c.cycles, s.c.calls)}, {"cycles_per_packet", ratio(s.c.cycles, s.c.packets)}});
		}
		l["stages"] = std::move(stages);
		lcores.push_back(std::move(l));
	}
	j["lcores"] = std::move(lcores);
	return j;
}

// ---- show errors -------------------------------------------------------------------------

const char *drop_reason_help(DropReason r)
{
	if (unsigned(r) <= unsigned(DropReason::bad_tcp_offset))
		return "malformed frame";
	switch (r) {
	case DropReason::rule_drop: return "a rule said drop";
	case DropReason::quota_exceeded: return "over the tenant's quota";
	case DropReason::no_kernel_tap: return "path A verdict on a port without a TAP pair";
	case DropReason::kernel_ring_full: return "worker -> control lcore ring full";
	case DropReason::tap_tx_full: return "the TAP refused the burst";
	case DropReason::return_ring_full: return "TAP output -> worker ring full";
	case DropReason::wire_tx_full: return "the wire port refused kernel output";
	case DropReason::shutdown: return "on a ring when forwarding stopped";
	case DropReason::fast_tx_full: return "the endpoint's port refused the burst";
	case DropReason::not_an_answer: return "from an agent, not unicast IP";
	case DropReason::no_wire_neighbor: return "an answer before the wire's next hop was known";
	case DropReason::answer_tx_full: return "the wire port refused an answer";
	case DropReason::bulk_ring_full: return "worker -> bulk lcore ring full";
	case DropReason::bulk_no_mbuf: return "bulk lcore: no mbuf to unpack into";
	case DropReason::bulk_emit_full: return "bulk lcore: path A or wire ring full";
	case DropReason::bulk_bad_batch: return "a peer's batch did not add up";
	case DropReason::endpoint_down: return "path B: the endpoint's netdev is gone (restart tripath)";
	default: return "";
	}
}

struct ErrorsView {
	struct Lcore {
		unsigned lcore;
		std::string role;
		std::array<uint64_t, pipeline::kDropReasons> drops{};
	};
	std::vector<Lcore> lcores;
	std::array<uint64_t, pipeline::kDropReasons> total{};
};

ErrorsView errors_view(const Runtime &rt)
{
	ErrorsView v;
	for (const config::LcoreConfig &lc : rt.cfg.lcores) {
		ErrorsView::Lcore l{lc.id, config::lcore_role_name(lc.role), {}};
		const pipeline::LcoreCounters &c = rt.dp->lcore_counters(lc.id);
		for (unsigned d = 1; d < pipeline::kDropReasons; d++) {
			l.drops[d] = pipeline::read_counter(c.drops[d]);
			v.total[d] += l.drops[d];
		}
		v.lcores.push_back(l);
	}
	return v;
}

std::string format_errors(const ErrorsView &v, bool all)
{
	std::string out = line("  %14s  %-6s %-8s %-22s %s\n", "count", "lcore", "role", "reason", "");
	uint64_t sum = 0;
	for (const ErrorsView::Lcore &l : v.lcores)
		for (unsigned d = 1; d < pipeline::kDropReasons; d++)
			if (all || l.drops[d])
				out += line("  %14" PRIu64 "  %-6u %-8s %-22s %s\n", l.drops[d], l.lcore, l.role.c_str(),
					    pipeline::drop_reason_name(DropReason(d)), drop_reason_help(DropReason(d)));
	out += "  total by reason:\n";
	for (unsigned d = 1; d < pipeline::kDropReasons; d++) {
		sum += v.total[d];
		if (all || v.total[d])
			out += line("  %14" PRIu64 "  %-6s %-8s %-22s %s\n", v.total[d], "all", "", pipeline::drop_reason_name(DropReason(d)),
				    drop_reason_help(DropReason(d)));
	}
	out += line("  %14" PRIu64 "  dropped in all%s\n", sum, all ? "" : " (show errors all: every reason, zero ones too)");
	return out;
}

ordered_json errors_json(const ErrorsView &v, bool all)
{
	auto reasons = [all](const std::array<uint64_t, pipeline::kDropReasons> &drops) {
		ordered_json a = ordered_json::array();
		for (unsigned d = 1; d < pipeline::kDropReasons; d++)
			if (all || drops[d])
				a.push_back({{"reason", pipeline::drop_reason_name(DropReason(d))}, {"count", drops[d]},
					     {"description", drop_reason_help(DropReason(d))}});
		return a;
	};
	ordered_json j;
	ordered_json lcores = ordered_json::array();
	uint64_t sum = 0;
	for (const ErrorsView::Lcore &l : v.lcores)
		lcores.push_back({{"lcore", l.lcore}, {"role", l.role}, {"errors", reasons(l.drops)}});
	for (uint64_t n : v.total)
		sum += n;
	j["lcores"] = std::move(lcores);
	j["total"] = reasons(v.total);
	j["total_drops"] = sum;
	return j;
}

// ---- trace -------------------------------------------------------------------------------

using pipeline::TraceOutcome;
using pipeline::TraceRecord;
using pipeline::TraceRoute;
using pipeline::TraceWhere;

constexpr std::pair<const char *, TraceWhere> kTraceStages[] = {
	{"rx", TraceWhere::rx},         {"classify", TraceWhere::classify}, {"kernel", TraceWhere::kernel},
	{"fast", TraceWhere::fast},     {"bulk", TraceWhere::bulk},         {"drop", TraceWhere::drop}};

// Wire ports a worker reads: the ports a trace may start at.
std::vector<std::string> traceable_ports(const Runtime &rt)
{
	std::vector<std::string> out;
	for (const pipeline::PortInfo &p : rt.dp->ports())
		for (const auto &w : rt.dp->workers())
			for (const pipeline::PollQueue &pq : w->polls)
				if (pq.port_id == p.port_id && pq.endpoint == UINT16_MAX && (out.empty() || out.back() != p.name))
					out.push_back(p.name);
	return out;
}

std::vector<std::string> trace_stage_names(const Runtime &rt)
{
	std::vector<std::string> out;
	for (const auto &[name, w] : kTraceStages)
		out.push_back(name);
	for (const std::string &p : traceable_ports(rt))
		out.push_back(p);
	return out;
}

std::string port_name(const Runtime &rt, uint16_t id)
{
	for (const pipeline::PortInfo &p : rt.dp->ports())
		if (p.port_id == id)
			return p.name;
	return id == pipeline::kNoPort ? "-" : "port" + std::to_string(id);
}

std::string mac_text(const uint8_t *m)
{
	return line("%02x:%02x:%02x:%02x:%02x:%02x", m[0], m[1], m[2], m[3], m[4], m[5]);
}

std::string addr_text(const packet::FlowKey &k, const std::array<uint8_t, 16> &a)
{
	char buf[64];
	if (k.ip_version == 4)
		std::snprintf(buf, sizeof(buf), "%u.%u.%u.%u", a[0], a[1], a[2], a[3]);
	else {
		std::string s;
		for (int i = 0; i < 16; i += 2)
			s += line("%s%x", i ? ":" : "", unsigned(a[i]) << 8 | a[i + 1]);
		return s;
	}
	return buf;
}

const char *proto_name(uint8_t p)
{
	switch (p) {
	case 1: return "icmp";
	case 6: return "tcp";
	case 17: return "udp";
	case 58: return "icmpv6";
	case 132: return "sctp";
	default: return "ip";
	}
}

std::string l2_text(const TraceRecord &r)
{
	std::string s = mac_text(r.mac_src) + " > " + mac_text(r.mac_dst) + line(" type 0x%04x", r.key.ether_type);
	for (unsigned i = 0; i < r.key.vlan_count && i < packet::kMaxVlans; i++)
		s += line(" vlan %u", r.key.vlan_ids[i]);
	return s;
}

std::string l3_text(const TraceRecord &r)
{
	const packet::FlowKey &k = r.key;
	if (k.ip_version == 0)
		return "not IP";
	std::string s = line("IPv%u %s > %s %s(%u) dscp %u", k.ip_version, addr_text(k, k.src).c_str(), addr_text(k, k.dst).c_str(),
			     proto_name(k.proto), k.proto, k.dscp);
	if (k.l4_offset)
		s += line(" ports %u > %u", k.src_port, k.dst_port);
	if (k.fragment)
		s += " fragment";
	return s;
}

std::string path_target(const Runtime &rt, const TraceRecord &r)
{
	auto path = config::PathKind(r.verdict_path);
	const auto &eps = rt.dp->config().paths.fast_endpoints;
	const auto &peers = rt.dp->config().paths.bulk.peers;
	if (path == config::PathKind::fast && r.target < eps.size())
		return " endpoint " + eps[r.target].name;
	if (path == config::PathKind::bulk && r.target < peers.size())
		return " peer " + peers[r.target].name;
	return "";
}

const char *quota_name(uint8_t q)
{
	switch (quota::Outcome(q)) {
	case quota::Outcome::pass: return "pass";
	case quota::Outcome::drop: return "over quota: drop";
	case quota::Outcome::demote: return "over quota: demote to kernel";
	}
	return "?";
}

std::string outcome_text(const Runtime &rt, const TraceRecord &r)
{
	switch (TraceOutcome(r.outcome)) {
	case TraceOutcome::queued_kernel: return "queued to path A (TAP " + port_name(rt, r.out_port) + ")";
	case TraceOutcome::sent_fast: return "sent on " + port_name(rt, r.out_port) + " (path B)";
	case TraceOutcome::queued_bulk: return "queued to path C (bulk ring)";
	case TraceOutcome::dropped: return std::string("dropped: ") + pipeline::drop_reason_name(DropReason(r.drop_reason));
	}
	return "?";
}

std::string path_word(const TraceRecord &r)
{
	switch (TraceRoute(r.route)) {
	case TraceRoute::kernel:
	case TraceRoute::kernel_fallback:
	case TraceRoute::kernel_demoted: return "kernel";
	case TraceRoute::fast: return "fast";
	case TraceRoute::bulk: return "bulk";
	default: return "drop";
	}
}

std::string format_trace(const Runtime &rt, const pipeline::Trace &t)
{
	if (!t.armed())
		return "  trace: none (trace add STAGE N)\n";
	std::vector<TraceRecord> recs = t.records();
	std::string out = line("  trace at %s: %zu of %u packets\n", t.target().c_str(), recs.size(), t.limit());
	double hz = double(rte_get_tsc_hz());
	uint64_t t0 = recs.empty() ? 0 : recs.front().tsc;
	for (size_t i = 0; i < recs.size(); i++) {
		const TraceRecord &r = recs[i];
		out += line("\nPacket %zu\n", i + 1);
		out += line("  %+.6f s  lcore %u  rx %s queue %u, %u bytes\n", double(int64_t(r.tsc - t0)) / hz, r.lcore,
			    port_name(rt, r.port_id).c_str(), r.queue, r.pkt_len);
		out += "    parse: " + std::string(packet::parse_status_name(packet::ParseStatus(r.parse_status))) + "\n";
		out += "      " + l2_text(r) + "\n";
		if (r.route == uint8_t(TraceRoute::malformed)) {
			out += "    outcome: " + outcome_text(rt, r) + "\n";
			continue;
		}
		out += "      " + l3_text(r) + "\n";
		out += "    classify: rule " + (r.rule_name[0] ? std::string(r.rule_name) : std::string("(none)")) + " -> " +
		       config::path_kind_name(config::PathKind(r.verdict_path)) + path_target(rt, r) + "\n";
		out += "    quota: tenant " + (r.tenant_name[0] ? std::string(r.tenant_name) : std::string("(none)")) + ", " +
		       quota_name(r.quota) + "\n";
		out += "    path: " + std::string(pipeline::trace_route_name(TraceRoute(r.route))) + "\n";
		out += "    outcome: " + outcome_text(rt, r) + "\n";
	}
	return out;
}

ordered_json trace_json(const Runtime &rt, const pipeline::Trace &t)
{
	ordered_json j;
	j["armed"] = t.armed();
	j["stage"] = t.armed() ? t.target() : "";
	j["limit"] = t.limit();
	ordered_json pkts = ordered_json::array();
	std::vector<TraceRecord> recs = t.armed() ? t.records() : std::vector<TraceRecord>{};
	uint64_t t0 = recs.empty() ? 0 : recs.front().tsc;
	for (const TraceRecord &r : recs) {
		bool parsed = r.route != uint8_t(TraceRoute::malformed);
		ordered_json p;
		p["seq"] = r.seq;
		p["seconds"] = double(int64_t(r.tsc - t0)) / double(rte_get_tsc_hz());
		p["lcore"] = r.lcore;
		p["port"] = port_name(rt, r.port_id);
		p["queue"] = r.queue;
		p["bytes"] = r.pkt_len;
		p["parse"] = packet::parse_status_name(packet::ParseStatus(r.parse_status));
		p["l2"] = {{"src", mac_text(r.mac_src)}, {"dst", mac_text(r.mac_dst)}, {"ether_type", r.key.ether_type}};
		ordered_json vlans = ordered_json::array();
		for (unsigned i = 0; i < r.key.vlan_count && i < packet::kMaxVlans; i++)
			vlans.push_back(r.key.vlan_ids[i]);
		p["l2"]["vlans"] = std::move(vlans);
		if (parsed && r.key.ip_version) {
			p["l3"] = {{"ip_version", r.key.ip_version}, {"src", addr_text(r.key, r.key.src)}, {"dst", addr_text(r.key, r.key.dst)},
				   {"proto", r.key.proto}, {"dscp", r.key.dscp}, {"fragment", r.key.fragment}};
			if (r.key.l4_offset)
				p["l4"] = {{"src_port", r.key.src_port}, {"dst_port", r.key.dst_port}};
		}
		if (parsed) {
			p["rule"] = r.rule_name[0] ? ordered_json(r.rule_name) : ordered_json(nullptr);
			p["verdict"] = config::path_kind_name(config::PathKind(r.verdict_path));
			p["tenant"] = r.tenant_name[0] ? ordered_json(r.tenant_name) : ordered_json(nullptr);
			p["quota"] = quota_name(r.quota);
		}
		p["route"] = pipeline::trace_route_name(TraceRoute(r.route));
		p["path"] = path_word(r);
		p["outcome"] = outcome_text(rt, r);
		if (r.outcome == uint8_t(TraceOutcome::dropped))
			p["drop_reason"] = pipeline::drop_reason_name(DropReason(r.drop_reason));
		else if (r.out_port != pipeline::kNoPort)
			p["out_port"] = port_name(rt, r.out_port);
		pkts.push_back(std::move(p));
	}
	j["recorded"] = pkts.size();
	j["packets"] = std::move(pkts);
	return j;
}

CommandResult trace_add(Runtime &rt, const Args &a)
{
	TraceWhere where = TraceWhere::port;
	uint16_t port_id = pipeline::kNoPort;
	bool found = false;
	for (const auto &[name, w] : kTraceStages)
		if (a[0] == name)
			where = w, found = true;
	if (!found) {
		for (const std::string &p : traceable_ports(rt))
			if (p == a[0])
				found = true;
		for (const pipeline::PortInfo &p : rt.dp->ports())
			if (found && p.name == a[0])
				port_id = p.port_id;
	}
	if (!found) {
		std::string names;
		for (const std::string &n : trace_stage_names(rt))
			names += (names.empty() ? "" : ", ") + n;
		return fail("error: cannot trace at '" + a[0] + "' (stages: " + names + ")\n");
	}
	char *end = nullptr;
	unsigned long n = std::strtoul(a[1].c_str(), &end, 10);
	if (a[1].empty() || *end != '\0' || a[1][0] == '-' || n == 0 || n > pipeline::kTraceMax)
		return fail("error: packet count '" + a[1] + "' is not 1.." + std::to_string(pipeline::kTraceMax) + "\n");
	std::string error;
	if (!rt.dp->tracer().add(where, port_id, a[0], uint32_t(n), error))
		return fail("error: " + error + "\n");
	return ok("Tracing the next " + std::to_string(n) + " packets at " + a[0] +
		  (rt.dp->running() ? "" : "; forwarding is stopped: nothing flows until start") + " (show trace)\n");
}

std::string dump(const ordered_json &j) { return j.dump(2) + "\n"; }

} // namespace

void register_runtime_commands(Runtime &rt)
{
	control::CommandRegistry &r = rt.registry;
	auto base = std::make_shared<RuntimeBaseline>();
	auto rows = [&rt, base] {
		std::vector<LcoreRow> v = snapshot(rt);
		subtract(v, base->rows);
		return v;
	};
	r.add("show runtime", "runtime",
	      "per lcore and stage: calls, busy calls, packets, packets/call, cycles/call, cycles/packet; busy and idle loops",
	      [&rt, base, rows](const Args &) { return ok(format_runtime(rt, rows(), window_cycles(rt, *base))); });
	r.add_json("show runtime", [&rt, base, rows](const Args &) { return ok(dump(runtime_json(rt, rows(), window_cycles(rt, *base)))); });
	r.add("clear runtime", "runtime", "start show runtime's counts afresh", [&rt, base](const Args &) {
		base->rows = snapshot(rt);
		base->tsc = rte_rdtsc();
		return ok("  runtime counters cleared\n");
	});

	r.add("show errors", "runtime", "drops by reason, per lcore and in all (the reasons with a count)",
	      [&rt](const Args &) { return ok(format_errors(errors_view(rt), false)); });
	r.add_json("show errors", [&rt](const Args &) { return ok(dump(errors_json(errors_view(rt), false))); });
	r.add("show errors all", "runtime", "drops by reason, every reason, zero ones too",
	      [&rt](const Args &) { return ok(format_errors(errors_view(rt), true)); });
	r.add_json("show errors all", [&rt](const Args &) { return ok(dump(errors_json(errors_view(rt), true))); });

	r.add("trace add <stage> <count>", "runtime",
	      "record the next <count> packets at rx|classify|kernel|fast|bulk|drop or a wire port: their route and verdicts",
	      [&rt](const Args &a) { return trace_add(rt, a); });
	r.add("show trace", "runtime", "the traced packets in order, each with its route through the stages",
	      [&rt](const Args &) { return ok(format_trace(rt, rt.dp->tracer())); });
	r.add_json("show trace", [&rt](const Args &) { return ok(dump(trace_json(rt, rt.dp->tracer()))); });
	r.add("trace clear", "runtime", "stop tracing and forget the records", [&rt](const Args &) {
		rt.dp->tracer().clear();
		return ok("  trace cleared\n");
	});
	r.add_names("<stage>", [&rt] { return trace_stage_names(rt); });
}

} // namespace tripath::app
