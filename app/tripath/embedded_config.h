// config/lab.yaml, compiled in: `tripath` with no -c runs the lab.
#pragma once

namespace tripath::app {

extern const char *const kEmbeddedConfig;
extern const char *const kEmbeddedConfigName;

} // namespace tripath::app
