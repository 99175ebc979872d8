// control.group and control.admin_group must name groups on this host, or the socket cannot be
// created with them.
#include <cstdio>
#include <grp.h>
#include <sstream>

#include <tripath/doctor/doctor.h>

#include "host_files.h"

namespace tripath::doctor {

namespace {

bool group_exists(const detail::HostFiles &host, const std::string &name)
{
	std::istringstream in(host.read("/etc/group").value_or(""));
	std::string line;
	while (std::getline(in, line))
		if (line.rfind(name + ":", 0) == 0)
			return true;
	return host.is_live() && getgrnam(name.c_str()) != nullptr; // NSS: LDAP, sssd...
}

} // namespace

void check_control_groups(const config::Config &cfg, const std::string &root, Findings &out)
{
	detail::HostFiles host(root);
	const config::ControlConfig &c = cfg.control;
	if (c.group.empty() && c.admin_group.empty()) {
		out.push_back({Severity::ok, "access", "control socket for root only (no control.group); only uid 0 is admin", ""});
		return;
	}
	std::string missing, fix;
	for (const auto &[key, name] : {std::pair{"control.group", c.group}, std::pair{"control.admin_group", c.admin_group}}) {
		if (name.empty() || group_exists(host, name))
			continue;
		missing += (missing.empty() ? "" : ", ") + std::string(key) + " '" + name + "'";
		if (key == std::string("control.group") || name != c.group) // one groupadd per name
			fix += (fix.empty() ? "" : " && ") + ("groupadd --system " + name);
	}
	if (!missing.empty()) {
		out.push_back({Severity::fatal, "access", "no such group on this host: " + missing, fix});
		return;
	}
	char mode[8];
	std::snprintf(mode, sizeof(mode), "%04o", c.mode);
	out.push_back({Severity::ok, "access",
		       std::string("control socket mode ") + mode + (c.group.empty() ? "" : ", group " + c.group) +
			       "; admins: uid 0" + (c.admin_group.empty() ? "" : " and group " + c.admin_group),
		       ""});
}

} // namespace tripath::doctor
