// YAML text -> the one document a config file holds, with yaml-cpp's errors as ConfigErrors.
#pragma once

#include "reader.h"

#include <string_view>

namespace tripath::config::detail {

// Null when the text holds no document at all (empty, or only comments).
YAML::Node parse_document(const Reader &reader, std::string_view text);

} // namespace tripath::config::detail
