// rte_telemetry endpoints /tripath/{paths,ports,tenants,rules,fast,bulk,guardian}.
// Who reads what: the callbacks run on DPDK's telemetry thread. They read the per-lcore,
// per-endpoint and per-peer counters directly (each has one writer storing relaxed; we load
// relaxed), ethdev stats as DPDK's own /ethdev/stats does, and control-lcore state only through
// the published ControlSnapshot. g_mu keeps the dataplane alive while a callback reads it.
#include <cctype>
#include <memory>
#include <mutex>

#include <rte_cycles.h>
#include <rte_ethdev.h>
#include <rte_telemetry.h>

#include "guardian_runtime.h"
#include "telemetry.h"

namespace tripath::app {

namespace {

constexpr uint64_t kSnapshotPeriodMs = 100;

std::mutex g_mu;                                     // telemetry thread: locks; control lcore: try_lock, stop locks
const Runtime *g_rt = nullptr;                       // under g_mu; null once stopping
std::shared_ptr<const ControlSnapshot> g_snapshot;   // under g_mu; control lcore publishes
uint64_t g_next_snapshot_tsc = 0;                    // control lcore only

using Fill = void (*)(const Runtime &, const ControlSnapshot &, const char *params, rte_tel_data *d);

// Every endpoint: lock, check we still run, fill the dict.
template <Fill fill>
int endpoint(const char *, const char *params, rte_tel_data *d)
{
	rte_tel_data_start_dict(d);
	std::lock_guard lock(g_mu);
	if (g_rt == nullptr || !g_snapshot) {
		rte_tel_data_add_dict_u64(d, "stopping", 1);
		return 0;
	}
	fill(*g_rt, *g_snapshot, params, d);
	return 0;
}

// A container dict; telemetry frees it with its parent.
rte_tel_data *child()
{
	rte_tel_data *c = rte_tel_data_alloc();
	if (c)
		rte_tel_data_start_dict(c);
	return c;
}

// Telemetry refuses dict names outside [A-Za-z0-9_/]: "agent-rpc" is keyed agent_rpc (the
// exact name is the child's "name").
std::string key(const std::string &name)
{
	std::string k = name.substr(0, RTE_TEL_MAX_STRING_LEN - 1);
	for (char &ch : k)
		if (!std::isalnum(static_cast<unsigned char>(ch)) && ch != '_' && ch != '/')
			ch = '_';
	return k;
}

void attach(rte_tel_data *d, const std::string &name, rte_tel_data *c)
{
	if (c && rte_tel_data_add_dict_container(d, key(name).c_str(), c, 0) != 0)
		rte_tel_data_free(c);
}

// A named child: keyed by key(name), its exact name inside.
rte_tel_data *named_child(const std::string &name)
{
	rte_tel_data *c = child();
	if (c)
		rte_tel_data_add_dict_string(c, "name", name.substr(0, RTE_TEL_MAX_STRING_LEN - 1).c_str());
	return c;
}

void u64(rte_tel_data *d, const std::string &name, uint64_t v) { rte_tel_data_add_dict_u64(d, name.c_str(), v); }
uint64_t rd(const uint64_t &v) { return pipeline::read_counter(v); }

void fill_paths(const Runtime &rt, const ControlSnapshot &, const char *, rte_tel_data *d)
{
	pipeline::LcoreCounters c = rt.dp->totals();
	u64(d, "rx_packets", c.rx_packets);
	u64(d, "rx_bytes", c.rx_bytes);
	rte_tel_data *packets = child(), *bytes = child(), *drops = child();
	uint64_t to_paths = 0, rx_drops = 0;
	for (unsigned p = 0; p < pipeline::kPaths; p++) {
		if (packets)
			u64(packets, pipeline::path_name(pipeline::PathId(p)), c.path_packets[p]);
		if (bytes)
			u64(bytes, pipeline::path_name(pipeline::PathId(p)), c.path_bytes[p]);
		to_paths += c.path_packets[p];
	}
	for (unsigned r = 1; r < pipeline::kDropReasons; r++) {
		if (drops)
			u64(drops, pipeline::drop_reason_name(pipeline::DropReason(r)), c.drops[r]);
		rx_drops += pipeline::is_wire_rx_drop(pipeline::DropReason(r)) ? c.drops[r] : 0;
	}
	attach(d, "packets", packets);
	attach(d, "bytes", bytes);
	attach(d, "drops", drops);
	u64(d, "drops_total", pipeline::total_drops(c));
	u64(d, "unmatched", c.unmatched);
	u64(d, "fallback_to_kernel", c.fallback_to_kernel);
	u64(d, "flow_cache_hits", c.flow_cache_hits);
	u64(d, "flow_cache_misses", c.flow_cache_misses);
	u64(d, "flow_samples_lost", c.flow_samples_lost);
	u64(d, "demoted", c.demoted);
	u64(d, "tap_tx_packets", c.tap_tx_packets);
	u64(d, "tap_rx_packets", c.tap_rx_packets);
	u64(d, "wire_tx_packets", c.wire_tx_packets);
	u64(d, "answer_rx_packets", c.answer_rx_packets);
	u64(d, "answer_tx_packets", c.answer_tx_packets);
	u64(d, "bulk_rx_packets", c.bulk_rx_packets);
	u64(d, "bulk_emitted", c.bulk_emitted);
	// The balance of `show path stats`: rx = to paths + dropped at the worker + in flight.
	if (rte_tel_data *b = child()) {
		u64(b, "rx", c.rx_packets);
		u64(b, "to_paths", to_paths);
		u64(b, "dropped_at_worker", rx_drops);
		rte_tel_data_add_dict_int(b, "in_flight", int(int64_t(c.rx_packets - to_paths - rx_drops)));
		attach(d, "balance", b);
	}
}

void fill_ports(const Runtime &rt, const ControlSnapshot &, const char *, rte_tel_data *d)
{
	for (const pipeline::PortInfo &p : rt.dp->ports()) {
		rte_tel_data *c = named_child(p.name);
		if (c == nullptr)
			continue;
		rte_eth_stats s{};
		u64(c, "port_id", p.port_id);
		u64(c, "queues", p.queues);
		rte_tel_data_add_dict_string(c, "driver", config::driver_name(p.driver));
		if (rte_eth_stats_get(p.port_id, &s) == 0) {
			u64(c, "rx_packets", s.ipackets);
			u64(c, "rx_bytes", s.ibytes);
			u64(c, "rx_missed", s.imissed);
			u64(c, "rx_errors", s.ierrors);
			u64(c, "rx_nombuf", s.rx_nombuf);
			u64(c, "tx_packets", s.opackets);
			u64(c, "tx_bytes", s.obytes);
			u64(c, "tx_errors", s.oerrors);
		}
		attach(d, p.name, c);
	}
}

void fill_tenants(const Runtime &, const ControlSnapshot &snap, const char *, rte_tel_data *d)
{
	for (const ControlSnapshot::Tenant &t : snap.tenants) {
		rte_tel_data *c = named_child(t.name);
		if (c == nullptr)
			continue;
		for (unsigned p = 0; p < quota::kQuotaPaths; p++) {
			std::string path = config::path_kind_name(config::PathKind(p));
			const quota::PathStats &s = t.stats.path[p];
			u64(c, path + "_quota", t.quota[p]);
			u64(c, path + "_passed_packets", s.passed_packets);
			u64(c, path + "_passed_bytes", s.passed_bytes);
			u64(c, path + "_dropped", s.dropped);
			u64(c, path + "_demoted", s.demoted);
		}
		attach(d, t.name, c);
	}
}

// No per-rule hit counts exist (the classifier keeps none per rule). Arrays by match order,
// so rule names need no dict-key spelling; tenant "" = none.
void fill_rules(const Runtime &, const ControlSnapshot &snap, const char *, rte_tel_data *d)
{
	u64(d, "generation", snap.rule_generation);
	u64(d, "count", snap.rules.size());
	rte_tel_data *order = rte_tel_data_alloc(), *path = rte_tel_data_alloc(), *tenant = rte_tel_data_alloc();
	for (rte_tel_data *a : {order, path, tenant})
		if (a)
			rte_tel_data_start_array(a, RTE_TEL_STRING_VAL);
	for (const ControlSnapshot::Rule &r : snap.rules) {
		if (order)
			rte_tel_data_add_array_string(order, r.name.c_str());
		if (path)
			rte_tel_data_add_array_string(path, r.path.c_str());
		if (tenant)
			rte_tel_data_add_array_string(tenant, r.tenant.c_str());
	}
	attach(d, "order", order);
	attach(d, "path", path);
	attach(d, "tenant", tenant);
}

void fill_fast(const Runtime &rt, const ControlSnapshot &, const char *, rte_tel_data *d)
{
	const double ns_per_cycle = 1e9 / double(rte_get_tsc_hz());
	const auto &eps = rt.cfg.paths.fast_endpoints;   // rt.cfg is set before start and never changed
	for (size_t i = 0; i < eps.size(); i++) {
		rte_tel_data *c = named_child(eps[i].name);
		if (c == nullptr)
			continue;
		pipeline::EndpointCounters e = rt.dp->endpoint_totals(i);
		u64(c, "to_agent_packets", e.to_agent_packets);
		u64(c, "to_agent_bytes", e.to_agent_bytes);
		u64(c, "to_agent_bursts", e.to_agent_bursts);
		u64(c, "answer_packets", e.answer_packets);
		u64(c, "answer_bytes", e.answer_bytes);
		u64(c, "to_agent_p50_ns", uint64_t(double(pipeline::latency_quantile(e.to_agent_cycles, 0.5)) * ns_per_cycle));
		u64(c, "to_agent_p99_ns", uint64_t(double(pipeline::latency_quantile(e.to_agent_cycles, 0.99)) * ns_per_cycle));
		u64(c, "answer_p50_ns", uint64_t(double(pipeline::latency_quantile(e.answer_cycles, 0.5)) * ns_per_cycle));
		u64(c, "answer_p99_ns", uint64_t(double(pipeline::latency_quantile(e.answer_cycles, 0.99)) * ns_per_cycle));
		attach(d, eps[i].name, c);
	}
}

void fill_bulk(const Runtime &rt, const ControlSnapshot &, const char *, rte_tel_data *d)
{
	const pipeline::BulkPath *b = rt.dp->bulk();   // set before start, lives with the dataplane
	u64(d, "enabled", b != nullptr);
	for (size_t i = 0; b && i < b->peer_count(); i++) {
		rte_tel_data *c = named_child(b->peer_config(i).name);
		if (c == nullptr)
			continue;
		const pipeline::BulkPeerStats &s = b->stats(i);
		auto state = pipeline::BulkPeerState(s.state.load(std::memory_order_relaxed));
		rte_tel_data_add_dict_string(c, "state", pipeline::bulk_peer_state_name(state));
		u64(c, "up", s.up.load(std::memory_order_relaxed));
		u64(c, "credits", s.credits.load(std::memory_order_relaxed));
		u64(c, "packets_packed", rd(s.packets_packed));
		u64(c, "bytes_packed", rd(s.bytes_packed));
		u64(c, "batches_posted", rd(s.batches_posted));
		u64(c, "packets_acked", rd(s.packets_acked));
		u64(c, "batches_acked", rd(s.batches_acked));
		u64(c, "batches_reposted", rd(s.batches_reposted));
		u64(c, "packets_fallback", rd(s.packets_fallback));
		u64(c, "packets_received", rd(s.packets_received));
		u64(c, "bytes_received", rd(s.bytes_received));
		u64(c, "batches_received", rd(s.batches_received));
		u64(c, "credit_stalls", rd(s.credit_stalls));
		u64(c, "errors", rd(s.errors));
		u64(c, "connects", rd(s.connects));
		u64(c, "reconnects", rd(s.reconnects));
		u64(c, "losses", rd(s.losses));
		attach(d, b->peer_config(i).name, c);
	}
}

void fill_guardian(const Runtime &, const ControlSnapshot &snap, const char *, rte_tel_data *d)
{
	u64(d, "running", snap.guardian);
	if (!snap.guardian)
		return;
	const guardian::GuardianStatus &s = snap.status;
	rte_tel_data_add_dict_string(d, "autonomy", config::autonomy_name(s.autonomy));
	u64(d, "failsafe", s.failsafe);
	if (s.failsafe)
		rte_tel_data_add_dict_string(d, "failsafe_reason", s.failsafe_reason.substr(0, RTE_TEL_MAX_STRING_LEN - 1).c_str());
	u64(d, "decisions", s.decisions);
	u64(d, "approved", s.approved);
	u64(d, "clamped", s.clamped);
	u64(d, "rejected", s.rejected);
	u64(d, "rollbacks", s.rollbacks);
	u64(d, "failsafes", s.failsafes);
	u64(d, "canaries", s.canaries);
	u64(d, "recent_rejects", s.recent_rejects);
	u64(d, "audit", snap.audit);
	u64(d, "audit_last_seq", snap.audit_last_seq);
}

} // namespace

ControlSnapshot take_snapshot(const Runtime &rt)
{
	ControlSnapshot s;
	s.rule_generation = rt.dp->rule_generation();
	for (const config::RuleConfig &r : rt.dp->config().rules) {
		std::string path = config::path_kind_name(r.path);
		s.rules.push_back({r.name, r.target.empty() ? path : path + ":" + r.target, r.tenant, r.priority});
	}
	const quota::QuotaTable &q = rt.dp->quotas();
	for (uint16_t t = 0; t < q.tenant_count(); t++) {
		ControlSnapshot::Tenant &out = s.tenants.emplace_back();
		out.name = q.tenant_name(t);
		out.stats = q.stats(t);
		for (unsigned p = 0; p < quota::kQuotaPaths; p++)
			out.quota[p] = q.quota(t, config::PathKind(p)).has_value();
	}
	if (rt.guardian) {
		s.guardian = true;
		s.status = rt.guardian->status_fields();
		if (audit::AuditLog *log = rt.guardian->log()) {
			s.audit = true;
			s.audit_last_seq = log->last_seq();
		}
	}
	return s;
}

void telemetry_tick(const Runtime &rt)
{
	uint64_t now = rte_rdtsc();
	if (now < g_next_snapshot_tsc)
		return;
	auto next = std::make_shared<const ControlSnapshot>(take_snapshot(rt));
	std::unique_lock lock(g_mu, std::try_to_lock);
	if (!lock.owns_lock())
		return;   // a callback is reading: the control lcore never waits, next tick it is
	g_snapshot = std::move(next);
	g_next_snapshot_tsc = now + rte_get_tsc_hz() / 1000 * kSnapshotPeriodMs;
}

void stop_telemetry()
{
	std::lock_guard lock(g_mu);
	g_rt = nullptr;
	g_snapshot.reset();
}

void start_telemetry(Runtime &rt)
{
	{
		std::lock_guard lock(g_mu);
		g_rt = &rt;
		g_snapshot = std::make_shared<const ControlSnapshot>(take_snapshot(rt));
	}
	struct Entry {
		const char *cmd;
		telemetry_cb cb;
		const char *help;
	};
	static const Entry entries[] = {
		{"/tripath/paths", endpoint<fill_paths>, "Per path packets and bytes, drops by reason, the balance."},
		{"/tripath/ports", endpoint<fill_ports>, "Each port's NIC statistics, by config name."},
		{"/tripath/tenants", endpoint<fill_tenants>, "Each tenant's quota meters: passed, dropped, demoted per path (<=100 ms old)."},
		{"/tripath/rules", endpoint<fill_rules>, "Rules in force: match order, path, tenant (<=100 ms old)."},
		{"/tripath/fast", endpoint<fill_fast>, "Path B endpoints: packets, bytes, p50/p99 latency in ns."},
		{"/tripath/bulk", endpoint<fill_bulk>, "Path C peers: state, credits, batches, fallbacks."},
		{"/tripath/guardian", endpoint<fill_guardian>, "Guardian status: autonomy, FAILSAFE, decisions (<=100 ms old)."},
	};
	for (const Entry &e : entries)
		if (rte_telemetry_register_cmd(e.cmd, e.cb, e.help) != 0)
			std::fprintf(stderr, "tripath: telemetry: cannot register %s\n", e.cmd);
	rt.registry.add("metrics", "telemetry", "every counter and the path B latency histograms as OpenMetrics text",
			[&rt](const control::Args &) { return control::ok(format_metrics(rt)); });
}

} // namespace tripath::app
