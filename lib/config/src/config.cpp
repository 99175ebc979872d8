// The small non-loading parts of the public API: locations, errors, names, lookups.
#include "tripath/config/config.h"

#include "names.h"

namespace tripath::config {

std::string SourceLoc::str() const
{
	return file + ":" + std::to_string(line) + ":" + std::to_string(col);
}

ConfigError::ConfigError(const SourceLoc &loc, const std::string &message)
	: std::runtime_error(loc.str() + ": " + message), loc_(loc), message_(message)
{
}

const char *driver_name(Driver d)
{
	return detail::driver_names.at(static_cast<size_t>(d));
}

const char *lcore_role_name(LcoreRole r)
{
	return detail::lcore_role_names.at(static_cast<size_t>(r));
}

const char *path_kind_name(PathKind p)
{
	return detail::path_kind_names.at(static_cast<size_t>(p));
}

const PortConfig *Config::find_port(std::string_view name) const
{
	for (const auto &p : ports)
		if (p.name == name)
			return &p;
	return nullptr;
}

} // namespace tripath::config
