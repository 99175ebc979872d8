#include <charconv>
#include <cstring>

#include "options.h"

namespace tripath::agent_app {
namespace {

bool parse_number(const std::string &text, uint32_t max, uint32_t &out)
{
	const char *end = text.data() + text.size();
	auto [ptr, ec] = std::from_chars(text.data(), end, out);
	return ec == std::errc() && ptr == end && !text.empty() && out <= max;
}

bool parse_ports(const std::string &text, Options &o)
{
	size_t dash = text.find('-');
	uint32_t lo, hi;
	if (!parse_number(text.substr(0, dash), 65535, lo))
		return false;
	hi = lo;
	if (dash != std::string::npos && !parse_number(text.substr(dash + 1), 65535, hi))
		return false;
	if (lo == 0 || hi < lo)
		return false;
	o.port_lo = uint16_t(lo);
	o.port_hi = uint16_t(hi);
	return true;
}

} // namespace

const char *usage()
{
	return "usage: tripath-agent --mode udp|xsk [--iface IFACE] [--queue Q] [--bind ADDR] --port P[-P2]\n"
	       "                     [--busy-poll] [--spin] [--stats-json FILE] [--quiet]\n"
	       "  --mode udp       answer RPCs with UDP sockets bound to --bind (default 0.0.0.0 and ::),\n"
	       "                   and to --iface if given\n"
	       "  --mode xsk       answer RPCs on an AF_XDP socket on --iface queue --queue (default 0)\n"
	       "  --port P[-P2]    the UDP port or inclusive port range served\n"
	       "  --busy-poll      ask for socket busy polling (best effort)\n"
	       "  --spin           spin on the sockets/rings instead of sleeping in poll()\n"
	       "  --stats-json F   write the counters to F as JSON on exit\n"
	       "  --quiet          print only errors and the ready line\n"
	       "Runs until SIGINT/SIGTERM, then prints its counters.\n";
}

std::optional<Options> parse_options(int argc, char **argv, std::string &error, std::vector<std::string> &notes)
{
	Options o;
	bool have_mode = false, have_port = false, have_queue = false;
	for (int i = 1; i < argc; i++) {
		std::string flag = argv[i];
		std::string value;
		bool inline_value = false;
		if (size_t eq = flag.find('='); flag.rfind("--", 0) == 0 && eq != std::string::npos) {
			value = flag.substr(eq + 1);
			flag = flag.substr(0, eq);
			inline_value = true;
		}
		auto take_value = [&]() {
			if (inline_value)
				return true;
			if (i + 1 >= argc) {
				error = flag + " needs a value";
				return false;
			}
			value = argv[++i];
			return true;
		};
		auto no_value = [&]() {
			if (inline_value)
				error = flag + " takes no value";
			return !inline_value;
		};

		if (flag == "--mode") {
			if (!take_value())
				return std::nullopt;
			if (value == "udp")
				o.mode = Mode::udp;
			else if (value == "xsk")
				o.mode = Mode::xsk;
			else {
				error = "--mode: '" + value + "' is not udp or xsk";
				return std::nullopt;
			}
			have_mode = true;
		} else if (flag == "--iface") {
			if (!take_value())
				return std::nullopt;
			if (value.empty() || value.size() >= 16) {
				error = "--iface: '" + value + "' is not an interface name";
				return std::nullopt;
			}
			o.iface = value;
		} else if (flag == "--queue") {
			uint32_t q;
			if (!take_value())
				return std::nullopt;
			if (!parse_number(value, 65535, q)) {
				error = "--queue: '" + value + "' is not a queue number";
				return std::nullopt;
			}
			o.queue = q;
			have_queue = true;
		} else if (flag == "--bind") {
			if (!take_value())
				return std::nullopt;
			o.addresses.push_back(value);
		} else if (flag == "--port") {
			if (!take_value())
				return std::nullopt;
			if (!parse_ports(value, o)) {
				error = "--port: '" + value + "' is not a port (1-65535) or a range P-P2 with P <= P2";
				return std::nullopt;
			}
			have_port = true;
		} else if (flag == "--stats-json") {
			if (!take_value())
				return std::nullopt;
			o.stats_json = value;
		} else if (flag == "--busy-poll") {
			if (!no_value())
				return std::nullopt;
			o.busy_poll = true;
		} else if (flag == "--spin") {
			if (!no_value())
				return std::nullopt;
			o.spin = true;
		} else if (flag == "--quiet") {
			if (!no_value())
				return std::nullopt;
			o.quiet = true;
		} else if (flag == "--help" || flag == "-h") {
			o.help = true;
			return o;
		} else {
			error = "unknown flag '" + flag + "'";
			return std::nullopt;
		}
	}
	if (!have_mode)
		error = "--mode udp|xsk is required";
	else if (!have_port)
		error = "--port P[-P2] is required";
	else if (o.mode == Mode::xsk && o.iface.empty())
		error = "--mode xsk needs --iface IFACE";
	if (!error.empty())
		return std::nullopt;
	// Flags of the other mode are harmless: scripts may pass one set for both.
	if (o.mode == Mode::xsk && !o.addresses.empty())
		notes.push_back("--bind is ignored in xsk mode (replies go back to whatever address asked)");
	if (o.mode == Mode::udp && have_queue)
		notes.push_back("--queue is ignored in udp mode");
	return o;
}

} // namespace tripath::agent_app
