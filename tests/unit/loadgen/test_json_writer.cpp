// The hand-written JSON: nesting, commas, escapes, non-finite numbers.
#include <cmath>

#include <gtest/gtest.h>

#include <tripath/loadgen/json_writer.h>

using namespace tripath::loadgen;

TEST(JsonWriter, QuotesAndEscapes)
{
	EXPECT_EQ(json_quote("plain"), "\"plain\"");
	EXPECT_EQ(json_quote("a\"b\\c"), "\"a\\\"b\\\\c\"");
	EXPECT_EQ(json_quote("line\nbreak\ttab"), "\"line\\nbreak\\ttab\"");
	EXPECT_EQ(json_quote(std::string("\x01", 1)), "\"\\u0001\"");
	EXPECT_EQ(json_quote("µs"), "\"µs\"");
}

TEST(JsonWriter, NestedContainers)
{
	std::string out;
	JsonWriter w(out);
	w.begin_object();
	w.key("n");
	w.value(uint64_t(3));
	w.key("list");
	w.begin_array();
	w.value("a");
	w.value(1.5);
	w.null();
	w.end_array();
	w.key("empty");
	w.begin_object();
	w.end_object();
	w.key("nan");
	w.value(std::nan(""));
	w.key("yes");
	w.value(true);
	w.end_object();
	EXPECT_EQ(out, "{\n  \"n\": 3,\n  \"list\": [\n    \"a\",\n    1.5,\n    null\n  ],\n  \"empty\": {},\n"
		       "  \"nan\": null,\n  \"yes\": true\n}\n");
}
