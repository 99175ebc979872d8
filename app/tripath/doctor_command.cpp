#include <cstdio>

#include <tripath/doctor/doctor.h>
#include <tripath/drivers/ports.h>

#include "doctor_command.h"

namespace tripath::app {

namespace {

// The host checks, then each non-PCI port's preflight problems (the doctor already checked the
// PCI ones): "what; remedy" becomes a fatal finding with that fix.
doctor::Findings all_findings(const config::Config &cfg)
{
	doctor::Findings findings = doctor::run_checks(cfg);
	for (const config::PortConfig &p : cfg.ports) {
		if (p.driver == config::Driver::ice || p.driver == config::Driver::bnxt)
			continue;
		for (const std::string &problem : drivers::preflight(p)) {
			size_t cut = problem.rfind("; ");
			findings.push_back({doctor::Severity::fatal, "port", problem.substr(0, cut),
					    cut == std::string::npos ? "" : problem.substr(cut + 2)});
		}
	}
	return findings;
}

} // namespace

int run_doctor(const config::Config &cfg)
{
	doctor::Findings findings = all_findings(cfg);
	std::printf("tripath doctor: %s on this host\n%s", cfg.source.c_str(), doctor::format_findings(findings).c_str());
	return doctor::worst(findings) == doctor::Severity::fatal ? 1 : 0;
}

bool doctor_allows_start(const config::Config &cfg)
{
	doctor::Findings findings = all_findings(cfg);
	unsigned fatal = 0;
	for (const doctor::Finding &f : findings) {
		if (f.severity == doctor::Severity::ok)
			continue;
		fatal += f.severity == doctor::Severity::fatal;
		std::fprintf(stderr, "tripath: doctor: %s: %s: %s%s%s\n", doctor::severity_name(f.severity), f.check.c_str(),
			     f.what.c_str(), f.fix.empty() ? "" : "; fix: ", f.fix.c_str());
	}
	if (fatal == 0)
		return true;
	std::string again = cfg.source.starts_with("<") ? "tripath doctor" : "tripath doctor -c " + cfg.source;
	std::fprintf(stderr, "tripath: refusing to start: %u fatal doctor finding%s above (%s lists every check; "
			     "--no-doctor skips them)\n",
		     fatal, fatal == 1 ? "" : "s", again.c_str());
	return false;
}

} // namespace tripath::app
