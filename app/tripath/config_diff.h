// What two configs differ in that cannot change while tripath runs: `config reload` refuses a
// file that changes any of it (restart to apply). Config only, so the unit tests build it alone.
#pragma once

#include <string>
#include <vector>

#include <tripath/config/config.h>

namespace tripath::app {

// One line per difference in eal, ports, lcores, paths, audit or control ("ports[0] (wire0).rx_desc");
// empty when only rules, tenants or intent differ.
std::vector<std::string> structural_differences(const config::Config &now, const config::Config &next);

} // namespace tripath::app
