// Everything the control lcore holds while tripath runs; the shell's commands act on it.
#pragma once

#include <memory>
#include <optional>
#include <string>
#include <vector>

#include <rte_mempool.h>

#include <tripath/classify/xdp_rules.h>
#include <tripath/config/config.h>
#include <tripath/control/registry.h>
#include <tripath/pipeline/capture.h>
#include <tripath/pipeline/dataplane.h>

namespace tripath::app {

// Port counters at the last 'show port stats', for testpmd's "since last show" rates.
struct PortRateMark {
	uint64_t tsc = 0;
	uint64_t ipackets = 0, opackets = 0, ibytes = 0, obytes = 0;
};

class GuardianRuntime; // guardian_runtime.h
class MetricsHttp;     // metrics_http.h

struct Runtime {
	config::Config cfg;
	rte_mempool *pool = nullptr;
	std::unique_ptr<pipeline::Dataplane> dp;
	control::CommandRegistry registry;
	std::vector<PortRateMark> rate_marks;    // by index into dp->ports()
	struct SplitPort {
		std::string port;                // config port name
		std::string iface;
		std::unique_ptr<classify::xdp::XdpRules> rules;
	};
	std::vector<SplitPort> split_ports;      // af_xdp ports in split mode: their XDP rule maps
	uint64_t forwarding_since_tsc = 0;       // 0 while stopped
	std::vector<std::string> bulk_events;    // the last path C events, newest last (control lcore)
	bool quit = false;                       // set by 'quit' and SIGINT/SIGTERM
	unsigned verbose = 1;                    // set verbose N: 0 quiet, 1 events, 2 also every control command
	unsigned load_depth = 0;                 // nested `load` commands now running (bounded)
	std::shared_ptr<GuardianRuntime> guardian; // control lcore only; null until start_guardian
	std::vector<std::optional<uint32_t>> client_gids; // intent.clients[i].group's gid (start_guardian)
	std::unique_ptr<pipeline::Capture> capture; // control lcore only; made by the first capture start
	std::shared_ptr<MetricsHttp> metrics_http;  // control.metrics_http's listener, when configured
};

// New lists to publish: set = publish a new table for them. stage_tables checks and compiles
// them and stages the split ports' XDP maps (false with `error`: nothing changed);
// publish_tables swaps them in and returns the RCU token every worker passes once it runs them.
struct StagedTables {
	std::optional<std::vector<config::RuleConfig>> rules;
	std::optional<std::vector<config::TenantConfig>> tenants;
	std::unique_ptr<classify::RuleTable> rule_table;
	std::unique_ptr<quota::QuotaTable> quota_table;
	std::vector<std::string> warnings;
};
bool stage_tables(Runtime &rt, StagedTables &staged, const std::string &source, std::string &error);
uint64_t publish_tables(Runtime &rt, StagedTables &staged);

// The guardian on the control lcore (guardian_runtime.cpp). start_guardian opens the audit log
// and attaches the workers' flow sketches (before start()); guardian_poll runs every control
// round (cheap: applied-token checks), guardian_housekeeping about every ms.
bool start_guardian(Runtime &rt, std::string &error);
void guardian_poll(Runtime &rt);
void guardian_housekeeping(Runtime &rt);
void stop_guardian(Runtime &rt);
void register_guardian_commands(Runtime &rt);
// The operator's rule/tenant commands: audited (APPLIED) before publishing, then adopted as the
// guardian's current lists. False with `error` when the audit log refused the record.
bool audit_operator_change(Runtime &rt, const std::string &command, const StagedTables &staged, std::string &error);
void adopt_operator_change(Runtime &rt);

// Formatting shared by the shell, the control socket, SIGUSR1 and the totals at exit.
std::string format_port_stats(Runtime &rt, size_t port_index);
std::string format_port_info(const pipeline::PortInfo &p);
// A port named by its config name or its ethdev id (index set when found), and the error that
// lists the ports when none is.
const pipeline::PortInfo *find_port(const Runtime &rt, const std::string &word, size_t &index);
control::CommandResult no_such_port(const Runtime &rt, const std::string &word);
std::string format_path_stats(const pipeline::LcoreCounters &c);
std::string format_lcores(const Runtime &rt);
std::string format_totals(Runtime &rt);

void register_commands(Runtime &rt);
void register_json_views(Runtime &rt);       // --json of the show commands (after they are declared)
void register_testpmd_commands(Runtime &rt); // show port info|xstats, show fwd stats, set verbose, load
void register_completion_names(Runtime &rt); // what tab completion offers for <port>, <rule>...
// Run FILE's commands as if typed (load, --cmdline-file); failures name FILE:LINE.
control::CommandResult run_command_file(Runtime &rt, const std::string &path);
void register_rule_commands(Runtime &rt);
void register_fast_commands(Runtime &rt);
std::string format_endpoints(const Runtime &rt);
void register_bulk_commands(Runtime &rt);   // show bulk, bulk inject
void register_capture_commands(Runtime &rt); // capture start|stop, show capture
void register_runtime_commands(Runtime &rt); // show runtime, clear runtime, show errors, trace add|clear, show trace
unsigned poll_capture(Runtime &rt);          // control loop: the workers' copies into the file
std::string format_bulk(const Runtime &rt);
// Path C's events (peer up, down, errors): printed, and kept for `show bulk` and the guardian.
void log_bulk_events(Runtime &rt);

// Split mode: find each split port's XDP classifier and load the rules; false with `error`.
bool attach_split_ports(Runtime &rt, std::string &error); // show rules, rule add|replace|del

// Start/stop forwarding; both print what testpmd prints (stop: the totals).
control::CommandResult start_forwarding(Runtime &rt);
control::CommandResult stop_forwarding(Runtime &rt);

} // namespace tripath::app
