// Rules, prefixes and quotas as an operator types them in YAML.
#pragma once

#include <optional>
#include <string>

#include <tripath/config/config.h>

namespace tripath::app {

std::string prefix_text(const config::Prefix &p);
std::string range_text(const config::Range &r);
std::string match_text(const config::RuleMatch &m);                 // "" keys joined, or "(default ...)"
std::string path_text(const config::RuleConfig &r);                  // kernel, fast:EP, bulk:PEER, drop
std::string quota_text(const std::optional<config::PathQuota> &q);  // "-" when unlimited

} // namespace tripath::app
