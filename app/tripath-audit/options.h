// tripath-audit's command line: a command word, then flags.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include <tripath/audit/log.h>
#include <tripath/audit/verify.h>

namespace tripath::audit::cli {

struct Options {
	std::string command;   // verify | export | tail | keygen | bench
	std::string log;
	std::string key;
	std::string tenant;
	std::string head;
	bool no_head = false;
	std::vector<Anchor> anchors;
	uint64_t count = 0;    // -n; 0 = the command's default
	bool count_given = false;
	FsyncPolicy fsync;
	uint32_t checkpoint_every = 1000;
	uint32_t record_bytes = 400;
};

// false with `error` (one line naming the offending word) on a usage error.
bool parse_options(int argc, char **argv, Options &options, std::string &error);

void print_usage(FILE *out);

} // namespace tripath::audit::cli
