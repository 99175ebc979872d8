// Field, MapReader and friends: the only code that looks at raw yaml-cpp marks.
#include "reader.h"

#include "values.h"

namespace tripath::config::detail {

SourceLoc Reader::at(const YAML::Mark &mark) const
{
	// yaml-cpp uses -1 for "no position" (e.g. an error at end of input it could not place).
	if (mark.line < 0 || mark.column < 0)
		return {file_, 1, 1};
	return {file_, mark.line + 1, mark.column + 1};
}

void Reader::fail(const SourceLoc &loc, const std::string &message) const
{
	throw ConfigError(loc, message);
}

std::string Reader::warning(const SourceLoc &loc, const std::string &message)
{
	return loc.str() + ": warning: " + message;
}

bool Reader::plain_null(const YAML::Node &value, const SourceLoc &key) const
{
	if (!value.IsNull())
		return false;
	const YAML::Mark mark = value.Mark();
	if (mark.pos < 0 || static_cast<size_t>(mark.pos) > text_.size())
		return false;
	// An empty value is marked at the next token: "driver:\nnull: 1" must not count. A value
	// on a later line is indented deeper than its key; a next key or item is not.
	SourceLoc loc = at(mark);
	if (loc.line != key.line && loc.col <= key.col)
		return false;
	std::string_view rest = std::string_view(text_).substr(static_cast<size_t>(mark.pos));
	if (!rest.starts_with("null"))
		return false;
	rest.remove_prefix(4);
	return rest.empty() ||
		std::string_view(" \t\r\n,]}").find(rest.front()) != std::string_view::npos;
}

std::string Field::name() const
{
	return path.empty() ? "top level" : path;
}

Field Field::item(size_t index, const YAML::Node &value) const
{
	// An empty item ("- " alone) is marked at the next token, so keep the list's position.
	SourceLoc at = value.IsNull() ? loc : reader->at(value.Mark());
	return {reader, value, path + "[" + std::to_string(index) + "]", at};
}

void Field::fail(const std::string &message) const
{
	reader->fail(loc, name() + ": " + message);
}

void Field::fail_raw(const std::string &message) const
{
	reader->fail(loc, message);
}

namespace {

std::string where(const Field &map)
{
	return map.path.empty() ? "at top level" : "in " + map.path;
}

std::string join(std::initializer_list<std::string_view> keys)
{
	std::string out;
	for (auto k : keys)
		out += (out.empty() ? "" : ", ") + std::string(k);
	return out;
}

} // namespace

MapReader::MapReader(const Field &map, std::initializer_list<std::string_view> keys) : map_(map)
{
	if (!map.node.IsMap())
		map.fail("expected a map with keys " + join(keys) + ", got " + describe(map.node));
	for (auto it = map.node.begin(); it != map.node.end(); ++it) {
		// Copies: the iterator hands out a temporary pair, references into it would dangle.
		const YAML::Node k = it->first;
		const YAML::Node v = it->second;
		SourceLoc kloc = map.reader->at(k.Mark());
		if (!k.IsScalar())
			map.reader->fail(kloc,
					 "keys " + where(map) + " must be plain words, got " +
						 describe(k));
		const std::string &key = k.Scalar();
		bool known = false;
		for (auto allowed : keys)
			known = known || allowed == key;
		if (!known)
			map.reader->fail(kloc,
					 "unknown key '" + key + "' " + where(map) +
						 " (expected one of: " + join(keys) + ")");
		// yaml-cpp keeps both copies of a repeated key and lookups see only one: refuse it.
		if (const Entry *first = find(key))
			map.reader->fail(kloc,
					 "duplicate key '" + key + "' " + where(map) +
						 " (first at " + first->key_loc.str() + ")");
		std::string path = map.path.empty() ? key : map.path + "." + key;
		// An empty value is marked at the next token, which may be lines away: blame the key.
		SourceLoc vloc = v.IsNull() ? kloc : map.reader->at(v.Mark());
		entries_.push_back({key, kloc, Field{map.reader, v, path, vloc}});
	}
}

const MapReader::Entry *MapReader::find(std::string_view key) const
{
	for (const auto &e : entries_)
		if (e.key == key)
			return &e;
	return nullptr;
}

std::optional<Field> MapReader::get(std::string_view key) const
{
	if (const Entry *e = find(key))
		return e->value;
	return std::nullopt;
}

Field MapReader::need(std::string_view key) const
{
	if (const Entry *e = find(key))
		return e->value;
	map_.fail_raw("missing required key '" + std::string(key) + "' " + where(map_));
}

SourceLoc MapReader::key_loc(std::string_view key) const
{
	const Entry *e = find(key);
	return e ? e->key_loc : map_.loc;
}

std::vector<Field> list_items(const Field &list)
{
	if (!list.node.IsSequence())
		list.fail("expected a list, got " + describe(list.node));
	std::vector<Field> out;
	size_t i = 0;
	for (const auto &item : list.node)
		out.push_back(list.item(i++, item));
	return out;
}

void UniqueNames::add(const Field &at, const std::string &name)
{
	auto [it, fresh] = seen_.emplace(name, at.loc);
	if (!fresh)
		at.fail("duplicate " + what_ + " '" + name + "' (first at " + it->second.str() +
			")");
}

} // namespace tripath::config::detail
