// tripath: EAL from config, ports, worker lcores, and the control loop on the main lcore
// (path A's TAP I/O, the shell, the control socket, periodic stats, signals).
#include <csignal>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <unistd.h>

#include <rte_cycles.h>
#include <rte_eal.h>
#include <rte_ethdev.h>
#include <rte_lcore.h>
#include <rte_mbuf.h>

#include <tripath/control/socket_server.h>
#include <tripath/drivers/ports.h>

#include "control_access.h"
#include "doctor_command.h"
#include "eal_args.h"
#include "embedded_config.h"
#include "metrics_http.h"
#include "options.h"
#include "reload.h"
#include "runtime.h"
#include "serve_priority.h"
#include "shell.h"
#include "telemetry.h"

#include <tripath/pipeline/idle_backoff.h>

namespace tripath::app {
namespace {

volatile sig_atomic_t g_stop_signal = 0;   // SIGINT/SIGTERM
volatile sig_atomic_t g_print_stats = 0;   // SIGUSR1
volatile sig_atomic_t g_reload = 0;        // SIGHUP: reload the config file

void on_stop_signal(int sig) { g_stop_signal = sig; }
void on_usr1(int) { g_print_stats = 1; }
void on_hup(int) { g_reload = 1; }

void print(const std::string &s)
{
	std::fwrite(s.data(), 1, s.size(), stdout);
	std::fflush(stdout);
}

config::Config load(const Options &o)
{
	if (o.config_file.empty())
		return config::load_config_text(kEmbeddedConfig, kEmbeddedConfigName);
	return config::load_config_file(o.config_file);
}

bool preflight_ok(const config::Config &cfg)
{
	bool ok = true;
	for (const config::PortConfig &p : cfg.ports)
		for (const std::string &problem : drivers::preflight(p)) {
			std::fprintf(stderr, "%s\n", problem.c_str());
			ok = false;
		}
	return ok;
}

bool start_eal(const config::Config &cfg)
{
	EalPlan plan = plan_eal(cfg);
	std::string shown;
	for (const std::string &a : plan.args)
		shown += (shown.empty() ? "" : " ") + a;
	std::printf("tripath: %s\ntripath: EAL %s\n", plan.hugepage_note.c_str(), shown.c_str());
	std::vector<char *> argv;
	for (std::string &a : plan.args)
		argv.push_back(a.data());
	if (rte_eal_init(int(argv.size()), argv.data()) < 0) {
		std::fprintf(stderr, "tripath: EAL init failed: %s (args: %s)\n", rte_strerror(rte_errno), shown.c_str());
		return false;
	}
	return true;
}

bool start_ports(Runtime &rt, std::vector<pipeline::PortInfo> &ports)
{
	rt.pool = drivers::create_mbuf_pool(rt.cfg);
	if (rt.pool == nullptr) {
		std::fprintf(stderr, "%s: cannot create the mbuf pool (%u mbufs, eal.mbuf_pool_ops %s): %s; raise eal.memory_mb\n",
			     rt.cfg.eal.loc.str().c_str(), drivers::mbufs_needed(rt.cfg), rt.cfg.eal.mbuf_pool_ops.c_str(),
			     rte_strerror(rte_errno));
		return false;
	}
	for (const config::PortConfig &pc : rt.cfg.ports) {
		uint16_t id;
		std::string name = drivers::ethdev_name(pc);
		if (rte_eth_dev_get_port_by_name(name.c_str(), &id) != 0) {
			std::fprintf(stderr, "%s: port %s: EAL did not create ethdev '%s' (see the PMD's messages above)\n",
				     pc.loc.str().c_str(), pc.name.c_str(), name.c_str());
			return false;
		}
		std::string error;
		if (!drivers::setup_port(id, pc, rt.pool, error)) {
			std::fprintf(stderr, "%s: %s\n", pc.loc.str().c_str(), error.c_str());
			return false;
		}
		ports.push_back({pc.name, id, pc.driver, pc.queues});
	}
	return true;
}

// The same as `load FILE`, once the ports are up; failures name FILE:LINE on stderr.
void run_cmdline_file(Runtime &rt, const std::string &path)
{
	control::CommandResult r = run_command_file(rt, path);
	if (r.status == control::Status::quit)
		rt.quit = true;
	if (r.status == control::Status::error)
		std::fputs(r.output.c_str(), stderr);
	else
		print(r.output);
}

std::string default_socket_path(const config::Config &cfg) { return "/run/tripath/" + cfg.eal.file_prefix + ".sock"; }

// The control lcore's loop: TAP I/O every round; shell, socket and timers about every ms (the
// socket every round while it holds unserved lines).
void control_loop(Runtime &rt, const Options &o, Shell *shell, control::SocketServer &sock)
{
	const config::LcoreConfig *self = nullptr;
	for (const config::LcoreConfig &lc : rt.cfg.lcores)
		if (lc.role == config::LcoreRole::control)
			self = &lc;
	pipeline::IdleBackoff backoff(self ? self->idle : config::IdleBackoff{});
	pipeline::LcoreCounters &c = const_cast<pipeline::LcoreCounters &>(rt.dp->lcore_counters(rte_lcore_id()));
	const uint64_t hz = rte_get_tsc_hz();
	ServePriority control_priority;
	// A round serves clients for at most ~100 us (one command may overrun it), then forwarding's
	// TAP I/O and timers run before the next: a flood is handled in short slices, not a burst.
	constexpr uint64_t kServeBudgetNs = 100'000;
	constexpr unsigned kServeMaxCommands = 256;
	uint64_t next_housekeeping = 0, next_stats = rte_rdtsc() + o.stats_period * hz, next_link_watch = 0;
	using pipeline::Stage;
	auto stage = [&c](Stage s, uint64_t since, unsigned work) { return pipeline::stage_call(c.stages[unsigned(s)], since, rte_rdtsc(), work); };
	while (!rt.quit && g_stop_signal == 0) {
		uint64_t now = rte_rdtsc();
		unsigned moved = rt.dp->running() ? rt.dp->poll_exception() : 0;
		uint64_t t = rte_rdtsc();
		if (rt.capture) {
			unsigned written = poll_capture(rt);
			moved += written;
			t = stage(Stage::capture_write, t, written);
		}
		// Path C keeps its peers connected while forwarding is stopped, so traffic finds them up.
		if (rt.dp->bulk_on_control())
			moved += rt.dp->poll_bulk();
		pipeline::bump(c.loops);
		t = rte_rdtsc();
		guardian_poll(rt);
		t = stage(Stage::guardian, t, 0);
		const bool housekeeping_due = now >= next_housekeeping;
		// Clients about every ms, and every round while read lines wait that a round's budget left.
		if (housekeeping_due || sock.has_pending()) {
			unsigned commands;
			const uint64_t round_from = rte_rdtsc();
			{
				ServePriority::Window serving(control_priority); // clients take only idle CPU
				control::ServeRound round;
				round.max_commands = kServeMaxCommands;
				round.budget_ns = kServeBudgetNs;
				round.accept = housekeeping_due; // newcomers wait at most a ms, as before
				round.before_commands = [&serving] { serving.lower(); };
				round.before_answers = [&rt] { return guardian_before_answers(rt); };
				guardian_begin_round(rt);
				commands = sock.poll(rt.registry, round);
				guardian_end_round(rt);
				if (housekeeping_due && rt.metrics_http) {
					serving.lower();
					commands += rt.metrics_http->poll([&rt] { return format_metrics(rt); }, now / (hz / 1000));
				}
			}
			if (commands)
				control_priority.round_took((rte_rdtsc() - round_from) / (hz / 1'000'000) * 1000); // no overflow in a long starvation
			moved += commands;
			t = stage(Stage::shell, t, commands);
		}
		if (housekeeping_due) {
			next_housekeeping = now + hz / 1000;
			if (shell != nullptr && !shell->poll())
				rt.quit = true;
			uint64_t housekeeping_from = t;
			rt.dp->reclaim_retired();
			log_bulk_events(rt);
			uint64_t housekeeping_cycles = (t = rte_rdtsc()) - housekeeping_from;
			guardian_housekeeping(rt);
			t = stage(Stage::guardian, t, 0);
			telemetry_tick(rt);
			if (g_print_stats) {
				g_print_stats = 0;
				print(format_totals(rt));
			}
			if (g_reload) {
				g_reload = 0;
				control::CommandResult r = reload_config(rt, "");
				std::fprintf(r.status == control::Status::ok ? stdout : stderr, "tripath: SIGHUP: %s", r.output.c_str());
			}
			if (now >= next_link_watch) {
				next_link_watch = now + hz;
				watch_tap_links(rt);
			}
			if (o.stats_period && now >= next_stats) {
				next_stats = now + o.stats_period * hz;
				print(format_totals(rt));
			}
			stage(Stage::housekeeping, t - housekeeping_cycles, 0); // one call: before and after the guardian's
		}
		if (moved) {
			pipeline::bump(c.busy_loops);
			pipeline::bump(c.busy_cycles, rte_rdtsc() - now);
			backoff.reset();
		} else if (backoff.idle()) {
			pipeline::bump(c.idle_sleeps);
		}
	}
}

void shutdown(Runtime &rt)
{
	stop_telemetry(); // its thread must not read the dataplane we tear down
	if (rt.dp->running())
		print(stop_forwarding(rt).output);
	else
		print("\nTotals:\n" + format_totals(rt));
	for (const pipeline::PortInfo &p : rt.dp->ports()) {
		rte_eth_dev_stop(p.port_id);
		rte_eth_dev_close(p.port_id);
	}
	rt.capture.reset(); // closes its file; it reads the dataplane
	rt.dp.reset();
	print("Bye...\n");
}

int run(int argc, char **argv)
{
	Options o = parse_options(argc, argv);
	setvbuf(stdout, nullptr, _IOLBF, 0); // keep our lines in order with EAL's stderr when piped
	if (o.dump_config) {
		print(kEmbeddedConfig);
		return 0;
	}
	Runtime rt;
	try {
		rt.cfg = load(o);
	} catch (const config::ConfigError &e) {
		std::fprintf(stderr, "%s\n", e.what());
		return 1;
	}
	for (const std::string &w : rt.cfg.warnings)
		std::fprintf(stderr, "%s\n", w.c_str());
	if (o.check_only) {
		std::printf("%s: ok: %zu ports, %zu lcores, %zu rules, %zu tenants\n", rt.cfg.source.c_str(), rt.cfg.ports.size(),
			    rt.cfg.lcores.size(), rt.cfg.rules.size(), rt.cfg.tenants.size());
		return 0;
	}
	if (o.doctor)
		return run_doctor(rt.cfg);
	// The doctor's fatal findings (hugepages, vfio, RDMA...) stop us before EAL, with their fix.
	if ((!o.no_doctor && !doctor_allows_start(rt.cfg)) || !preflight_ok(rt.cfg))
		return 1;
	control::SocketAccess access; // its groups are looked up before EAL, so a bad name costs nothing
	std::string access_error;
	if (!o.no_socket && !control_access(rt.cfg.control, access, access_error)) {
		std::fprintf(stderr, "tripath: %s\n", access_error.c_str());
		return 1;
	}
	if (!start_eal(rt.cfg))
		return 1;
	std::vector<pipeline::PortInfo> ports;
	if (!start_ports(rt, ports)) {
		rte_eal_cleanup();
		return 1;
	}
	try {
		rt.dp = std::make_unique<pipeline::Dataplane>(rt.cfg, ports);
	} catch (const std::exception &e) {
		std::fprintf(stderr, "tripath: %s\n", e.what());
		rte_eal_cleanup();
		return 1;
	}
	if (!rt.cfg.paths.bulk.peers.empty()) {
		std::string error;
		std::unique_ptr<pipeline::BulkConnector> connector = pipeline::make_verbs_connector(rt.cfg.paths.bulk, error);
		if (!connector) {
			std::fprintf(stderr, "tripath: %s\n", error.c_str());
			rt.dp.reset();
			rte_eal_cleanup();
			return 1;
		}
		rt.dp->enable_bulk(rt.pool, std::move(connector));
	}
	rt.rate_marks.resize(ports.size());
	std::string split_error;
	if (!attach_split_ports(rt, split_error)) {
		std::fprintf(stderr, "tripath: %s\n", split_error.c_str());
		rt.dp.reset();
		rte_eal_cleanup();
		return 1;
	}
	std::string guardian_error;
	if (!start_guardian(rt, guardian_error)) {
		std::fprintf(stderr, "tripath: guardian: %s\n", guardian_error.c_str());
		rt.dp.reset();
		rte_eal_cleanup();
		return 1;
	}
	register_commands(rt);
	register_access_commands(rt.registry);

	control::SocketServer sock;
	if (!o.no_socket) {
		std::string path = !o.socket_path.empty() ? o.socket_path
				   : !rt.cfg.control.socket.empty() ? rt.cfg.control.socket : default_socket_path(rt.cfg);
		std::error_code ec;
		std::filesystem::create_directories(std::filesystem::path(path).parent_path(), ec);
		std::string error;
		if (!sock.open(path, error, access)) {
			std::fprintf(stderr, "tripath: %s\n", error.c_str());
			rt.dp.reset();
			rte_eal_cleanup();
			return 1;
		}
		std::printf("tripath: control socket %s mode %04o%s%s (tripathctl -s %s)\n", path.c_str(), unsigned(access.mode),
			    rt.cfg.control.group.empty() ? "" : " group ", rt.cfg.control.group.c_str(), path.c_str());
	}
	if (rt.cfg.control.metrics_port != 0) {
		rt.metrics_http = std::make_shared<MetricsHttp>();
		std::string error;
		if (!rt.metrics_http->open(rt.cfg.control.metrics_address, rt.cfg.control.metrics_port, error)) {
			std::fprintf(stderr, "tripath: control.%s\n", error.c_str());
			rt.dp.reset();
			rte_eal_cleanup();
			return 1;
		}
		std::printf("tripath: OpenMetrics on http://%s:%u/metrics\n", rt.cfg.control.metrics_address.c_str(),
			    unsigned(rt.cfg.control.metrics_port));
	}
	std::signal(SIGINT, on_stop_signal);
	std::signal(SIGTERM, on_stop_signal);
	std::signal(SIGUSR1, on_usr1);
	std::signal(SIGHUP, on_hup);

	if (o.auto_start) {
		control::CommandResult r = start_forwarding(rt);
		print(r.output);
		if (r.status == control::Status::error) {
			rt.dp.reset();
			rte_eal_cleanup();
			return 1;
		}
	}
	start_telemetry(rt); // after the last early exit that frees the dataplane without shutdown()
	if (!o.cmdline_file.empty())
		run_cmdline_file(rt, o.cmdline_file);
	std::unique_ptr<Shell> shell;
	if (o.interactive) {
		print("Interactive mode: type 'help'. " + std::string(rt.dp->running() ? "Forwarding is running.\n" : "Type 'start' to forward.\n"));
		shell = std::make_unique<Shell>(rt.registry);
	}
	control_loop(rt, o, shell.get(), sock);
	shell.reset();
	shutdown(rt);
	stop_guardian(rt);
	rte_eal_cleanup();
	return 0;
}

} // namespace
} // namespace tripath::app

int main(int argc, char **argv) { return tripath::app::run(argc, argv); }
