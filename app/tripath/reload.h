// Config reload (`config reload [FILE]`, SIGHUP), the fault drills that the fault matrix
// (tests/faults) drives, and the control loop's watch on the TAP ports' links.
#pragma once

#include <string>
#include <vector>

#include "runtime.h"

namespace tripath::app {

// Load FILE (or the file tripath started with), check everything, refuse a structural change,
// then stage, audit and publish its rules and tenants like `rule add`; the guardian's static
// profile becomes the file's. Nothing changes when it fails.
control::CommandResult reload_config(Runtime &rt, const std::string &path);

void register_reload_commands(Runtime &rt); // config reload [FILE]
void register_drill_commands(Runtime &rt);  // guardian inject stall, mempool inject exhaust|release, show port xsk
void register_xsk_commands(Runtime &rt);    // show port xsk (xsk_stats.cpp)

// port_watch.cpp. start_port_watch notes the ports' interfaces (at registration); watch_tap_links
// runs about once a second from the control loop: TAPs and af_xdp endpoints deleted or made
// again (logged, counted, re-attached), af_xdp netdev links down/up (logged).
void start_port_watch(Runtime &rt);
void watch_tap_links(Runtime &rt);

} // namespace tripath::app
