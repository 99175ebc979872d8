#include <charconv>
#include <cmath>
#include <set>
#include <string_view>

#include <tripath/loadgen/endpoint.h>
#include <tripath/loadgen/options.h>

namespace tripath::loadgen {

namespace {

enum ClassMask : unsigned {
	kRpc = 1u << unsigned(WorkloadClass::rpc),
	kRetrieval = 1u << unsigned(WorkloadClass::retrieval),
	kBulk = 1u << unsigned(WorkloadClass::bulk),
	kSink = 1u << unsigned(WorkloadClass::sink),
	kClients = kRpc | kRetrieval | kBulk,
};

struct Flag {
	std::string_view name;
	bool takes_value;
	unsigned classes;
};

constexpr Flag kFlags[] = {
	{"--target", true, kClients},
	{"--listen", true, kSink},
	{"--size", true, kRpc | kRetrieval},
	{"--fanout", true, kRpc | kRetrieval},
	{"--rate", true, kRpc | kRetrieval},
	{"--response", true, kRetrieval},
	{"--seed", true, kRetrieval},
	{"--transfer", true, kBulk},
	{"--parallel", true, kBulk},
	{"--duration", true, kClients},
	{"--warmup", true, kClients},
	{"--count", true, kClients},
	{"--timeout-ms", true, kClients},
	{"--spin", false, kClients},
	{"--json", true, kClients},
	{"--samples", true, kClients},
	{"--label", true, kClients},
	{"--config-file", true, kClients},
};

constexpr uint32_t kMaxResponse = 16u << 20;   // 11,556 fragments; frag_count is 16 bits

const Flag *find_flag(std::string_view name)
{
	for (const Flag &f : kFlags)
		if (f.name == name)
			return &f;
	return nullptr;
}

std::string quoted(std::string_view flag, std::string_view text)
{
	return std::string(flag) + " '" + std::string(text) + "'";
}

bool parse_unsigned(std::string_view flag, std::string_view text, uint64_t min, uint64_t max, uint64_t &out,
	std::string &error)
{
	uint64_t v = 0;
	auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), v);
	if (text.empty() || ec != std::errc() || end != text.data() + text.size() || v < min || v > max) {
		error = quoted(flag, text) + ": must be a whole number in " + std::to_string(min) + ".." +
			std::to_string(max);
		return false;
	}
	out = v;
	return true;
}

// A byte count with an optional binary suffix: 4096, 4K, 4KiB, 1M, 1MiB.
bool parse_bytes(std::string_view flag, std::string_view text, uint64_t min, uint64_t max, uint64_t &out,
	std::string &error)
{
	std::string_view digits = text;
	uint64_t unit = 1;
	for (auto [suffix, scale] : {std::pair<std::string_view, uint64_t>{"KiB", 1024}, {"K", 1024}, {"k", 1024},
		     {"MiB", 1u << 20}, {"M", 1u << 20}, {"GiB", 1u << 30}, {"G", 1u << 30}}) {
		if (digits.size() > suffix.size() && digits.ends_with(suffix)) {
			digits.remove_suffix(suffix.size());
			unit = scale;
			break;
		}
	}
	uint64_t v = 0;
	auto [end, ec] = std::from_chars(digits.data(), digits.data() + digits.size(), v);
	bool ok = !digits.empty() && ec == std::errc() && end == digits.data() + digits.size() &&
		v <= max / unit && v * unit >= min;
	if (!ok) {
		error = quoted(flag, text) + ": must be a byte count (suffix K or M allowed) in " + std::to_string(min) +
			".." + std::to_string(max);
		return false;
	}
	out = v * unit;
	return true;
}

bool parse_seconds(std::string_view flag, std::string_view text, bool allow_zero, double &out, std::string &error)
{
	double v = 0;
	auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), v);
	if (text.empty() || ec != std::errc() || end != text.data() + text.size() || !std::isfinite(v) || v < 0 ||
		(v == 0 && !allow_zero) || v > 86400 * 7) {
		error = quoted(flag, text) + ": must be a number of seconds" + (allow_zero ? " >= 0" : " > 0") +
			" (at most a week)";
		return false;
	}
	out = v;
	return true;
}

bool parse_response_range(std::string_view text, Options &o, std::string &error)
{
	size_t dash = text.find('-');
	std::string_view low = text.substr(0, dash);
	std::string_view high = dash == std::string_view::npos ? low : text.substr(dash + 1);
	uint64_t min = 0, max = 0;
	std::string why;
	if (!parse_bytes("--response", low, 1, kMaxResponse, min, why) ||
		!parse_bytes("--response", high, 1, kMaxResponse, max, why)) {
		error = quoted("--response", text) + ": must be MIN-MAX response bytes, each 1.." +
			std::to_string(kMaxResponse) + " (suffix K or M allowed), e.g. 1K-16K";
		return false;
	}
	if (min > max) {
		error = quoted("--response", text) + ": MIN is larger than MAX";
		return false;
	}
	o.response_min = uint32_t(min);
	o.response_max = uint32_t(max);
	return true;
}

