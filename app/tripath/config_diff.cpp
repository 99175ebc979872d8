// config reload's structural check (config_diff.h): field by field, source positions ignored.
#include "config_diff.h"

namespace tripath::app {

namespace {

// Collects "section: what differs" lines.
struct Differ {
	std::vector<std::string> lines;
	template <typename T> void check(const std::string &what, const T &a, const T &b)
	{
		if (!(a == b))
			lines.push_back(what);
	}
};

bool same_idle(const config::IdleBackoff &a, const config::IdleBackoff &b)
{
	return a.enabled == b.enabled && a.pause_after == b.pause_after && a.sleep_min_us == b.sleep_min_us &&
	       a.sleep_max_us == b.sleep_max_us && a.timer_slack_ns == b.timer_slack_ns;
}

void diff_ports(Differ &d, const std::vector<config::PortConfig> &a, const std::vector<config::PortConfig> &b)
{
	if (a.size() != b.size()) {
		d.lines.push_back("ports: " + std::to_string(a.size()) + " -> " + std::to_string(b.size()) + " ports");
		return;
	}
	for (size_t i = 0; i < a.size(); i++) {
		const config::PortConfig &x = a[i], &y = b[i];
		const std::string at = "ports[" + std::to_string(i) + "] (" + x.name + ")";
		d.check(at + ".name", x.name, y.name);
		d.check(at + ".driver", x.driver, y.driver);
		d.check(at + ".args", x.args, y.args);
		d.check(at + ".pci", x.pci, y.pci);
		d.check(at + ".queues", x.queues, y.queues);
		d.check(at + ".rx_desc", x.rx_desc, y.rx_desc);
		d.check(at + ".tx_desc", x.tx_desc, y.tx_desc);
		d.check(at + ".promisc", x.promisc, y.promisc);
		d.check(at + ".ingress", x.ingress, y.ingress);
	}
}

void diff_lcores(Differ &d, const std::vector<config::LcoreConfig> &a, const std::vector<config::LcoreConfig> &b)
{
	if (a.size() != b.size()) {
		d.lines.push_back("lcores: " + std::to_string(a.size()) + " -> " + std::to_string(b.size()) + " lcores");
		return;
	}
	for (size_t i = 0; i < a.size(); i++) {
		const config::LcoreConfig &x = a[i], &y = b[i];
		const std::string at = "lcores[" + std::to_string(i) + "] (lcore " + std::to_string(x.id) + ")";
		d.check(at + ".id", x.id, y.id);
		d.check(at + ".role", x.role, y.role);
		bool same_poll = x.poll.size() == y.poll.size();
		for (size_t p = 0; same_poll && p < x.poll.size(); p++)
			same_poll = x.poll[p].port == y.poll[p].port && x.poll[p].queue == y.poll[p].queue;
		if (!same_poll)
			d.lines.push_back(at + ".poll");
		if (!same_idle(x.idle, y.idle))
			d.lines.push_back(at + ".idle");
	}
}

void diff_paths(Differ &d, const config::PathsConfig &a, const config::PathsConfig &b)
{
	bool taps = a.kernel.taps.size() == b.kernel.taps.size();
	for (size_t i = 0; taps && i < a.kernel.taps.size(); i++)
		taps = a.kernel.taps[i].wire == b.kernel.taps[i].wire && a.kernel.taps[i].tap == b.kernel.taps[i].tap;
	if (!taps)
		d.lines.push_back("paths.kernel.taps");
	d.check("paths.kernel.ring_size", a.kernel.ring_size, b.kernel.ring_size);
	bool eps = a.fast_endpoints.size() == b.fast_endpoints.size();
	for (size_t i = 0; eps && i < a.fast_endpoints.size(); i++) {
		const config::FastEndpointConfig &x = a.fast_endpoints[i], &y = b.fast_endpoints[i];
		eps = x.name == y.name && x.port == y.port && x.wire == y.wire && x.mac == y.mac;
	}
	if (!eps)
		d.lines.push_back("paths.fast.endpoints");
	const config::BulkPathConfig &x = a.bulk, &y = b.bulk;
	bool bulk = x.device == y.device && x.gid_index == y.gid_index && x.slots == y.slots && x.slot_size == y.slot_size &&
		    x.batch_bytes == y.batch_bytes && x.batch_us == y.batch_us && x.ring_size == y.ring_size &&
		    x.reconnect_ms == y.reconnect_ms && x.stall_ms == y.stall_ms && x.connect_timeout_ms == y.connect_timeout_ms &&
		    x.peers.size() == y.peers.size();
	for (size_t i = 0; bulk && i < x.peers.size(); i++)
		bulk = x.peers[i].name == y.peers[i].name && x.peers[i].address == y.peers[i].address &&
		       x.peers[i].listen == y.peers[i].listen && x.peers[i].wire == y.peers[i].wire;
	if (!bulk)
		d.lines.push_back("paths.bulk");
}

} // namespace

std::vector<std::string> structural_differences(const config::Config &now, const config::Config &next)
{
	Differ d;
	const config::EalConfig &a = now.eal, &b = next.eal;
	d.check("eal.lcores", a.lcores, b.lcores);
	d.check("eal.main_lcore", a.main_lcore, b.main_lcore);
	d.check("eal.memory_mb", a.memory_mb, b.memory_mb);
	d.check("eal.hugepages", a.hugepages, b.hugepages);
	d.check("eal.file_prefix", a.file_prefix, b.file_prefix);
	d.check("eal.extra_args", a.extra_args, b.extra_args);
	diff_ports(d, now.ports, next.ports);
	diff_lcores(d, now.lcores, next.lcores);
	diff_paths(d, now.paths, next.paths);
	d.check("audit.log", now.audit.log, next.audit.log);
	d.check("audit.key", now.audit.key, next.audit.key);
	d.check("audit.fsync", now.audit.fsync, next.audit.fsync);
	d.check("audit.checkpoint_every", now.audit.checkpoint_every, next.audit.checkpoint_every);
	d.check("audit.checkpoint_interval_ms", now.audit.checkpoint_interval_ms, next.audit.checkpoint_interval_ms);
	d.check("control.socket", now.control.socket, next.control.socket);
	d.check("control.mode", now.control.mode, next.control.mode);
	d.check("control.group", now.control.group, next.control.group);
	d.check("control.admin_group", now.control.admin_group, next.control.admin_group);
	d.check("control.metrics_http", now.control.metrics_address + ":" + std::to_string(now.control.metrics_port),
		next.control.metrics_address + ":" + std::to_string(next.control.metrics_port));
	return d.lines;
}

} // namespace tripath::app
