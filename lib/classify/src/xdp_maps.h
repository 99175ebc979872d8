// Finding the XDP classifier's maps: in a libbpf object, or behind the program attached to a
// netdev (map ids of the program, matched by name).
#pragma once

#include <string>

struct bpf_object;

namespace tripath::classify::xdp {

// Owned map fds, closed on destruction; -1 until found.
struct MapSet {
	int xsks = -1;
	int rules = -1;
	int ctl = -1;
	int parse = -1;
	int paths = -1;
	int last = -1;

	MapSet() = default;
	MapSet(MapSet &&other) noexcept;
	MapSet &operator=(MapSet &&) = delete;
	MapSet(const MapSet &) = delete;
	~MapSet();
};

// Throws std::runtime_error naming the missing map (and the interface, for the second).
MapSet maps_of_object(bpf_object *obj);
MapSet maps_of_interface(const std::string &ifname);

} // namespace tripath::classify::xdp
