#include <fstream>
#include <sstream>

#include <tripath/drivers/ports.h>

#include "eal_args.h"

namespace tripath::app {

using config::HugepageMode;

unsigned free_hugepage_mb(bool &mounted)
{
	std::ifstream mounts("/proc/mounts");
	std::string dev, dir, type;
	mounted = false;
	std::string line;
	while (std::getline(mounts, line)) {
		std::istringstream in(line);
		in >> dev >> dir >> type;
		mounted |= type == "hugetlbfs";
	}
	std::ifstream meminfo("/proc/meminfo");
	unsigned long free_pages = 0, page_kb = 0;
	while (std::getline(meminfo, line)) {
		std::istringstream in(line);
		std::string key;
		unsigned long value = 0;
		in >> key >> value;
		if (key == "HugePages_Free:")
			free_pages = value;
		else if (key == "Hugepagesize:")
			page_kb = value;
	}
	return unsigned(free_pages * page_kb / 1024);
}

EalPlan plan_eal(const config::Config &cfg)
{
	const config::EalConfig &e = cfg.eal;
	EalPlan plan;
	std::string lcores;
	for (unsigned id : e.lcores)
		lcores += (lcores.empty() ? "" : ",") + std::to_string(id);
	plan.args = {"tripath", "-l", lcores, "--main-lcore", std::to_string(e.main_lcore),
		     "--file-prefix", e.file_prefix, "-m", std::to_string(e.memory_mb)};
	// No --no-telemetry: dpdk-telemetry.py reads /tripath/... (telemetry.h) on this prefix.

	bool mounted = false;
	unsigned free_mb = free_hugepage_mb(mounted);
	switch (e.hugepages) {
	case HugepageMode::on:
		plan.hugepages = true;
		plan.hugepage_note = "hugepages: on (config)";
		break;
	case HugepageMode::off:
		plan.hugepage_note = "hugepages: off (config): --no-huge";
		break;
	case HugepageMode::automatic:
		plan.hugepages = mounted && free_mb >= e.memory_mb;
		plan.hugepage_note = plan.hugepages
			? "hugepages: " + std::to_string(free_mb) + " MiB free on a mounted hugetlbfs"
			: "hugepages: " + std::to_string(free_mb) + " MiB free" + (mounted ? "" : ", no hugetlbfs mounted") +
				  ", need " + std::to_string(e.memory_mb) + ": running with --no-huge";
		break;
	}
	// Unlinked hugepage files go back to the kernel when tripath exits, even on a crash.
	plan.args.push_back(plan.hugepages ? "--huge-unlink" : "--no-huge");

	bool any_pci = false;
	for (const config::PortConfig &p : cfg.ports) {
		auto [flag, value] = drivers::eal_device_arg(p);
		any_pci |= flag == "-a";
		plan.args.push_back(flag);
		plan.args.push_back(value);
	}
	if (!any_pci)
		plan.args.push_back("--no-pci"); // vdev-only configs must not grab the host's NICs
	for (const std::string &a : e.extra_args)
		plan.args.push_back(a);
	return plan;
}

} // namespace tripath::app
