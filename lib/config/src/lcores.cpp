// lcores: which CPU does what, which queues each worker polls, and how it idles.
#include "names.h"
#include "sections.h"
#include "values.h"

#include <algorithm>
#include <map>
#include <optional>

namespace tripath::config::detail {

namespace {

// Who already polls a (port, queue): no queue may be read by two workers.
using PollOwners = std::map<std::pair<std::string, uint16_t>, std::pair<unsigned, SourceLoc>>;

PollEntry read_poll_entry(const Field &f, const Config &cfg, unsigned lcore, PollOwners &owners)
{
	MapReader m(f, {"port", "queue"});
	PollEntry e;
	e.loc = f.loc;
	Field port = m.need("port");
	e.port = read_string(port);
	const PortConfig *p = cfg.find_port(e.port);
	if (!p)
		port.fail("no port named '" + e.port + "' in ports");
	if (p->driver == Driver::tap)
		port.fail(
			"port " + e.port +
			" is a tap port; the control lcore owns TAP I/O, so no worker may poll it");
	Field queue = m.need("queue");
	e.queue = static_cast<uint16_t>(read_uint(queue, 0, 63));
	if (e.queue >= p->queues)
		queue.fail("queue " + std::to_string(e.queue) + " is out of range: port " + e.port +
			   " has " + std::to_string(p->queues) +
			   (p->queues == 1 ? " queue" : " queues") + " (0.." +
			   std::to_string(p->queues - 1) + ")");
	auto [it, fresh] = owners.emplace(std::pair{e.port, e.queue}, std::pair{lcore, f.loc});
	if (!fresh)
		f.fail("port " + e.port + " queue " + std::to_string(e.queue) +
		       " is already polled by lcore " + std::to_string(it->second.first) + " (at " +
		       it->second.second.str() + ")");
	return e;
}

IdleBackoff read_idle(const Field &f)
{
	MapReader m(f, {"enabled", "pause_after", "sleep_min_us", "sleep_max_us", "timer_slack_ns"});
	IdleBackoff idle;
	if (auto v = m.get("enabled"))
		idle.enabled = read_bool(*v);
	if (auto v = m.get("pause_after"))
		idle.pause_after = static_cast<uint32_t>(read_uint(*v, 1, 1000000));
	auto min = m.get("sleep_min_us");
	if (min)
		idle.sleep_min_us = static_cast<uint32_t>(read_uint(*min, 1, 1000000));
	if (auto v = m.get("sleep_max_us")) {
		idle.sleep_max_us = static_cast<uint32_t>(read_uint(*v, 1, 1000000));
		if (idle.sleep_max_us < idle.sleep_min_us)
			v->fail(std::to_string(idle.sleep_max_us) + " is below sleep_min_us (" +
				std::to_string(idle.sleep_min_us) + ")");
	} else if (min && idle.sleep_min_us > idle.sleep_max_us)
		min->fail(std::to_string(idle.sleep_min_us) +
			  " is above the default sleep_max_us (" +
			  std::to_string(idle.sleep_max_us) + "); set sleep_max_us too");
	if (auto v = m.get("timer_slack_ns"))
		idle.timer_slack_ns = static_cast<uint32_t>(read_uint(*v, 1, 1000000));
	return idle;
}

// What the lcores seen so far have claimed: ids, polled queues, the control role.
struct Claims {
	const EalConfig *eal = nullptr;
	UniqueNames ids{"lcore id"};
	PollOwners owners;
	std::optional<std::pair<unsigned, SourceLoc>> control;
};

LcoreConfig read_lcore(const Field &f, const Config &cfg, Claims &claims)
{
	MapReader m(f, {"id", "role", "poll", "idle", "flow_cache"});
	LcoreConfig lc;
	lc.loc = f.loc;
	Field id = m.need("id");
	lc.id = static_cast<unsigned>(read_uint(id, 0, max_lcore_id));
	claims.ids.add(id, std::to_string(lc.id));
	const EalConfig *eal = claims.eal;
	if (eal && !std::ranges::binary_search(eal->lcores, lc.id))
		id.fail("lcore " + std::to_string(lc.id) + " is not in eal.lcores (" +
			format_id_set(eal->lcores) + ")");

	Field role = m.need("role");
	lc.role = static_cast<LcoreRole>(read_choice(role, lcore_role_names));
	if (lc.role == LcoreRole::control) {
		if (claims.control)
			role.fail("lcore " + std::to_string(lc.id) +
				  " is a second control lcore (the first is lcore " +
				  std::to_string(claims.control->first) + " at " +
				  claims.control->second.str() + "); exactly one is allowed");
		if (eal && lc.id != eal->main_lcore)
			id.fail("the control lcore must be eal.main_lcore (" +
				std::to_string(eal->main_lcore) + "), got " +
				std::to_string(lc.id));
		claims.control = {lc.id, f.loc};
	}

	if (auto v = m.get("poll")) {
		if (lc.role != LcoreRole::worker)
			v->fail("only worker lcores poll queues (this lcore's role is " +
				std::string(lcore_role_name(lc.role)) + ")");
		for (const auto &item : list_items(*v))
			lc.poll.push_back(read_poll_entry(item, cfg, lc.id, claims.owners));
	}
	if (lc.role == LcoreRole::worker && lc.poll.empty())
		f.fail("worker lcore " + std::to_string(lc.id) +
		       " polls no queue (give it a poll list)");
	if (auto v = m.get("idle"))
		lc.idle = read_idle(*v);
	if (auto v = m.get("flow_cache")) {
		if (lc.role != LcoreRole::worker)
			v->fail("only worker lcores classify packets, so only they have a flow_cache (this lcore's role is " +
				std::string(lcore_role_name(lc.role)) + ")");
		lc.flow_cache = uint32_t(read_uint(*v, 0, 1u << 20));
		if (lc.flow_cache != 0)
			lc.flow_cache = read_pow2(*v, 64, 1u << 20);
	}
	return lc;
}

// RSS spreads a port's packets over all its queues: one nobody polls would strand its share.
void check_every_queue_polled(const Field &f, const Config &cfg, const PollOwners &owners)
{
	for (size_t i = 0; i < cfg.ports.size(); i++) {
		const PortConfig &p = cfg.ports[i];
		std::optional<uint16_t> unpolled;
		bool polled = false;
		for (uint16_t q = 0; q < p.queues; q++) {
			if (owners.contains({p.name, q}))
				polled = true;
			else if (!unpolled)
				unpolled = q;
		}
		if (polled && unpolled)
			f.reader->fail(p.loc,
				       "ports[" + std::to_string(i) + "]: queue " +
					       std::to_string(*unpolled) + " of port " + p.name +
					       " is not polled by any worker; RSS spreads packets over all " +
					       std::to_string(p.queues) + " queues (0.." +
					       std::to_string(p.queues - 1) +
					       "), so poll each of them or lower queues");
	}
}

} // namespace

std::vector<LcoreConfig> read_lcores(const Field &f, const Config &cfg, const EalConfig *eal)
{
	std::vector<LcoreConfig> lcores;
	Claims claims;
	claims.eal = eal;
	for (const auto &item : list_items(f))
		lcores.push_back(read_lcore(item, cfg, claims));
	if (!claims.control)
		f.fail("no control lcore (exactly one lcore needs role: control; it runs the guardian and TAP I/O)");
	if (std::ranges::none_of(lcores,
				 [](const auto &lc) { return lc.role == LcoreRole::worker; }))
		f.fail("no worker lcore (at least one lcore needs role: worker)");
	check_every_queue_polled(f, cfg, claims.owners);
	return lcores;
}

} // namespace tripath::config::detail
