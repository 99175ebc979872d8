// paths: kernel TAP pairs (path A), fast endpoints (path B) and bulk peers (path C).
#include <algorithm>
#include <cctype>
#include "sections.h"
#include "values.h"

#include <optional>

namespace tripath::config::detail {

namespace {

const PortConfig &need_port(const Field &f, const Config &cfg, std::string &name)
{
	name = read_string(f);
	const PortConfig *p = cfg.find_port(name);
	if (!p)
		f.fail("no port named '" + name + "' in ports");
	return *p;
}

// The entry of the worker that polls `port` (queue `queue`, or any queue when unset).
const PollEntry *find_poller(const Config &cfg, const std::string &port,
			     std::optional<uint16_t> queue, unsigned &lcore)
{
	for (const auto &lc : cfg.lcores)
		for (const auto &e : lc.poll)
			if (e.port == port && (!queue || e.queue == *queue)) {
				lcore = lc.id;
				return &e;
			}
	return nullptr;
}

// A tap port is read by the control lcore; null and ring stand in for it to sink path A in
// benchmarks and tests, where no kernel is wanted.
bool can_be_tap(Driver d)
{
	return d == Driver::tap || d == Driver::null || d == Driver::ring;
}

KernelTap read_tap(const Field &f, const Config &cfg, UniqueNames &wires, UniqueNames &taps)
{
	MapReader m(f, {"wire", "tap"});
	KernelTap t;
	t.loc = f.loc;
	Field wire = m.need("wire");
	const PortConfig &w = need_port(wire, cfg, t.wire);
	if (w.driver == Driver::tap)
		wire.fail("port " + t.wire + " is a tap port; wire must name a port that is not");
	wires.add(wire, t.wire);
	Field tap = m.need("tap");
	const PortConfig &tp = need_port(tap, cfg, t.tap);
	if (!can_be_tap(tp.driver))
		tap.fail("port " + t.tap + " has driver " + driver_name(tp.driver) +
			 "; tap must name a port whose driver is tap (or null or ring, to sink "
			 "path A in benchmarks and tests)");
	// net_null's rx invents packets: as a sink it would feed them to the wire as kernel output.
	if (tp.driver == Driver::null &&
	    std::none_of(tp.args.begin(), tp.args.end(), [](const auto &a) { return a.first == "no-rx" && a.second == "1"; }))
		tap.fail("port " + t.tap + " is a null port without args { no-rx: 1 }; as a path A sink it would "
			 "invent packets that path A sends out on " + t.wire);
	taps.add(tap, t.tap);
	unsigned lcore = 0;
	if (const PollEntry *e = find_poller(cfg, t.tap, std::nullopt, lcore))
		tap.fail("port " + t.tap + " is polled by lcore " + std::to_string(lcore) + " (at " +
			 e->loc.str() +
			 "); the control lcore reads a kernel tap port, so no worker may poll it");
	if (!find_poller(cfg, t.wire, 0, lcore))
		wire.fail("queue 0 of port " + t.wire +
			  " is not polled by any worker (it carries the kernel's return traffic)");
	return t;
}

KernelPathConfig read_kernel(const Field &f, const Config &cfg)
{
	MapReader m(f, {"ring_size", "taps"});
	KernelPathConfig k;
	if (auto v = m.get("ring_size"))
		k.ring_size = read_pow2(*v, 64, 65536);
	if (auto v = m.get("taps")) {
		UniqueNames wires("wire port"), taps("tap port");
		for (const auto &item : list_items(*v))
			k.taps.push_back(read_tap(item, cfg, wires, taps));
	}
	return k;
}

// "02:74:70:01:00:02" (or with dashes): a unicast MAC.
std::array<uint8_t, 6> read_mac(const Field &f)
{
	std::array<uint8_t, 6> mac{};
	std::string s = f.node.IsScalar() ? f.node.Scalar() : "";
	bool ok = s.size() == 17;
	for (size_t i = 0; ok && i < 6; i++) {
		char sep = i < 5 ? s[3 * i + 2] : ':';
		ok = std::isxdigit(uint8_t(s[3 * i])) && std::isxdigit(uint8_t(s[3 * i + 1])) && (sep == ':' || sep == '-');
		if (ok)
			mac[i] = uint8_t(std::stoul(s.substr(3 * i, 2), nullptr, 16));
	}
	if (!ok)
		f.fail("expected a MAC address such as 02:74:70:01:00:02, got " + describe(f.node));
	if (mac[0] & 1)
		f.fail("MAC " + s + " is a multicast address; an endpoint's agent needs a unicast one");
	return mac;
}

// The wires: ports workers poll that are neither endpoints nor kernel taps.
std::vector<std::string> wire_ports(const Config &cfg, const Field &list)
{
	std::vector<std::string> endpoint_ports, wires;
	for (const auto &item : list_items(list))
		if (item.node.IsMap() && item.node["port"] && item.node["port"].IsScalar())
			endpoint_ports.push_back(item.node["port"].Scalar());
	for (const auto &lc : cfg.lcores)
		for (const auto &e : lc.poll)
			if (std::find(endpoint_ports.begin(), endpoint_ports.end(), e.port) == endpoint_ports.end() &&
			    std::find(wires.begin(), wires.end(), e.port) == wires.end())
				wires.push_back(e.port);
	return wires;
}

FastEndpointConfig read_endpoint(const Field &item, const Config &cfg, const std::vector<std::string> &wires,
				 unsigned n_senders, UniqueNames &names, UniqueNames &ports, std::vector<std::string> &warnings,
				 const KernelPathConfig &kernel)
{
	MapReader e(item, {"name", "port", "wire", "mac"});
	FastEndpointConfig ep;
	ep.loc = item.loc;
	Field name = e.need("name");
	ep.name = read_name(name, 63);
	names.add(name, ep.name);
	Field port = e.need("port");
	const PortConfig &p = need_port(port, cfg, ep.port);
	ports.add(port, ep.port);
	if (p.driver == Driver::tap)
		port.fail("port " + ep.port + " is a tap port; an endpoint is reached through af_xdp, a NIC, or null/ring in tests");
	for (const KernelTap &kt : kernel.taps)
		if (kt.wire == ep.port || kt.tap == ep.port)
			port.fail("port " + ep.port + " is already in paths.kernel.taps (at " + kt.loc.str() +
				  "); an endpoint needs a port of its own, whose traffic is its agent's");
	// Every worker polling a wire may send to every endpoint, each on a tx queue of its own.
	if (p.queues < n_senders)
		port.fail("port " + ep.port + " has " + std::to_string(p.queues) + " queue(s) but " + std::to_string(n_senders) +
			  " workers poll wire ports; each sends to an endpoint on a tx queue of its own");
	if (auto w = e.get("wire")) {
		need_port(*w, cfg, ep.wire);
		if (std::find(wires.begin(), wires.end(), ep.wire) == wires.end())
			w->fail("port " + ep.wire + " is not a wire port (one that workers poll and that is not an endpoint)");
	} else if (wires.size() == 1) {
		ep.wire = wires.front();
	} else if (wires.size() > 1) {
		item.fail("endpoint " + ep.name + " needs a wire: key (the port its answers leave on); there are " +
			  std::to_string(wires.size()) + " wire ports");
	}
	if (auto v = e.get("mac"))
		ep.mac = read_mac(*v);
	if (ep.wire.empty() && wires.empty()) {
		warnings.push_back(item.loc.str() + ": warning: endpoint " + ep.name +
				   ": no worker polls a wire port, so nothing is ever sent to it");
		return ep;
	}
	// The worker reading an endpoint queue sends the answers on the wire queue it owns.
	bool polled = false;
	for (const auto &lc : cfg.lcores)
		for (const auto &pe : lc.poll) {
			if (pe.port != ep.port)
				continue;
			polled = true;
			bool owns_wire = std::any_of(lc.poll.begin(), lc.poll.end(), [&](const PollEntry &x) { return x.port == ep.wire; });
			if (!owns_wire)
				port.fail("port " + ep.port + " is polled by lcore " + std::to_string(lc.id) + " (at " + pe.loc.str() +
					  "), which polls no queue of wire " + ep.wire + ": it would have no tx queue for the answers");
		}
	bool real = p.driver == Driver::af_xdp || p.driver == Driver::ice || p.driver == Driver::bnxt;
	if (!polled && real)
		warnings.push_back(port.loc.str() + ": warning: endpoint " + ep.name + ": port " + ep.port +
				   " is not polled by any worker, so its agent's answers are never read (poll it, or "
				   "make it a null port with args { no-rx: 1 } if it is a send-only sink)");
	return ep;
}

std::vector<FastEndpointConfig> read_fast(const Field &f, const Config &cfg, std::vector<std::string> &warnings,
					  const KernelPathConfig &kernel)
{
	MapReader m(f, {"endpoints"});
	std::vector<FastEndpointConfig> out;
	auto list = m.get("endpoints");
	if (!list)
		return out;
	std::vector<std::string> wires = wire_ports(cfg, *list);
	unsigned n_senders = 0;
	for (const auto &lc : cfg.lcores)
		n_senders += std::any_of(lc.poll.begin(), lc.poll.end(), [&](const PollEntry &e) {
			return std::find(wires.begin(), wires.end(), e.port) != wires.end();
		});
	UniqueNames names("endpoint name"), ports("endpoint port");
	for (const auto &item : list_items(*list))
		out.push_back(read_endpoint(item, cfg, wires, n_senders, names, ports, warnings, kernel));
	return out;
}

// "host:port" with a bracketed IPv6 host: "10.0.0.2:7000", "[fd00::2]:7000", "peer1:7000".
bool is_host_port(std::string_view s)
{
	size_t colon = s.rfind(':');
	if (colon == std::string_view::npos || colon == 0)
		return false;
	std::string_view host = s.substr(0, colon);
	if (host.front() == '[')
		host = host.size() > 2 && host.back() == ']' ? host.substr(1, host.size() - 2) : "";
	else if (host.find(':') != std::string_view::npos)
		return false;
	uint64_t port = 0;
	std::string_view digits = s.substr(colon + 1);
	return !host.empty() && digits.find_first_not_of("0123456789") == std::string_view::npos &&
		parse_uint(digits, port) && port >= 1 && port <= 65535;
}

// A peer's packets that our rules send to bulk again leave on a wire; path A fallback needs its TAP.
std::string bulk_wire(const Field *f, const Config &cfg, const KernelPathConfig &kernel, const SourceLoc &at)
{
	if (f != nullptr) {
		std::string name;
		need_port(*f, cfg, name);
		if (std::none_of(kernel.taps.begin(), kernel.taps.end(), [&](const KernelTap &t) { return t.wire == name; }))
			f->fail("port " + name + " has no kernel tap pair in paths.kernel.taps; a bulk peer's wire needs one");
		return name;
	}
	if (kernel.taps.empty())
		return {};   // no path A: what arrives from this peer has nowhere to go but is counted
	if (kernel.taps.size() > 1)
		throw ConfigError(at, "wire: required: " + std::to_string(kernel.taps.size()) +
				      " wires have a kernel tap pair, so which one this peer's packets leave on is not clear");
	return kernel.taps.front().wire;
}

BulkPeerConfig read_bulk_peer(const Field &item, const Config &cfg, const KernelPathConfig &kernel, UniqueNames &names)
{
	MapReader e(item, {"name", "address", "listen", "wire"});
	BulkPeerConfig peer;
	peer.loc = item.loc;
	Field name = e.need("name");
	peer.name = read_name(name, 63);
	names.add(name, peer.name);
	auto address = e.get("address"), listen = e.get("listen");
	if (address.has_value() == listen.has_value())
		item.fail("bulk peer " + peer.name + ": give exactly one of address (we connect to HOST:PORT) or listen "
			  "(the peer connects to us on HOST:PORT)");
	Field &where = address ? *address : *listen;
	if (!where.node.IsScalar() || !is_host_port(where.node.Scalar()))
		where.fail("expected HOST:PORT such as 10.0.0.2:7000 or [fd00::2]:7000, got " + describe(where.node));
	(address ? peer.address : peer.listen) = where.node.Scalar();
	auto wire = e.get("wire");
	peer.wire = bulk_wire(wire ? &*wire : nullptr, cfg, kernel, item.loc);
	return peer;
}

BulkPathConfig read_bulk(const Field &f, const Config &cfg, const KernelPathConfig &kernel)
{
	MapReader m(f, {"device", "gid_index", "slots", "slot_size", "batch_bytes", "batch_us", "ring_size",
			"reconnect_ms", "stall_ms", "connect_timeout_ms", "peers"});
	BulkPathConfig b;
	b.loc = f.loc;
	if (auto v = m.get("device"))
		b.device = read_name(*v, 63);
	if (auto v = m.get("gid_index")) {
		if (v->node.IsScalar() && v->node.Scalar() == "-1")
			b.gid_index = -1;
		else
			b.gid_index = int(read_uint(*v, 0, 255));
	}
	if (auto v = m.get("slots"))
		b.slots = uint32_t(read_uint(*v, 2, 4096));
	if (auto v = m.get("slot_size"))
		b.slot_size = uint32_t(read_uint(*v, 4096, 16u << 20));
	if (auto v = m.get("batch_bytes")) {
		b.batch_bytes = uint32_t(read_uint(*v, 64, 16u << 20));
		if (b.batch_bytes > b.slot_size - 16)
			v->fail("batch_bytes " + std::to_string(b.batch_bytes) + " is more than a slot holds (slot_size " +
				std::to_string(b.slot_size) + " minus its 16-byte header)");
	}
	if (auto v = m.get("batch_us"))
		b.batch_us = uint32_t(read_uint(*v, 1, 1000000));
	if (auto v = m.get("ring_size"))
		b.ring_size = read_pow2(*v, 64, 65536);
	if (auto v = m.get("reconnect_ms"))
		b.reconnect_ms = uint32_t(read_uint(*v, 10, 600000));
	if (auto v = m.get("stall_ms"))
		b.stall_ms = uint32_t(read_uint(*v, 1, 600000));
	if (auto v = m.get("connect_timeout_ms"))
		b.connect_timeout_ms = uint32_t(read_uint(*v, 100, 60000));
	if (auto list = m.get("peers")) {
		UniqueNames names("peer name");
		for (const auto &item : list_items(*list))
			b.peers.push_back(read_bulk_peer(item, cfg, kernel, names));
	}
	return b;
}

} // namespace

PathsConfig read_paths(const Field &f, const Config &cfg, std::vector<std::string> &warnings)
{
	MapReader m(f, {"kernel", "fast", "bulk"});
	PathsConfig paths;
	if (auto v = m.get("kernel"))
		paths.kernel = read_kernel(*v, cfg);
	if (auto v = m.get("fast"))
		paths.fast_endpoints = read_fast(*v, cfg, warnings, paths.kernel);
	if (auto v = m.get("bulk"))
		paths.bulk = read_bulk(*v, cfg, paths.kernel);
	return paths;
}

} // namespace tripath::config::detail
