#include <cstdio>
#include <cstdlib>
#include <getopt.h>
#include <string>

#include "options.h"

namespace tripath::app {

namespace {

void usage(FILE *out)
{
	std::fputs("usage: tripath [-c FILE] [-i] [--auto-start] [--stats-period N] [--cmdline-file FILE]\n"
		   "               [--socket PATH | --no-socket] [--no-doctor]\n"
		   "       tripath doctor [-c FILE]\n"
		   "       tripath --check-config FILE\n"
		   "       tripath --dump-default-config\n"
		   "  -c, --config FILE        YAML config (default: the embedded lab config, config/lab.yaml)\n"
		   "      --check-config FILE  validate FILE, print FILE:LINE:COL errors, exit 0/1; starts nothing\n"
		   "  -i, --interactive        shell on stdin; forwarding waits for 'start' unless --auto-start\n"
		   "      --auto-start         start forwarding at once (always so without -i)\n"
		   "      --stats-period N     print port and path stats every N seconds\n"
		   "      --cmdline-file FILE  run the commands in FILE once the ports are up\n"
		   "      --socket PATH        control socket for tripathctl (default /run/tripath/<file_prefix>.sock)\n"
		   "      --no-socket          no control socket\n"
		   "      --no-doctor          start without the host checks (tripath doctor) that otherwise run first\n"
		   "      --dump-default-config print the embedded config and exit\n"
		   "  doctor                   check this host for the config (hugepages, memlock, bpffs, IOMMU, vfio,\n"
		   "                           queues, CPU isolation, IRQs, RDMA), print each finding and its fix, exit 0/1\n"
		   "  -h, --help               this text\n",
		   out);
}

[[noreturn]] void bad(const std::string &what)
{
	std::fprintf(stderr, "tripath: %s\n", what.c_str());
	usage(stderr);
	std::exit(2);
}

unsigned parse_unsigned(const char *flag, const char *value)
{
	char *end = nullptr;
	unsigned long v = std::strtoul(value, &end, 10);
	if (value[0] == '\0' || value[0] == '-' || *end != '\0' || v > 86400)
		bad(std::string(flag) + ": expected seconds 0..86400, got '" + value + "'");
	return unsigned(v);
}

} // namespace

Options parse_options(int argc, char **argv)
{
	enum { opt_check = 256, opt_auto, opt_period, opt_cmdfile, opt_socket, opt_nosocket, opt_dump, opt_nodoctor };
	static const option longopts[] = {
		{"config", required_argument, nullptr, 'c'},
		{"check-config", required_argument, nullptr, opt_check},
		{"interactive", no_argument, nullptr, 'i'},
		{"auto-start", no_argument, nullptr, opt_auto},
		{"stats-period", required_argument, nullptr, opt_period},
		{"cmdline-file", required_argument, nullptr, opt_cmdfile},
		{"socket", required_argument, nullptr, opt_socket},
		{"no-socket", no_argument, nullptr, opt_nosocket},
		{"dump-default-config", no_argument, nullptr, opt_dump},
		{"no-doctor", no_argument, nullptr, opt_nodoctor},
		{"help", no_argument, nullptr, 'h'},
		{nullptr, 0, nullptr, 0},
	};
	Options o;
	opterr = 0;
	// `tripath doctor [-c FILE]`: a subcommand, so it comes first.
	if (argc > 1 && std::string(argv[1]) == "doctor") {
		o.doctor = true;
		argv[1] = argv[0];
		argc--, argv++;
	}
	int c;
	while ((c = getopt_long(argc, argv, ":c:ih", longopts, nullptr)) != -1) {
		switch (c) {
		case 'c': o.config_file = optarg; break;
		case opt_check: o.config_file = optarg; o.check_only = true; break;
		case 'i': o.interactive = true; break;
		case opt_auto: o.auto_start = true; break;
		case opt_period: o.stats_period = parse_unsigned("--stats-period", optarg); break;
		case opt_cmdfile: o.cmdline_file = optarg; break;
		case opt_socket: o.socket_path = optarg; break;
		case opt_nosocket: o.no_socket = true; break;
		case opt_dump: o.dump_config = true; break;
		case opt_nodoctor: o.no_doctor = true; break;
		case 'h': usage(stdout); std::exit(0);
		case ':': bad(std::string("option ") + argv[optind - 1] + " needs a value");
		default: bad(std::string("unknown option ") + argv[optind - 1]);
		}
	}
	if (optind < argc)
		bad(std::string("unexpected argument '") + argv[optind] + "'");
	if (!o.interactive)
		o.auto_start = true;
	return o;
}

} // namespace tripath::app
