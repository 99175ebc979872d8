// capture start PORT|PATH FILE [N], capture stop, show capture: pcapng while forwarding runs.
#include <cinttypes>
#include <cstdio>
#include <filesystem>

#include "runtime.h"

namespace tripath::app {

using control::Args;
using control::CommandResult;
using control::fail;
using control::ok;
using pipeline::CaptureStatus;
using pipeline::CaptureWhere;

namespace {

constexpr std::pair<const char *, CaptureWhere> kPaths[] = {
	{"kernel", CaptureWhere::kernel}, {"fast", CaptureWhere::fast}, {"bulk", CaptureWhere::bulk}, {"drop", CaptureWhere::drop}};

// Ports a worker reads from the wire: only their rx passes a worker's capture hook.
bool polled_by_worker(const Runtime &rt, uint16_t port_id)
{
	for (const auto &w : rt.dp->workers())
		for (const pipeline::PollQueue &pq : w->polls)
			if (pq.port_id == port_id && pq.endpoint == UINT16_MAX)
				return true;
	return false;
}

std::string capturable(const Runtime &rt)
{
	std::string out = "kernel, fast, bulk, drop";
	for (const pipeline::PortInfo &p : rt.dp->ports())
		if (polled_by_worker(rt, p.port_id))
			out += ", " + p.name;
	return out;
}

CommandResult start(Runtime &rt, const Args &a)
{
	CaptureWhere where = CaptureWhere::port;
	uint16_t port_id = pipeline::kNoPort;
	bool is_path = false;
	for (const auto &[name, w] : kPaths)
		if (a[0] == name)
			where = w, is_path = true;
	if (!is_path) {
		for (const pipeline::PortInfo &p : rt.dp->ports())
			if (p.name == a[0] || std::to_string(p.port_id) == a[0])
				port_id = p.port_id;
		if (port_id == pipeline::kNoPort || !polled_by_worker(rt, port_id))
			return fail("error: cannot capture '" + a[0] + "' (a path, or a port a worker reads: " + capturable(rt) + ")\n");
	}
	uint64_t limit = 0;
	if (a.size() > 2) {
		char *end = nullptr;
		limit = std::strtoull(a[2].c_str(), &end, 10);
		if (a[2].empty() || *end != '\0' || a[2][0] == '-' || limit == 0)
			return fail("error: packet count '" + a[2] + "' is not a positive number\n");
	}
	std::error_code ec;
	std::string file = std::filesystem::absolute(a[1], ec).string(); // the daemon's cwd, not the client's
	if (ec)
		file = a[1];
	if (!rt.capture)
		rt.capture = std::make_unique<pipeline::Capture>(*rt.dp);
	std::string error;
	if (!rt.capture->start(where, port_id, a[0], file, limit, error))
		return fail("error: " + error + "\n");
	return ok("Capturing " + std::string(is_path ? "path " : "port ") + a[0] + " to " + file +
		  (limit ? " (" + std::to_string(limit) + " packets)" : std::string(" (until capture stop)")) +
		  (rt.dp->running() ? "" : "; forwarding is stopped: nothing flows until start") + "\n");
}

std::string format_capture(const CaptureStatus &s)
{
	static const char *states[] = {"idle", "running", "finishing"};
	if (s.file.empty())
		return "  capture: idle (none taken yet)\n";
	char buf[512];
	std::snprintf(buf, sizeof(buf),
		      "  capture: %s, %s %s -> %s\n"
		      "    written %" PRIu64 " packets%s, %" PRIu64 " bytes\n"
		      "    capture_ring_full %" PRIu64 ", capture_no_mbuf %" PRIu64 " (not captured; still forwarded)\n",
		      states[unsigned(s.state)], s.where == CaptureWhere::port ? "port" : "path", s.target.c_str(), s.file.c_str(),
		      s.written, s.limit ? (" of " + std::to_string(s.limit)).c_str() : "", s.bytes, s.ring_full, s.no_mbuf);
	std::string out = buf;
	if (!s.error.empty())
		out += "    ended early: " + s.error + "\n";
	return out;
}

} // namespace

unsigned poll_capture(Runtime &rt) { return rt.capture ? rt.capture->poll() : 0; }

void register_capture_commands(Runtime &rt)
{
	control::CommandRegistry &r = rt.registry;
	r.add("capture start <target> <file>", "capture",
	      "write a port's rx or a path's packets (kernel|fast|bulk|drop) to a pcapng file until capture stop",
	      [&rt](const Args &a) { return start(rt, a); });
	r.add("capture start <target> <file> <count>", "capture", "the same, stopping after <count> packets",
	      [&rt](const Args &a) { return start(rt, a); });
	r.add("capture stop", "capture", "stop the capture and close its file", [&rt](const Args &) {
		if (!rt.capture || rt.capture->status().state != CaptureStatus::State::running)
			return fail("error: no capture is running\n");
		rt.capture->stop(true);
		return ok("Capture stopped.\n" + format_capture(rt.capture->status()));
	});
	r.add("show capture", "capture", "the current or last capture: file, packets written, packets not captured",
	      [&rt](const Args &) { return ok(rt.capture ? format_capture(rt.capture->status()) : "  capture: idle (none taken yet)\n"); });
}

} // namespace tripath::app
