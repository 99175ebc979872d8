// Publishing rule sets into the XDP classifier's maps, and reading its counters back.
#include <cerrno>
#include <cstring>
#include <stdexcept>
#include <string>
#include <vector>

#include <unistd.h>

#include <bpf/bpf.h>
#include <bpf/libbpf.h>

#include <tripath/classify/xdp_rules.h>

#include "xdp_compile.h"
#include "xdp_layout.h"
#include "xdp_maps.h"

namespace tripath::classify::xdp {

static_assert(kMaxRules == TP_XDP_MAX_RULES);
static_assert(kNoRule == TP_XDP_NO_RULE);
static_assert(unsigned(packet::ParseStatus::count_) == TP_PARSE_COUNT);
static_assert(unsigned(packet::ParseStatus::truncated_ethernet) == TP_PARSE_TRUNCATED_ETHERNET &&
	      unsigned(packet::ParseStatus::truncated_vlan) == TP_PARSE_TRUNCATED_VLAN &&
	      unsigned(packet::ParseStatus::too_many_vlans) == TP_PARSE_TOO_MANY_VLANS &&
	      unsigned(packet::ParseStatus::truncated_ipv4) == TP_PARSE_TRUNCATED_IPV4 &&
	      unsigned(packet::ParseStatus::bad_ipv4_version) == TP_PARSE_BAD_IPV4_VERSION &&
	      unsigned(packet::ParseStatus::bad_ipv4_ihl) == TP_PARSE_BAD_IPV4_IHL &&
	      unsigned(packet::ParseStatus::bad_ipv4_length) == TP_PARSE_BAD_IPV4_LENGTH &&
	      unsigned(packet::ParseStatus::truncated_ipv6) == TP_PARSE_TRUNCATED_IPV6 &&
	      unsigned(packet::ParseStatus::bad_ipv6_version) == TP_PARSE_BAD_IPV6_VERSION &&
	      unsigned(packet::ParseStatus::bad_ipv6_extension) == TP_PARSE_BAD_IPV6_EXTENSION &&
	      unsigned(packet::ParseStatus::truncated_l4) == TP_PARSE_TRUNCATED_L4 &&
	      unsigned(packet::ParseStatus::bad_tcp_offset) == TP_PARSE_BAD_TCP_OFFSET);

namespace {

std::runtime_error map_error(const char *op, const char *map)
{
	return std::runtime_error(std::string("XDP rules: ") + op + " map " + map + ": " + std::strerror(errno));
}

// Per-CPU values come back as one slot per possible CPU, each rounded up to 8 bytes.
template <typename T> std::vector<T> per_cpu(int fd, const char *map, uint32_t key, unsigned cpus)
{
	static_assert(sizeof(T) % 8 == 0);
	std::vector<T> values(cpus);
	if (bpf_map_lookup_elem(fd, &key, values.data()) != 0)
		throw map_error("read", map);
	return values;
}

} // namespace

// Map fds plus a private map-in-map used only to wait for an RCU grace period: updating an
// ARRAY_OF_MAPS makes the kernel synchronize_rcu() before the syscall returns, and XDP
// programs run inside RCU read sections, so afterwards no frame still holds the old `active`.
struct XdpRules::Fds {
	MapSet maps;
	int sync_inner = -1;
	int sync_outer = -1;

