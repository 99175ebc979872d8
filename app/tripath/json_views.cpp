// The --json forms of the show commands: the same numbers as the text, as one JSON object, so
// scripts read them without scraping tables.
#include <nlohmann/json.hpp>

#include <rte_ethdev.h>
#include <rte_lcore.h>

#include <tripath/audit/tail.h>

#include "guardian_runtime.h"
#include "rule_text.h"
#include "runtime.h"

namespace tripath::app {

using control::Args;
using control::CommandResult;
using control::ok;
using json = nlohmann::ordered_json;

namespace {

uint64_t rd(const uint64_t &v) { return pipeline::read_counter(v); }

CommandResult answer(const json &j) { return ok(j.dump(2) + "\n"); }

std::string mac_text(uint16_t port_id)
{
	rte_ether_addr mac{};
	rte_eth_macaddr_get(port_id, &mac);
	char buf[RTE_ETHER_ADDR_FMT_SIZE];
	rte_ether_format_addr(buf, sizeof(buf), &mac);
	return buf;
}

json port_stats(const pipeline::PortInfo &p)
{
	rte_eth_stats s{};
	json j = {{"port_id", p.port_id}, {"name", p.name}};
	if (rte_eth_stats_get(p.port_id, &s) != 0) {
		j["error"] = "statistics unavailable";
		return j;
	}
	j.update({{"rx_packets", s.ipackets}, {"rx_missed", s.imissed}, {"rx_bytes", s.ibytes}, {"rx_errors", s.ierrors},
		  {"rx_nombuf", s.rx_nombuf}, {"tx_packets", s.opackets}, {"tx_errors", s.oerrors}, {"tx_bytes", s.obytes}});
	return j;
}

json port_info(const pipeline::PortInfo &p)
{
	rte_eth_dev_info info{};
	rte_eth_link link{};
	rte_eth_dev_info_get(p.port_id, &info);
	rte_eth_link_get_nowait(p.port_id, &link);
	return {{"port_id", p.port_id}, {"name", p.name}, {"driver", info.driver_name ? info.driver_name : ""},
		{"mac", mac_text(p.port_id)}, {"link_up", link.link_status != 0}, {"link_speed_mbps", link.link_speed},
		{"queues", p.queues}, {"socket", rte_eth_dev_socket_id(p.port_id)}};
}

json path_stats(const pipeline::LcoreCounters &c)
{
	json paths = json::object(), drops = json::object();
	uint64_t to_paths = 0, rx_drops = 0;
	for (unsigned p = 0; p < pipeline::kPaths; p++) {
		paths[pipeline::path_name(pipeline::PathId(p))] = {{"packets", c.path_packets[p]}, {"bytes", c.path_bytes[p]}};
		to_paths += c.path_packets[p];
	}
	for (unsigned d = 1; d < pipeline::kDropReasons; d++) {
		drops[pipeline::drop_reason_name(pipeline::DropReason(d))] = c.drops[d];
		rx_drops += pipeline::is_wire_rx_drop(pipeline::DropReason(d)) ? c.drops[d] : 0;
	}
	return {{"rx_packets", c.rx_packets},
		{"rx_bytes", c.rx_bytes},
		{"paths", paths},
		{"unmatched", c.unmatched},
		{"fallback_to_kernel", c.fallback_to_kernel},
		{"flow_cache_hits", c.flow_cache_hits},
		{"flow_cache_misses", c.flow_cache_misses},
		{"flow_samples_lost", c.flow_samples_lost},
		{"demoted", c.demoted},
		{"answer_rx_packets", c.answer_rx_packets},
		{"answer_tx_packets", c.answer_tx_packets},
		{"bulk_rx_packets", c.bulk_rx_packets},
		{"bulk_emitted", c.bulk_emitted},
		{"tap_tx_packets", c.tap_tx_packets},
		{"tap_rx_packets", c.tap_rx_packets},
		{"wire_tx_packets", c.wire_tx_packets},
		{"drops_total", pipeline::total_drops(c)},
		{"drops", drops},
		{"balance", {{"rx", c.rx_packets}, {"to_paths", to_paths}, {"dropped_at_worker", rx_drops},
			     {"in_flight", int64_t(c.rx_packets - to_paths - rx_drops)}}}};
}

json lcores(const Runtime &rt)
{
	json out = json::array();
	uint64_t elapsed = rt.forwarding_since_tsc ? rte_rdtsc() - rt.forwarding_since_tsc : 0;
	for (const config::LcoreConfig &lc : rt.cfg.lcores) {
		json polls = json::array();
		for (const config::PollEntry &pe : lc.poll)
			polls.push_back({{"port", pe.port}, {"queue", pe.queue}});
		const pipeline::LcoreCounters &c = rt.dp->lcore_counters(lc.id);
		uint64_t busy = rd(c.busy_cycles), rx = rd(c.rx_packets);
		out.push_back({{"lcore", lc.id},
			       {"role", config::lcore_role_name(lc.role)},
			       {"socket", rte_lcore_to_socket_id(lc.id)},
			       {"polls", polls},
			       {"loops", rd(c.loops)},
			       {"rx_packets", rx},
			       {"busy_percent", elapsed ? 100.0 * double(busy) / double(elapsed) : 0.0},
			       {"cycles_per_packet", rx ? double(busy) / double(rx) : 0.0},
			       {"idle_sleeps", rd(c.idle_sleeps)}});
	}
	return out;
}

json rules(const Runtime &rt)
{
	const config::Config &cfg = rt.dp->config();
	json list = json::array();
	for (size_t i = 0; i < cfg.rules.size(); i++) {
		const config::RuleConfig &rc = cfg.rules[i];
		list.push_back({{"index", i}, {"name", rc.name}, {"priority", rc.priority}, {"path", path_text(rc)},
				{"tenant", rc.tenant}, {"match", match_text(rc.match)}});
	}
	return {{"generation", rt.dp->rule_generation()}, {"acl_entries", rt.dp->rules().acl_rules()}, {"rules", list}};
}

json xdp_stats(const Runtime &rt)
{
	json out = json::array();
	for (const Runtime::SplitPort &sp : rt.split_ports) {
		classify::xdp::Counters c = sp.rules->read_counters();
		json paths = json::object(), parse_drops = json::object();
		for (unsigned p = 0; p < c.path.size(); p++)
			paths[config::path_kind_name(config::PathKind(p))] = {{"packets", c.path[p].packets}, {"bytes", c.path[p].bytes}};
		for (unsigned s = 1; s < c.parse.size(); s++)
			parse_drops[packet::parse_status_name(packet::ParseStatus(s))] = c.parse[s];
		out.push_back({{"port", sp.port}, {"iface", sp.iface}, {"rules", sp.rules->active_rules()}, {"paths", paths},
			       {"xsk_missing", c.xsk_missing.packets}, {"parse_drops", parse_drops}});
	}
	return out;
}

json tenants(const Runtime &rt)
{
	const quota::QuotaTable &q = rt.dp->quotas();
	json out = json::array();
	for (uint16_t t = 0; t < q.tenant_count(); t++) {
		const config::TenantConfig &tc = rt.dp->config().tenants[t];
		json prefixes = json::array(), paths = json::object();
		for (const config::Prefix &p : tc.prefixes)
			prefixes.push_back(prefix_text(p));
		quota::TenantStats st = q.stats(t);
		for (unsigned p = 0; p < quota::kQuotaPaths; p++) {
			const quota::PathStats &ps = st.path[p];
			const auto &quota = q.quota(t, config::PathKind(p));
			json qj = nullptr;
			if (quota)
				qj = {{"pps", quota->pps ? json(*quota->pps) : json(nullptr)},
				      {"bps", quota->bps ? json(*quota->bps) : json(nullptr)},
				      {"burst_ms", quota->burst_ms}};
			paths[config::path_kind_name(config::PathKind(p))] = {{"quota", qj},
									       {"passed_packets", ps.passed_packets},
									       {"passed_bytes", ps.passed_bytes},
									       {"dropped", ps.dropped},
									       {"demoted", ps.demoted}};
		}
		out.push_back({{"name", q.tenant_name(t)},
			       {"over_quota", tc.over_quota == config::OverQuota::demote ? "demote" : "drop"},
			       {"prefixes", prefixes},
			       {"paths", paths}});
	}
	return out;
}

json latency(const pipeline::LatencyHist &h)
{
	uint64_t n = 0;
	for (uint64_t c : h)
		n += c;
	double ns = 1e9 / double(rte_get_tsc_hz());
	auto q = [&](double f) { return n ? double(pipeline::latency_quantile(h, f)) * ns : 0.0; };
	return {{"samples", n}, {"p50_ns", q(0.5)}, {"p99_ns", q(0.99)}, {"p999_ns", q(0.999)}, {"max_ns", q(1.0)}};
}

json endpoints(const Runtime &rt)
{
	json out = json::array();
	const auto &eps = rt.cfg.paths.fast_endpoints;
	for (size_t i = 0; i < eps.size(); i++) {
		pipeline::EndpointCounters c = rt.dp->endpoint_totals(i);
		out.push_back({{"name", eps[i].name},
			       {"port", eps[i].port},
			       {"wire", eps[i].wire},
			       {"to_agent", {{"packets", c.to_agent_packets}, {"bytes", c.to_agent_bytes}, {"tx_bursts", c.to_agent_bursts},
					     {"latency", latency(c.to_agent_cycles)}}},
			       {"answers", {{"packets", c.answer_packets}, {"bytes", c.answer_bytes}, {"latency", latency(c.answer_cycles)}}}});
	}
	return out;
}

json bulk(const Runtime &rt)
{
	const pipeline::BulkPath *b = rt.dp->bulk();
	if (b == nullptr)
		return {{"enabled", false}, {"peers", json::array()}};
	json peers = json::array();
	for (size_t i = 0; i < b->peer_count(); i++) {
		const pipeline::BulkPeerStats &s = b->stats(i);
		const config::BulkPeerConfig &pc = b->peer_config(i);
		auto state = pipeline::BulkPeerState(s.state.load(std::memory_order_relaxed));
		peers.push_back({{"name", pc.name},
				 {"mode", pc.address.empty() ? "listen" : "connect"},
				 {"address", pc.address.empty() ? pc.listen : pc.address},
				 {"wire", pc.wire},
				 {"state", pipeline::bulk_peer_state_name(state)},
				 {"up", s.up.load(std::memory_order_relaxed)},
				 {"credits", s.credits.load(std::memory_order_relaxed)},
				 {"last_error", bulk::to_string(bulk::BulkError(s.last_error.load(std::memory_order_relaxed)))},
				 {"device", b->describe(i)},
				 {"packets_packed", rd(s.packets_packed)},
				 {"bytes_packed", rd(s.bytes_packed)},
				 {"batches_posted", rd(s.batches_posted)},
				 {"packets_acked", rd(s.packets_acked)},
				 {"batches_acked", rd(s.batches_acked)},
				 {"batches_reposted", rd(s.batches_reposted)},
				 {"packets_received", rd(s.packets_received)},
				 {"bytes_received", rd(s.bytes_received)},
				 {"batches_received", rd(s.batches_received)},
				 {"packets_fallback", rd(s.packets_fallback)},
				 {"credit_stalls", rd(s.credit_stalls)},
				 {"errors", rd(s.errors)},
				 {"connects", rd(s.connects)},
				 {"reconnects", rd(s.reconnects)},
				 {"losses", rd(s.losses)},
				 {"connect_failures", rd(s.connect_failures)}});
	}
	return {{"enabled", true}, {"lcore", rt.dp->bulk_on_control() ? "control" : "bulk"}, {"peers", peers},
		{"recent_events", rt.bulk_events}};
}

json capture(const Runtime &rt)
{
	if (!rt.capture)
		return {{"state", "idle"}};
	pipeline::CaptureStatus s = rt.capture->status();
	const char *states[] = {"idle", "running", "finishing"};
	return {{"state", states[unsigned(s.state)]}, {"file", s.file}, {"target", s.target}, {"limit", s.limit},
		{"written", s.written}, {"bytes", s.bytes}, {"ring_full", s.ring_full}, {"no_mbuf", s.no_mbuf}, {"error", s.error}};
}

json guardian_status(const Runtime &rt)
{
	guardian::GuardianStatus s = rt.guardian->status_fields();
	const char *levels[] = {"off", "propose-only", "bounded"};
	return {{"autonomy", levels[unsigned(s.autonomy)]},
		{"failsafe", s.failsafe},
		{"failsafe_reason", s.failsafe_reason},
		{"canaries", s.canaries},
		{"adaptive_canaries", s.adaptive_canaries},
		{"tokens", s.tokens},
		{"recent_rejects", s.recent_rejects},
		{"decisions", s.decisions},
		{"approved", s.approved},
		{"clamped", s.clamped},
		{"rejected", s.rejected},
		{"rollbacks", s.rollbacks},
		{"failsafes", s.failsafes},
		{"flow_samples_counted", rt.guardian->flow_samples_counted()},
		{"flow_samples_lost", rt.dp->totals().flow_samples_lost}};
}

// The records as JSON objects (they are JSON lines on disk); a line that does not parse stays
// a string, so a damaged log is shown, not hidden.
CommandResult audit_records(Runtime &rt, const std::string &count)
{
	char *end = nullptr;
	unsigned long n = std::strtoul(count.c_str(), &end, 10);
	if (!rt.guardian->log())
		return control::fail("error: audit tail: no audit log (config section audit:)\n");
	if (count.empty() || *end != '\0' || n == 0 || n > 10000)
		return control::fail("error: audit tail: '" + count + "' is not a count 1..10000\n");
	std::vector<std::string> lines;
	std::string error;
	if (!audit::tail_lines(rt.guardian->audit_path(), n, lines, error))
		return control::fail("error: audit tail: " + error + "\n");
	json out = json::array();
	for (const std::string &l : lines)
		out.push_back(json::parse(l, nullptr, false).is_discarded() ? json(l) : json::parse(l));
	return answer(out);
}

// Each port, or the one named (as the text form finds it: config name or ethdev id).
template <typename View>
CommandResult per_port(const Runtime &rt, const std::string &which, View view)
{
	if (which != "all") {
		size_t i;
		const pipeline::PortInfo *p = find_port(rt, which, i);
		return p ? answer(view(*p)) : no_such_port(rt, which);
	}
	json out = json::array();
	for (const pipeline::PortInfo &p : rt.dp->ports())
		out.push_back(view(p));
	return answer(out);
}

} // namespace

void register_json_views(Runtime &rt)
{
	control::CommandRegistry &r = rt.registry;
	r.add_json("show port stats all", [&rt](const Args &) { return per_port(rt, "all", port_stats); });
	r.add_json("show port stats <port>", [&rt](const Args &a) { return per_port(rt, a[0], port_stats); });
	r.add_json("show port info all", [&rt](const Args &) { return per_port(rt, "all", port_info); });
	r.add_json("show port info <port>", [&rt](const Args &a) { return per_port(rt, a[0], port_info); });
	r.add_json("show path stats", [&rt](const Args &) { return answer(path_stats(rt.dp->totals())); });
	r.add_json("show lcores", [&rt](const Args &) { return answer(lcores(rt)); });
	r.add_json("show rules", [&rt](const Args &) { return answer(rules(rt)); });
	r.add_json("show xdp stats", [&rt](const Args &) { return answer(xdp_stats(rt)); });
	r.add_json("show tenants", [&rt](const Args &) { return answer(tenants(rt)); });
	r.add_json("show endpoints", [&rt](const Args &) { return answer(endpoints(rt)); });
	r.add_json("show bulk", [&rt](const Args &) { return answer(bulk(rt)); });
	r.add_json("show capture", [&rt](const Args &) { return answer(capture(rt)); });
	r.add_json("guardian status", [&rt](const Args &) { return answer(guardian_status(rt)); });
	r.add_json("audit tail <n>", [&rt](const Args &a) { return audit_records(rt, a[0]); });
	r.add_json("guardian latency", [&rt](const Args &) { return ok(rt.guardian->latency_json()); });
}

} // namespace tripath::app
