#include <algorithm>
#include <cerrno>
#include <cstring>
#include <stdexcept>
#include <string>
#include <utility>
#include <vector>

#include <fcntl.h>
#include <net/if.h>
#include <unistd.h>

#include <bpf/bpf.h>
#include <bpf/libbpf.h>

#include "xdp_layout.h"
#include "xdp_maps.h"

namespace tripath::classify::xdp {

namespace {

struct Wanted {
	const char *name;
	int MapSet::*fd;
};

constexpr Wanted kWanted[] = {
	{TP_XDP_MAP_XSKS, &MapSet::xsks},   {TP_XDP_MAP_RULES, &MapSet::rules}, {TP_XDP_MAP_CTL, &MapSet::ctl},
	{TP_XDP_MAP_PARSE, &MapSet::parse}, {TP_XDP_MAP_PATHS, &MapSet::paths}, {TP_XDP_MAP_LAST, &MapSet::last},
};

std::string errno_text(int err) { return std::strerror(err < 0 ? -err : err); }

} // namespace

MapSet::MapSet(MapSet &&other) noexcept
{
	for (const Wanted &w : kWanted)
		this->*w.fd = std::exchange(other.*w.fd, -1);
}

MapSet::~MapSet()
{
	for (const Wanted &w : kWanted)
		if (this->*w.fd >= 0)
			close(this->*w.fd);
}

MapSet maps_of_object(bpf_object *obj)
{
	if (obj == nullptr)
		throw std::runtime_error("XDP rules: no BPF object");
	MapSet set;
	for (const Wanted &w : kWanted) {
		bpf_map *map = bpf_object__find_map_by_name(obj, w.name);
		if (map == nullptr)
			throw std::runtime_error(std::string("XDP rules: object ") + bpf_object__name(obj) + " has no map " +
						 w.name);
		const int fd = bpf_map__fd(map);
		if (fd < 0)
			throw std::runtime_error(std::string("XDP rules: map ") + w.name + " of object " +
						 bpf_object__name(obj) + " is not created (load the object first)");
		// Our own descriptor, so the caller may close the object.
		set.*w.fd = fcntl(fd, F_DUPFD_CLOEXEC, 0);
		if (set.*w.fd < 0)
			throw std::runtime_error(std::string("XDP rules: dup of map ") + w.name + ": " + errno_text(errno));
	}
	return set;
}

MapSet maps_of_interface(const std::string &ifname)
{
	const std::string where = "XDP rules: interface " + ifname;
	const unsigned ifindex = if_nametoindex(ifname.c_str());
	if (ifindex == 0)
		throw std::runtime_error(where + ": " + errno_text(errno));
	LIBBPF_OPTS(bpf_xdp_query_opts, query);
	int err = bpf_xdp_query(int(ifindex), 0, &query);
	if (err)
		throw std::runtime_error(where + ": cannot query its XDP program: " + errno_text(err));
	// Native mode when the driver has it (the af_xdp PMD's choice), else generic.
	const uint32_t prog_id = query.drv_prog_id ? query.drv_prog_id : query.skb_prog_id ? query.skb_prog_id : query.prog_id;
	if (prog_id == 0)
		throw std::runtime_error(where + ": no XDP program is attached");
	const int prog_fd = bpf_prog_get_fd_by_id(prog_id);
	if (prog_fd < 0)
		throw std::runtime_error(where + ": cannot open XDP program id " + std::to_string(prog_id) + ": " +
					 errno_text(errno));

	bpf_prog_info info{};
	uint32_t info_len = sizeof(info);
	std::vector<uint32_t> ids;
	err = bpf_obj_get_info_by_fd(prog_fd, &info, &info_len);
	if (!err && info.nr_map_ids > 0) {
		// Second call with room for the map ids the first one counted.
		ids.resize(info.nr_map_ids);
		const uint32_t nr = info.nr_map_ids;
		info = bpf_prog_info{};
		info.nr_map_ids = nr;
		info.map_ids = reinterpret_cast<uintptr_t>(ids.data());
		info_len = sizeof(info);
		err = bpf_obj_get_info_by_fd(prog_fd, &info, &info_len);
		ids.resize(std::min(nr, info.nr_map_ids));
	}
	const std::string prog_name = info.name;
	close(prog_fd);
	if (err)
		throw std::runtime_error(where + ": cannot read XDP program id " + std::to_string(prog_id) + ": " +
					 errno_text(err));

	MapSet set;
	for (uint32_t id : ids) {
		const int fd = bpf_map_get_fd_by_id(id);
		if (fd < 0)
			continue; // freed since the query: then it is not one of the program's maps
		bpf_map_info map_info{};
		uint32_t map_len = sizeof(map_info);
		bool kept = false;
		if (bpf_obj_get_info_by_fd(fd, &map_info, &map_len) == 0)
			for (const Wanted &w : kWanted)
				if (set.*w.fd < 0 && std::strcmp(map_info.name, w.name) == 0) {
					set.*w.fd = fd;
					kept = true;
				}
		if (!kept)
			close(fd);
	}
	for (const Wanted &w : kWanted)
		if (set.*w.fd < 0)
			throw std::runtime_error(where + ": XDP program '" + prog_name + "' (id " + std::to_string(prog_id) +
						 ") has no map " + w.name +
						 "; is it tripath's xdp_classify.bpf.o (and not a libxdp dispatcher)?");
	return set;
}

} // namespace tripath::classify::xdp