	explicit Fds(MapSet &&m) : maps(std::move(m)) {}
	~Fds()
	{
		if (sync_outer >= 0)
			close(sync_outer);
		if (sync_inner >= 0)
			close(sync_inner);
	}
};

XdpRules::XdpRules(std::unique_ptr<Fds> fds) : fds_(std::move(fds))
{
	const int cpus = libbpf_num_possible_cpus();
	if (cpus <= 0)
		throw std::runtime_error("XDP rules: cannot count possible CPUs: " + std::string(std::strerror(-cpus)));
	cpus_ = unsigned(cpus);
	fds_->sync_inner = bpf_map_create(BPF_MAP_TYPE_ARRAY, "tp_rcu_inner", 4, 4, 1, nullptr);
	if (fds_->sync_inner < 0)
		throw map_error("create", "tp_rcu_inner");
	LIBBPF_OPTS(bpf_map_create_opts, outer_opts, .inner_map_fd = uint32_t(fds_->sync_inner));
	fds_->sync_outer = bpf_map_create(BPF_MAP_TYPE_ARRAY_OF_MAPS, "tp_rcu_sync", 4, 4, 1, &outer_opts);
	if (fds_->sync_outer < 0)
		throw map_error("create", "tp_rcu_sync");
}

XdpRules::~XdpRules() = default;

std::unique_ptr<XdpRules> XdpRules::from_object(bpf_object *obj)
{
	return std::unique_ptr<XdpRules>(new XdpRules(std::make_unique<Fds>(maps_of_object(obj))));
}

std::unique_ptr<XdpRules> XdpRules::from_interface(const std::string &ifname)
{
	return std::unique_ptr<XdpRules>(new XdpRules(std::make_unique<Fds>(maps_of_interface(ifname))));
}

void XdpRules::wait_for_readers()
{
	const uint32_t key = 0;
	const uint32_t inner = uint32_t(fds_->sync_inner);
	if (bpf_map_update_elem(fds_->sync_outer, &key, &inner, BPF_ANY) != 0)
		throw map_error("update", "tp_rcu_sync");
	quiescent_ = true;
}

namespace {

tp_xdp_ctl read_ctl(int fd)
{
	const uint32_t key = 0;
	tp_xdp_ctl ctl{};
	if (bpf_map_lookup_elem(fd, &key, &ctl) != 0)
		throw map_error("read", TP_XDP_MAP_CTL);
	return ctl;
}

void write_ctl(int fd, const tp_xdp_ctl &ctl)
{
	const uint32_t key = 0;
	if (bpf_map_update_elem(fd, &key, &ctl, BPF_ANY) != 0)
		throw map_error("update", TP_XDP_MAP_CTL);
}

} // namespace

void XdpRules::stage(const config::Config &cfg)
{
	const std::vector<tp_xdp_rule> rules = compile_rules(cfg); // refuses before any write
	// A previous publisher (another process) may have flipped without waiting.
	if (!quiescent_)
		wait_for_readers();
	tp_xdp_ctl ctl = read_ctl(fds_->maps.ctl);
	const unsigned half = (ctl.active & 1) ^ 1;
	if (!rules.empty()) {
		std::vector<uint32_t> keys(rules.size());
		for (size_t i = 0; i < rules.size(); i++)
			keys[i] = half * TP_XDP_MAX_RULES + uint32_t(i);
		uint32_t count = uint32_t(rules.size());
		LIBBPF_OPTS(bpf_map_batch_opts, batch, .elem_flags = 0, .flags = 0);
		if (bpf_map_update_batch(fds_->maps.rules, keys.data(), rules.data(), &count, &batch) != 0)
			throw map_error("batch update", TP_XDP_MAP_RULES);
	}
	// Only the inactive count changes in this write (see tp_xdp_ctl).
	ctl.count[half] = uint32_t(rules.size());
	write_ctl(fds_->maps.ctl, ctl);
	staged_ = true;
	staged_half_ = half;
}

void XdpRules::commit()
{
	if (!staged_)
		throw std::runtime_error("XDP rules: commit without a staged rule set");
	tp_xdp_ctl ctl = read_ctl(fds_->maps.ctl);
	ctl.active = staged_half_;
	quiescent_ = false;
	write_ctl(fds_->maps.ctl, ctl);
	staged_ = false;
	wait_for_readers();
}

void XdpRules::publish(const config::Config &cfg)
{
	stage(cfg);
	commit();
}

unsigned XdpRules::active_half() const
{
	return read_ctl(fds_->maps.ctl).active & 1;
}

uint32_t XdpRules::active_rules() const
{
	const tp_xdp_ctl ctl = read_ctl(fds_->maps.ctl);
	return ctl.count[ctl.active & 1];
}

Counters XdpRules::read_counters() const
{
	Counters c;
	for (uint32_t status = 0; status < TP_PARSE_COUNT; status++)
		for (uint64_t v : per_cpu<uint64_t>(fds_->maps.parse, TP_XDP_MAP_PARSE, status, cpus_))
			c.parse[status] += v;
	for (uint32_t slot = 0; slot < TP_XDP_PATH_SLOTS; slot++) {
		PathCount &out = slot == TP_XDP_SLOT_XSK_MISSING ? c.xsk_missing : c.path[slot];
		for (const tp_xdp_path_count &v : per_cpu<tp_xdp_path_count>(fds_->maps.paths, TP_XDP_MAP_PATHS, slot, cpus_)) {
			out.packets += v.packets;
			out.bytes += v.bytes;
		}
	}
	return c;
}

std::vector<Decision> XdpRules::last_decisions() const
{
	std::vector<Decision> out;
	for (const tp_xdp_decision &d : per_cpu<tp_xdp_decision>(fds_->maps.last, TP_XDP_MAP_LAST, 0, cpus_)) {
		Decision x;
		x.seq = d.seq;
		x.status = packet::ParseStatus(d.status);
		x.rule = d.rule;
		x.path = config::PathKind(d.path);
		x.action = d.action;
		x.frame_len = d.frame_len;
		x.head_len = d.head_len;
		out.push_back(x);
	}
	return out;
}

} // namespace tripath::classify::xdp
