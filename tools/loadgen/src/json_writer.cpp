#include <charconv>
#include <cmath>
#include <cstdio>

#include <tripath/loadgen/json_writer.h>

namespace tripath::loadgen {

std::string json_quote(std::string_view s)
{
	std::string out = "\"";
	for (char ch : s) {
		unsigned char c = static_cast<unsigned char>(ch);
		switch (c) {
		case '"':
			out += "\\\"";
			break;
		case '\\':
			out += "\\\\";
			break;
		case '\n':
			out += "\\n";
			break;
		case '\r':
			out += "\\r";
			break;
		case '\t':
			out += "\\t";
			break;
		default:
			if (c < 0x20) {
				char buf[8];
				std::snprintf(buf, sizeof(buf), "\\u%04x", c);
				out += buf;
			} else {
				out += ch;         // UTF-8 passes through as is
			}
		}
	}
	return out + "\"";
}

void JsonWriter::newline()
{
	out_ += '\n';
	out_.append(first_.size() * 2, ' ');
}

void JsonWriter::before_value()
{
	if (after_key_) {
		after_key_ = false;
		return;
	}
	if (first_.empty())
		return;
	if (!first_.back())
		out_ += ',';
	first_.back() = false;
	newline();
}

void JsonWriter::begin_object()
{
	before_value();
	out_ += '{';
	first_.push_back(true);
}

void JsonWriter::end_object()
{
	bool empty = first_.back();
	first_.pop_back();
	if (!empty)
		newline();
	out_ += '}';
	if (first_.empty())
		out_ += '\n';
}

void JsonWriter::begin_array()
{
	before_value();
	out_ += '[';
	first_.push_back(true);
}

void JsonWriter::end_array()
{
	bool empty = first_.back();
	first_.pop_back();
	if (!empty)
		newline();
	out_ += ']';
}

void JsonWriter::key(std::string_view name)
{
	before_value();
	out_ += json_quote(name);
	out_ += ": ";
	after_key_ = true;
}

void JsonWriter::value(std::string_view s)
{
	before_value();
	out_ += json_quote(s);
}

void JsonWriter::value(uint64_t v)
{
	before_value();
	out_ += std::to_string(v);
}

void JsonWriter::value(int64_t v)
{
	before_value();
	out_ += std::to_string(v);
}

void JsonWriter::value(double v)
{
	if (!std::isfinite(v)) {
		null();
		return;
	}
	before_value();
	char buf[32];
	auto [end, ec] = std::to_chars(buf, buf + sizeof(buf), v);   // shortest form that reads back exactly
	out_.append(buf, ec == std::errc() ? end : buf);
}

void JsonWriter::value(bool v)
{
	before_value();
	out_ += v ? "true" : "false";
}

void JsonWriter::null()
{
	before_value();
	out_ += "null";
}

} // namespace tripath::loadgen
