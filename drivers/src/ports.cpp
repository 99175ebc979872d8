#include <algorithm>
#include <cstdlib>
#include <filesystem>
#include <fstream>

#include <rte_ethdev.h>
#include <rte_mbuf.h>
#include <rte_mempool.h>

#include <tripath/doctor/doctor.h>
#include <tripath/drivers/ports.h>

namespace tripath::drivers {

using config::Driver;

namespace {

bool is_pci(Driver d) { return d == Driver::ice || d == Driver::bnxt; }

std::string arg_value(const config::PortConfig &port, const std::string &key)
{
	for (const auto &[k, v] : port.args)
		if (k == key)
			return v;
	return {};
}

std::string joined_args(const config::PortConfig &port)
{
	std::string out;
	for (const auto &[k, v] : port.args)
		out += "," + k + "=" + v;
	return out;
}

std::string full_pci(const std::string &pci) { return pci.size() == 7 ? "0000:" + pci : pci; }

} // namespace

std::string ethdev_name(const config::PortConfig &port)
{
	if (is_pci(port.driver))
		return full_pci(port.pci);
	return std::string("net_") + config::driver_name(port.driver) + "_" + port.name;
}

std::pair<std::string, std::string> eal_device_arg(const config::PortConfig &port)
{
	if (is_pci(port.driver))
		return {"-a", full_pci(port.pci) + joined_args(port)};
	std::string args = joined_args(port);
	// The af_xdp PMD opens one XSK per queue: keep its queue_count equal to ours.
	if (port.driver == Driver::af_xdp && arg_value(port, "queue_count").empty())
		args += ",queue_count=" + std::to_string(port.queues);
	// Split mode: the PMD attaches tripath's classifier instead of its redirect-all program.
	if (port.ingress == config::Ingress::split)
		args += ",xdp_prog=" + xdp_program_path();
	return {"--vdev", ethdev_name(port) + args};
}

std::string xdp_program_path()
{
	if (const char *env = std::getenv("TRIPATH_XDP_PROG"))
		return env;
	// Installed next to the binary's prefix, else the build tree this binary came from.
	if (std::filesystem::exists(TRIPATH_XDP_PROG_INSTALLED))
		return TRIPATH_XDP_PROG_INSTALLED;
	return TRIPATH_XDP_PROG_BUILD;
}

std::vector<std::string> preflight(const config::PortConfig &port)
{
	namespace fs = std::filesystem;
	std::vector<std::string> problems;
	const std::string where = port.loc.str() + ": port " + port.name + " (" + config::driver_name(port.driver) + "): ";
	switch (port.driver) {
	case Driver::af_xdp: {
		std::string iface = arg_value(port, "iface");
		if (!fs::exists("/sys/class/net/" + iface))
			problems.push_back(where + "interface '" + iface + "' does not exist in this network namespace; "
					   "create it (in the lab: tools/lab.sh up) or run tripath in its namespace");
		if (port.ingress == config::Ingress::split && !fs::exists(xdp_program_path()))
			problems.push_back(where + "ingress: split needs the XDP classifier at " + xdp_program_path() +
					   "; build it (ninja -C build) or set TRIPATH_XDP_PROG");
		if (port.ingress == config::Ingress::split && !arg_value(port, "xdp_prog").empty())
			problems.push_back(where + "ingress: split loads tripath's XDP program; drop args.xdp_prog");
		std::string qc = arg_value(port, "queue_count");
		if (!qc.empty() && qc != std::to_string(port.queues))
			problems.push_back(where + "args.queue_count=" + qc + " differs from queues: " +
					   std::to_string(port.queues) + "; drop queue_count or make them equal");
		break;
	}
	case Driver::pcap: {
		std::string rx = arg_value(port, "rx_pcap");
		if (!rx.empty() && !fs::exists(rx))
			problems.push_back(where + "rx_pcap file '" + rx + "' does not exist");
		break;
	}
	case Driver::ice:
	case Driver::bnxt: {
		// The doctor owns the PCI checks (device, vendor, binding); its fatal findings stop us here.
		doctor::Findings findings;
		doctor::check_pci_binding(port, "", findings);
		for (const doctor::Finding &f : findings)
			if (f.severity == doctor::Severity::fatal)
				problems.push_back(port.loc.str() + ": " + f.what + "; fix: " + f.fix);
		break;
	}
	case Driver::tap:
		if (!fs::exists("/dev/net/tun"))
			problems.push_back(where + "/dev/net/tun is missing; modprobe tun");
		break;
	case Driver::ring:
	case Driver::null:
		break;
	}
	return problems;
}

bool setup_port(uint16_t port_id, const config::PortConfig &port, rte_mempool *pool, std::string &error)
{
	const std::string where = "port " + port.name + " (ethdev " + std::to_string(port_id) + "): ";
	rte_eth_dev_info info;
	int rc = rte_eth_dev_info_get(port_id, &info);
	if (rc != 0) {
		error = where + "cannot read device info: " + rte_strerror(-rc);
		return false;
	}
	if (port.queues > info.max_rx_queues || port.queues > info.max_tx_queues) {
		error = where + "queues: " + std::to_string(port.queues) + " but the device offers " +
			std::to_string(info.max_rx_queues) + " rx / " + std::to_string(info.max_tx_queues) + " tx";
		return false;
	}
	rte_eth_conf conf{};
	if ((rc = rte_eth_dev_configure(port_id, port.queues, port.queues, &conf)) != 0) {
		error = where + "configure failed: " + rte_strerror(-rc);
		return false;
	}
	uint16_t rx_desc = port.rx_desc, tx_desc = port.tx_desc;
	rte_eth_dev_adjust_nb_rx_tx_desc(port_id, &rx_desc, &tx_desc);
	int socket = rte_eth_dev_socket_id(port_id);
	for (uint16_t q = 0; q < port.queues; q++) {
		if ((rc = rte_eth_rx_queue_setup(port_id, q, rx_desc, socket, nullptr, pool)) != 0) {
			error = where + "rx queue " + std::to_string(q) + " setup failed: " + rte_strerror(-rc);
			return false;
		}
		if ((rc = rte_eth_tx_queue_setup(port_id, q, tx_desc, socket, nullptr)) != 0) {
			error = where + "tx queue " + std::to_string(q) + " setup failed: " + rte_strerror(-rc);
			return false;
		}
	}
	if ((rc = rte_eth_dev_start(port_id)) != 0) {
		error = where + "start failed: " + rte_strerror(-rc);
		return false;
	}
	// Path A needs frames for the kernel's MAC too; not every PMD supports it (-ENOTSUP is fine).
	if (port.promisc && (rc = rte_eth_promiscuous_enable(port_id)) != 0 && rc != -ENOTSUP)
		RTE_LOG(WARNING, EAL, "%spromiscuous mode not enabled: %s\n", where.c_str(), rte_strerror(-rc));
	return true;
}

unsigned mbufs_needed(const config::Config &cfg)
{
	unsigned n = 0;
	for (const config::PortConfig &p : cfg.ports)
		n += unsigned(p.queues) * (p.rx_desc + p.tx_desc);
	n += 2 * cfg.paths.kernel.ring_size * unsigned(cfg.lcores.size() + cfg.paths.kernel.taps.size());
	n += unsigned(cfg.lcores.size()) * (256 + 2 * 64); // per-lcore mempool cache, a burst in hand, path A's held burst
	if (!cfg.paths.bulk.peers.empty())  // path C: the workers' rings to the bulk lcore, and its ring to path A
		n += cfg.paths.bulk.ring_size * unsigned(std::count_if(cfg.lcores.begin(), cfg.lcores.end(), [](const auto &lc) {
			     return lc.role == config::LcoreRole::worker;
		     })) + cfg.paths.kernel.ring_size;
	n = std::max(n, 8192u);
	// Mempools are most memory-efficient at 2^k - 1 elements.
	unsigned pow2 = 1;
	while (pow2 < n + 1)
		pow2 <<= 1;
	return pow2 - 1;
}

rte_mempool *create_mbuf_pool(const config::Config &cfg)
{
	// With no PCI device, nothing DMAs into an mbuf: objects may cross page boundaries, so the
	// pool is one run of objects with no gaps. The af_xdp PMD needs that: it registers its UMEM
	// as (objects x object size) from the first object, and with DPDK's default layout (no
	// object across a page) the last mbufs of the pool fall outside it: the kernel refuses
	// them on tx (xsk tx_invalid) and on rx refill. A hugepage holds a whole number of
	// objects only by chance; under --no-huge every object would sit on its own 4 KiB page.
	const bool any_pci = std::any_of(cfg.ports.begin(), cfg.ports.end(), [](const config::PortConfig &p) {
		return is_pci(p.driver);
	});
	const unsigned n = mbufs_needed(cfg);
	const uint16_t data_room = RTE_MBUF_DEFAULT_BUF_SIZE;
	rte_mempool *mp = rte_mempool_create_empty("tripath_mbufs", n, sizeof(rte_mbuf) + data_room, 256,
						   sizeof(rte_pktmbuf_pool_private), int(rte_socket_id()),
						   any_pci ? 0 : RTE_MEMPOOL_F_NO_IOVA_CONTIG);
	if (mp == nullptr)
		return nullptr;
	rte_pktmbuf_pool_private priv{};
	priv.mbuf_data_room_size = data_room;
	int rc = rte_mempool_set_ops_byname(mp, cfg.eal.mbuf_pool_ops.c_str(), nullptr);
	if (rc == 0) {
		rte_pktmbuf_pool_init(mp, &priv);
		rc = std::min(rte_mempool_populate_default(mp), 0);
	}
	if (rc != 0) {
		rte_mempool_free(mp);
		rte_errno = -rc;
		return nullptr;
	}
	rte_mempool_obj_iter(mp, rte_pktmbuf_init, nullptr);
	return mp;
}

} // namespace tripath::drivers
