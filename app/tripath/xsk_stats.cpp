// show port xsk: the kernel's own counts for tripath's AF_XDP sockets. The af_xdp PMD (DPDK
// 22.11) reports only XDP_STATISTICS rx_dropped as imissed; frames the kernel could not put on
// a full XSK rx ring (a burst), or had no fill-ring buffer for (mbuf pool exhausted), are
// counted only here. Read with getsockopt(XDP_STATISTICS) on the AF_XDP sockets this process
// holds, on the control lcore when asked. The PMD keeps its sockets to itself, so they are told
// apart by creation order: the main lcore sets the ports up in config order, queue by queue, and
// socket inode numbers grow on one CPU.
#include <algorithm>
#include <cstring>
#include <filesystem>
#include <linux/if_xdp.h>
#include <sys/socket.h>

#include <nlohmann/json.hpp>

#include "reload.h"

#ifndef SOL_XDP
#define SOL_XDP 283
#endif

namespace tripath::app {

using control::Args;
using control::CommandResult;
using control::fail;
using control::ok;

namespace {

struct XskCounts {
	std::string port = "?";
	std::string iface;
	uint32_t queue = 0;
	uint64_t inode = 0;
	xdp_statistics stats{};
};

std::vector<XskCounts> read_xsks(const Runtime &rt)
{
	std::vector<XskCounts> out;
	std::error_code ec;
	for (const auto &e : std::filesystem::directory_iterator("/proc/self/fd", ec)) {
		std::error_code lec;
		std::string target = std::filesystem::read_symlink(e.path(), lec).string();
		if (lec || target.rfind("socket:[", 0) != 0)
			continue;
		int fd = std::atoi(e.path().filename().c_str());
		XskCounts c;
		socklen_t len = sizeof(c.stats);
		if (getsockopt(fd, SOL_XDP, XDP_STATISTICS, &c.stats, &len) != 0)
			continue; // not an AF_XDP socket
		c.inode = std::strtoull(target.c_str() + 8, nullptr, 10);
		out.push_back(c);
	}
	std::sort(out.begin(), out.end(), [](const XskCounts &a, const XskCounts &b) { return a.inode < b.inode; });
	std::vector<std::pair<const config::PortConfig *, uint16_t>> expected;
	for (const config::PortConfig &p : rt.cfg.ports)
		if (p.driver == config::Driver::af_xdp)
			for (uint16_t q = 0; q < p.queues; q++)
				expected.emplace_back(&p, q);
	if (expected.size() == out.size())
		for (size_t i = 0; i < out.size(); i++) {
			out[i].port = expected[i].first->name;
			out[i].queue = expected[i].second;
			for (const auto &[k, v] : expected[i].first->args)
				if (k == "iface")
					out[i].iface = v;
		}
	return out;
}

} // namespace

void register_xsk_commands(Runtime &rt)
{
	control::CommandRegistry &r = rt.registry;
	r.add("show port xsk", "port",
	      "af_xdp ports: the kernel's drops per socket (rx ring full, fill ring empty...) that the PMD's imissed leaves out",
	      [&rt](const Args &) {
		      std::string out;
		      char line[320];
		      for (const XskCounts &x : read_xsks(rt)) {
			      std::snprintf(line, sizeof(line),
					    "  port %s (%s queue %u): rx ring full %llu, fill ring empty %llu, rx dropped %llu, rx invalid %llu, "
					    "tx invalid %llu, tx ring empty %llu\n",
					    x.port.c_str(), x.iface.c_str(), x.queue, (unsigned long long)x.stats.rx_ring_full,
					    (unsigned long long)x.stats.rx_fill_ring_empty_descs, (unsigned long long)x.stats.rx_dropped,
					    (unsigned long long)x.stats.rx_invalid_descs, (unsigned long long)x.stats.tx_invalid_descs,
					    (unsigned long long)x.stats.tx_ring_empty_descs);
			      out += line;
		      }
		      return ok(out.empty() ? "  no AF_XDP sockets\n" : out);
	      });
	r.add_json("show port xsk", [&rt](const Args &) {
		nlohmann::ordered_json out = nlohmann::ordered_json::array();
		for (const XskCounts &x : read_xsks(rt))
			out.push_back({{"name", x.port}, {"iface", x.iface}, {"queue", x.queue},
				       {"rx_ring_full", x.stats.rx_ring_full}, {"fill_ring_empty", x.stats.rx_fill_ring_empty_descs},
				       {"rx_dropped", x.stats.rx_dropped}, {"rx_invalid", x.stats.rx_invalid_descs},
				       {"tx_invalid", x.stats.tx_invalid_descs}, {"tx_ring_empty", x.stats.tx_ring_empty_descs}});
		return ok(out.dump(2) + "\n");
	});
}

} // namespace tripath::app
