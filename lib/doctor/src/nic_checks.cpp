// The NICs: ice/bnxt PCI functions bound to vfio-pci, and enough queues on every netdev a
// port uses (af_xdp's interface, a PCI function still on its kernel driver).
#include <cstring>
#include <linux/ethtool.h>
#include <linux/sockios.h>
#include <net/if.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <unistd.h>

#include <tripath/doctor/doctor.h>

#include "host_files.h"

namespace tripath::doctor {

using config::Driver;
using detail::HostFiles;

namespace {

std::string full_pci(const std::string &pci) { return pci.size() == 7 ? "0000:" + pci : pci; }

std::string port_name(const config::PortConfig &port)
{
	return "port " + port.name + " (" + config::driver_name(port.driver) + ")";
}

std::string arg_value(const config::PortConfig &port, const std::string &key)
{
	for (const auto &[k, v] : port.args)
		if (k == key)
			return v;
	return {};
}

// The netdev a PCI function has while its kernel driver holds it, or "".
std::string pci_netdev(const HostFiles &host, const std::string &pci)
{
	std::vector<std::string> nets = host.list("/sys/bus/pci/devices/" + pci + "/net");
	return nets.empty() ? std::string() : nets.front();
}

std::string queues_text(unsigned n) { return std::to_string(n) + (n == 1 ? " queue" : " queues"); }

unsigned count_prefixed(const std::vector<std::string> &names, const std::string &prefix)
{
	unsigned n = 0;
	for (const std::string &name : names)
		n += name.rfind(prefix, 0) == 0;
	return n;
}

// ethtool -l's maximum combined (else rx) channels, on the live host only; 0 if unknown.
unsigned max_channels(const HostFiles &host, const std::string &ifname)
{
	if (!host.is_live() || ifname.size() >= IFNAMSIZ)
		return 0;
	int fd = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return 0;
	ethtool_channels ch{};
	ch.cmd = ETHTOOL_GCHANNELS;
	ifreq ifr{};
	std::memcpy(ifr.ifr_name, ifname.c_str(), ifname.size());
	ifr.ifr_data = reinterpret_cast<char *>(&ch);
	int rc = ioctl(fd, SIOCETHTOOL, &ifr);
	close(fd);
	if (rc != 0)
		return 0;
	return ch.max_combined ? ch.max_combined : ch.max_rx;
}

constexpr const char *expected_vendor(Driver d) { return d == Driver::ice ? "0x8086" : "0x14e4"; }
constexpr const char *vendor_name(Driver d) { return d == Driver::ice ? "Intel" : "Broadcom"; }

} // namespace

void check_pci_binding(const config::PortConfig &port, const std::string &root, Findings &out)
{
	HostFiles host(root);
	const std::string pci = full_pci(port.pci), dev = "/sys/bus/pci/devices/" + pci;
	const std::string who = port_name(port) + " " + pci;
	if (!host.exists(dev)) {
		out.push_back({Severity::fatal, "vfio", who + ": no such PCI device on this host",
			       "lspci -Dnn -d " + std::string(expected_vendor(port.driver)).substr(2) + ": (then set ports[].pci to one of them)"});
		return;
	}
	std::string vendor = host.read(dev + "/vendor").value_or("");
	if (!vendor.empty() && vendor != expected_vendor(port.driver))
		out.push_back({Severity::fatal, "vfio",
			       who + ": vendor " + vendor + " is not " + vendor_name(port.driver) + " (" + expected_vendor(port.driver) +
				       "), so the " + config::driver_name(port.driver) + " PMD will not drive it",
			       "lspci -Dnn -d " + std::string(expected_vendor(port.driver)).substr(2) + ": (then set ports[].pci to one of them)"});
	std::string bound = host.link_name(dev + "/driver");
	if (bound == "vfio-pci") {
		std::string group = host.link_name(dev + "/iommu_group");
		out.push_back({Severity::ok, "vfio", who + ": bound to vfio-pci" + (group.empty() ? "" : ", IOMMU group " + group), ""});
		return;
	}
	if (bound == "uio_pci_generic" || bound == "igb_uio") {
		out.push_back({Severity::warn, "vfio", who + ": bound to " + bound + ", which gives the NIC DMA to all memory",
			       "dpdk-devbind.py -b vfio-pci " + pci});
		return;
	}
	std::string netdev = pci_netdev(host, pci);
	std::string fix = "dpdk-devbind.py -b vfio-pci " + pci;
	if (!netdev.empty())
		fix = "ip link set dev " + netdev + " down && " + fix; // devbind refuses an interface that is up
	if (!host.exists("/sys/bus/pci/drivers/vfio-pci"))
		fix = "modprobe vfio-pci && " + fix;
	out.push_back({Severity::fatal, "vfio",
		       who + ": bound to " + (bound.empty() ? "no driver" : bound) + (netdev.empty() ? "" : " (netdev " + netdev + ")") +
			       "; DPDK's " + config::driver_name(port.driver) + " PMD needs it on vfio-pci",
		       fix});
}

void check_queues(const config::Config &cfg, const std::string &root, Findings &out)
{
	HostFiles host(root);
	for (const config::PortConfig &port : cfg.ports) {
		std::string ifname;
		unsigned first = 0;
		if (port.driver == Driver::af_xdp) {
			ifname = arg_value(port, "iface");
			first = unsigned(std::strtoul(arg_value(port, "start_queue").c_str(), nullptr, 10));
		} else if (port.driver == Driver::ice || port.driver == Driver::bnxt) {
			ifname = pci_netdev(host, full_pci(port.pci));
			if (ifname.empty())
				continue; // on vfio-pci: the PMD's own limit is checked at port setup
		} else {
			continue;
		}
		std::vector<std::string> queues = host.list("/sys/class/net/" + ifname + "/queues");
		if (queues.empty())
			continue; // no such netdev here: preflight names it
		const unsigned want = first + port.queues;
		unsigned have = std::min(count_prefixed(queues, "rx-"), count_prefixed(queues, "tx-"));
		unsigned most = max_channels(host, ifname);
		const std::string who = port_name(port) + " on " + ifname;
		const std::string wants = "the config wants queues " + std::to_string(first) + ".." + std::to_string(want - 1);
		if (most != 0 && most < want) {
			out.push_back({Severity::fatal, "queues", who + ": the NIC offers at most " + std::to_string(most) + " channels, " + wants,
				       "set ports[].queues to " + std::to_string(most - std::min(most, first)) + " or less in the config"});
		} else if (have < want) {
			// af_xdp binds an XSK per queue, so a missing queue fails start-up; a PCI port gets its
			// queues from the same NIC resources once on vfio-pci.
			Severity s = port.driver == Driver::af_xdp ? Severity::fatal : Severity::warn;
			out.push_back({s, "queues", who + ": has " + queues_text(have) + " (rx and tx), " + wants,
				       "ethtool -L " + ifname + " combined " + std::to_string(want)});
		} else {
			out.push_back({Severity::ok, "queues", who + ": " + queues_text(have) + ", " + wants, ""});
		}
	}
}

} // namespace tripath::doctor
