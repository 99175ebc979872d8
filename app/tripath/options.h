// Command-line flags. Where testpmd has the same flag, it means the same thing here.
#pragma once

#include <string>

namespace tripath::app {

struct Options {
	std::string config_file;      // -c/--config; empty: the embedded config/lab.yaml
	bool check_only = false;      // --check-config FILE: validate and exit
	bool interactive = false;     // -i: the shell on stdin
	bool auto_start = false;      // --auto-start: with -i, forward without waiting for 'start'
	unsigned stats_period = 0;    // --stats-period N: print stats every N seconds
	std::string cmdline_file;     // --cmdline-file FILE: run these commands after start-up
	std::string socket_path;      // --socket PATH; default /run/tripath/<file_prefix>.sock
	bool no_socket = false;       // --no-socket
	bool dump_config = false;     // --dump-default-config: print the embedded config
	bool doctor = false;          // `tripath doctor`: check the host for the config and exit
	bool no_doctor = false;       // --no-doctor: start without the doctor's checks (labs)
};

// Parses argv; on a bad flag prints what is wrong and the usage, and exits 2.
Options parse_options(int argc, char **argv);

} // namespace tripath::app
