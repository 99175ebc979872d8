// Walking the YAML tree: every value carries its config path and the position to blame.
#pragma once

#include "tripath/config/config.h"

#include <yaml-cpp/yaml.h>

#include <initializer_list>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace tripath::config::detail {

// One source file: turns yaml-cpp's 0-based marks into 1-based SourceLocs and throws.
class Reader {
public:
	// `text` is what was parsed: yaml-cpp keeps no spelling for null nodes, so plain_null
	// looks at the bytes.
	explicit Reader(std::string file, std::string text = {})
		: file_(std::move(file)), text_(std::move(text))
	{
	}
	SourceLoc at(const YAML::Mark &mark) const;
	[[noreturn]] void fail(const SourceLoc &loc, const std::string &message) const;
	// "FILE:LINE:COL: warning: message", the form of Config::warnings.
	static std::string warning(const SourceLoc &loc, const std::string &message);
	// Is `value` (the value of the key at `key`) a null written as a plain `null`, as
	// opposed to `~` or nothing at all?
	bool plain_null(const YAML::Node &value, const SourceLoc &key) const;
	const std::string &text() const { return text_; }

private:
	std::string file_;
	std::string text_;
};

// A YAML value, its config path ("ports[1].queues") and where it sits in the file.
struct Field {
	const Reader *reader = nullptr;
	YAML::Node node;
	std::string path; // "" for the document root
	SourceLoc loc;    // the value; its key's when the value is empty

	std::string name() const; // path, or "top level" for the root
	Field item(size_t index, const YAML::Node &value) const;
	[[noreturn]] void fail(const std::string &message) const;     // "PATH: message"
	[[noreturn]] void fail_raw(const std::string &message) const; // message as given
};

// A YAML mapping with a fixed set of keys; unknown and repeated keys are refused up front.
class MapReader {
public:
	MapReader(const Field &map, std::initializer_list<std::string_view> keys);
	std::optional<Field> get(std::string_view key) const;
	Field need(std::string_view key) const; // missing: error at the mapping
	SourceLoc key_loc(std::string_view key) const;
	const Field &map() const { return map_; }

private:
	struct Entry {
		std::string key;
		SourceLoc key_loc;
		Field value;
	};
	const Entry *find(std::string_view key) const;

	Field map_;
	std::vector<Entry> entries_;
};

// The items of a YAML sequence, as fields named "PATH[i]".
std::vector<Field> list_items(const Field &list);

// Names that must be unique within one list; a repeat points back at the first.
class UniqueNames {
public:
	explicit UniqueNames(std::string what) : what_(std::move(what)) {}
	void add(const Field &at, const std::string &name);

private:
	std::string what_;
	std::map<std::string, SourceLoc> seen_;
};

} // namespace tripath::config::detail
