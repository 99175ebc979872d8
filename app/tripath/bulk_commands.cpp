// Path C in the shell: `show bulk` (peers, state, credits, batches, bytes, fallbacks, events)
// and `bulk inject wrong-rkey PEER` (a remote access error on demand, to prove recovery).
#include <cinttypes>
#include <cstdio>

#include "runtime.h"
#include "text_line.h"

namespace tripath::app {

using control::Args;
using control::fail;
using control::ok;

namespace {

constexpr size_t kKeptEvents = 32;

uint64_t rd(const uint64_t &v) { return pipeline::read_counter(v); }

std::string format_peer(const pipeline::BulkPath &b, size_t i)
{
	const pipeline::BulkPeerStats &s = b.stats(i);
	const config::BulkPeerConfig &pc = b.peer_config(i);
	auto state = pipeline::BulkPeerState(s.state.load(std::memory_order_relaxed));
	auto err = bulk::BulkError(s.last_error.load(std::memory_order_relaxed));
	std::string out = line("peer %s (%s %s, wire %s): %s, credits %u, last error %s\n", pc.name.c_str(),
			       pc.address.empty() ? "listen" : "connect", pc.address.empty() ? pc.listen.c_str() : pc.address.c_str(),
			       pc.wire.c_str(), pipeline::bulk_peer_state_name(state), s.credits.load(std::memory_order_relaxed),
			       bulk::to_string(err));
	std::string d = b.describe(i);
	if (!d.empty())
		out += "  device: " + d + "\n";
	uint64_t batches = rd(s.batches_posted), packed = rd(s.packets_packed);
	out += line("  sent:     %" PRIu64 " packets (%" PRIu64 " bytes) in %" PRIu64 " batches (%.1f packets, %.0f bytes per batch)\n",
		    packed, rd(s.bytes_packed), batches, batches ? double(packed) / double(batches) : 0.0,
		    batches ? double(rd(s.batch_bytes_posted)) / double(batches) : 0.0);
	out += line("  acked:    %" PRIu64 " packets in %" PRIu64 " batches, %" PRIu64 " batches posted again after a reconnect\n",
		    rd(s.packets_acked), rd(s.batches_acked), rd(s.batches_reposted));
	out += line("  received: %" PRIu64 " packets (%" PRIu64 " bytes) in %" PRIu64 " batches\n", rd(s.packets_received),
		    rd(s.bytes_received), rd(s.batches_received));
	out += line("  fallback to path A: %" PRIu64 " packets; credit stalls %" PRIu64 ", errors %" PRIu64 ", connects %" PRIu64
		    ", reconnects %" PRIu64 ", losses %" PRIu64 ", failed dials %" PRIu64 "\n",
		    rd(s.packets_fallback), rd(s.credit_stalls), rd(s.errors), rd(s.connects), rd(s.reconnects), rd(s.losses),
		    rd(s.connect_failures));
	return out;
}

} // namespace

std::string format_bulk(const Runtime &rt)
{
	const pipeline::BulkPath *b = rt.dp->bulk();
	if (b == nullptr)
		return "path C: no bulk peers configured (paths.bulk.peers); bulk verdicts take path A\n";
	const config::BulkPathConfig &c = rt.cfg.paths.bulk;
	std::string out = line("path C: device %s, gid %d, %u slots x %u bytes, batch %u bytes or %u us, on the %s lcore\n",
			       c.device.empty() ? "(first)" : c.device.c_str(), c.gid_index, c.slots, c.slot_size,
			       c.batch_bytes ? c.batch_bytes : c.slot_size - 16, c.batch_us,
			       rt.dp->bulk_on_control() ? "control" : "bulk");
	for (size_t i = 0; i < b->peer_count(); i++)
		out += format_peer(*b, i);
	if (!rt.bulk_events.empty()) {
		out += "  recent events:\n";
		for (const std::string &e : rt.bulk_events)
			out += "    " + e + "\n";
	}
	return out;
}

void log_bulk_events(Runtime &rt)
{
	pipeline::BulkPath *b = rt.dp->bulk();
	if (b == nullptr)
		return;
	for (const pipeline::PeerEvent &ev : b->take_events()) {
		const std::string &peer = b->peer_config(ev.peer).name;
		std::string text = "bulk peer " + peer + ": " + pipeline::peer_event_name(ev.kind);
		if (ev.error != bulk::BulkError::none)
			text += std::string(" (") + bulk::to_string(ev.error) + ")";
		if (ev.kind == pipeline::PeerEventKind::down || ev.kind == pipeline::PeerEventKind::stalled)
			text += ": its bulk traffic takes path A until it is back";
		else if (ev.kind == pipeline::PeerEventKind::up)
			text += ": path C carries its bulk traffic";
		if (rt.verbose >= 1)
			std::printf("tripath: %s\n", text.c_str());
		rt.bulk_events.push_back(text);
		if (rt.bulk_events.size() > kKeptEvents)
			rt.bulk_events.erase(rt.bulk_events.begin());
	}
}

void register_bulk_commands(Runtime &rt)
{
	rt.registry.add("show bulk", "path", "path C: peers, QP state, credits, batches, bytes, fallbacks, recent events",
			[&rt](const Args &) { return ok(format_bulk(rt)); });
	rt.registry.add("bulk inject wrong-rkey <peer>", "path",
			"test: the peer's next batch goes out with a wrong rkey (a remote access error to recover from)",
			[&rt](const Args &a) {
				pipeline::BulkPath *b = rt.dp->bulk();
				for (size_t i = 0; b != nullptr && i < b->peer_count(); i++)
					if (b->peer_config(i).name == a[0]) {
						b->request_wrong_rkey(i);
						return ok("bulk peer " + a[0] + ": the next batch carries a wrong rkey\n");
					}
				return fail("bulk inject: no bulk peer named '" + a[0] + "' (show bulk lists them)\n");
			});
}

} // namespace tripath::app
