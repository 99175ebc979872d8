// Builds rte_eal_init's argv from the config's eal and ports sections.
#pragma once

#include <string>
#include <vector>

#include <tripath/config/config.h>

namespace tripath::app {

struct EalPlan {
	std::vector<std::string> args;   // argv[0] included
	bool hugepages = false;          // false: --no-huge
	std::string hugepage_note;       // why hugepages were or were not used
};

EalPlan plan_eal(const config::Config &cfg);

// Free hugepage memory in MiB and whether a hugetlbfs is mounted.
unsigned free_hugepage_mb(bool &mounted);

} // namespace tripath::app
