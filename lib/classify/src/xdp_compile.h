// config rules -> the XDP program's rule records (xdp_layout.h), one per rule, same indexes.
#pragma once

#include <vector>

#include <tripath/config/config.h>

#include "xdp_layout.h"

namespace tripath::classify::xdp {

// Throws std::runtime_error for a set over TP_XDP_MAX_RULES (naming the count) or a rule the
// program cannot express (naming the rule).
std::vector<tp_xdp_rule> compile_rules(const config::Config &cfg);

} // namespace tripath::classify::xdp
