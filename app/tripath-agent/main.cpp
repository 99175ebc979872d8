// tripath-agent: the example agent service of path B. Answers tripath's RPCs (lib/agent) on
// UDP sockets or on its own AF_XDP socket until SIGINT/SIGTERM, then reports its counters.
#include <atomic>
#include <csignal>
#include <cstdarg>
#include <cstdio>
#include <fstream>
#include <type_traits>

#include <bpf/libbpf.h>
#include <xdp/libxdp.h>

#include <tripath/agent/udp_service.h>
#include <tripath/agent/xsk_service.h>

#include "options.h"
#include "stats_output.h"

using namespace tripath;
using namespace tripath::agent_app;

namespace {

std::atomic<bool> stop_requested{false};
bool quiet = false;

void on_signal(int)
{
	stop_requested.store(true);
}

void install_signal_handlers()
{
	struct sigaction sa{};
	sa.sa_handler = on_signal;
	sigemptyset(&sa.sa_mask);
	sa.sa_flags = 0; // no SA_RESTART: poll() returns at once
	sigaction(SIGINT, &sa, nullptr);
	sigaction(SIGTERM, &sa, nullptr);
}

// libxdp and libbpf explain their fallbacks (no bpffs, no dispatcher) at length: keep warnings only.
int library_print_xdp(libxdp_print_level level, const char *format, va_list args)
{
	if (quiet || level != LIBXDP_WARN)
		return 0;
	return std::vfprintf(stderr, format, args);
}

int library_print_bpf(libbpf_print_level level, const char *format, va_list args)
{
	if (quiet || level != LIBBPF_WARN)
		return 0;
	return std::vfprintf(stderr, format, args);
}

void print_warnings(const std::vector<std::string> &warnings)
{
	if (quiet)
		return;
	for (const std::string &w : warnings)
		std::fprintf(stderr, "tripath-agent: warning: %s\n", w.c_str());
}

void announce_ready(const RunInfo &run)
{
	std::printf("tripath-agent: ready (%s on %s ports %u-%u)\n", run.mode.c_str(), run.where.c_str(), run.port_lo,
		    run.port_hi);
	std::fflush(stdout);
}

std::string joined(const std::vector<std::string> &items)
{
	std::string out;
	for (const std::string &item : items)
		out += (out.empty() ? "" : ",") + item;
	return out;
}

// Opens the service, announces it, serves until a signal; returns the exit status.
template <typename Service, typename Config>
int serve(Service &service, const Config &config, RunInfo &run, agent::AgentStats &stats)
{
	std::string error;
	if (!service.open(config, error)) {
		print_warnings(service.warnings());
		std::fprintf(stderr, "tripath-agent: %s\n", error.c_str());
		return 1;
	}
	print_warnings(service.warnings());
	if constexpr (std::is_same_v<Service, agent::XskService>) {
		run.attach_mode = service.attach_mode();
		if (!quiet)
			std::fprintf(stderr, "tripath-agent: XDP program attached in %s mode\n", run.attach_mode.c_str());
	}
	announce_ready(run);
	service.run(stop_requested);
	service.close();
	stats = service.stats();
	return 0;
}

} // namespace

int main(int argc, char **argv)
{
	std::string error;
	std::vector<std::string> notes;
	std::optional<Options> options = parse_options(argc, argv, error, notes);
	if (!options) {
		std::fprintf(stderr, "tripath-agent: %s\n%s", error.c_str(), usage());
		return 2;
	}
	if (options->help) {
		std::fputs(usage(), stdout);
		return 0;
	}
	quiet = options->quiet;
	print_warnings(notes);
	libxdp_set_print(library_print_xdp);
	libbpf_set_print(library_print_bpf);
	install_signal_handlers();

	RunInfo run;
	run.port_lo = options->port_lo;
	run.port_hi = options->port_hi;
	agent::AgentStats stats;
	int status;
	if (options->mode == Mode::udp) {
		agent::UdpServiceConfig config;
		config.addresses = options->addresses;
		config.device = options->iface;
		config.port_lo = options->port_lo;
		config.port_hi = options->port_hi;
		config.busy_poll = options->busy_poll;
		config.spin = options->spin;
		run.mode = "udp";
		run.where = joined(config.addresses.empty() ? std::vector<std::string>{"0.0.0.0", "::"} : config.addresses);
		if (!config.device.empty())
			run.where = config.device + "/" + run.where;
		agent::UdpService service;
		status = serve(service, config, run, stats);
	} else {
		agent::XskServiceConfig config;
		config.iface = options->iface;
		config.queue = options->queue;
		config.port_lo = options->port_lo;
		config.port_hi = options->port_hi;
		config.busy_poll = options->busy_poll;
		config.spin = options->spin;
		run.mode = "xsk";
		run.where = config.iface;
		agent::XskService service;
		status = serve(service, config, run, stats);
	}
	if (status != 0)
		return status;

	if (!quiet)
		std::fputs(stats_text(run, stats).c_str(), stdout);
	if (!options->stats_json.empty()) {
		std::ofstream out(options->stats_json);
		out << stats_json(run, stats);
		if (!out) {
			std::fprintf(stderr, "tripath-agent: cannot write %s\n", options->stats_json.c_str());
			return 1;
		}
	}
	return 0;
}
