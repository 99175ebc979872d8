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

// Passes when loading fails at exactly `where` ("t.yaml:LINE:COL") with `phrase` in the message.
inline testing::AssertionResult fails_at(std::string_view text, const std::string &where,
					 const std::string &phrase)
{
	try {
		load(text);
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
	return testing::AssertionFailure() << "loaded without error";
}

} // namespace tripath::config::test
