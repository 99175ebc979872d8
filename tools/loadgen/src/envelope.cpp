#include <cmath>
#include <cstdio>
#include <ctime>

#include <tripath/loadgen/envelope.h>
#include <tripath/loadgen/json_writer.h>

namespace tripath::loadgen {

namespace {

std::string iso8601_utc(std::chrono::system_clock::time_point t)
{
	auto ms = std::chrono::duration_cast<std::chrono::milliseconds>(t.time_since_epoch()).count();
	time_t secs = time_t(ms / 1000);
	tm utc;
	gmtime_r(&secs, &utc);
	char buf[40];
	size_t n = std::strftime(buf, sizeof(buf), "%Y-%m-%dT%H:%M:%S", &utc);
	std::snprintf(buf + n, sizeof(buf) - n, ".%03dZ", int(ms % 1000));
	return buf;
}

std::string command_line(const std::vector<std::string> &args)
{
	std::string out = "tripath-load";
	for (const std::string &a : args) {
		bool plain = !a.empty() && a.find_first_not_of("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ"
							       "0123456789-_.,:/=@[]+%") == std::string::npos;
		out += ' ';
		if (plain) {
			out += a;
			continue;
		}
		out += '\'';
		for (char c : a)
			out += c == '\'' ? std::string("'\\''") : std::string(1, c);
		out += '\'';
	}
	return out;
}

double per_second(uint64_t n, double seconds)
{
	return seconds > 0 ? double(n) / seconds : 0;
}

// Fixed decimals in the file: nobody needs 17 digits of a rate measured on a noisy box.
double rounded(double v, int decimals)
{
	double scale = std::pow(10.0, decimals);
	return std::round(v * scale) / scale;
}

// Microseconds to the nanosecond the samples were taken in.
double us(double v)
{
	return rounded(v, 3);
}

void optional_text(JsonWriter &w, const std::string &s)
{
	if (s.empty())
		w.null();
	else
		w.value(s);
}

void write_parameters(JsonWriter &w, const Options &o)
{
	bool udp = o.workload == WorkloadClass::rpc || o.workload == WorkloadClass::retrieval;
	w.begin_object();
	w.key("class");
	w.value(class_name(o.workload));
	w.key("target");
	w.begin_array();
	for (const std::string &t : o.targets)
		w.value(t);
	w.end_array();
	if (udp) {
		w.key("size");                 // null: the smallest frame per target, see metrics.targets
		if (o.frame_bytes != 0)
			w.value(o.frame_bytes);
		else
			w.null();
		w.key("fanout");
		w.value(o.fanout);
		w.key("rate");                 // null: unpaced, each round starts when the last ends
		if (o.rate != 0)
			w.value(o.rate);
		else
			w.null();
	}
	if (o.workload == WorkloadClass::retrieval) {
		w.key("response");
		w.begin_object();
		w.key("min");
		w.value(o.response_min);
		w.key("max");
		w.value(o.response_max);
		w.end_object();
		w.key("seed");
		w.value(o.seed);
	}
	if (o.workload == WorkloadClass::bulk) {
		w.key("transfer");
		w.value(o.transfer_bytes);
		w.key("parallel");
		w.value(o.parallel);
	}
	w.key("duration");                 // null: until --count requests are done
	if (o.duration_s > 0)
		w.value(o.duration_s);
	else
		w.null();
	w.key("warmup");
	w.value(o.warmup_s);
	w.key("count");
	if (o.count != 0)
		w.value(o.count);
	else
		w.null();
	w.key("timeout_ms");
	w.value(o.timeout_ms);
	w.key("spin");
	w.value(o.spin);
	w.key("json");
	optional_text(w, o.json_path);
	w.key("label");
	optional_text(w, o.label);
	w.key("config_file");
	optional_text(w, o.config_file);
	w.end_object();
}

void write_rtt(JsonWriter &w, const LatencySummary &l)
{
	w.begin_object();
	std::pair<const char *, double> fields[] = {{"min", l.min_us}, {"mean", l.mean_us}, {"p50", l.p50_us},
		{"p90", l.p90_us}, {"p99", l.p99_us}, {"p99_9", l.p99_9_us}, {"max", l.max_us}};
	for (auto [name, v] : fields) {
		w.key(name);
		if (l.samples == 0)
			w.null();
		else
			w.value(us(v));
	}
	w.end_object();
}

void write_metrics(JsonWriter &w, const Options &o, const RunResult &r, const LatencySummary &l)
{
	bool udp = o.workload != WorkloadClass::bulk;
	double t = r.elapsed_s;
	w.begin_object();
	w.key("rtt_us");
	write_rtt(w, l);
	w.key("rtt_samples");
	w.value(l.samples);
	w.key("rtt_method");
	w.value("exact: every sample kept, nearest-rank percentiles, CLOCK_MONOTONIC send to (last) answer");
	std::pair<const char *, uint64_t> counts[] = {{"requests", r.requests}, {"requests_completed", r.completed},
		{"timeouts", r.timeouts}, {"abandoned", r.abandoned}, {"failed", r.failed}, {"late", r.late}, {"rounds_behind", r.rounds_behind},
		{"duplicates", r.duplicates}, {"invalid", r.invalid}, {"refused", r.refused},
		{"receive_errors", r.receive_errors}, {"reconnects", r.reconnects}};
	for (auto [name, v] : counts) {
		w.key(name);
		w.value(v);
	}
	w.key("requests_per_s");
	w.value(rounded(per_second(r.completed, t), 3));
	w.key("bytes_counted");
	w.value(udp ? "UDP payload" : "TCP payload (length prefix included)");
	w.key("tx_bytes");
	w.value(r.tx_bytes);
	w.key("rx_bytes");
	w.value(r.rx_bytes);
	w.key("tx_bytes_per_s");
	w.value(rounded(per_second(r.tx_bytes, t), 1));
	w.key("rx_bytes_per_s");
	w.value(rounded(per_second(r.rx_bytes, t), 1));
	if (udp) {
		w.key("tx_datagrams");
		w.value(r.tx_datagrams);
		w.key("rx_datagrams");
		w.value(r.rx_datagrams);
	} else {
		w.key("goodput_bytes");
		w.value(r.goodput_bytes);
		w.key("goodput_bytes_per_s");
		w.value(rounded(per_second(r.goodput_bytes, t), 1));
	}
	w.key("cpu");
	w.begin_object();
	w.key("user_s");
	w.value(rounded(r.cpu_user_s, 6));   // getrusage counts microseconds
	w.key("sys_s");
	w.value(rounded(r.cpu_sys_s, 6));
	w.key("per_request_us");
	if (r.completed > 0)
		w.value(rounded((r.cpu_user_s + r.cpu_sys_s) * 1e6 / double(r.completed), 3));
	else
		w.null();
	w.key("scope");
	w.value("generator thread, getrusage(RUSAGE_THREAD)");
	w.end_object();
	w.key("interrupted");
	w.value(r.interrupted);
	w.key("targets");
	w.begin_array();
	for (const TargetCounters &tc : r.targets) {
		w.begin_object();
		w.key("target");
		w.value(tc.target);
		if (udp) {
			w.key("frame_bytes");
			w.value(tc.frame_bytes);
			w.key("payload_bytes");
			w.value(tc.payload_bytes);
		}
		w.key("requests");
		w.value(tc.requests);
		w.key("completed");
		w.value(tc.completed);
		w.key("timeouts");
		w.value(tc.timeouts);
		w.end_object();
	}
	w.end_array();
	w.end_object();
}

} // namespace

std::string envelope_json(const Envelope &e)
{
	const Options &o = e.options;
	std::string out;
	JsonWriter w(out);
	w.begin_object();
	w.key("schema");
	w.value(kEnvelopeSchema);
	w.key("host");
	w.value(e.host.hostname);
	w.key("kernel");
	w.value(e.host.kernel);
	w.key("cpu");
	w.begin_object();
	w.key("model");
	w.value(e.host.cpu_model);
	w.key("count");
	w.value(e.host.cpu_count);
	w.end_object();
	w.key("dpdk_version");
	w.value(e.host.dpdk_version);
	w.key("git_revision");
	w.value(e.host.git_revision);
	w.key("git_dirty");
	if (e.host.git_dirty)
		w.value(*e.host.git_dirty);
	else
		w.null();
	w.key("command");
	w.value(command_line(o.command));
	w.key("config");
	w.begin_object();
	w.key("label");
	optional_text(w, o.label);
	w.key("file");
	if (o.config_file.empty()) {
		w.null();
	} else {
		w.begin_object();
		w.key("path");
		w.value(o.config_file);
		w.key("sha256");
		w.value(e.config_sha256);
		w.end_object();
	}
	w.end_object();
	w.key("parameters");
	write_parameters(w, o);
	w.key("metrics");
	write_metrics(w, o, e.result, e.latency);
	w.key("started_at");
	w.value(iso8601_utc(e.result.started_at));
	w.key("duration_s");
	w.value(rounded(e.result.elapsed_s, 6));
	w.end_object();
	return out;
}

std::string summary_line(const Options &o, const RunResult &r, const LatencySummary &l)
{
	char buf[512];
	std::string line = "tripath-load " + std::string(class_name(o.workload));
	if (!o.label.empty())
		line += " [" + o.label + "]";
	std::snprintf(buf, sizeof(buf), ": %llu completed, %llu timeouts in %.2f s (%.1f/s)",
		(unsigned long long)r.completed, (unsigned long long)r.timeouts, r.elapsed_s,
		per_second(r.completed, r.elapsed_s));
	line += buf;
	if (l.samples > 0) {
		std::snprintf(buf, sizeof(buf),
			"; rtt us p50 %.1f p90 %.1f p99 %.1f p99.9 %.1f max %.1f (min %.1f mean %.1f)", l.p50_us,
			l.p90_us, l.p99_us, l.p99_9_us, l.max_us, l.min_us, l.mean_us);
		line += buf;
	}
	std::snprintf(buf, sizeof(buf), "; tx %.2f MB/s rx %.2f MB/s", per_second(r.tx_bytes, r.elapsed_s) / 1e6,
		per_second(r.rx_bytes, r.elapsed_s) / 1e6);
	line += buf;
	if (o.workload == WorkloadClass::bulk) {
		std::snprintf(buf, sizeof(buf), "; goodput %.3f Gbit/s", per_second(r.goodput_bytes, r.elapsed_s) * 8 / 1e9);
		line += buf;
	}
	if (r.completed > 0) {
		std::snprintf(buf, sizeof(buf), "; cpu %.2f us/request",
			(r.cpu_user_s + r.cpu_sys_s) * 1e6 / double(r.completed));
		line += buf;
	}
	if (r.refused > 0)
		line += "; " + std::to_string(r.refused) + " refused (nobody listening?)";
	if (r.failed > 0)
		line += "; " + std::to_string(r.failed) + " failed";
	if (r.interrupted)
		line += " [interrupted]";
	return line;
}

} // namespace tripath::loadgen
