// Integers, booleans, names, choices and ranges read from YAML scalars.
#include "values.h"

#include <charconv>

namespace tripath::config::detail {

std::string describe(const YAML::Node &node)
{
	switch (node.Type()) {
	case YAML::NodeType::Scalar:
		return "'" + node.Scalar() + "'";
	case YAML::NodeType::Sequence:
		return "a list";
	case YAML::NodeType::Map:
		return "a map";
	default:
		return "nothing";
	}
}

bool parse_uint(std::string_view text, uint64_t &out)
{
	int base = 10;
	if (text.size() > 2 && text[0] == '0' && (text[1] == 'x' || text[1] == 'X')) {
		base = 16;
		text.remove_prefix(2);
	}
	if (text.empty())
		return false;
	auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), out, base);
	return ec == std::errc() && end == text.data() + text.size();
}

uint64_t read_uint(const Field &f, uint64_t lo, uint64_t hi)
{
	uint64_t v = 0;
	if (!f.node.IsScalar() || !parse_uint(f.node.Scalar(), v) || v < lo || v > hi)
		f.fail("expected an integer " + std::to_string(lo) + ".." + std::to_string(hi) +
		       ", got " + describe(f.node));
	return v;
}

uint32_t read_pow2(const Field &f, uint32_t lo, uint32_t hi)
{
	uint64_t v = 0;
	if (!f.node.IsScalar() || !parse_uint(f.node.Scalar(), v) || v < lo || v > hi ||
	    (v & (v - 1)) != 0)
		f.fail("expected a power of two " + std::to_string(lo) + ".." + std::to_string(hi) +
		       ", got " + describe(f.node));
	return static_cast<uint32_t>(v);
}

bool read_bool(const Field &f)
{
	// The YAML 1.1 spellings people still write (yes/no, on/off) are accepted too.
	static constexpr const char *yes[] = {"true", "True", "TRUE", "yes", "Yes", "on", "On"};
	static constexpr const char *no[] = {"false", "False", "FALSE", "no", "No", "off", "Off"};
	if (f.node.IsScalar()) {
		for (auto s : yes)
			if (f.node.Scalar() == s)
				return true;
		for (auto s : no)
			if (f.node.Scalar() == s)
				return false;
	}
	f.fail("expected true or false, got " + describe(f.node));
}

std::string read_string(const Field &f)
{
	if (!f.node.IsScalar() || f.node.Scalar().empty())
		f.fail("expected a string, got " + describe(f.node));
	return f.node.Scalar();
}

std::string read_name(const Field &f, size_t max_len)
{
	bool ok =
		f.node.IsScalar() && !f.node.Scalar().empty() && f.node.Scalar().size() <= max_len;
	if (ok)
		for (char c : f.node.Scalar())
			ok = ok &&
				((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
				 (c >= '0' && c <= '9') || c == '_' || c == '-');
	if (!ok)
		f.fail("expected a name of 1.." + std::to_string(max_len) +
		       " letters, digits, '_' or '-', got " + describe(f.node));
	return f.node.Scalar();
}

std::vector<std::string> read_string_list(const Field &f)
{
	std::vector<std::string> out;
	for (const auto &item : list_items(f))
		out.push_back(read_string(item));
	return out;
}

size_t read_choice(const Field &f, std::span<const char *const> names)
{
	if (f.node.IsScalar())
		for (size_t i = 0; i < names.size(); i++)
			if (f.node.Scalar() == names[i])
				return i;
	std::string list;
	for (auto n : names)
		list += (list.empty() ? "" : ", ") + std::string(n);
	f.fail("expected one of " + list + ", got " + describe(f.node));
}

Range read_range(const Field &f, uint32_t lo, uint32_t hi)
{
	auto bad = [&] {
		f.fail("expected an integer " + std::to_string(lo) + ".." + std::to_string(hi) +
		       " or a range \"LO-HI\" within it, got " + describe(f.node));
	};
	if (!f.node.IsScalar())
		bad();
	std::string_view text = f.node.Scalar();
	size_t dash = text.find('-');
	uint64_t a = 0, b = 0;
	if (dash == std::string_view::npos) {
		if (!parse_uint(text, a))
			bad();
		b = a;
	} else if (!parse_uint(text.substr(0, dash), a) || !parse_uint(text.substr(dash + 1), b)) {
		bad();
	}
	if (a < lo || b > hi)
		bad();
	if (a > b)
		f.fail("range " + std::string(text) + " is backwards (LO must be <= HI)");
	return {static_cast<uint32_t>(a), static_cast<uint32_t>(b)};
}

uint32_t read_named_uint(const Field &f, std::span<const NamedValue> names, uint32_t max)
{
	uint64_t v = 0;
	if (f.node.IsScalar()) {
		for (const auto &n : names)
			if (f.node.Scalar() == n.name)
				return n.value;
		if (parse_uint(f.node.Scalar(), v) && v <= max)
			return static_cast<uint32_t>(v);
	}
	std::string list;
	for (const auto &n : names)
		list += std::string(n.name) + ", ";
	f.fail("expected " + list + "or an integer 0.." + std::to_string(max) + ", got " +
	       describe(f.node));
}

std::string format_id_set(const std::vector<unsigned> &ids)
{
	std::string out;
	for (size_t i = 0; i < ids.size();) {
		size_t j = i;
		while (j + 1 < ids.size() && ids[j + 1] == ids[j] + 1)
			j++;
		// Appends, not "-" + to_string(): gcc 12 -O3 misreports that as overlapping (PR105329).
		if (!out.empty())
			out += ',';
		out += std::to_string(ids[i]);
		if (j > i) {
			out += '-';
			out += std::to_string(ids[j]);
		}
		i = j + 1;
	}
	return out;
}

} // namespace tripath::config::detail
