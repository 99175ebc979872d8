// Who may use the control socket, from the config's control: section; `whoami` for the local shell.
#pragma once

#include <string>

#include <tripath/config/config.h>
#include <tripath/control/access.h>

namespace tripath::app {

// Resolves control.group and control.admin_group; false with "FILE:LINE:COL: ..." when a group
// does not exist on this host.
bool control_access(const config::ControlConfig &c, control::SocketAccess &access, std::string &error);

// `whoami` in tripath's own shell and --cmdline-file (the control socket answers it per client).
void register_access_commands(control::CommandRegistry &registry);

} // namespace tripath::app
