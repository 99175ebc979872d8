// `tripath doctor` and the same checks before EAL starts (lib/doctor plus drivers' preflight).
#pragma once

#include <tripath/config/config.h>

namespace tripath::app {

// Prints every finding with its fix; returns the exit status: 0 no fatal finding, 1 otherwise.
int run_doctor(const config::Config &cfg);

// At start-up: prints warnings and fatal findings to stderr; false (refuse to start) on a fatal one.
bool doctor_allows_start(const config::Config &cfg);

} // namespace tripath::app