bool parse_targets(std::string_view text, std::vector<std::string> &targets, std::string &error)
{
	size_t start = 0;
	while (start <= text.size()) {
		size_t comma = text.find(',', start);
		std::string_view one = text.substr(start, comma == std::string_view::npos ? comma : comma - start);
		std::string host, why;
		uint16_t port;
		if (one.empty()) {
			error = quoted("--target", text) + ": empty entry in the list";
			return false;
		}
		if (!split_host_port(one, false, host, port, why)) {
			error = "--target " + why;
			return false;
		}
		targets.emplace_back(one);
		if (comma == std::string_view::npos)
			break;
		start = comma + 1;
	}
	return true;
}

bool apply_flag(std::string_view name, std::string_view v, Options &o, std::string &error)
{
	uint64_t n = 0;
	if (name == "--target")
		return parse_targets(v, o.targets, error);
	if (name == "--listen") {
		std::string host, why;
		uint16_t port;
		if (!split_host_port(v, true, host, port, why)) {
			error = "--listen " + why;
			return false;
		}
		o.listen = std::string(v);
		return true;
	}
	if (name == "--size") {
		bool ok = parse_bytes(name, v, 1, 65535, n, error);
		o.frame_bytes = uint32_t(n);
		return ok;
	}
	if (name == "--fanout") {
		bool ok = parse_unsigned(name, v, 1, 4096, n, error);
		o.fanout = uint32_t(n);
		return ok;
	}
	if (name == "--rate")
		return parse_unsigned(name, v, 1, 100'000'000, o.rate, error);
	if (name == "--response")
		return parse_response_range(v, o, error);
	if (name == "--seed")
		return parse_unsigned(name, v, 0, UINT64_MAX, o.seed, error);
	if (name == "--transfer")
		return parse_bytes(name, v, 65536, uint64_t(1) << 40, o.transfer_bytes, error);
	if (name == "--parallel") {
		bool ok = parse_unsigned(name, v, 1, 1024, n, error);
		o.parallel = uint32_t(n);
		return ok;
	}
	if (name == "--duration")
		return parse_seconds(name, v, false, o.duration_s, error);
	if (name == "--warmup")
		return parse_seconds(name, v, true, o.warmup_s, error);
	if (name == "--count")
		return parse_unsigned(name, v, 1, UINT64_MAX, o.count, error);
	if (name == "--timeout-ms") {
		bool ok = parse_unsigned(name, v, 1, 3600000, n, error);
		o.timeout_ms = uint32_t(n);
		return ok;
	}
	if (name == "--spin") {
		o.spin = true;
		return true;
	}
	std::string text(v);
	if (text.empty()) {
		error = std::string(name) + " needs a non-empty value";
		return false;
	}
	if (name == "--json")
		o.json_path = text;
	else if (name == "--samples")
		o.samples_path = text;
	else if (name == "--label")
		o.label = text;
	else if (name == "--config-file")
		o.config_file = text;
	return true;
}

bool parse_class(std::string_view word, WorkloadClass &c)
{
	for (WorkloadClass k : {WorkloadClass::rpc, WorkloadClass::retrieval, WorkloadClass::bulk, WorkloadClass::sink})
		if (word == class_name(k)) {
			c = k;
			return true;
		}
	return false;
}

} // namespace

const char *class_name(WorkloadClass c)
{
	switch (c) {
	case WorkloadClass::rpc:
		return "rpc";
	case WorkloadClass::retrieval:
		return "retrieval";
	case WorkloadClass::bulk:
		return "bulk";
	case WorkloadClass::sink:
		return "sink";
	}
	return "?";
}

