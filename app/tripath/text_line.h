// printf into a std::string, for the shell's tables (show path stats, show bulk, ...).
#pragma once

#include <cstdarg>
#include <cstdio>
#include <string>

namespace tripath::app {

// One formatted line of at most 511 characters (longer output is cut, never overrun).
inline std::string line(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
inline std::string line(const char *fmt, ...)
{
	char buf[512];
	va_list ap;
	va_start(ap, fmt);
	std::vsnprintf(buf, sizeof(buf), fmt, ap);
	va_end(ap);
	return buf;
}

} // namespace tripath::app
