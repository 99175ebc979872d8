// Kernel set-up: bpffs for libxdp, the IOMMU for vfio-pci, and keeping the polling CPUs quiet
// (isolcpus/nohz_full/rcu_nocbs, no IRQs on them).
#include <algorithm>
#include <sstream>

#include <tripath/doctor/doctor.h>

#include "host_files.h"

namespace tripath::doctor {

using detail::HostFiles;
using detail::format_cpu_list;
using detail::parse_cpu_list;

namespace {

bool any_port(const config::Config &cfg, std::initializer_list<config::Driver> drivers)
{
	for (const config::PortConfig &p : cfg.ports)
		if (std::ranges::find(drivers, p.driver) != drivers.end())
			return true;
	return false;
}

bool mounted_at(const HostFiles &host, const std::string &type, const std::string &dir)
{
	std::istringstream in(host.read("/proc/mounts").value_or(""));
	std::string dev, mdir, fstype, rest;
	while (in >> dev >> mdir >> fstype && std::getline(in, rest))
		if (fstype == type && mdir == dir)
			return true;
	return false;
}

std::vector<unsigned> missing_from(const std::vector<unsigned> &want, const std::vector<unsigned> &have)
{
	std::vector<unsigned> missing;
	std::ranges::set_difference(want, have, std::back_inserter(missing));
	return missing;
}

} // namespace

void check_bpffs(const config::Config &cfg, const std::string &root, Findings &out)
{
	HostFiles host(root);
	if (mounted_at(host, "bpf", "/sys/fs/bpf")) {
		out.push_back({Severity::ok, "bpffs", "bpffs is mounted at /sys/fs/bpf", ""});
		return;
	}
	if (!any_port(cfg, {config::Driver::af_xdp})) {
		out.push_back({Severity::ok, "bpffs", "bpffs is not mounted; no af_xdp port needs it", ""});
		return;
	}
	out.push_back({Severity::warn, "bpffs",
		       "bpffs is not mounted at /sys/fs/bpf: libxdp cannot pin its dispatcher, so each af_xdp port loads a "
		       "single XDP program and nothing else may share the interface",
		       "mount -t bpf bpf /sys/fs/bpf"});
}

void check_iommu(const config::Config &cfg, const std::string &root, Findings &out)
{
	HostFiles host(root);
	if (!any_port(cfg, {config::Driver::ice, config::Driver::bnxt})) {
		out.push_back({Severity::ok, "iommu", "no ice/bnxt port: vfio-pci and the IOMMU are not needed", ""});
		return;
	}
	size_t groups = host.list("/sys/kernel/iommu_groups").size();
	std::string cmdline = host.read("/proc/cmdline").value_or("");
	if (groups > 0) {
		out.push_back({Severity::ok, "iommu", std::to_string(groups) + " IOMMU groups: vfio-pci can isolate the NICs", ""});
		return;
	}
	if (host.read("/sys/module/vfio/parameters/enable_unsafe_noiommu_mode").value_or("N") == "Y") {
		out.push_back({Severity::warn, "iommu",
			       "no IOMMU groups; vfio runs in unsafe no-IOMMU mode: the NIC can DMA anywhere in memory",
			       "kernel cmdline: intel_iommu=on iommu=pt (AMD: amd_iommu=on iommu=pt), then reboot"});
		return;
	}
	bool amd = host.read("/proc/cpuinfo").value_or("").find("AuthenticAMD") != std::string::npos;
	std::string want = amd ? "amd_iommu=on iommu=pt" : "intel_iommu=on iommu=pt";
	auto asked = detail::cmdline_param(cmdline, amd ? "amd_iommu" : "intel_iommu");
	if (asked && *asked == "on") {
		out.push_back({Severity::fatal, "iommu",
			       "no IOMMU groups although the kernel cmdline asks for the IOMMU: the firmware has it off, so "
			       "vfio-pci cannot take the ice/bnxt ports",
			       amd ? "enable AMD-Vi (IOMMU) in the firmware setup, then reboot"
				   : "enable VT-d in the firmware setup, then reboot"});
		return;
	}
	out.push_back({Severity::fatal, "iommu", "no IOMMU groups (/sys/kernel/iommu_groups is empty): vfio-pci cannot take the ice/bnxt ports",
		       "kernel cmdline: " + want + " (add to GRUB_CMDLINE_LINUX in /etc/default/grub, update-grub, reboot)"});
}

void check_cpu_isolation(const config::Config &cfg, const std::string &root, Findings &out)
{
	HostFiles host(root);
	if (auto online_text = host.read("/sys/devices/system/cpu/online")) {
		std::vector<unsigned> online = parse_cpu_list(*online_text);
		std::vector<unsigned> gone = missing_from(cfg.eal.lcores, online);
		if (!gone.empty()) {
			out.push_back({Severity::fatal, "cpus",
				       "eal.lcores " + format_cpu_list(gone) + " are not online CPUs here (online: " + *online_text + ")",
				       "pick eal.lcores and lcores[].id from " + *online_text + " in the config"});
			return;
		}
	}
	std::vector<unsigned> polling = detail::polling_cpus(cfg);
	if (polling.empty()) {
		out.push_back({Severity::ok, "isolation", "no worker lcores", ""});
		return;
	}
	std::string cmdline = host.read("/proc/cmdline").value_or("");
	std::string missing_params, fix;
	for (const char *param : {"isolcpus", "nohz_full", "rcu_nocbs"}) {
		std::vector<unsigned> have = parse_cpu_list(detail::cmdline_param(cmdline, param).value_or(""));
		std::vector<unsigned> missing = missing_from(polling, have);
		if (missing.empty())
			continue;
		missing_params += std::string(missing_params.empty() ? "" : ", ") + param + " lacks " + format_cpu_list(missing);
		std::vector<unsigned> all = have;
		all.insert(all.end(), polling.begin(), polling.end());
		std::ranges::sort(all);
		all.erase(std::unique(all.begin(), all.end()), all.end());
		fix += std::string(fix.empty() ? "" : " ") + param + "=" + format_cpu_list(all);
	}
	const std::string cpus = format_cpu_list(polling);
	if (missing_params.empty()) {
		out.push_back({Severity::ok, "isolation", "worker CPUs " + cpus + " are in isolcpus, nohz_full and rcu_nocbs", ""});
		return;
	}
	out.push_back({Severity::warn, "isolation",
		       "worker CPUs " + cpus + " share time with the scheduler, timer ticks and RCU callbacks (" + missing_params + ")",
		       "kernel cmdline: " + fix + " (add to GRUB_CMDLINE_LINUX in /etc/default/grub, update-grub, reboot)"});
}

void check_irq_affinity(const config::Config &cfg, const std::string &root, Findings &out)
{
	HostFiles host(root);
	std::vector<unsigned> polling = detail::polling_cpus(cfg);
	std::vector<unsigned> on_workers;
	for (const std::string &irq : host.list("/proc/irq")) {
		auto list = host.read("/proc/irq/" + irq + "/smp_affinity_list");
		if (!list)
			continue;
		std::vector<unsigned> cpus = parse_cpu_list(*list), shared;
		std::ranges::set_intersection(cpus, polling, std::back_inserter(shared));
		if (!shared.empty())
			on_workers.push_back(unsigned(std::stoul(irq)));
	}
	if (on_workers.empty()) {
		out.push_back({Severity::ok, "irq", "no IRQ may run on the worker CPUs " + format_cpu_list(polling), ""});
		return;
	}
	std::ranges::sort(on_workers);
	std::vector<unsigned> housekeeping = missing_from(parse_cpu_list(host.read("/sys/devices/system/cpu/online").value_or("")), polling);
	std::string irqs;
	for (unsigned irq : on_workers)
		irqs += (irqs.empty() ? "" : " ") + std::to_string(irq);
	std::string fix = housekeeping.empty()
		? "leave a CPU outside the worker lcores for interrupts (the config uses them all)"
		: "for i in " + irqs + "; do echo " + format_cpu_list(housekeeping) + " > /proc/irq/$i/smp_affinity_list; done" +
			  " (and IRQBALANCE_BANNED_CPULIST=" + format_cpu_list(polling) + " in /etc/default/irqbalance)";
	out.push_back({Severity::warn, "irq",
		       std::to_string(on_workers.size()) + " IRQs may run on worker CPUs " + format_cpu_list(polling) + ": " + irqs,
		       fix});
}

} // namespace tripath::doctor
