// Arbitrary text as a YAML config: the loader either returns a config or throws ConfigError
// naming FILE:LINE:COL; any other exception, a crash or a hang is a bug.
#include <cstdint>
#include <regex>
#include <string_view>

#include <tripath/config/config.h>

#include "fuzz_check.h"

using namespace tripath;

extern "C" int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const std::regex position(R"(^fuzz\.yaml:[0-9]+:[0-9]+: .+)");
	std::string_view text(reinterpret_cast<const char *>(data), size);
	try {
		config::load_config_text(text, "fuzz.yaml");
	} catch (const config::ConfigError &e) {
		FUZZ_CHECK(std::regex_search(e.what(), position), "error without FILE:LINE:COL: %s", e.what());
	}
	return 0;
}
