// The last lines of a log, read from its end (no key needed, nothing checked).
#pragma once

#include <string>
#include <vector>

namespace tripath::audit {

bool tail_lines(const std::string &path, size_t count, std::vector<std::string> &lines, std::string &error);

} // namespace tripath::audit
