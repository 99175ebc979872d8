// Helpers for the config tests: inline YAML in, ConfigError text out.
#pragma once

#include "tripath/config/config.h"

#include <gtest/gtest.h>

#include <string>
#include <string_view>

namespace tripath::config::test {

// Raw strings start with a newline so the YAML's line 1 is the line after R"(.
inline std::string_view yaml_text(std::string_view text)
{
	if (!text.empty() && text.front() == '\n')
		text.remove_prefix(1);
	return text;
}

inline Config load(std::string_view text)
{
	return load_config_text(yaml_text(text), "t.yaml");
}

// Passes when `run` throws a ConfigError at exactly `where` ("t.yaml:LINE:COL") with `phrase`
// in the message.
template <typename Run>
testing::AssertionResult throws_at(Run run, const std::string &where, const std::string &phrase)
{
	try {
		run();
	} catch (const ConfigError &e) {
		std::string what = e.what();
		if (what.rfind(where + ": ", 0) != 0)
			return testing::AssertionFailure() << "wrong position, got: " << what;
		if (what.find(phrase) == std::string::npos)
			return testing::AssertionFailure() << "missing '" << phrase << "', got: " << what;
		if (e.where().str() != where)
			return testing::AssertionFailure() << "where() is " << e.where().str();
		return testing::AssertionSuccess();
	}
	return testing::AssertionFailure() << "no error";
}

// Passes when loading fails at exactly `where` with `phrase` in the message.
inline testing::AssertionResult fails_at(std::string_view text, const std::string &where,
					 const std::string &phrase)
{
	return throws_at([&] { load(text); }, where, phrase);
}

// The default rule most test configs end with.
inline constexpr const char *default_rule = "  - { name: default, priority: 65535, path: kernel }\n";

} // namespace tripath::config::test
