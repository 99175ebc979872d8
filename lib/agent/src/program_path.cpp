#include <cstdlib>
#include <filesystem>

#include <tripath/agent/xsk_service.h>

namespace tripath::agent {

std::string xsk_program_path()
{
	if (const char *env = std::getenv("TRIPATH_XSK_PROG"))
		return env;
	// Installed next to the binary's prefix, else the build tree this binary came from.
	if (std::filesystem::exists(TRIPATH_XSK_PROG_INSTALLED))
		return TRIPATH_XSK_PROG_INSTALLED;
	return TRIPATH_XSK_PROG_BUILD;
}

} // namespace tripath::agent
