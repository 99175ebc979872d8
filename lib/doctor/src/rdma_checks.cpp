// Path C: an RDMA device for paths.bulk, its port up, and a GID the bulk lcore can use (the
// one lib/bulk picks: gid_index, or the first RoCE v2 IPv4-mapped GID).
#include <algorithm>

#include <tripath/doctor/doctor.h>

#include "host_files.h"

namespace tripath::doctor {

using detail::HostFiles;

namespace {

const std::string kZeroGid = "0000:0000:0000:0000:0000:0000:0000:0000";

bool is_ipv4_mapped(const std::string &gid) { return gid.rfind("0000:0000:0000:0000:0000:ffff:", 0) == 0; }

// "::ffff:10.0.0.1" from sysfs's "0000:...:ffff:0a00:0001".
std::string show_gid(const std::string &gid)
{
	if (!is_ipv4_mapped(gid) || gid.size() != 39)
		return gid;
	unsigned long hi = std::strtoul(gid.substr(30, 4).c_str(), nullptr, 16), lo = std::strtoul(gid.substr(35, 4).c_str(), nullptr, 16);
	return "::ffff:" + std::to_string(hi >> 8) + "." + std::to_string(hi & 255) + "." + std::to_string(lo >> 8) + "." +
	       std::to_string(lo & 255);
}

// How to get an RDMA device for this config's NICs: their RDMA driver, else soft-RoCE.
std::string device_fix(const config::Config &cfg)
{
	for (const config::PortConfig &p : cfg.ports) {
		if (p.driver == config::Driver::ice)
			return "modprobe irdma";
		if (p.driver == config::Driver::bnxt)
			return "modprobe bnxt_re";
	}
	for (const config::PortConfig &p : cfg.ports)
		for (const auto &[k, v] : p.args)
			if (p.driver == config::Driver::af_xdp && k == "iface")
				return "rdma link add rxe0 type rxe netdev " + v;
	return "rdma link add rxe0 type rxe netdev eth0";
}

struct Gid {
	unsigned index = 0;
	std::string value, type, netdev;
};

std::vector<Gid> port_gids(const HostFiles &host, const std::string &port_dir)
{
	std::vector<Gid> gids;
	for (const std::string &index : host.list(port_dir + "/gids")) {
		std::string value = host.read(port_dir + "/gids/" + index).value_or(kZeroGid);
		if (value == kZeroGid)
			continue;
		gids.push_back({unsigned(std::stoul(index)), value, host.read(port_dir + "/gid_attrs/types/" + index).value_or("?"),
				host.read(port_dir + "/gid_attrs/ndevs/" + index).value_or("")});
	}
	std::ranges::sort(gids, {}, &Gid::index);
	return gids;
}

} // namespace

void check_rdma(const config::Config &cfg, const std::string &root, Findings &out)
{
	HostFiles host(root);
	const config::BulkPathConfig &bulk = cfg.paths.bulk;
	if (bulk.peers.empty()) {
		out.push_back({Severity::ok, "rdma", "no paths.bulk peers: path C needs no RDMA device", ""});
		return;
	}
	std::vector<std::string> devices = host.list("/sys/class/infiniband");
	std::string present;
	for (const std::string &d : devices)
		present += (present.empty() ? "" : ", ") + d;
	if (devices.empty()) {
		out.push_back({Severity::fatal, "rdma", "paths.bulk has peers but this host has no RDMA device (/sys/class/infiniband is empty)",
			       device_fix(cfg)});
		return;
	}
	std::string device = bulk.device.empty() ? devices.front() : bulk.device;
	if (std::ranges::find(devices, device) == devices.end()) {
		out.push_back({Severity::fatal, "rdma", "paths.bulk.device " + device + " is not here (RDMA devices: " + present + ")",
			       "set paths.bulk.device to one of " + present + ", or " + device_fix(cfg)});
		return;
	}
	const std::string port_dir = "/sys/class/infiniband/" + device + "/ports/1";
	std::vector<Gid> gids = port_gids(host, port_dir);
	std::string netdev = gids.empty() ? std::string() : gids.front().netdev;
	std::string state = host.read(port_dir + "/state").value_or("?");
	if (state.find("ACTIVE") == std::string::npos)
		out.push_back({Severity::warn, "rdma", device + " port 1 is " + state + ": path C falls back to path A until it is ACTIVE",
			       netdev.empty() ? "rdma link show " + device + "/1 (then bring its netdev up: ip link set dev NETDEV up)"
					      : "ip link set dev " + netdev + " up"});
	const Gid *chosen = nullptr;
	if (bulk.gid_index >= 0) {
		for (const Gid &g : gids)
			if (g.index == unsigned(bulk.gid_index))
				chosen = &g;
		if (!chosen) {
			out.push_back({Severity::fatal, "rdma",
				       device + " port 1 has no GID at paths.bulk.gid_index " + std::to_string(bulk.gid_index),
				       "set paths.bulk.gid_index: -1 (the first RoCE v2 IPv4-mapped GID), or see: rdma link show " + device});
			return;
		}
	} else {
		for (const Gid &g : gids)
			if (!chosen && g.type == "RoCE v2" && is_ipv4_mapped(g.value))
				chosen = &g;
		if (!chosen) {
			std::string dev = netdev.empty() ? "NETDEV" : netdev;
			out.push_back({Severity::fatal, "rdma",
				       device + " port 1 has no RoCE v2 GID with an IPv4 address: the bulk peers dial IPv4",
				       "ip addr add ADDRESS/PREFIX dev " + dev + " (this host's address on the bulk network; the GID follows it)"});
			return;
		}
	}
	out.push_back({Severity::ok, "rdma",
		       device + " port 1 GID " + std::to_string(chosen->index) + " " + show_gid(chosen->value) + " (" + chosen->type +
			       (chosen->netdev.empty() ? "" : ", " + chosen->netdev) + ")",
		       ""});
}

} // namespace tripath::doctor
