#include "options.h"

#include <algorithm>
#include <charconv>
#include <cstdio>
#include <string_view>

#include <tripath/audit/record.h>

namespace tripath::audit::cli {

namespace {

template <typename T> bool parse_number(std::string_view text, T &value)
{
	auto [ptr, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
	return ec == std::errc() && ptr == text.data() + text.size();
}

// Which flags each command takes, and which it needs.
struct CommandSpec {
	const char *name;
	std::vector<std::string_view> flags;
	std::vector<std::string_view> required;
};

const std::vector<CommandSpec> kCommands = {
	{"verify", {"--log", "--key", "--head", "--no-head", "--anchor"}, {"--log", "--key"}},
	{"export", {"--log", "--key", "--tenant", "--head", "--no-head", "--anchor"}, {"--log", "--key", "--tenant"}},
	{"tail", {"--log", "-n"}, {"--log"}},
	{"keygen", {"--key"}, {"--key"}},
	{"bench", {"--log", "--key", "--fsync", "-n", "--checkpoint-every", "--record-bytes"}, {"--log", "--key"}},
};

} // namespace

void print_usage(FILE *out)
{
	std::fputs(
		"usage: tripath-audit verify --log FILE --key FILE [--head FILE | --no-head] [--anchor SEQ:HASH]...\n"
		"       tripath-audit export --log FILE --key FILE --tenant NAME [--head FILE | --no-head]\n"
		"       tripath-audit tail   --log FILE [-n N]\n"
		"       tripath-audit keygen --key FILE\n"
		"       tripath-audit bench  --log FILE --key FILE [--fsync POLICY] [-n N] [--checkpoint-every N]\n"
		"                            [--record-bytes B]\n"
		"  verify  check every record's HMAC, the hash chain, the order and the head file (FILE.head);\n"
		"          each problem is printed as FILE:LINE: KIND: seq N: what\n"
		"  export  the records of one tenant (verified as they are read), one JSON object a line\n"
		"  tail    the last N lines (default 10), unchecked\n"
		"  keygen  a new key file: 32 random bytes in hex, mode 0600\n"
		"  bench   append N records (default 10000) to a new log and report appends/s and latency;\n"
		"          POLICY: always | every N | interval MS | never (default always)\n"
		"exit status: 0 intact (or done), 1 problems found or a file could not be used, 2 usage error\n",
		out);
}

bool parse_options(int argc, char **argv, Options &o, std::string &error)
{
	if (argc < 2) {
		error = "missing command";
		return false;
	}
	o.command = argv[1];
	const CommandSpec *spec = nullptr;
	for (const auto &c : kCommands)
		if (o.command == c.name)
			spec = &c;
	if (!spec) {
		error = "unknown command '" + o.command + "'";
		return false;
	}
	std::vector<std::string_view> seen;
	for (int i = 2; i < argc; i++) {
		std::string_view flag = argv[i];
		if (std::find(spec->flags.begin(), spec->flags.end(), flag) == spec->flags.end()) {
			error = o.command + ": unknown option '" + std::string(flag) + "'";
			return false;
		}
		seen.push_back(flag);
		if (flag == "--no-head") {
			o.no_head = true;
			continue;
		}
		if (i + 1 >= argc) {
			error = o.command + ": " + std::string(flag) + " needs a value";
			return false;
		}
		std::string value = argv[++i];
		bool ok = true;
		if (flag == "--log")
			o.log = value;
		else if (flag == "--key")
			o.key = value;
		else if (flag == "--head")
			o.head = value;
		else if (flag == "--tenant") {
			o.tenant = value;
			ok = is_valid_name(value);
		} else if (flag == "--anchor") {
			Anchor a;
			if (!Anchor::parse(value, a, error))
				return false;
			o.anchors.push_back(a);
		} else if (flag == "-n") {
			ok = parse_number(value, o.count) && o.count > 0;
			o.count_given = true;
		} else if (flag == "--fsync") {
			if (!FsyncPolicy::parse(value, o.fsync, error))
				return false;
		} else if (flag == "--checkpoint-every")
			ok = parse_number(value, o.checkpoint_every);
		else if (flag == "--record-bytes")
			ok = parse_number(value, o.record_bytes) && o.record_bytes <= 65536;
		if (!ok) {
			error = o.command + ": bad value '" + value + "' for " + std::string(flag);
			return false;
		}
	}
	for (std::string_view need : spec->required)
		if (std::find(seen.begin(), seen.end(), need) == seen.end()) {
			error = o.command + " needs " + std::string(need);
			return false;
		}
	if (o.no_head && !o.head.empty()) {
		error = o.command + ": --head and --no-head exclude each other";
		return false;
	}
	return true;
}

} // namespace tripath::audit::cli
