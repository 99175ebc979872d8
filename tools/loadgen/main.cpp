// tripath-load: the agent-shaped workload generator (classes rpc, retrieval, bulk) and the
// TCP sink that bulk talks to. Everything but the process plumbing is in tripath_loadgen.
#include <atomic>
#include <csignal>
#include <cstdio>
#include <cstring>
#include <string>
#include <vector>

#include <sys/socket.h>

#include <tripath/loadgen/bulk_client.h>
#include <tripath/loadgen/bulk_sink.h>
#include <tripath/loadgen/envelope.h>
#include <tripath/loadgen/latency.h>
#include <tripath/loadgen/options.h>
#include <tripath/loadgen/udp_client.h>

using namespace tripath::loadgen;

namespace {

std::atomic<bool> stop_requested{false};

extern "C" void on_stop_signal(int)
{
	stop_requested.store(true);
}

void install_stop_handlers()
{
	struct sigaction sa{};
	sa.sa_handler = on_stop_signal;
	sa.sa_flags = SA_RESETHAND;        // a second Ctrl-C ends the process at once
	sigemptyset(&sa.sa_mask);
	sigaction(SIGINT, &sa, nullptr);
	sigaction(SIGTERM, &sa, nullptr);
}

int fail(int status, const std::string &message)
{
	std::fprintf(stderr, "tripath-load: %s\n", message.c_str());
	return status;
}

int run_sink(const Options &o)
{
	std::string error;
	std::optional<Endpoint> listen_on = resolve_endpoint(o.listen, "--listen", SOCK_STREAM, true, error);
	if (!listen_on)
		return fail(2, error);
	BulkSink sink;
	if (!sink.open(*listen_on, error))
		return fail(1, error);
	install_stop_handlers();
	std::printf("tripath-load: sink ready on %s\n", sink.local_address().c_str());
	std::fflush(stdout);
	sink.run(stop_requested);
	const SinkCounters &c = sink.counters();
	std::printf("tripath-load: sink stopped: %llu connections, %llu transfers, %llu bytes\n",
		(unsigned long long)c.connections, (unsigned long long)c.transfers, (unsigned long long)c.bytes);
	return 0;
}

// Before summarize_latency, which sorts rtt_ns: the lines keep completion order. Closes f.
bool write_samples(FILE *f, const RunResult &r)
{
	bool ok = true;
	for (size_t i = 0; i < r.rtt_ns.size() && i < r.done_ns.size() && ok; i++)
		ok = std::fprintf(f, "%llu %llu\n", (unsigned long long)r.done_ns[i], (unsigned long long)r.rtt_ns[i]) > 0;
	return std::fclose(f) == 0 && ok;
}

int run_client(const Options &o)
{
	bool bulk = o.workload == WorkloadClass::bulk;
	std::string error;
	std::vector<Endpoint> targets;
	for (const std::string &t : o.targets) {
		std::optional<Endpoint> e = resolve_endpoint(t, "--target", bulk ? SOCK_STREAM : SOCK_DGRAM, false, error);
		if (!e)
			return fail(2, error);
		targets.push_back(*e);
	}
	if (!bulk && !request_payloads(o, targets, error))
		return fail(2, error);
	std::string config_sha256;
	if (!o.config_file.empty() && !sha256_file(o.config_file, config_sha256, error))
		return fail(2, error);
	// Opened before the run so a typo does not cost a whole measurement.
	FILE *json = nullptr;
	if (!o.json_path.empty() && (json = std::fopen(o.json_path.c_str(), "w")) == nullptr)
		return fail(2, "--json '" + o.json_path + "': " + std::strerror(errno));
	FILE *samples = nullptr;
	if (!o.samples_path.empty() && (samples = std::fopen(o.samples_path.c_str(), "w")) == nullptr)
		return fail(2, "--samples '" + o.samples_path + "': " + std::strerror(errno));
	HostInfo host = collect_host_info();

	install_stop_handlers();
	RunResult result;
	bool ok = bulk ? run_bulk(o, targets, stop_requested, result, error) :
			 run_udp(o, targets, stop_requested, result, error);
	if (!ok) {
		if (json != nullptr)
			std::fclose(json);
		if (samples != nullptr)
			std::fclose(samples);
		return fail(1, error);
	}
	if (samples != nullptr && !write_samples(samples, result))
		return fail(1, "--samples '" + o.samples_path + "': write failed: " + std::strerror(errno));
	LatencySummary latency = summarize_latency(result.rtt_ns);
	if (json != nullptr) {
		std::string text = envelope_json({o, result, latency, host, config_sha256});
		bool written = std::fwrite(text.data(), 1, text.size(), json) == text.size();
		if (std::fclose(json) != 0 || !written)
			return fail(1, "--json '" + o.json_path + "': write failed: " + std::strerror(errno));
	}
	std::printf("%s\n", summary_line(o, result, latency).c_str());
	return 0;
}

} // namespace

int main(int argc, char **argv)
{
	ParseResult parsed = parse_options(std::vector<std::string>(argv + 1, argv + argc));
	if (parsed.help) {
		std::fputs(usage().c_str(), stdout);
		return 0;
	}
	if (!parsed.error.empty())
		return fail(2, parsed.error);
	if (parsed.options.workload == WorkloadClass::sink)
		return run_sink(parsed.options);
	return run_client(parsed.options);
}
