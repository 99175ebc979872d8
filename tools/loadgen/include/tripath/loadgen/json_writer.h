// A tiny JSON writer (objects, arrays, strings, numbers, booleans, null), indented two spaces.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace tripath::loadgen {

class JsonWriter {
public:
	explicit JsonWriter(std::string &out) : out_(out) {}

	void begin_object();
	void end_object();
	void begin_array();
	void end_array();
	void key(std::string_view name);   // inside an object, before each value

	void value(std::string_view s);
	void value(const char *s) { value(std::string_view(s)); }
	void value(const std::string &s) { value(std::string_view(s)); }
	void value(uint64_t v);
	void value(int64_t v);
	void value(uint32_t v) { value(uint64_t(v)); }
	void value(int v) { value(int64_t(v)); }
	void value(double v);              // NaN and infinities become null
	void value(bool v);
	void null();

private:
	void before_value();
	void newline();

	std::string &out_;
	std::vector<bool> first_;          // per open container: nothing written into it yet
	bool after_key_ = false;
};

// The JSON string literal of `s`, quotes included.
std::string json_quote(std::string_view s);

} // namespace tripath::loadgen
