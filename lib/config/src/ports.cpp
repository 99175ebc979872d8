// ports: each DPDK port, its driver and devargs, queues and descriptor rings.
#include "names.h"
#include "sections.h"
#include "values.h"

#include <algorithm>
#include <cctype>

namespace tripath::config::detail {

namespace {

constexpr const char *ingress_names[] = {"owned", "split"}; // by Ingress value

// Devarg names as PMDs spell them: "iface", "start_queue", net_null's "no-rx".
bool is_arg_key(std::string_view key)
{
	auto lower = [](char c) { return c >= 'a' && c <= 'z'; };
	auto ok = [&](char c) { return lower(c) || (c >= '0' && c <= '9') || c == '_' || c == '-'; };
	return !key.empty() && lower(key.front()) && std::ranges::all_of(key, ok);
}

// Devargs stay strings: each PMD parses its own, and "0" vs 0 must not matter here.
std::vector<std::pair<std::string, std::string>> read_args(const Field &f)
{
	if (!f.node.IsMap())
		f.fail("expected a map of driver arguments, got " + describe(f.node));
	std::vector<std::pair<std::string, std::string>> args;
	std::vector<SourceLoc> key_locs;
	for (auto it = f.node.begin(); it != f.node.end(); ++it) {
		const YAML::Node k = it->first; // copies: *it is a temporary pair
		const YAML::Node v = it->second;
		SourceLoc kloc = f.reader->at(k.Mark());
		if (!k.IsScalar() || !is_arg_key(k.Scalar()))
			f.reader->fail(
				kloc,
				f.path + ": argument names are a lowercase letter, then lowercase "
					 "letters, digits, '_' or '-', got " +
					describe(k));
		std::string key = k.Scalar();
		for (size_t i = 0; i < args.size(); i++)
			if (args[i].first == key)
				f.reader->fail(kloc,
					       "duplicate key '" + key + "' in " + f.path +
						       " (first at " + key_locs[i].str() + ")");
		SourceLoc vloc = v.IsNull() ? kloc : f.reader->at(v.Mark());
		Field value{f.reader, v, f.path + "." + key, vloc};
		args.emplace_back(key, read_string(value));
		key_locs.push_back(kloc);
	}
	return args;
}

bool has_arg(const PortConfig &p, std::string_view key)
{
	return std::ranges::any_of(p.args, [&](const auto &a) { return a.first == key; });
}

// Devargs without which the PMD cannot start; blame the args map, or the port if it has none.
void check_required_args(const PortConfig &p, const MapReader &m)
{
	const Field where = m.get("args").value_or(m.map());
	if (p.driver == Driver::af_xdp && !has_arg(p, "iface"))
		where.fail_raw("missing required key 'iface' in " + m.map().path +
			       ".args (driver af_xdp attaches to a kernel interface)");
	static constexpr const char *pcap_keys[] = {"rx_pcap", "tx_pcap", "rx_iface", "tx_iface",
						    "iface"};
	if (p.driver == Driver::pcap &&
	    std::ranges::none_of(pcap_keys, [&](auto k) { return has_arg(p, k); }))
		where.fail_raw(
			"missing required key in " + m.map().path +
			".args: driver pcap needs one of rx_pcap, tx_pcap, rx_iface, tx_iface, iface");
}

bool is_hex(std::string_view s, size_t len)
{
	auto hex = [](char c) { return std::isxdigit(static_cast<unsigned char>(c)) != 0; };
	return s.size() == len && std::ranges::all_of(s, hex);
}

// [DDDD:]BB:DD.F, all hex; device 0..1f, function 0..7.
bool is_pci_address(std::string_view s)
{
	if (s.size() == 12) {
		if (!is_hex(s.substr(0, 4), 4) || s[4] != ':')
			return false;
		s.remove_prefix(5);
	}
	if (s.size() != 7 || !is_hex(s.substr(0, 2), 2) || s[2] != ':' ||
	    !is_hex(s.substr(3, 2), 2) || s[5] != '.' || s[6] < '0' || s[6] > '7')
		return false;
	uint64_t dev = 0;
	parse_uint("0x" + std::string(s.substr(3, 2)), dev);
	return dev <= 0x1f;
}

PortConfig read_port(const Field &f, UniqueNames &names)
{
	MapReader m(f, {"name", "driver", "args", "pci", "queues", "rx_desc", "tx_desc", "promisc",
			"ingress"});
	PortConfig p;
	p.loc = f.loc;
	Field name = m.need("name");
	p.name = read_name(name, 31);
	names.add(name, p.name);
	// Unquoted, `null` is YAML's null, but it is also the name of DPDK's null PMD.
	Field driver = m.need("driver");
	if (f.reader->plain_null(driver.node, m.key_loc("driver")))
		p.driver = Driver::null;
	else
		p.driver = static_cast<Driver>(read_choice(driver, driver_names));
	if (auto v = m.get("args"))
		p.args = read_args(*v);
	check_required_args(p, m);

	bool pci_port = p.driver == Driver::ice || p.driver == Driver::bnxt;
	if (auto v = m.get("pci")) {
		if (!pci_port)
			v->fail("only ice and bnxt ports take a PCI address (this port's driver is " +
				std::string(driver_name(p.driver)) + ")");
		if (!v->node.IsScalar() || !is_pci_address(v->node.Scalar()))
			v->fail("expected a PCI address such as 0000:3b:00.0 or 3b:00.0, got " +
				describe(v->node));
		p.pci = v->node.Scalar();
	} else if (pci_port) {
		f.fail_raw("missing required key 'pci' in " + f.path + " (driver " +
			   driver_name(p.driver) + " needs the NIC's PCI address)");
	}

	if (auto v = m.get("queues"))
		p.queues = static_cast<uint16_t>(read_uint(*v, 1, 64));
	if (auto v = m.get("rx_desc"))
		p.rx_desc = static_cast<uint16_t>(read_pow2(*v, 64, 16384));
	if (auto v = m.get("tx_desc"))
		p.tx_desc = static_cast<uint16_t>(read_pow2(*v, 64, 16384));
	if (auto v = m.get("promisc"))
		p.promisc = read_bool(*v);
	if (auto v = m.get("ingress")) {
		p.ingress = static_cast<Ingress>(read_choice(*v, ingress_names));
		if (p.driver != Driver::af_xdp)
			v->fail("only af_xdp ports choose an ingress mode (this port's driver is " +
				std::string(driver_name(p.driver)) + ")");
	}
	return p;
}

} // namespace

std::vector<PortConfig> read_ports(const Field &f)
{
	std::vector<PortConfig> ports;
	UniqueNames names("port name");
	for (const auto &item : list_items(f))
		ports.push_back(read_port(item, names));
	if (ports.empty())
		f.fail("expected at least one port");
	return ports;
}

} // namespace tripath::config::detail
