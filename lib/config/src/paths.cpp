// paths: kernel TAP pairs (path A), fast endpoints (path B) and bulk peers (path C).
#include <algorithm>
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

std::vector<FastEndpointConfig> read_fast(const Field &f, const Config &cfg)
{
	MapReader m(f, {"endpoints"});
	std::vector<FastEndpointConfig> out;
	auto list = m.get("endpoints");
	if (!list)
		return out;
	UniqueNames names("endpoint name");
	for (const auto &item : list_items(*list)) {
		MapReader e(item, {"name", "port"});
		FastEndpointConfig ep;
		ep.loc = item.loc;
		Field name = e.need("name");
		ep.name = read_name(name, 63);
		names.add(name, ep.name);
		need_port(e.need("port"), cfg, ep.port);
		out.push_back(ep);
	}
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

std::vector<BulkPeerConfig> read_bulk(const Field &f)
{
	MapReader m(f, {"peers"});
	std::vector<BulkPeerConfig> out;
	auto list = m.get("peers");
	if (!list)
		return out;
	UniqueNames names("peer name");
	for (const auto &item : list_items(*list)) {
		MapReader e(item, {"name", "address"});
		BulkPeerConfig peer;
		peer.loc = item.loc;
		Field name = e.need("name");
		peer.name = read_name(name, 63);
		names.add(name, peer.name);
		Field address = e.need("address");
		if (!address.node.IsScalar() || !is_host_port(address.node.Scalar()))
			address.fail(
				"expected HOST:PORT such as 10.0.0.2:7000 or [fd00::2]:7000, got " +
				describe(address.node));
		peer.address = address.node.Scalar();
		out.push_back(peer);
	}
	return out;
}

} // namespace

PathsConfig read_paths(const Field &f, const Config &cfg)
{
	MapReader m(f, {"kernel", "fast", "bulk"});
	PathsConfig paths;
	if (auto v = m.get("kernel"))
		paths.kernel = read_kernel(*v, cfg);
	if (auto v = m.get("fast"))
		paths.fast_endpoints = read_fast(*v, cfg);
	if (auto v = m.get("bulk"))
		paths.bulk_peers = read_bulk(*v);
	return paths;
}

} // namespace tripath::config::detail
