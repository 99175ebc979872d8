#include <tuple>

#include "control_access.h"

namespace tripath::app {

bool control_access(const config::ControlConfig &c, control::SocketAccess &access, std::string &error)
{
	access.mode = mode_t(c.mode);
	for (const auto &[name, loc, key, slot] :
	     {std::tuple{c.group, c.group_loc, "control.group", &access.group},
	      std::tuple{c.admin_group, c.admin_group_loc, "control.admin_group", &access.admin_group}}) {
		if (name.empty())
			continue;
		*slot = control::find_group(name);
		if (!*slot) {
			error = loc.str() + ": " + key + ": no group '" + name + "' on this host; create it: groupadd --system " + name;
			return false;
		}
	}
	return true;
}

void register_access_commands(control::CommandRegistry &registry)
{
	registry.add("whoami", "access", "your identity and role (admin changes tripath, reader only looks)", [](const control::Args &) {
		return control::ok("tripath's own shell (the daemon's terminal or --cmdline-file): role admin\n");
	});
}

} // namespace tripath::app
