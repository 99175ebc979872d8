// tripath-classify-micro: the classifier alone, without ports or lcores. Loads tripath configs,
// builds each one's RuleTable (wall time, peak RSS, rte_acl's own build log), parses a pcap into
// FlowKeys once, then times RuleTable::lookup_burst over bursts of keys. Every repetition
// measures every table once, in a shuffled order, so drift on a shared machine is spread over
// all of them; the medians and the per-repetition ratios to the first table are reported.
//
//   tripath-classify-micro --pcap mix.pcap --config c16.yaml --config c100000.yaml --json out.json
//
// Writes JSON (schema tripath.bench.classify_micro/1); see doc/classifier.md.
#include <algorithm>
#include <array>
#include <chrono>
#include <cinttypes>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <memory>
#include <random>
#include <sstream>
#include <stdexcept>
#include <string>
#include <vector>

#include <sys/utsname.h>
#include <unistd.h>

#include <rte_acl.h>
#include <rte_cycles.h>
#include <rte_eal.h>
#include <rte_lcore.h>
#include <rte_log.h>
#include <rte_malloc.h>
#include <rte_version.h>

#include <tripath/classify/reference.h>
#include <tripath/classify/rule_table.h>
#include <tripath/config/config.h>
#include <tripath/packet/flow_key.h>

using namespace tripath;

