// What each port kind needs: its EAL device argument, host preflight checks with remedies,
// and queue setup.
#pragma once

#include <cstdint>
#include <string>
#include <utility>
#include <vector>

#include <rte_mempool.h>

#include <tripath/config/config.h>

namespace tripath::drivers {

// The EAL option that creates the port: {"--vdev", "net_af_xdp_wire0,iface=wire0,..."} or,
// for PCI NICs, {"-a", "0000:3b:00.0,devargs"}.
std::pair<std::string, std::string> eal_device_arg(const config::PortConfig &port);

// The ethdev name to look the port up by once EAL has probed it.
std::string ethdev_name(const config::PortConfig &port);

// Split mode's XDP classifier object: $TRIPATH_XDP_PROG, else the installed copy, else the
// one in the build tree.
std::string xdp_program_path();

// Host checks before EAL starts. Each problem is one line naming the port, what is wrong
// and how to fix it.
std::vector<std::string> preflight(const config::PortConfig &port);

// Queues, descriptors, promiscuous mode, start. On failure `error` names the port and step.
bool setup_port(uint16_t port_id, const config::PortConfig &port, rte_mempool *pool, std::string &error);

// Mbufs the pool needs for these ports, their rings and the lcores' caches.
unsigned mbufs_needed(const config::Config &cfg);

// The mbuf pool every port and path shares (mbufs_needed mbufs, eal.mbuf_pool_ops). Null with
// rte_errno set when it cannot be had.
rte_mempool *create_mbuf_pool(const config::Config &cfg);

} // namespace tripath::drivers
