// The daemon's command grammar (app/tripath), declared on a registry whose handlers only check
// what the registry hands them: the control fuzz targets parse exactly what operators type.
#pragma once

#include <string>

#include <tripath/control/registry.h>

namespace tripath::fuzz {

control::CommandRegistry daemon_grammar();

// The grammar's <param> count for a declared command, to check what handlers receive.
size_t param_count(const std::string &grammar);

} // namespace tripath::fuzz
