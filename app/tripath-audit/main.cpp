// tripath-audit: verify, export, tail and key generation for the guardian's audit log, and a
// benchmark of append rates per fsync policy on the disk it runs on.
#include <cstdio>

#include "commands.h"
#include "options.h"

using namespace tripath::audit::cli;

int main(int argc, char **argv)
{
	Options options;
	std::string error;
	if (argc == 2 && (std::string_view(argv[1]) == "-h" || std::string_view(argv[1]) == "--help")) {
		print_usage(stdout);
		return 0;
	}
	if (!parse_options(argc, argv, options, error)) {
		std::fprintf(stderr, "tripath-audit: %s\n", error.c_str());
		print_usage(stderr);
		return 2;
	}
	if (options.command == "verify")
		return run_verify(options);
	if (options.command == "export")
		return run_export(options);
	if (options.command == "tail")
		return run_tail(options);
	if (options.command == "keygen")
		return run_keygen(options);
	return run_bench(options);
}
