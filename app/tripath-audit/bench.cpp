// tripath-audit bench: what one append costs on this disk under a given fsync policy.
#include <algorithm>
#include <chrono>
#include <cstdio>
#include <sys/stat.h>
#include <unistd.h>

#include <tripath/audit/log.h>

#include "commands.h"

namespace tripath::audit::cli {

namespace {

// Shaped like a guardian decision: a JSON proposal, a few observed numbers, a one-line diff.
Record sample_record(uint64_t i, uint32_t bytes)
{
	Record r;
	r.proposer = i % 3 == 0 ? "policy" : "client:agent-" + std::to_string(i % 7);
	r.tenants = {"tenant" + std::to_string(i % 4)};
	r.proposal = "{\"kind\":\"promote\",\"flow\":\"10.0.0." + std::to_string(i % 250) + ":7000\",\"to\":\"B\"}";
	r.observe("path_a_pps", i * 17 % 100000);
	r.observe("tenant/" + r.tenants[0] + "/fast_p99_us", 400.0 + double(i % 100) / 4);
	r.decision = "APPROVE";
	r.reason = "ok";
	r.diff = "rule " + std::to_string(i % 512) + ": path A -> B";
	// seq, time and prev are filled in by append; the HMAC field adds 75 bytes.
	size_t line = canonical_bytes(r).size() + 20 + 19 + 64 + 75;
	if (line < bytes)
		r.diff += "\n" + std::string(bytes - line - 2, 'x');
	return r;
}

} // namespace

int run_bench(const Options &o)
{
	struct stat st;
	if (stat(o.log.c_str(), &st) == 0) {
		std::fprintf(stderr, "tripath-audit: %s: exists; bench writes a new log and removes it afterwards\n",
			     o.log.c_str());
		return 1;
	}
	LogOptions options;
	options.fsync = o.fsync;
	options.checkpoint_every = o.checkpoint_every;
	options.checkpoint_interval_ms = 0;
	options.create_key = true;
	std::string error;
	auto log = AuditLog::open(o.log, o.key, options, error);
	if (!log) {
		std::fprintf(stderr, "tripath-audit: %s\n", error.c_str());
		return 1;
	}
	uint64_t n = o.count_given ? o.count : 10000;
	std::vector<double> latency_us;
	latency_us.reserve(n);
	using clock = std::chrono::steady_clock;
	auto start = clock::now();
	for (uint64_t i = 0; i < n; i++) {
		Record r = sample_record(i, o.record_bytes);
		auto t0 = clock::now();
		if (!log->append(std::move(r), error)) {
			std::fprintf(stderr, "tripath-audit: %s\n", error.c_str());
			return 1;
		}
		latency_us.push_back(std::chrono::duration<double, std::micro>(clock::now() - t0).count());
	}
	double seconds = std::chrono::duration<double>(clock::now() - start).count();
	LogStats stats = log->stats();
	uint64_t bytes = stats.bytes;
	if (!log->close(error)) {
		std::fprintf(stderr, "tripath-audit: %s\n", error.c_str());
		return 1;
	}
	std::sort(latency_us.begin(), latency_us.end());
	auto pct = [&](double p) { return latency_us[std::min(latency_us.size() - 1, size_t(p * double(latency_us.size())))]; };
	std::printf("fsync %-12s %7lu appends in %7.3f s: %9.0f appends/s, latency us p50 %.1f p99 %.1f max %.1f, "
		    "%lu log fsyncs, %lu head updates, %lu checkpoints, %.0f bytes/record\n",
		    o.fsync.to_string().c_str(), (unsigned long)n, seconds, double(n) / seconds, pct(0.5), pct(0.99),
		    latency_us.back(), (unsigned long)stats.log_syncs, (unsigned long)stats.head_updates,
		    (unsigned long)stats.checkpoints, double(bytes) / double(stats.appends));
	unlink(o.log.c_str());
	unlink((o.log + ".head").c_str());
	return 0;
}

} // namespace tripath::audit::cli
