// One function per tripath-audit command; each returns the exit status.
#pragma once

#include "options.h"

namespace tripath::audit::cli {

int run_verify(const Options &options);
int run_export(const Options &options);
int run_tail(const Options &options);
int run_keygen(const Options &options);
int run_bench(const Options &options);

} // namespace tripath::audit::cli
