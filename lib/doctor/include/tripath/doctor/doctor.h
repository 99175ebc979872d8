// tripath doctor: host checks for a config (hugepages, memlock, bpffs, IOMMU and vfio binding,
// NIC queues, CPU isolation, IRQ affinity, RDMA), each finding with the command that fixes it.
// Every check reads files under `root` ("/" on a host, a synthetic tree in tests).
#pragma once

#include <string>
#include <vector>

#include <tripath/config/config.h>

namespace tripath::doctor {

enum class Severity { ok, warn, fatal };
const char *severity_name(Severity s); // "ok", "warn", "fatal"

struct Finding {
	Severity severity = Severity::ok;
	std::string check;                     // "hugepages", "vfio", "queues", ...
	std::string what;                      // one sentence: what is so, and why it matters
	std::string fix;                       // the exact command (or cmdline) that fixes it; "" when ok
};

using Findings = std::vector<Finding>;

// Each check appends its findings. `root` ends without '/', "" meaning the real host.
void check_hugepages(const config::Config &cfg, const std::string &root, Findings &out);
void check_memlock(const config::Config &cfg, const std::string &root, Findings &out);
void check_bpffs(const config::Config &cfg, const std::string &root, Findings &out);
void check_iommu(const config::Config &cfg, const std::string &root, Findings &out);
// One ice/bnxt port: the PCI device exists, is the vendor its driver expects, is bound to vfio-pci.
void check_pci_binding(const config::PortConfig &port, const std::string &root, Findings &out);
void check_queues(const config::Config &cfg, const std::string &root, Findings &out);
void check_cpu_isolation(const config::Config &cfg, const std::string &root, Findings &out);
void check_irq_affinity(const config::Config &cfg, const std::string &root, Findings &out);
void check_rdma(const config::Config &cfg, const std::string &root, Findings &out);
// control.group and control.admin_group exist (/etc/group, or NSS on the live host).
void check_control_groups(const config::Config &cfg, const std::string &root, Findings &out);

// Every check above, in that order (check_pci_binding for each ice/bnxt port).
Findings run_checks(const config::Config &cfg, const std::string &root = "");

Severity worst(const Findings &findings);
// "  fatal  vfio       what\n         fix: command\n" per finding, then a summary line.
std::string format_findings(const Findings &findings);

} // namespace tripath::doctor
