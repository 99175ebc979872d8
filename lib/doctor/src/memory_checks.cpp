// Memory the dataplane pins: hugepages for DPDK, and the memlock limit vfio and RDMA charge.
#include <sstream>

#include <tripath/doctor/doctor.h>

#include "host_files.h"

namespace tripath::doctor {

using detail::HostFiles;

namespace {

bool has_pci_ports(const config::Config &cfg)
{
	for (const config::PortConfig &p : cfg.ports)
		if (p.driver == config::Driver::ice || p.driver == config::Driver::bnxt)
			return true;
	return false;
}

// Mount points of one filesystem type in /proc/mounts, with their options.
std::vector<std::pair<std::string, std::string>> mounts_of(const HostFiles &host, const std::string &type)
{
	std::vector<std::pair<std::string, std::string>> found;
	std::istringstream in(host.read("/proc/mounts").value_or(""));
	std::string line;
	while (std::getline(in, line)) {
		std::istringstream words(line);
		std::string dev, dir, fstype, options;
		words >> dev >> dir >> fstype >> options;
		if (fstype == type)
			found.emplace_back(dir, options);
	}
	return found;
}

unsigned long read_number(const HostFiles &host, const std::string &path)
{
	std::string s = host.read(path).value_or("0");
	return std::strtoul(s.c_str(), nullptr, 10);
}

// "2048kB" from a mount's "pagesize=2M" option ("" without one).
std::string mounted_page_dir(const std::string &options)
{
	size_t at = options.find("pagesize=");
	if (at == std::string::npos)
		return {};
	std::string v = options.substr(at + 9, options.find(',', at) - at - 9);
	unsigned long n = std::strtoul(v.c_str(), nullptr, 10);
	char unit = v.empty() ? 'K' : v.back();
	unsigned long kb = unit == 'G' ? n << 20 : unit == 'M' ? n << 10 : n;
	return "hugepages-" + std::to_string(kb) + "kB";
}

} // namespace

void check_hugepages(const config::Config &cfg, const std::string &root, Findings &out)
{
	HostFiles host(root);
	const unsigned need_mb = cfg.eal.memory_mb;
	if (cfg.eal.hugepages == config::HugepageMode::off) {
		out.push_back({has_pci_ports(cfg) ? Severity::warn : Severity::ok, "hugepages",
			       "eal.hugepages is off: EAL runs with --no-huge" +
				       std::string(has_pci_ports(cfg) ? ", which ice/bnxt ports only tolerate for tests" : ""),
			       has_pci_ports(cfg) ? "set eal.hugepages: on in the config" : ""});
		return;
	}
	auto mounts = mounts_of(host, "hugetlbfs");
	std::string sizes;
	unsigned long usable_mb = 0;
	for (const std::string &dir : host.list("/sys/kernel/mm/hugepages")) {
		std::string base = "/sys/kernel/mm/hugepages/" + dir;
		unsigned long kb = std::strtoul(dir.c_str() + std::string("hugepages-").size(), nullptr, 10);
		unsigned long total = read_number(host, base + "/nr_hugepages"), free = read_number(host, base + "/free_hugepages");
		bool mounted = false;
		for (const auto &[mdir, options] : mounts)
			mounted |= mounted_page_dir(options) == dir;
		if (mounted)
			usable_mb += free * kb / 1024;
		if (total == 0 && !mounted)
			continue; // a size nobody reserved or mounted says nothing
		sizes += (sizes.empty() ? "" : "; ") + std::to_string(kb) + "kB: " + std::to_string(total) + " reserved, " +
			 std::to_string(free) + " free" + (mounted ? "" : " (no hugetlbfs of this size)");
	}
	if (sizes.empty())
		sizes = "the kernel has no hugepage support";
	const bool required = cfg.eal.hugepages == config::HugepageMode::on;
	const Severity short_of = required ? Severity::fatal : Severity::warn;
	const std::string consequence = required ? "" : "; EAL will run with --no-huge";
	if (mounts.empty()) {
		out.push_back({short_of, "hugepages", "no hugetlbfs is mounted (" + sizes + ")" + consequence,
			       "mkdir -p /dev/hugepages && mount -t hugetlbfs -o pagesize=2M nodev /dev/hugepages"});
		return;
	}
	if (usable_mb < need_mb) {
		const std::string dir = "/sys/kernel/mm/hugepages/hugepages-2048kB";
		unsigned long pages = read_number(host, dir + "/nr_hugepages") + (need_mb - usable_mb + 1) / 2;
		out.push_back({short_of, "hugepages",
			       std::to_string(usable_mb) + " MiB of hugepages free on a mounted hugetlbfs, eal.memory_mb wants " +
				       std::to_string(need_mb) + " (" + sizes + ")" + consequence,
			       "echo " + std::to_string(pages) + " > " + dir + "/nr_hugepages"});
		return;
	}
	out.push_back({Severity::ok, "hugepages",
		       std::to_string(usable_mb) + " MiB free for eal.memory_mb " + std::to_string(need_mb) + " (" + sizes +
			       "); hugetlbfs at " + mounts.front().first,
		       ""});
}

void check_memlock(const config::Config &cfg, const std::string &root, Findings &out)
{
	HostFiles host(root);
	std::string limit = "unknown";
	std::istringstream limits(host.read("/proc/self/limits").value_or(""));
	std::string line;
	while (std::getline(limits, line))
		if (line.rfind("Max locked memory", 0) == 0) {
			std::istringstream words(line.substr(17));
			words >> limit; // the soft limit
		}
	bool cap_ipc_lock = false;
	std::istringstream status(host.read("/proc/self/status").value_or(""));
	while (std::getline(status, line))
		if (line.rfind("CapEff:", 0) == 0)
			cap_ipc_lock = (std::strtoull(line.c_str() + 7, nullptr, 16) >> 14) & 1; // CAP_IPC_LOCK = 14
	// vfio pins every DPDK page for DMA; RDMA registers both rings of every bulk peer.
	unsigned long long need = has_pci_ports(cfg) ? (unsigned long long)cfg.eal.memory_mb << 20 : 0;
	need += 2ull * cfg.paths.bulk.slots * cfg.paths.bulk.slot_size * cfg.paths.bulk.peers.size();
	const std::string fix = "ulimit -l unlimited (under systemd: LimitMEMLOCK=infinity, as deploy/tripath.service sets)";
	if (limit == "unlimited") {
		out.push_back({Severity::ok, "memlock", "ulimit -l is unlimited", ""});
		return;
	}
	unsigned long long bytes = std::strtoull(limit.c_str(), nullptr, 10);
	std::string shown = limit == "unknown" ? limit : std::to_string(bytes >> 10) + " KiB";
	if (cap_ipc_lock) {
		out.push_back({Severity::ok, "memlock", "ulimit -l is " + shown + ", but CAP_IPC_LOCK lifts the limit", ""});
		return;
	}
	if (need > bytes) {
		out.push_back({Severity::fatal, "memlock",
			       "ulimit -l is " + shown + " without CAP_IPC_LOCK; vfio DMA and RDMA registration need " +
				       std::to_string(need >> 10) + " KiB",
			       fix});
		return;
	}
	bool af_xdp = false;
	for (const config::PortConfig &p : cfg.ports)
		af_xdp |= p.driver == config::Driver::af_xdp;
	if (af_xdp)
		out.push_back({Severity::warn, "memlock",
			       "ulimit -l is " + shown + " without CAP_IPC_LOCK; AF_XDP UMEMs count against it on kernels before 5.11",
			       fix});
	else
		out.push_back({Severity::ok, "memlock", "ulimit -l is " + shown + ", enough for these ports", ""});
}

} // namespace tripath::doctor