namespace {

constexpr const char *kSchema = "tripath.bench.classify_micro/1";

struct Options {
	std::vector<std::string> configs;
	std::string pcap;
	std::string json;
	unsigned reps = 101;
	unsigned burst = 32;
	unsigned memory_mb = 4096;
	std::string hugepages = "off";   // on, off, auto (on when enough are free)
	std::string algorithm;           // empty: whatever RuleTable chose
	bool check = false;              // every key against the first-match reference
	size_t keys = 0;                 // use only the pcap's first N keys (0: all)
	std::string label;               // what this binary is (e.g. "before"), into the JSON
	size_t pollute_kb = 0;           // bytes copied between bursts, as a worker's packets would
	uint64_t seed = 1;
	std::string command;
};

[[noreturn]] void usage(const char *why)
{
	std::fprintf(stderr,
		     "%s\nusage: tripath-classify-micro --pcap FILE --config FILE [--config FILE...]\n"
		     "  [--json OUT] [--reps N (101)] [--burst N (32)] [--memory-mb N (4096)]\n"
		     "  [--hugepages on|off|auto (off)] [--algorithm scalar|sse|avx2|avx512x16|avx512x32]\n"
		     "  [--check] [--seed N] [--keys N (only the first N keys)] [--label TEXT]\n"
		     "  [--pollute-kb K (copy K KiB between bursts, untimed, as a worker's packets would)]\n",
		     why);
	std::exit(2);
}

Options parse_options(int argc, char **argv)
{
	Options o;
	for (int i = 0; i < argc; i++)
		o.command += (i ? " " : "") + std::string(argv[i]);
	for (int i = 1; i < argc; i++) {
		std::string a = argv[i];
		auto value = [&]() -> std::string {
			if (i + 1 >= argc)
				usage((a + " needs a value").c_str());
			return argv[++i];
		};
		if (a == "--config")
			o.configs.push_back(value());
		else if (a == "--pcap")
			o.pcap = value();
		else if (a == "--json")
			o.json = value();
		else if (a == "--reps")
			o.reps = unsigned(std::stoul(value()));
		else if (a == "--burst")
			o.burst = unsigned(std::stoul(value()));
		else if (a == "--memory-mb")
			o.memory_mb = unsigned(std::stoul(value()));
		else if (a == "--hugepages")
			o.hugepages = value();
		else if (a == "--algorithm")
			o.algorithm = value();
		else if (a == "--pollute-kb")
			o.pollute_kb = std::stoul(value());
		else if (a == "--label")
			o.label = value();
		else if (a == "--keys")
			o.keys = std::stoul(value());
		else if (a == "--check")
			o.check = true;
		else if (a == "--seed")
			o.seed = std::stoull(value());
		else
			usage(("unknown option " + a).c_str());
	}
	if (o.configs.empty() || o.pcap.empty())
		usage("--pcap and at least one --config are required");
	if (o.burst == 0 || o.reps == 0)
		usage("--burst and --reps must be positive");
	return o;
}

// ---- a tiny pcap reader: global header, then (record header, frame) pairs ----

std::vector<packet::FlowKey> read_pcap_keys(const std::string &path, size_t &frames, size_t &malformed)
{
	std::ifstream in(path, std::ios::binary);
	if (!in)
		throw std::runtime_error("cannot open " + path);
	uint8_t global[24];
	if (!in.read(reinterpret_cast<char *>(global), sizeof(global)))
		throw std::runtime_error(path + ": no pcap global header");
	uint32_t magic;
	std::memcpy(&magic, global, 4);
	bool swap;
	if (magic == 0xa1b2c3d4 || magic == 0xa1b23c4d)
		swap = false;
	else if (magic == 0xd4c3b2a1 || magic == 0x4d3cb2a1)
		swap = true;
	else
		throw std::runtime_error(path + ": not a pcap file");
	auto u32 = [swap](const uint8_t *p) {
		uint32_t v;
		std::memcpy(&v, p, 4);
		return swap ? __builtin_bswap32(v) : v;
	};
	std::vector<packet::FlowKey> keys;
	std::vector<uint8_t> frame;
	frames = malformed = 0;
	uint8_t rec[16];
	while (in.read(reinterpret_cast<char *>(rec), sizeof(rec))) {
		uint32_t caplen = u32(rec + 8), wirelen = u32(rec + 12);
		if (caplen > (1u << 20))
			throw std::runtime_error(path + ": record of " + std::to_string(caplen) + " bytes");
		frame.resize(caplen);
		if (!in.read(reinterpret_cast<char *>(frame.data()), caplen))
			throw std::runtime_error(path + ": truncated record");
		frames++;
		packet::FlowKey k;
		if (packet::parse_frame(frame.data(), caplen, std::max(caplen, wirelen), k) == packet::ParseStatus::ok)
			keys.push_back(k);
		else
			malformed++; // the worker drops these before classifying
	}
	return keys;
}

// ---- what the process and rte_acl say about a build ----

std::string read_file(const std::string &path)
{
	std::ifstream in(path);
	std::stringstream s;
	s << in.rdbuf();
	return s.str();
}

// A "Key:   N kB" line of /proc/self/status, in MiB.
double status_mib(const char *key)
{
	std::istringstream s(read_file("/proc/self/status"));
	std::string line;
	while (std::getline(s, line))
		if (line.rfind(key, 0) == 0)
			return std::strtod(line.c_str() + std::strlen(key) + 1, nullptr) / 1024.0;
	return -1;
}

// Bytes allocated from DPDK's heaps, all sockets.
int64_t dpdk_heap_allocated()
{
	int64_t sum = 0;
	for (unsigned s = 0; s < rte_socket_count(); s++) {
		rte_malloc_socket_stats st{};
		if (rte_malloc_get_socket_stats(rte_socket_id_by_idx(s), &st) == 0)
			sum += int64_t(st.heap_allocsz_bytes);
	}
	return sum;
}

// Resets VmHWM to the current RSS, so the next reading is the peak of what follows.
void reset_peak_rss()
{
	std::ofstream("/proc/self/clear_refs") << "5";
}

// All numbers after `label` on the lines of `log` that contain it.
std::vector<uint64_t> numbers_after(const std::string &log, const std::string &label)
{
	std::vector<uint64_t> out;
	for (size_t at = log.find(label); at != std::string::npos; at = log.find(label, at + 1))
		out.push_back(std::strtoull(log.c_str() + at + label.size(), nullptr, 10));
	return out;
}

std::vector<std::string> context_names(const std::string &log)
{
	std::vector<std::string> out;
	const std::string label = "Build phase for ACL \"";
	for (size_t at = log.find(label); at != std::string::npos; at = log.find(label, at + 1)) {
		size_t from = at + label.size();
		out.push_back(log.substr(from, log.find('"', from) - from));
	}
	return out;
}

// rte_acl_dump prints to stdout only: catch it in a temporary file.
std::string acl_dump(const rte_acl_ctx *ctx)
{
	std::fflush(stdout);
	int saved = dup(STDOUT_FILENO);
	FILE *tmp = std::tmpfile();
	dup2(fileno(tmp), STDOUT_FILENO);
	rte_acl_dump(ctx);
	std::fflush(stdout);
	dup2(saved, STDOUT_FILENO);
	close(saved);
	std::rewind(tmp);
	std::string out;
	char buf[512];
	while (std::fgets(buf, sizeof(buf), tmp))
		out += buf;
	std::fclose(tmp);
	return out;
}

struct AclContext {
	std::string name;
	unsigned tries = 0;
	int algorithm = -1;
	uint32_t rules = 0;
};

struct Table {
	std::string config;
	size_t rules = 0;
	size_t acl_rules = 0;
	size_t bucket_rules = 0;
	double load_s = 0, build_s = 0;
	double rss_before_mib = 0, build_peak_rss_mib = 0, rss_after_mib = 0;
	std::vector<AclContext> contexts;
	uint64_t nodes_created = 0;      // rte_acl build phase, all contexts
	uint64_t build_pool_bytes = 0;   // rte_acl build phase heap, all contexts
	uint64_t runtime_bytes = 0;      // rte_acl gen phase "total", all contexts
	int64_t dpdk_heap_bytes = 0;     // DPDK memory the table holds: tries, prefix buckets
	std::unique_ptr<classify::RuleTable> table;
	config::Config cfg;
	std::vector<double> cycles_per_key; // one per repetition
	uint64_t dropped_bursts = 0;        // left out as preempted, all repetitions
	uint64_t digest = 0;                // of every key's rule index: equal layouts give equal digests
	std::array<uint64_t, 4> paths{};
	uint64_t no_rule = 0;
	uint64_t mismatches = 0;            // --check: keys where the table and the reference differ
};

enum rte_acl_classify_alg algorithm_named(const std::string &name)
{
	if (name == "scalar")
		return RTE_ACL_CLASSIFY_SCALAR;
	if (name == "sse")
		return RTE_ACL_CLASSIFY_SSE;
	if (name == "avx2")
		return RTE_ACL_CLASSIFY_AVX2;
	if (name == "avx512x16")
		return RTE_ACL_CLASSIFY_AVX512X16;
	if (name == "avx512x32")
		return RTE_ACL_CLASSIFY_AVX512X32;
	usage(("unknown algorithm " + name).c_str());
}

const char *algorithm_name(int alg)
{
	switch (alg) {
	case RTE_ACL_CLASSIFY_DEFAULT: return "default";
	case RTE_ACL_CLASSIFY_SCALAR: return "scalar";
	case RTE_ACL_CLASSIFY_SSE: return "sse";
	case RTE_ACL_CLASSIFY_AVX2: return "avx2";
	case RTE_ACL_CLASSIFY_NEON: return "neon";
	case RTE_ACL_CLASSIFY_ALTIVEC: return "altivec";
	case RTE_ACL_CLASSIFY_AVX512X16: return "avx512x16";
	case RTE_ACL_CLASSIFY_AVX512X32: return "avx512x32";
	default: return "unknown";
	}
}

void build_table(Table &t, const Options &o)
{
	auto t0 = std::chrono::steady_clock::now();
	t.cfg = config::load_config_file(t.config);
	auto t1 = std::chrono::steady_clock::now();
	t.rules = t.cfg.rules.size();

	char *log = nullptr;
	size_t log_len = 0;
	FILE *log_stream = open_memstream(&log, &log_len);
	rte_openlog_stream(log_stream);
	t.rss_before_mib = status_mib("VmRSS:");
	int64_t heap_before = dpdk_heap_allocated();
	reset_peak_rss();
	auto t2 = std::chrono::steady_clock::now();
	t.table = classify::RuleTable::build(t.cfg);
	auto t3 = std::chrono::steady_clock::now();
	t.build_peak_rss_mib = status_mib("VmHWM:");
	t.rss_after_mib = status_mib("VmRSS:");
	t.dpdk_heap_bytes = dpdk_heap_allocated() - heap_before;
	rte_openlog_stream(nullptr);
	std::fclose(log_stream);
	std::string text(log, log_len);
	std::free(log);

	t.load_s = std::chrono::duration<double>(t1 - t0).count();
	t.build_s = std::chrono::duration<double>(t3 - t2).count();
	t.acl_rules = t.table->acl_rules();
	t.bucket_rules = t.table->bucket_rules();
	for (uint64_t v : numbers_after(text, "nodes created: "))
		t.nodes_created += v;
	for (uint64_t v : numbers_after(text, "memory consumed: "))
		t.build_pool_bytes += v;
	for (uint64_t v : numbers_after(text, "total: "))
		t.runtime_bytes += v;
	for (const std::string &name : context_names(text)) {
		AclContext c;
		c.name = name;
		rte_acl_ctx *ctx = rte_acl_find_existing(name.c_str());
		if (ctx == nullptr)
			continue; // a build the table retried or dropped
		if (!o.algorithm.empty()) {
			int rc = rte_acl_set_ctx_classify(ctx, algorithm_named(o.algorithm));
			if (rc != 0)
				throw std::runtime_error("rte_acl_set_ctx_classify " + o.algorithm + ": " + std::strerror(-rc));
		}
		std::string dump = acl_dump(ctx);
		auto tries = numbers_after(dump, "num_tries=");
		auto alg = numbers_after(dump, "alg=");
		auto rules = numbers_after(dump, "num_rules=");
		c.tries = tries.empty() ? 0 : unsigned(tries[0]);
		c.algorithm = alg.empty() ? -1 : int(alg[0]);
		c.rules = rules.empty() ? 0 : uint32_t(rules[0]);
		t.contexts.push_back(c);
	}
}

// Cycles per key of one pass over every key, a burst at a time. Bursts that took over
// kPreempted times the pass's median burst were interrupted or preempted (the machine is
// shared): they are left out and counted.
constexpr uint64_t kPreempted = 20;

struct Pass {
	double cycles_per_key = 0;
	unsigned dropped_bursts = 0;
};

// What a worker does to the caches between two lookups besides classifying: the pcap PMD
// copies every frame into a fresh mbuf, the parser reads it, the tx path writes it. Untimed.
class CachePolluter {
public:
	explicit CachePolluter(size_t bytes_per_burst) : step_(bytes_per_burst)
	{
		if (step_ != 0)
			from_.assign(kRing, 1), to_.assign(kRing, 0);
	}
	void run()
	{
		if (step_ == 0)
			return;
		if (at_ + step_ > kRing)
			at_ = 0;
		std::memcpy(to_.data() + at_, from_.data() + at_, step_);
		at_ += step_;
	}

private:
	static constexpr size_t kRing = size_t(256) << 20; // past any L3
	size_t step_, at_ = 0;
	std::vector<uint8_t> from_, to_;
};

Pass time_pass(const classify::RuleTable &table, const std::vector<packet::FlowKey> &keys, unsigned burst,
	       std::vector<classify::Verdict> &out, std::vector<uint64_t> &cycles, CachePolluter &polluter)
{
	size_t bursts = keys.size() / burst;
	cycles.resize(bursts);
	for (size_t b = 0; b < bursts; b++) {
		polluter.run();
		uint64_t start = rte_rdtsc();
		table.lookup_burst(&keys[b * burst], &out[b * burst], burst);
		cycles[b] = rte_rdtsc() - start;
	}
	std::vector<uint64_t> sorted = cycles;
	std::nth_element(sorted.begin(), sorted.begin() + long(bursts / 2), sorted.end());
	uint64_t limit = sorted[bursts / 2] * kPreempted, sum = 0;
	Pass p;
	for (uint64_t c : cycles) {
		if (c > limit)
			p.dropped_bursts++;
		else
			sum += c;
	}
	p.cycles_per_key = double(sum) / double((bursts - p.dropped_bursts) * burst);
	return p;
}

void tally_verdicts(Table &t, const std::vector<packet::FlowKey> &keys, bool check)
{
	std::vector<classify::Verdict> got(keys.size());
	t.table->lookup_burst(keys.data(), got.data(), unsigned(keys.size()));
	uint64_t h = 1469598103934665603ull;
	for (size_t i = 0; i < keys.size(); i++) {
		h = (h ^ got[i].rule) * 1099511628211ull;
		t.paths[size_t(got[i].path)]++;
		t.no_rule += got[i].rule == classify::kNoRule;
		if (check) {
			classify::Verdict want = classify::reference_lookup(t.cfg, keys[i]);
			t.mismatches += want.rule != got[i].rule || want.path != got[i].path;
		}
	}
	t.digest = h;
}

struct Summary {
	double median = 0, min = 0, max = 0, p10 = 0, p90 = 0;
};

Summary summarize(std::vector<double> v)
{
	Summary s;
	if (v.empty())
		return s;
	std::sort(v.begin(), v.end());
	auto at = [&](double q) { return v[size_t(q * double(v.size() - 1) + 0.5)]; };
	s.median = at(0.5), s.min = v.front(), s.max = v.back(), s.p10 = at(0.1), s.p90 = at(0.9);
	return s;
}

// ---- the environment, for the JSON envelope ----

std::string first_line_of(const char *cmd)
{
	std::string out;
	if (FILE *p = popen(cmd, "r")) {
		char buf[256];
		if (std::fgets(buf, sizeof(buf), p))
			out = buf;
		pclose(p);
	}
	while (!out.empty() && (out.back() == '\n' || out.back() == ' '))
		out.pop_back();
	return out;
}

std::string cpu_model()
{
	std::istringstream s(read_file("/proc/cpuinfo"));
	std::string line;
	while (std::getline(s, line))
		if (line.rfind("model name", 0) == 0)
			return line.substr(line.find(':') + 2);
	return "";
}

unsigned free_hugepage_mb()
{
	std::istringstream s(read_file("/proc/meminfo"));
	std::string line;
	unsigned free_pages = 0, page_kb = 0;
	while (std::getline(s, line)) {
		if (line.rfind("HugePages_Free:", 0) == 0)
			free_pages = unsigned(std::strtoul(line.c_str() + 15, nullptr, 10));
		if (line.rfind("Hugepagesize:", 0) == 0)
			page_kb = unsigned(std::strtoul(line.c_str() + 13, nullptr, 10));
	}
	return free_pages * page_kb / 1024;
}

std::string quoted(const std::string &s)
{
	std::string out = "\"";
	for (char c : s) {
		if (c == '"' || c == '\\')
			out += '\\';
		if (uint8_t(c) < 0x20)
			continue;
		out += c;
	}
	return out + "\"";
}

std::string num(double v)
{
	char buf[64];
	std::snprintf(buf, sizeof(buf), "%.4g", v);
	return buf;
}

std::string summary_json(const Summary &s)
{
	return "{\"median\": " + num(s.median) + ", \"min\": " + num(s.min) + ", \"max\": " + num(s.max) +
	       ", \"p10\": " + num(s.p10) + ", \"p90\": " + num(s.p90) + "}";
}

// Per-repetition ratio of each table to the first one (same repetition, same machine state).
std::vector<double> paired_ratios(const Table &t, const Table &base)
{
	std::vector<double> r;
	for (size_t i = 0; i < t.cycles_per_key.size(); i++)
		r.push_back(t.cycles_per_key[i] / base.cycles_per_key[i]);
	return r;
}

std::string to_json(const Options &o, const std::vector<Table> &tables, size_t frames, size_t keys, size_t malformed,
		    bool hugepages, double duration_s)
{
	utsname u{};
	uname(&u);
	char host[256] = {};
	gethostname(host, sizeof(host) - 1);
	std::string rev = first_line_of("git -C " TRIPATH_SOURCE_ROOT " rev-parse --short HEAD 2>/dev/null");
	std::string dirty =
		first_line_of("git -C " TRIPATH_SOURCE_ROOT " status --porcelain -- lib/classify tools/bench 2>/dev/null");
	time_t now = time(nullptr);
	char date[32];
	strftime(date, sizeof(date), "%Y-%m-%dT%H:%M:%SZ", gmtime(&now));

	std::ostringstream j;
	j << "{\n  \"schema\": " << quoted(kSchema) << ",\n  \"date\": " << quoted(date)
	  << ",\n  \"duration_s\": " << num(duration_s) << ",\n  \"command\": " << quoted(o.command) << ",\n";
	j << "  \"environment\": {\"host\": " << quoted(host) << ", \"kernel\": " << quoted(u.release)
	  << ", \"cpu\": " << quoted(cpu_model()) << ", \"dpdk\": " << quoted(rte_version())
	  << ", \"git_revision\": " << quoted(rev) << ", \"classifier_tree_dirty\": " << (dirty.empty() ? "false" : "true")
	  << "},\n";
	j << "  \"parameters\": {\"pcap\": " << quoted(o.pcap) << ", \"frames\": " << frames << ", \"keys\": " << keys
	  << ", \"malformed\": " << malformed << ", \"burst\": " << o.burst << ", \"repetitions\": " << o.reps
	  << ", \"hugepages\": " << (hugepages ? "true" : "false") << ", \"memory_mb\": " << o.memory_mb
	  << ", \"algorithm\": " << quoted(o.algorithm.empty() ? "table's choice" : o.algorithm)
	  << ", \"tsc_hz\": " << rte_get_tsc_hz() << ", \"seed\": " << o.seed << ", \"keys_limit\": " << o.keys << ", \"pollute_kb\": " << o.pollute_kb
	  << ", \"label\": " << quoted(o.label) << "},\n";
	j << "  \"tables\": [\n";
	for (size_t i = 0; i < tables.size(); i++) {
		const Table &t = tables[i];
		j << "    {\"config\": " << quoted(t.config) << ", \"rules\": " << t.rules << ", \"acl_rules\": " << t.acl_rules
		  << ", \"bucket_rules\": " << t.bucket_rules
		  << ",\n     \"load_s\": " << num(t.load_s) << ", \"build_s\": " << num(t.build_s)
		  << ", \"rss_before_mib\": " << num(t.rss_before_mib) << ", \"build_peak_rss_mib\": " << num(t.build_peak_rss_mib)
		  << ", \"build_rss_growth_mib\": " << num(t.build_peak_rss_mib - t.rss_before_mib)
		  << ", \"rss_after_mib\": " << num(t.rss_after_mib) << ",\n     \"acl_nodes_created\": " << t.nodes_created
		  << ", \"acl_build_pool_bytes\": " << t.build_pool_bytes << ", \"acl_runtime_bytes\": " << t.runtime_bytes
		  << ", \"dpdk_heap_bytes\": " << t.dpdk_heap_bytes
		  << ",\n     \"contexts\": [";
		unsigned tries = 0;
		for (size_t c = 0; c < t.contexts.size(); c++) {
			const AclContext &x = t.contexts[c];
			tries += x.tries;
			j << (c ? ", " : "") << "{\"name\": " << quoted(x.name) << ", \"rules\": " << x.rules
			  << ", \"tries\": " << x.tries << ", \"algorithm\": " << quoted(algorithm_name(x.algorithm)) << "}";
		}
		j << "], \"tries\": " << tries << ",\n     \"lookup_cycles_per_key\": " << summary_json(summarize(t.cycles_per_key))
		  << ", \"preempted_bursts_left_out\": " << t.dropped_bursts
		  << ",\n     \"paired_ratio_to_first\": " << summary_json(summarize(paired_ratios(t, tables[0])))
		  << ",\n     \"verdicts\": {\"digest\": \"" << std::hex << t.digest << std::dec << "\", \"kernel\": " << t.paths[0]
		  << ", \"fast\": " << t.paths[1] << ", \"bulk\": " << t.paths[2] << ", \"drop\": " << t.paths[3]
		  << ", \"no_rule\": " << t.no_rule << ", \"checked\": " << (o.check ? "true" : "false")
		  << ", \"mismatches\": " << t.mismatches << "}}" << (i + 1 < tables.size() ? "," : "") << "\n";
	}
	j << "  ]\n}\n";
	return j.str();
}

bool init_eal(const Options &o, const char *argv0)
{
	bool huge = o.hugepages == "on" || (o.hugepages == "auto" && free_hugepage_mb() >= o.memory_mb);
	std::string prefix = "tp-classify-micro-" + std::to_string(getpid());
	std::string mem = std::to_string(o.memory_mb);
	std::vector<std::string> args = {argv0, "-l", "0", "--no-pci", "--no-shconf", "-m", mem, "--file-prefix", prefix,
					 "--no-telemetry", "--log-level", "*:warning", "--log-level", "lib.acl:debug"};
	if (!huge)
		args.push_back("--no-huge");
	// rte_acl refuses AVX512 classify unless EAL allows 512-bit vectors.
	if (o.algorithm.rfind("avx512", 0) == 0)
		args.push_back("--force-max-simd-bitwidth=512");
	std::vector<char *> argv;
	for (std::string &a : args)
		argv.push_back(a.data());
	if (rte_eal_init(int(argv.size()), argv.data()) < 0)
		throw std::runtime_error("EAL init failed");
	return huge;
}

} // namespace

