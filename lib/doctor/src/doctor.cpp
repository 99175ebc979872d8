// All checks in order, and how a report reads.
#include <cstdio>

#include <algorithm>

#include <tripath/doctor/doctor.h>

namespace tripath::doctor {

const char *severity_name(Severity s)
{
	switch (s) {
	case Severity::ok: return "ok";
	case Severity::warn: return "warn";
	case Severity::fatal: return "fatal";
	}
	return "?";
}

Findings run_checks(const config::Config &cfg, const std::string &root)
{
	Findings out;
	check_hugepages(cfg, root, out);
	check_memlock(cfg, root, out);
	check_bpffs(cfg, root, out);
	check_iommu(cfg, root, out);
	for (const config::PortConfig &p : cfg.ports)
		if (p.driver == config::Driver::ice || p.driver == config::Driver::bnxt)
			check_pci_binding(p, root, out);
	check_queues(cfg, root, out);
	check_cpu_isolation(cfg, root, out);
	check_irq_affinity(cfg, root, out);
	check_rdma(cfg, root, out);
	check_control_groups(cfg, root, out);
	return out;
}

Severity worst(const Findings &findings)
{
	Severity w = Severity::ok;
	for (const Finding &f : findings)
		w = std::max(w, f.severity);
	return w;
}

std::string format_findings(const Findings &findings)
{
	std::string out;
	unsigned count[3] = {};
	char line[64];
	for (const Finding &f : findings) {
		count[size_t(f.severity)]++;
		std::snprintf(line, sizeof(line), "  %-6s %-10s ", severity_name(f.severity), f.check.c_str());
		out += line + f.what + "\n";
		if (!f.fix.empty())
			out += "         fix: " + f.fix + "\n";
	}
	out += std::to_string(count[0]) + " ok, " + std::to_string(count[1]) + " warn, " + std::to_string(count[2]) + " fatal\n";
	return out;
}

} // namespace tripath::doctor
