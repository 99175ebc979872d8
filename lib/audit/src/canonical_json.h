// The one JSON dialect the audit log writes and accepts: fixed key order, no blanks, strings
// escaped exactly one way. Reading is strict, so parse(encode(x)) and encode(parse(line)) both
// give back the same bytes and a record has exactly one canonical form.
#pragma once

#include <cstdint>
#include <map>
#include <string>
#include <string_view>
#include <vector>

namespace tripath::audit::json {

// Escapes '"', '\\', \n \r \t as themselves, other controls and DEL as \u00xx; valid UTF-8
// passes through, each byte of an invalid sequence becomes U+FFFD.
void append_string(std::string &out, std::string_view text);
void append_uint(std::string &out, uint64_t value);
void append_string_array(std::string &out, const std::vector<std::string> &items);
void append_string_map(std::string &out, const std::map<std::string, std::string> &items);

// True when `text` is valid UTF-8 (what append_string leaves unchanged, escapes aside).
bool is_valid_utf8(std::string_view text);

class Cursor {
public:
	explicit Cursor(std::string_view text) : text_(text) {}

	bool expect(std::string_view literal);      // exactly these bytes next
	bool read_uint(uint64_t &value);            // digits, no sign, no leading zero
	bool read_string(std::string &value);       // only the escapes append_string writes
	bool read_string_array(std::vector<std::string> &items);        // strictly ascending
	bool read_string_map(std::map<std::string, std::string> &items); // keys strictly ascending

	size_t position() const { return pos_; }
	bool at_end() const { return pos_ == text_.size(); }
	std::string_view rest() const { return text_.substr(pos_); }
	// What went wrong and at which byte, for the first failure.
	const std::string &error() const { return error_; }

private:
	bool fail(std::string what);

	std::string_view text_;
	size_t pos_ = 0;
	std::string error_;
};

} // namespace tripath::audit::json