int main(int argc, char **argv)
{
	Options o = parse_options(argc, argv);
	auto start = std::chrono::steady_clock::now();
	try {
		bool huge = init_eal(o, argv[0]);
		size_t frames = 0, malformed = 0;
		std::vector<packet::FlowKey> keys = read_pcap_keys(o.pcap, frames, malformed);
		if (o.keys != 0 && o.keys < keys.size())
			keys.resize(o.keys);
		if (keys.size() < o.burst)
			throw std::runtime_error(o.pcap + ": fewer parsable frames than one burst");
		std::fprintf(stderr, "%s: %zu frames, %zu keys\n", o.pcap.c_str(), frames, keys.size());

		std::vector<Table> tables(o.configs.size());
		for (size_t i = 0; i < tables.size(); i++) {
			tables[i].config = o.configs[i];
			build_table(tables[i], o);
			tally_verdicts(tables[i], keys, o.check);
			const Table &t = tables[i];
			std::fprintf(stderr, "built %s: %zu rules (%zu acl, %zu in buckets), %.2f s, RSS +%.0f MiB, %zu contexts%s\n",
				     t.config.c_str(), t.rules, t.acl_rules, t.bucket_rules, t.build_s,
				     t.build_peak_rss_mib - t.rss_before_mib, t.contexts.size(),
				     o.check ? (t.mismatches ? ", MISMATCHES vs reference" : ", agrees with the reference") : "");
		}

		std::vector<classify::Verdict> out(keys.size());
		std::vector<uint64_t> burst_cycles;
		CachePolluter polluter(o.pollute_kb << 10);
		std::vector<size_t> order(tables.size());
		for (size_t i = 0; i < order.size(); i++)
			order[i] = i;
		std::mt19937_64 rng(o.seed);
		for (unsigned rep = 0; rep < o.reps; rep++) {
			std::shuffle(order.begin(), order.end(), rng);
			for (size_t i : order) {
				time_pass(*tables[i].table, keys, o.burst, out, burst_cycles, polluter); // warm up
				Pass p = time_pass(*tables[i].table, keys, o.burst, out, burst_cycles, polluter);
				tables[i].cycles_per_key.push_back(p.cycles_per_key);
				tables[i].dropped_bursts += p.dropped_bursts;
			}
		}

		std::printf("%-40s %8s %6s %9s %10s %12s %10s\n", "config", "rules", "tries", "build s", "+RSS MiB",
			    "cycles/key", "x first");
		for (const Table &t : tables) {
			unsigned tries = 0;
			for (const AclContext &c : t.contexts)
				tries += c.tries;
			std::printf("%-40s %8zu %6u %9.2f %10.0f %12.1f %10.3f\n", t.config.c_str(), t.rules, tries, t.build_s,
				    t.build_peak_rss_mib - t.rss_before_mib, summarize(t.cycles_per_key).median,
				    summarize(paired_ratios(t, tables[0])).median);
		}
		double duration = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
		if (!o.json.empty()) {
			std::ofstream(o.json) << to_json(o, tables, frames, keys.size(), malformed, huge, duration);
			std::fprintf(stderr, "wrote %s\n", o.json.c_str());
		}
		bool ok = true;
		for (const Table &t : tables)
			ok &= t.mismatches == 0;
		tables.clear(); // free the rte_acl contexts before EAL goes
		rte_eal_cleanup();
		return ok ? 0 : 1;
	} catch (const std::exception &e) {
		std::fprintf(stderr, "tripath-classify-micro: %s\n", e.what());
		return 1;
	}
}
