// Arbitrary text as the spec of `rule add` and of `tenant quota` (both parsed against the lab
// config, as the shell does): a rule, a quota, or a ConfigError naming its position.
#include <cstdint>
#include <regex>
#include <string_view>

#include <tripath/config/config.h>

#include "fuzz_check.h"

using namespace tripath;

namespace {
const config::Config &lab()
{
	static const config::Config cfg = config::load_config_file(TRIPATH_CONFIG_DIR "/lab.yaml");
	return cfg;
}
} // namespace

extern "C" int LLVMFuzzerInitialize(int *, char ***)
{
	lab();
	return 0;
}

extern "C" int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const std::regex rule_position(R"(^rule add:[0-9]+:[0-9]+: .+)");
	static const std::regex quota_position(R"(^tenant quota:[0-9]+:[0-9]+: .+)");
	std::string_view spec(reinterpret_cast<const char *>(data), size);
	try {
		config::RuleConfig rule = config::parse_rule(spec, "rule add", lab());
		FUZZ_CHECK(!rule.name.empty(), "a rule without a name was accepted");
	} catch (const config::ConfigError &e) {
		FUZZ_CHECK(std::regex_search(e.what(), rule_position), "error without position: %s", e.what());
	}
	try {
		config::parse_quota(spec, "tenant quota");
	} catch (const config::ConfigError &e) {
		FUZZ_CHECK(std::regex_search(e.what(), quota_position), "error without position: %s", e.what());
	}
	return 0;
}
