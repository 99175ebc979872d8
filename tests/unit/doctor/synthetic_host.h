// A synthetic /proc and /sys tree in a temporary directory, and configs for the hardware cases.
#pragma once

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <string>
#include <unistd.h>

#include <tripath/config/config.h>
#include <tripath/doctor/doctor.h>

namespace doctor_test {

class SyntheticHost {
public:
	SyntheticHost()
	{
		char tmpl[] = "/tmp/tripath-doctor.XXXXXX";
		root_ = mkdtemp(tmpl);
	}
	~SyntheticHost() { std::filesystem::remove_all(root_); }
	SyntheticHost(const SyntheticHost &) = delete;
	SyntheticHost &operator=(const SyntheticHost &) = delete;

	const std::string &root() const { return root_; }
	void file(const std::string &path, const std::string &text)
	{
		std::filesystem::create_directories(std::filesystem::path(root_ + path).parent_path());
		std::ofstream(root_ + path) << text << "\n";
	}
	void dir(const std::string &path) { std::filesystem::create_directories(root_ + path); }
	void link(const std::string &path, const std::string &target)
	{
		std::filesystem::create_directories(std::filesystem::path(root_ + path).parent_path());
		std::filesystem::create_symlink(target, root_ + path);
	}
	// A PCI function with its vendor, the driver it is bound to, and its netdev while the kernel has it.
	void pci(const std::string &addr, const std::string &vendor, const std::string &driver, const std::string &netdev = "")
	{
		std::string dev = "/sys/bus/pci/devices/" + addr;
		file(dev + "/vendor", vendor);
		if (!driver.empty())
			link(dev + "/driver", "../../../bus/pci/drivers/" + driver);
		if (!netdev.empty())
			dir(dev + "/net/" + netdev);
	}
	void netdev_queues(const std::string &ifname, unsigned n)
	{
		for (unsigned q = 0; q < n; q++) {
			dir("/sys/class/net/" + ifname + "/queues/rx-" + std::to_string(q));
			dir("/sys/class/net/" + ifname + "/queues/tx-" + std::to_string(q));
		}
	}

private:
	std::string root_;
};

// Two worker lcores (2, 3) on port wire0 with two queues; `port` is wire0's YAML flow map
// without the braces' closing; `paths_extra` goes under paths (e.g. a bulk section).
inline tripath::config::Config host_config(const std::string &port, const std::string &paths_extra = "",
					   const std::string &hugepages = "on")
{
	std::string yaml = "eal: { lcores: \"0-3\", main_lcore: 0, memory_mb: 1024, hugepages: " + hugepages + " }\n"
			   "ports:\n"
			   "  - { name: wire0, queues: 2, " + port + " }\n"
			   "  - { name: kern0, driver: tap, args: { iface: kern0 } }\n"
			   "lcores:\n"
			   "  - { id: 0, role: control }\n"
			   "  - { id: 2, role: worker, poll: [{ port: wire0, queue: 0 }] }\n"
			   "  - { id: 3, role: worker, poll: [{ port: wire0, queue: 1 }] }\n"
			   "paths:\n"
			   "  kernel: { taps: [{ wire: wire0, tap: kern0 }] }\n" +
			   paths_extra +
			   "rules:\n"
			   "  - { name: default, priority: 65535, path: kernel }\n";
	return tripath::config::load_config_text(yaml, "host.yaml");
}

inline const char *kIcePort = "driver: ice, pci: \"0000:3b:00.0\"";
inline const char *kBnxtPort = "driver: bnxt, pci: \"0000:5e:00.0\"";
inline const char *kAfXdpPort = "driver: af_xdp, args: { iface: ens1f0 }";
inline const char *kBulk = "  bulk: { device: irdma0, peers: [{ name: peer1, address: \"10.0.0.2:7500\" }] }\n";

// The findings of one check whose `check` name is `name`.
inline tripath::doctor::Findings only(const tripath::doctor::Findings &all, const std::string &name)
{
	tripath::doctor::Findings out;
	for (const auto &f : all)
		if (f.check == name)
			out.push_back(f);
	return out;
}

} // namespace doctor_test
