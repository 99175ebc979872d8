// One reader per top-level section; later sections check their references against earlier ones.
#pragma once

#include "reader.h"

namespace tripath::config::detail {

inline constexpr unsigned max_lcore_id = 127;

EalConfig read_eal(const Field &f);
std::vector<PortConfig> read_ports(const Field &f);
// eal is null when the file has no eal section: ids are then not checked against it.
std::vector<LcoreConfig> read_lcores(const Field &f, const Config &cfg, const EalConfig *eal);
PathsConfig read_paths(const Field &f, const Config &cfg);
std::vector<TenantConfig> read_tenants(const Field &f);
std::vector<RuleConfig> read_rules(const Field &f, const Config &cfg);
RuleMatch read_match(const Field &f);

} // namespace tripath::config::detail
