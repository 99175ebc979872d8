#include "canonical_json.h"

#include <charconv>

namespace tripath::audit::json {

namespace {

constexpr char kHexDigits[] = "0123456789abcdef";
constexpr std::string_view kReplacement = "\xEF\xBF\xBD";

bool is_continuation(unsigned char c) { return (c & 0xC0) == 0x80; }

// Length of the valid UTF-8 sequence starting at s[i], or 0 (RFC 3629: no overlongs, no
// surrogates, nothing above U+10FFFF).
size_t utf8_length(std::string_view s, size_t i)
{
	auto at = [&](size_t k) { return i + k < s.size() ? (unsigned char)s[i + k] : 0; };
	unsigned char c = at(0);
	if (c < 0x80)
		return 1;
	if (c >= 0xC2 && c <= 0xDF)
		return is_continuation(at(1)) ? 2 : 0;
	if (c >= 0xE0 && c <= 0xEF) {
		unsigned char lo = c == 0xE0 ? 0xA0 : 0x80, hi = c == 0xED ? 0x9F : 0xBF;
		return at(1) >= lo && at(1) <= hi && is_continuation(at(2)) ? 3 : 0;
	}
	if (c >= 0xF0 && c <= 0xF4) {
		unsigned char lo = c == 0xF0 ? 0x90 : 0x80, hi = c == 0xF4 ? 0x8F : 0xBF;
		return at(1) >= lo && at(1) <= hi && is_continuation(at(2)) && is_continuation(at(3)) ? 4 : 0;
	}
	return 0;
}

bool needs_unicode_escape(unsigned char c) { return c < 0x20 || c == 0x7F; }

} // namespace

bool is_valid_utf8(std::string_view text)
{
	for (size_t i = 0; i < text.size();) {
		size_t n = utf8_length(text, i);
		if (n == 0)
			return false;
		i += n;
	}
	return true;
}

void append_string(std::string &out, std::string_view text)
{
	out += '"';
	for (size_t i = 0; i < text.size();) {
		unsigned char c = (unsigned char)text[i];
		if (c >= 0x80) {
			size_t n = utf8_length(text, i);
			if (n == 0) {
				out += kReplacement;
				i++;
			} else {
				out.append(text.substr(i, n));
				i += n;
			}
			continue;
		}
		i++;
		switch (c) {
		case '"': out += "\\\""; break;
		case '\\': out += "\\\\"; break;
		case '\n': out += "\\n"; break;
		case '\r': out += "\\r"; break;
		case '\t': out += "\\t"; break;
		default:
			if (needs_unicode_escape(c)) {
				out += "\\u00";
				out += kHexDigits[c >> 4];
				out += kHexDigits[c & 0xF];
			} else {
				out += char(c);
			}
		}
	}
	out += '"';
}

void append_uint(std::string &out, uint64_t value)
{
	char buf[24];
	auto end = std::to_chars(buf, buf + sizeof(buf), value).ptr;
	out.append(buf, end);
}

void append_string_array(std::string &out, const std::vector<std::string> &items)
{
	out += '[';
	for (size_t i = 0; i < items.size(); i++) {
		if (i)
			out += ',';
		append_string(out, items[i]);
	}
	out += ']';
}

void append_string_map(std::string &out, const std::map<std::string, std::string> &items)
{
	out += '{';
	bool first = true;
	for (const auto &[key, value] : items) {
		if (!first)
			out += ',';
		first = false;
		append_string(out, key);
		out += ':';
		append_string(out, value);
	}
	out += '}';
}

bool Cursor::fail(std::string what)
{
	if (error_.empty())
		error_ = what + " at byte " + std::to_string(pos_ + 1);
	return false;
}

bool Cursor::expect(std::string_view literal)
{
	if (text_.substr(pos_, literal.size()) != literal)
		return fail("expected '" + std::string(literal) + "'");
	pos_ += literal.size();
	return true;
}

bool Cursor::read_uint(uint64_t &value)
{
	size_t start = pos_;
	while (pos_ < text_.size() && text_[pos_] >= '0' && text_[pos_] <= '9')
		pos_++;
	if (pos_ == start) {
		pos_ = start;
		return fail("expected a number");
	}
	if (text_[start] == '0' && pos_ - start > 1) {
		pos_ = start;
		return fail("number with a leading zero");
	}
	auto [ptr, ec] = std::from_chars(text_.data() + start, text_.data() + pos_, value);
	if (ec != std::errc() || ptr != text_.data() + pos_) {
		pos_ = start;
		return fail("number out of range");
	}
	return true;
}

bool Cursor::read_string(std::string &value)
{
	if (!expect("\""))
		return false;
	value.clear();
	while (pos_ < text_.size()) {
		unsigned char c = (unsigned char)text_[pos_];
		if (c == '"') {
			pos_++;
			return true;
		}
		if (c >= 0x80) {
			size_t n = utf8_length(text_, pos_);
			if (n == 0)
				return fail("invalid UTF-8");
			value.append(text_.substr(pos_, n));
			pos_ += n;
			continue;
		}
		if (needs_unicode_escape(c))
			return fail("unescaped control character");
		if (c != '\\') {
			value += char(c);
			pos_++;
			continue;
		}
		char e = pos_ + 1 < text_.size() ? text_[pos_ + 1] : '\0';
		switch (e) {
		case '"': value += '"'; break;
		case '\\': value += '\\'; break;
		case 'n': value += '\n'; break;
		case 'r': value += '\r'; break;
		case 't': value += '\t'; break;
		case 'u': {
			std::string_view hex = text_.substr(pos_ + 2, 4);
			auto digit = [](char d) { return d >= 'a' ? d - 'a' + 10 : d - '0'; };
			bool lower_hex = hex.size() == 4 && hex.substr(0, 2) == "00" &&
					 hex.find_first_not_of("0123456789abcdef") == std::string_view::npos;
			unsigned char decoded = lower_hex ? (unsigned char)(digit(hex[2]) << 4 | digit(hex[3])) : 0;
			if (!lower_hex || !needs_unicode_escape(decoded) || decoded == '\n' || decoded == '\r' ||
			    decoded == '\t')
				return fail("non-canonical \\u escape");
			value += char(decoded);
			pos_ += 4;
			break;
		}
		default: return fail("non-canonical escape");
		}
		pos_ += 2;
	}
	return fail("unterminated string");
}

bool Cursor::read_string_array(std::vector<std::string> &items)
{
	items.clear();
	if (!expect("["))
		return false;
	if (pos_ < text_.size() && text_[pos_] == ']') {
		pos_++;
		return true;
	}
	for (;;) {
		std::string item;
		if (!read_string(item))
			return false;
		if (!items.empty() && !(items.back() < item))
			return fail("array items not strictly ascending");
		items.push_back(std::move(item));
		if (pos_ < text_.size() && text_[pos_] == ',') {
			pos_++;
			continue;
		}
		return expect("]");
	}
}

bool Cursor::read_string_map(std::map<std::string, std::string> &items)
{
	items.clear();
	if (!expect("{"))
		return false;
	if (pos_ < text_.size() && text_[pos_] == '}') {
		pos_++;
		return true;
	}
	for (;;) {
		std::string key, value;
		if (!read_string(key))
			return false;
		if (!items.empty() && !(items.rbegin()->first < key))
			return fail("object keys not strictly ascending");
		if (!expect(":") || !read_string(value))
			return false;
		items.emplace_hint(items.end(), std::move(key), std::move(value));
		if (pos_ < text_.size() && text_[pos_] == ',') {
			pos_++;
			continue;
		}
		return expect("}");
	}
}

} // namespace tripath::audit::json