ParseResult parse_options(const std::vector<std::string> &args)
{
	ParseResult r;
	Options &o = r.options;
	o.command = args;
	if (args.empty()) {
		r.error = "no class given: the first word is rpc, retrieval, bulk or sink (tripath-load --help)";
		return r;
	}
	if (args[0] == "--help" || args[0] == "-h" || args[0] == "help") {
		r.help = true;
		return r;
	}
	if (!parse_class(args[0], o.workload)) {
		r.error = "unknown class '" + args[0] + "': the first word is rpc, retrieval, bulk or sink";
		return r;
	}
	const char *cls = class_name(o.workload);
	std::set<std::string_view> given;
	for (size_t i = 1; i < args.size(); i++) {
		std::string_view arg = args[i];
		if (arg == "--help" || arg == "-h") {
			r.help = true;
			return r;
		}
		std::string_view name = arg, value;
		bool inline_value = false;
		if (size_t eq = arg.find('='); arg.starts_with("--") && eq != std::string_view::npos) {
			name = arg.substr(0, eq);
			value = arg.substr(eq + 1);
			inline_value = true;
		}
		const Flag *flag = find_flag(name);
		if (flag == nullptr) {
			r.error = arg.starts_with("-") ? "unknown flag " + std::string(name) :
							 "unexpected argument '" + std::string(arg) + "'";
			r.error += " for tripath-load " + std::string(cls) + " (tripath-load --help)";
			return r;
		}
		if (!(flag->classes & (1u << unsigned(o.workload)))) {
			r.error = std::string(name) + " does not apply to tripath-load " + cls;
			return r;
		}
		if (!given.insert(flag->name).second) {
			r.error = std::string(name) + " given twice";
			return r;
		}
		if (flag->takes_value && !inline_value) {
			if (i + 1 >= args.size()) {
				r.error = std::string(name) + " needs a value";
				return r;
			}
			value = args[++i];
		} else if (!flag->takes_value && inline_value) {
			r.error = std::string(name) + " takes no value";
			return r;
		}
		if (!apply_flag(name, value, o, r.error))
			return r;
	}
	auto require = [&](std::string_view flag, const char *what) {
		if (given.count(flag) || !r.error.empty())
			return;
		r.error = "tripath-load " + std::string(cls) + " needs " + std::string(flag) + " " + what;
	};
	switch (o.workload) {
	case WorkloadClass::retrieval:
		require("--response", "MIN-MAX");
		[[fallthrough]];
	case WorkloadClass::rpc:
		require("--target", "ADDR:PORT[,ADDR:PORT...]");
		break;
	case WorkloadClass::bulk:
		require("--target", "ADDR:PORT");
		require("--transfer", "BYTES (>= 65536)");
		if (!given.count("--timeout-ms"))
			o.timeout_ms = 10000;     // a large transfer on a slow path is not lost after a second
		break;
	case WorkloadClass::sink:
		require("--listen", "ADDR:PORT");
		break;
	}
	// --count alone means "exactly N requests", however long that takes.
	if (given.count("--count") && !given.count("--duration"))
		o.duration_s = 0;
	return r;
}

std::string usage()
{
	return R"(usage:
  tripath-load rpc       --target ADDR:PORT[,ADDR:PORT...] [--size BYTES] [--fanout N] [--rate R] [COMMON]
  tripath-load retrieval --target ADDR:PORT[,...] --response MIN-MAX [--seed N] [--size BYTES] [--fanout N] [--rate R] [COMMON]
  tripath-load bulk      --target ADDR:PORT[,...] --transfer BYTES [--parallel N] [COMMON]
  tripath-load sink      --listen ADDR:PORT

COMMON: [--duration S] [--warmup S] [--count N] [--timeout-ms T] [--spin]
        [--json FILE] [--samples FILE] [--label TEXT] [--config-file FILE]

rpc        UDP echo RPCs. Each round sends --fanout requests back to back, spread round-robin
           over the targets, and waits until all are answered or --timeout-ms (default 1000)
           has passed (the missing ones count as timeouts). --size is the Ethernet frame
           without FCS (default 64, 82 for IPv6; at most 1514). --rate R paces the rounds on a
           fixed schedule of R requests/s (R / fanout rounds/s); a round that ends past its
           successor's start time lets it go at once, without catching up (counted as late
           rounds). Without --rate the next round starts when the last one ends (saturating).
retrieval  Like rpc, but each request asks for a response of MIN-MAX bytes (uniform, --seed,
           default 1; e.g. 1K-16K) that comes back in fragments; RTT is to the last one.
bulk       TCP: --parallel connections (default 1), each repeating: 8-byte length, BYTES of
           data (>= 65536; K/M suffixes), wait for the sink's one-byte answer. --timeout-ms
           defaults to 10000 here.
sink       The TCP server for bulk; runs until SIGINT/SIGTERM.

--duration S   measured time (default 10; with --count alone: until N are done)
--warmup S     time before measuring, results discarded (default 1)
--count N      stop after N measured requests (transfers for bulk)
--spin         busy-poll the sockets instead of sleeping in poll()
--json FILE    write the result envelope (schema tripath.loadgen/1)
--samples FILE write every measured request as a line "COMPLETION_NS RTT_NS" (CLOCK_MONOTONIC,
               the clock of every netns): to split one run into windows afterwards
--label TEXT, --config-file FILE   recorded in the envelope (the file with its SHA-256)

Exit status: 0 done (timeouts are results), 1 run-time failure, 2 bad command line.
)";
}

} // namespace tripath::loadgen
