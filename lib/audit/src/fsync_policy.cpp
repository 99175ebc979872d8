#include <charconv>

#include <tripath/audit/log.h>

namespace tripath::audit {

namespace {

bool parse_count(std::string_view text, uint32_t &value)
{
	auto [ptr, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
	return ec == std::errc() && ptr == text.data() + text.size() && value > 0;
}

} // namespace

bool FsyncPolicy::parse(std::string_view text, FsyncPolicy &policy, std::string &error)
{
	size_t blank = text.find(' ');
	std::string_view word = text.substr(0, blank);
	std::string_view arg = blank == std::string_view::npos ? std::string_view() : text.substr(blank + 1);
	policy = FsyncPolicy{};
	if (word == "always" && arg.empty())
		policy.mode = FsyncMode::always;
	else if (word == "never" && arg.empty())
		policy.mode = FsyncMode::never;
	else if (word == "every" && parse_count(arg, policy.every_n))
		policy.mode = FsyncMode::every_n;
	else if (word == "interval" && parse_count(arg, policy.interval_ms))
		policy.mode = FsyncMode::interval;
	else {
		error = "fsync policy '" + std::string(text) +
			"': expected always, every N (records), interval MS (milliseconds) or never";
		return false;
	}
	return true;
}

std::string FsyncPolicy::to_string() const
{
	switch (mode) {
	case FsyncMode::always: return "always";
	case FsyncMode::every_n: return "every " + std::to_string(every_n);
	case FsyncMode::interval: return "interval " + std::to_string(interval_ms);
	case FsyncMode::never: return "never";
	}
	return "?";
}

} // namespace tripath::audit
