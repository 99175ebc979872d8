// The control loop's watch on the ports' netdevs (about once a second, control lcore): a TAP
// deleted or made again, an af_xdp endpoint's interface gone or back, af_xdp links down/up.
// What it finds is logged once per change; the ports net_tap and the af_xdp PMD never re-open
// are re-created (doc/architecture.md, "Faults the control loop watches").
#include <algorithm>
#include <cstdio>
#include <net/if.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <unistd.h>

#include <rte_cycles.h>
#include <rte_dev.h>
#include <rte_ethdev.h>

#include <tripath/drivers/ports.h>

#include "reload.h"

namespace tripath::app {

namespace {

// The link each TAP had at the last watch, and its interface index (a re-created TAP has a new one).
struct TapWatch {
	uint16_t port_id = 0;
	std::string name, iface;
	bool up = true;
	unsigned ifindex = 0;
};
std::vector<TapWatch> g_taps; // control lcore only

// Path B endpoints on af_xdp: the interface index their socket was bound to.
struct EndpointWatch {
	size_t index = 0;               // in paths.fast_endpoints
	std::string name, port, iface;
	uint16_t port_id = 0;
	unsigned ifindex = 0;
	bool down = false;
};
std::vector<EndpointWatch> g_endpoints; // control lcore only

// af_xdp ports' netdev links: the PMD reports its link as always up, so the kernel is asked.
struct NetdevWatch {
	std::string port, iface;
	bool up = true;
};
std::vector<NetdevWatch> g_netdevs; // control lcore only

// IFF_UP and IFF_RUNNING (carrier) of `iface`; false when it is gone.
bool netdev_running(const std::string &iface)
{
	int fd = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return true; // cannot tell: say nothing
	ifreq ifr{};
	std::snprintf(ifr.ifr_name, sizeof(ifr.ifr_name), "%s", iface.c_str());
	bool up = ioctl(fd, SIOCGIFFLAGS, &ifr) == 0 && (ifr.ifr_flags & IFF_UP) && (ifr.ifr_flags & IFF_RUNNING);
	close(fd);
	return up;
}

// net_tap opened its queues on the TAP that was deleted and never opens them again; a TAP of the
// same name made since is reached only by a new net_tap device. Only the control lcore uses a
// TAP port (workers hand path A to it through rings), so it can replace the device between two
// of its own polls: remove the vdev, add it again with the same devargs (it gets the freed port
// id back), set up its queues and start it.
bool reattach_vdev(Runtime &rt, const std::string &port, uint16_t port_id, std::string &error)
{
	const config::PortConfig *pc = rt.cfg.find_port(port);
	if (pc == nullptr) {
		error = "no such port in the config";
		return false;
	}
	const auto [option, device] = drivers::eal_device_arg(*pc);
	const std::string name = drivers::ethdev_name(*pc);
	const size_t comma = device.find(',');
	const std::string args = comma == std::string::npos ? "" : device.substr(comma + 1);
	rte_eth_dev_stop(port_id);
	int rc = rte_eal_hotplug_remove("vdev", name.c_str());
	if (rc != 0) {
		error = std::string("removing ") + name + ": " + rte_strerror(-rc);
		return false;
	}
	if ((rc = rte_eal_hotplug_add("vdev", name.c_str(), args.c_str())) != 0) {
		error = std::string("adding ") + name + " again: " + rte_strerror(-rc);
		return false;
	}
	uint16_t id = 0;
	if (rte_eth_dev_get_port_by_name(name.c_str(), &id) != 0 || id != port_id) {
		error = name + " came back as port " + std::to_string(id) + ", not " + std::to_string(port_id);
		return false;
	}
	return drivers::setup_port(id, *pc, rt.pool, error);
}

} // namespace

void start_port_watch(Runtime &rt)
{
	// TAP ports to watch: their interface names from the config's devargs.
	for (const pipeline::PortInfo &p : rt.dp->ports()) {
		const config::PortConfig *pc = rt.cfg.find_port(p.name);
		if (pc == nullptr || pc->driver != config::Driver::tap)
			continue;
		TapWatch w;
		w.port_id = p.port_id;
		w.name = p.name;
		for (const auto &[k, v] : pc->args)
			if (k == "iface")
				w.iface = v;
		w.ifindex = w.iface.empty() ? 0 : if_nametoindex(w.iface.c_str());
		g_taps.push_back(w);
	}
	for (const config::PortConfig &pc : rt.cfg.ports)
		if (pc.driver == config::Driver::af_xdp)
			for (const auto &[k, v] : pc.args)
				if (k == "iface")
					g_netdevs.push_back({pc.name, v, netdev_running(v)});
	const auto &eps = rt.cfg.paths.fast_endpoints;
	for (size_t i = 0; i < eps.size(); i++) {
		const config::PortConfig *pc = rt.cfg.find_port(eps[i].port);
		if (pc == nullptr || pc->driver != config::Driver::af_xdp)
			continue;
		EndpointWatch e;
		e.index = i;
		e.name = eps[i].name;
		e.port = pc->name;
		const auto &ports = rt.dp->ports();
		auto pi = std::find_if(ports.begin(), ports.end(), [&](const pipeline::PortInfo &p) { return p.name == pc->name; });
		if (pi == ports.end())
			continue;
		e.port_id = pi->port_id;
		for (const auto &[k, v] : pc->args)
			if (k == "iface")
				e.iface = v;
		e.ifindex = e.iface.empty() ? 0 : if_nametoindex(e.iface.c_str());
		if (e.ifindex != 0)
			g_endpoints.push_back(e);
	}
}

// net_tap asks the kernel for the interface's flags by name: a deleted TAP reads as link down.
// A TAP deleted and made again has a new interface index; net_tap's queues stay attached to the
// old, gone one, so tripath re-attaches the port (reattach_vdev).
void watch_tap_links(Runtime &rt)
{
	for (NetdevWatch &n : g_netdevs) {
		const bool up = netdev_running(n.iface);
		if (up == n.up)
			continue;
		n.up = up;
		std::fprintf(stderr, "tripath: port %s (af_xdp on %s): netdev link %s\n", n.port.c_str(), n.iface.c_str(),
			     up ? "up" : "down (nothing arrives on it; what it sends is lost)");
	}
	// An af_xdp socket is bound to an interface index for good: when the endpoint's netdev goes
	// (deleted, or deleted and made again) the PMD's socket sends nowhere and never re-binds.
	for (EndpointWatch &e : g_endpoints) {
		const unsigned ifindex = if_nametoindex(e.iface.c_str());
		if (e.down && ifindex != 0 && ifindex != e.ifindex && netdev_running(e.iface)) {
			// Made again and up: the endpoint port's queues belong to the workers, so forwarding
			// pauses (rings drained, counted `shutdown`) while the vdev is replaced.
			const uint64_t t0 = rte_get_tsc_cycles();
			const bool was_running = rt.dp->running();
			if (was_running)
				rt.dp->stop();
			std::string error;
			bool done = reattach_vdev(rt, e.port, e.port_id, error);
			if (was_running && !rt.dp->start(error))
				done = false;
			const double ms = double(rte_get_tsc_cycles() - t0) * 1e3 / double(rte_get_tsc_hz());
			if (done) {
				e.down = false;
				e.ifindex = ifindex;
				rt.dp->set_endpoint_down(e.index, false);
				std::fprintf(stderr, "tripath: endpoint %s (port %s, af_xdp on %s): the interface is back (index %u): "
					     "re-attached, forwarding paused %.0f ms\n", e.name.c_str(), e.port.c_str(), e.iface.c_str(), ifindex, ms);
			} else {
				e.ifindex = ifindex; // one try per new interface
				std::fprintf(stderr, "tripath: endpoint %s (port %s, af_xdp on %s): re-attaching failed: %s; restart tripath\n",
					     e.name.c_str(), e.port.c_str(), e.iface.c_str(), error.c_str());
			}
			continue;
		}
		if (e.down || ifindex == e.ifindex)
			continue;
		e.down = true;
		rt.dp->set_endpoint_down(e.index, true);
		std::fprintf(stderr,
			     "tripath: endpoint %s (port %s, af_xdp on %s): the interface is %s; its socket sends nowhere: path B to it "
			     "is dropped as endpoint_down until the interface is back and tripath re-attaches the port\n",
			     e.name.c_str(), e.port.c_str(), e.iface.c_str(), ifindex == 0 ? "gone" : "a new one (made again)");
	}
	for (TapWatch &w : g_taps) {
		const unsigned ifindex = w.iface.empty() ? 0 : if_nametoindex(w.iface.c_str());
		if (ifindex != 0 && w.ifindex != 0 && ifindex != w.ifindex) {
			std::string error;
			if (reattach_vdev(rt, w.name, w.port_id, error))
				std::fprintf(stderr, "tripath: port %s (TAP %s): the interface was made again (index %u, was %u): re-attached\n",
					     w.name.c_str(), w.iface.c_str(), ifindex, w.ifindex);
			else
				std::fprintf(stderr,
					     "tripath: port %s (TAP %s): the interface was made again (index %u, was %u) but re-attaching failed: %s; "
					     "path A stays cut (tap_tx_full) until tripath restarts\n",
					     w.name.c_str(), w.iface.c_str(), ifindex, w.ifindex, error.c_str());
		}
		if (ifindex != 0)
			w.ifindex = ifindex;
		rte_eth_link link{};
		if (rte_eth_link_get_nowait(w.port_id, &link) != 0)
			continue;
		const bool up = link.link_status != 0;
		if (up == w.up)
			continue;
		w.up = up;
		if (up)
			std::fprintf(stderr, "tripath: port %s (TAP %s): link up\n", w.name.c_str(), w.iface.c_str());
		else
			std::fprintf(stderr, "tripath: port %s (TAP %s): link down%s: path A's packets to it are dropped, counted as tap_tx_full\n",
				     w.name.c_str(), w.iface.c_str(), ifindex == 0 ? " (the interface is gone)" : "");
	}
}

} // namespace tripath::app
