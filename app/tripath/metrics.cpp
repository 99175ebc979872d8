// `metrics`: every counter as OpenMetrics text (Prometheus reads it too), on the control lcore.
// Counters end in _total; labels name the path, drop reason, port, tenant, endpoint, peer.
// Path B latencies are histograms in seconds with power-of-two-cycle edges (every fourth
// bucket edge of LatencyHist, so a fixed set per host); _sum is approximated from bucket midpoints.
#include <cinttypes>
#include <cstdio>

#include <rte_cycles.h>
#include <rte_ethdev.h>

#include "telemetry.h"

namespace tripath::app {

namespace {

// Label values: OpenMetrics escapes backslash, quote and newline.
std::string escape(const std::string &v)
{
	std::string out;
	for (char ch : v)
		out += ch == '\\' ? "\\\\" : ch == '"' ? "\\\"" : ch == '\n' ? "\\n" : std::string(1, ch);
	return out;
}

using Labels = std::vector<std::pair<std::string, std::string>>;

class Text {
public:
	void family(const std::string &name, const char *type, const std::string &help)
	{
		out_ += "# TYPE " + name + " " + type + "\n# HELP " + name + " " + help + "\n";
	}
	void sample(const std::string &name, const Labels &labels, uint64_t v) { put(name, labels, std::to_string(v)); }
	void sample(const std::string &name, const Labels &labels, double v)
	{
		char buf[40];
		std::snprintf(buf, sizeof(buf), "%.9g", v);
		put(name, labels, buf);
	}
	// A counter with one sample per label set: name_total.
	std::string &str() { return out_; }

private:
	void put(const std::string &name, const Labels &labels, const std::string &value)
	{
		out_ += name;
		if (!labels.empty()) {
			out_ += "{";
			for (size_t i = 0; i < labels.size(); i++)
				out_ += (i ? "," : "") + labels[i].first + "=\"" + escape(labels[i].second) + "\"";
			out_ += "}";
		}
		out_ += " " + value + "\n";
	}
	std::string out_;
};

uint64_t rd(const uint64_t &v) { return pipeline::read_counter(v); }

// A counter family with one unlabelled sample.
void counter(Text &t, const std::string &name, const std::string &help, uint64_t v)
{
	t.family(name, "counter", help);
	t.sample(name + "_total", {}, v);
}

// Buckets at 2^k cycles, k = 6 .. 36 (26 ns to 27 s at 2.5 GHz), then +Inf.
void histogram(Text &t, const std::string &name, const Labels &labels, const pipeline::LatencyHist &h, double hz)
{
	uint64_t count = 0;
	double sum_cycles = 0;
	for (unsigned b = 0; b < pipeline::kLatencyBuckets; b++) {
		if (h[b] == 0)
			continue;
		count += h[b];
		double lo = double(pipeline::latency_bucket_low(b));
		double hi = b + 1 < pipeline::kLatencyBuckets ? double(pipeline::latency_bucket_low(b + 1) - 1) : lo;
		sum_cycles += double(h[b]) * (lo + hi) / 2;   // midpoint: the histogram keeps no exact sum
	}
	uint64_t below = 0;
	unsigned b = 0;
	for (unsigned k = 6; k <= 36; k++) {
		// Samples < 2^k cycles are those in buckets below 4k - 4 (latency_bucket_low(4k-4) = 2^k).
		for (; b < 4 * k - 4; b++)
			below += h[b];
		Labels l = labels;
		char le[40];
		std::snprintf(le, sizeof(le), "%.6e", double(uint64_t(1) << k) / hz);
		l.emplace_back("le", le);
		t.sample(name + "_bucket", l, below);
	}
	Labels inf = labels;
	inf.emplace_back("le", "+Inf");
	t.sample(name + "_bucket", inf, count);
	t.sample(name + "_count", labels, count);
	t.sample(name + "_sum", labels, sum_cycles / hz);
}

void paths(Text &t, const pipeline::LcoreCounters &c)
{
	counter(t, "tripath_rx_packets", "Packets the workers took from their wire queues.", c.rx_packets);
	counter(t, "tripath_rx_bytes", "Bytes the workers took from their wire queues.", c.rx_bytes);
	t.family("tripath_path_packets", "counter", "Packets handed to a path (the worker's verdict, before any fallback).");
	for (unsigned p = 0; p < pipeline::kPaths; p++)
		t.sample("tripath_path_packets_total", {{"path", pipeline::path_name(pipeline::PathId(p))}}, c.path_packets[p]);
	t.family("tripath_path_bytes", "counter", "Bytes handed to a path.");
	for (unsigned p = 0; p < pipeline::kPaths; p++)
		t.sample("tripath_path_bytes_total", {{"path", pipeline::path_name(pipeline::PathId(p))}}, c.path_bytes[p]);
	t.family("tripath_drops", "counter", "Packets not delivered, by reason (show errors).");
	for (unsigned r = 1; r < pipeline::kDropReasons; r++)
		t.sample("tripath_drops_total", {{"reason", pipeline::drop_reason_name(pipeline::DropReason(r))}}, c.drops[r]);
	counter(t, "tripath_unmatched_packets", "Packets only the default rule matched.", c.unmatched);
	counter(t, "tripath_fallback_to_kernel_packets", "Fast or bulk verdicts carried by path A (no endpoint, peer down).",
		c.fallback_to_kernel);
	counter(t, "tripath_flow_cache_hits", "Verdicts the workers found in their flow caches.", c.flow_cache_hits);
	counter(t, "tripath_flow_cache_misses", "Verdicts the rule table computed (flow cache on).", c.flow_cache_misses);
	counter(t, "tripath_flow_samples_lost", "Flow samples the guardian's rings refused (its sketches saw fewer).", c.flow_samples_lost);
	counter(t, "tripath_demoted_packets", "Packets over a fast or bulk quota carried by path A instead.", c.demoted);
	counter(t, "tripath_tap_tx_packets", "Path A: packets delivered into a TAP.", c.tap_tx_packets);
	counter(t, "tripath_tap_rx_packets", "Path A: kernel output read from a TAP.", c.tap_rx_packets);
	counter(t, "tripath_wire_tx_packets", "Path A: kernel output sent on the wire.", c.wire_tx_packets);
	counter(t, "tripath_answer_rx_packets", "Path B: answers read from agent endpoints.", c.answer_rx_packets);
	counter(t, "tripath_answer_tx_packets", "Path B: answers sent on the wire.", c.answer_tx_packets);
	counter(t, "tripath_bulk_rx_packets", "Path C: packets unpacked from peers' batches.", c.bulk_rx_packets);
	counter(t, "tripath_bulk_emitted_packets", "Path C: unpacked packets handed to path A or the wire.", c.bulk_emitted);
	uint64_t to_paths = 0, rx_drops = 0;
	for (unsigned p = 0; p < pipeline::kPaths; p++)
		to_paths += c.path_packets[p];
	for (unsigned r = 1; r < pipeline::kDropReasons; r++)
		rx_drops += pipeline::is_wire_rx_drop(pipeline::DropReason(r)) ? c.drops[r] : 0;
	t.family("tripath_in_flight_packets", "gauge", "rx - to paths - dropped at the worker (the balance of show path stats).");
	t.sample("tripath_in_flight_packets", {}, double(int64_t(c.rx_packets - to_paths - rx_drops)));
}

void lcores(Text &t, const Runtime &rt)
{
	t.family("tripath_lcore_loops", "counter", "Poll loops per lcore.");
	for (const config::LcoreConfig &lc : rt.cfg.lcores)
		t.sample("tripath_lcore_loops_total", {{"lcore", std::to_string(lc.id)}, {"role", config::lcore_role_name(lc.role)}},
			 rd(rt.dp->lcore_counters(lc.id).loops));
	t.family("tripath_lcore_busy_cycles", "counter", "TSC cycles in loops that moved packets, per lcore.");
	for (const config::LcoreConfig &lc : rt.cfg.lcores)
		t.sample("tripath_lcore_busy_cycles_total", {{"lcore", std::to_string(lc.id)}, {"role", config::lcore_role_name(lc.role)}},
			 rd(rt.dp->lcore_counters(lc.id).busy_cycles));
}

void ports(Text &t, const Runtime &rt)
{
	struct Field {
		const char *name, *help;
		uint64_t rte_eth_stats::*v;
	};
	static const Field fields[] = {
		{"tripath_port_rx_packets", "Packets received by the port (NIC statistics).", &rte_eth_stats::ipackets},
		{"tripath_port_rx_bytes", "Bytes received by the port.", &rte_eth_stats::ibytes},
		{"tripath_port_rx_missed", "Packets the port dropped for lack of rx descriptors.", &rte_eth_stats::imissed},
		{"tripath_port_rx_errors", "Erroneous packets received.", &rte_eth_stats::ierrors},
		{"tripath_port_rx_nombuf", "Rx mbuf allocation failures.", &rte_eth_stats::rx_nombuf},
		{"tripath_port_tx_packets", "Packets sent by the port.", &rte_eth_stats::opackets},
		{"tripath_port_tx_bytes", "Bytes sent by the port.", &rte_eth_stats::obytes},
		{"tripath_port_tx_errors", "Failed transmits.", &rte_eth_stats::oerrors},
	};
	std::vector<rte_eth_stats> stats(rt.dp->ports().size());
	for (size_t i = 0; i < stats.size(); i++)
		rte_eth_stats_get(rt.dp->ports()[i].port_id, &stats[i]);
	for (const Field &f : fields) {
		t.family(f.name, "counter", f.help);
		for (size_t i = 0; i < stats.size(); i++)
			t.sample(std::string(f.name) + "_total", {{"port", rt.dp->ports()[i].name}}, stats[i].*f.v);
	}
}

void tenants(Text &t, const ControlSnapshot &s)
{
	struct Field {
		const char *name, *help;
		uint64_t quota::PathStats::*v;
	};
	static const Field fields[] = {
		{"tripath_tenant_passed_packets", "Packets a tenant's meters passed on a path.", &quota::PathStats::passed_packets},
		{"tripath_tenant_passed_bytes", "Bytes a tenant's meters passed on a path.", &quota::PathStats::passed_bytes},
		{"tripath_tenant_dropped_packets", "Packets over a tenant's quota on a path, dropped.", &quota::PathStats::dropped},
		{"tripath_tenant_demoted_packets", "Packets over a tenant's quota on a path, handed to path A.", &quota::PathStats::demoted},
	};
	for (const Field &f : fields) {
		t.family(f.name, "counter", std::string(f.help) + " Since the quota table in force was published.");
		for (const ControlSnapshot::Tenant &tn : s.tenants)
			for (unsigned p = 0; p < quota::kQuotaPaths; p++)
				t.sample(std::string(f.name) + "_total", {{"tenant", tn.name}, {"path", config::path_kind_name(config::PathKind(p))}},
					 tn.stats.path[p].*f.v);
	}
}

void rules(Text &t, const ControlSnapshot &s)
{
	t.family("tripath_rule_generation", "gauge", "Rule and quota tables published since start.");
	t.sample("tripath_rule_generation", {}, double(s.rule_generation));
	t.family("tripath_rule", "info", "The rules in force (no per-rule hit counts are kept).");
	for (const ControlSnapshot::Rule &r : s.rules)
		t.sample("tripath_rule_info", {{"rule", r.name}, {"path", r.path}, {"tenant", r.tenant}, {"priority", std::to_string(r.priority)}},
			 uint64_t(1));
}

void fast(Text &t, const Runtime &rt)
{
	const auto &eps = rt.cfg.paths.fast_endpoints;
	std::vector<pipeline::EndpointCounters> e;
	for (size_t i = 0; i < eps.size(); i++)
		e.push_back(rt.dp->endpoint_totals(i));
	auto family = [&](const char *name, const char *help, uint64_t pipeline::EndpointCounters::*v) {
		t.family(name, "counter", help);
		for (size_t i = 0; i < eps.size(); i++)
			t.sample(std::string(name) + "_total", {{"endpoint", eps[i].name}}, e[i].*v);
	};
	family("tripath_fast_to_agent_packets", "Path B: packets sent to an agent endpoint.", &pipeline::EndpointCounters::to_agent_packets);
	family("tripath_fast_to_agent_bytes", "Path B: bytes sent to an agent endpoint.", &pipeline::EndpointCounters::to_agent_bytes);
	family("tripath_fast_to_agent_bursts", "Path B: tx bursts to an agent endpoint.", &pipeline::EndpointCounters::to_agent_bursts);
	family("tripath_fast_answer_packets", "Path B: answers from an endpoint sent on the wire.", &pipeline::EndpointCounters::answer_packets);
	family("tripath_fast_answer_bytes", "Path B: answer bytes sent on the wire.", &pipeline::EndpointCounters::answer_bytes);
	const double hz = double(rte_get_tsc_hz());
	t.family("tripath_fast_to_agent_latency_seconds", "histogram",
		 "Path B: wire rx to endpoint tx, per packet (_sum from bucket midpoints).");
	for (size_t i = 0; i < eps.size(); i++)
		histogram(t, "tripath_fast_to_agent_latency_seconds", {{"endpoint", eps[i].name}}, e[i].to_agent_cycles, hz);
	t.family("tripath_fast_answer_latency_seconds", "histogram",
		 "Path B: endpoint rx to wire tx of an answer (_sum from bucket midpoints).");
	for (size_t i = 0; i < eps.size(); i++)
		histogram(t, "tripath_fast_answer_latency_seconds", {{"endpoint", eps[i].name}}, e[i].answer_cycles, hz);
}

void bulk(Text &t, const Runtime &rt)
{
	const pipeline::BulkPath *b = rt.dp->bulk();
	size_t n = b ? b->peer_count() : 0;
	t.family("tripath_bulk_peer_up", "gauge", "Path C: 1 while the peer carries bulk traffic, 0 while it falls back to path A.");
	for (size_t i = 0; i < n; i++)
		t.sample("tripath_bulk_peer_up", {{"peer", b->peer_config(i).name}}, uint64_t(b->stats(i).up.load(std::memory_order_relaxed)));
	struct Field {
		const char *name, *help;
		uint64_t pipeline::BulkPeerStats::*v;
	};
	static const Field fields[] = {
		{"tripath_bulk_packed_packets", "Path C: packets copied into a batch for the peer.", &pipeline::BulkPeerStats::packets_packed},
		{"tripath_bulk_packed_bytes", "Path C: frame bytes copied into a batch.", &pipeline::BulkPeerStats::bytes_packed},
		{"tripath_bulk_batches_posted", "Path C: batches posted (RDMA writes).", &pipeline::BulkPeerStats::batches_posted},
		{"tripath_bulk_acked_packets", "Path C: packets in batches the peer took.", &pipeline::BulkPeerStats::packets_acked},
		{"tripath_bulk_fallback_packets", "Path C: bulk verdicts for the peer carried by path A.", &pipeline::BulkPeerStats::packets_fallback},
		{"tripath_bulk_received_packets", "Path C: packets received from the peer.", &pipeline::BulkPeerStats::packets_received},
		{"tripath_bulk_received_bytes", "Path C: frame bytes received from the peer.", &pipeline::BulkPeerStats::bytes_received},
		{"tripath_bulk_credit_stalls", "Path C: batches that waited for credit.", &pipeline::BulkPeerStats::credit_stalls},
		{"tripath_bulk_errors", "Path C: transport errors.", &pipeline::BulkPeerStats::errors},
		{"tripath_bulk_losses", "Path C: connections given up (fallback started).", &pipeline::BulkPeerStats::losses},
	};
	for (const Field &f : fields) {
		t.family(f.name, "counter", f.help);
		for (size_t i = 0; i < n; i++)
			t.sample(std::string(f.name) + "_total", {{"peer", b->peer_config(i).name}}, rd(b->stats(i).*f.v));
	}
}

void guardian_metrics(Text &t, const ControlSnapshot &s)
{
	if (!s.guardian)
		return;
	t.family("tripath_guardian_failsafe", "gauge", "1 while the guardian holds the static profile (FAILSAFE).");
	t.sample("tripath_guardian_failsafe", {}, uint64_t(s.status.failsafe));
	t.family("tripath_guardian_autonomy", "gauge", "1 for the autonomy level in force.");
	t.sample("tripath_guardian_autonomy", {{"level", config::autonomy_name(s.status.autonomy)}}, uint64_t(1));
	t.family("tripath_guardian_decisions", "counter", "Guardian decisions by verdict.");
	t.sample("tripath_guardian_decisions_total", {{"verdict", "approved"}}, s.status.approved);
	t.sample("tripath_guardian_decisions_total", {{"verdict", "clamped"}}, s.status.clamped);
	t.sample("tripath_guardian_decisions_total", {{"verdict", "rejected"}}, s.status.rejected);
	counter(t, "tripath_guardian_rollbacks", "Canary regressions rolled back.", s.status.rollbacks);
	counter(t, "tripath_guardian_failsafes", "Entries into FAILSAFE.", s.status.failsafes);
	t.family("tripath_guardian_canaries", "gauge", "Changes in their canary window.");
	t.sample("tripath_guardian_canaries", {}, uint64_t(s.status.canaries));
	if (s.audit) {
		t.family("tripath_audit_last_seq", "gauge", "Sequence number of the last audit record.");
		t.sample("tripath_audit_last_seq", {}, double(s.audit_last_seq));
	}
}

} // namespace

std::string format_metrics(const Runtime &rt)
{
	Text t;
	ControlSnapshot s = take_snapshot(rt);
	paths(t, rt.dp->totals());
	lcores(t, rt);
	ports(t, rt);
	tenants(t, s);
	rules(t, s);
	fast(t, rt);
	bulk(t, rt);
	guardian_metrics(t, s);
	t.str() += "# EOF\n";
	return std::move(t.str());
}

} // namespace tripath::app
