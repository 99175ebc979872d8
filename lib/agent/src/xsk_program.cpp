#include <cerrno>
#include <cstring>
#include <fcntl.h>
#include <sched.h>
#include <sys/stat.h>
#include <unistd.h>

#include <bpf/bpf.h>
#include <bpf/libbpf.h>
#include <xdp/libxdp.h>

#include "xsk_layout.h"
#include "xsk_program.h"

namespace tripath::agent {
namespace {

constexpr const char *kThreadNetns = "/proc/thread-self/ns/net";

bool same_file(int fd_a, int fd_b)
{
	struct stat a, b;
	return fstat(fd_a, &a) == 0 && fstat(fd_b, &b) == 0 && a.st_dev == b.st_dev && a.st_ino == b.st_ino;
}

// Runs `fn` in network namespace `netns_fd` when the calling thread is elsewhere: an ifindex
// means another interface (or none) in another namespace.
template <typename Fn>
void in_netns(int netns_fd, Fn fn)
{
	int here = open(kThreadNetns, O_RDONLY | O_CLOEXEC);
	bool move = netns_fd >= 0 && here >= 0 && !same_file(here, netns_fd);
	if (move && setns(netns_fd, CLONE_NEWNET) != 0)
		move = false;
	fn();
	if (move)
		setns(here, CLONE_NEWNET);
	if (here >= 0)
		close(here);
}

std::string libxdp_error(int err)
{
	char buf[256];
	if (libxdp_strerror(err, buf, sizeof(buf)) == 0)
		return buf;
	return std::strerror(err < 0 ? -err : err);
}

} // namespace

bool XskProgram::attach(const std::string &path, const std::string &iface, int ifindex,
			std::vector<std::string> &warnings, std::string &error)
{
	detach();
	xdp_program *program = xdp_program__open_file(path.c_str(), nullptr, nullptr);
	if (long err = libxdp_get_error(program)) {
		error = "cannot open XDP program " + path + ": " + libxdp_error(int(err)) +
			" (build it with ninja, or set TRIPATH_XSK_PROG)";
		return false;
	}
	int err = xdp_program__attach(program, ifindex, XDP_MODE_NATIVE, 0);
	if (err == 0) {
		mode_ = XDP_MODE_NATIVE;
	} else {
		warnings.push_back("driver-mode XDP refused on " + iface + " (" + libxdp_error(err) +
				   "); falling back to SKB (generic) mode, which is slower");
		err = xdp_program__attach(program, ifindex, XDP_MODE_SKB, 0);
		if (err != 0) {
			error = "cannot attach " + path + " to " + iface + " in driver or SKB mode: " + libxdp_error(err);
			xdp_program__close(program);
			return false;
		}
		mode_ = XDP_MODE_SKB;
	}
	program_ = program;
	ifindex_ = ifindex;
	netns_fd_ = open(kThreadNetns, O_RDONLY | O_CLOEXEC);
	if (xsks_map_fd() < 0 || map_fd("xsk_cfg") < 0) {
		error = path + " lacks the xsks_map or xsk_cfg map: not tripath's XSK redirect program";
		detach();
		return false;
	}
	return true;
}

int XskProgram::map_fd(const char *name) const
{
	if (!program_)
		return -1;
	bpf_map *map = bpf_object__find_map_by_name(xdp_program__bpf_obj(program_), name);
	return map ? bpf_map__fd(map) : -1;
}

int XskProgram::xsks_map_fd() const
{
	return map_fd("xsks_map");
}

bool XskProgram::set_ports(uint16_t lo, uint16_t hi, std::string &error)
{
	uint32_t key = 0;
	tp_xsk_cfg cfg{lo, hi};
	if (bpf_map_update_elem(map_fd("xsk_cfg"), &key, &cfg, BPF_ANY) != 0) {
		error = std::string("cannot write xsk_cfg: ") + std::strerror(errno);
		return false;
	}
	return true;
}

const char *XskProgram::mode_name() const
{
	if (!program_)
		return "none";
	return mode_ == XDP_MODE_NATIVE ? "native" : "skb";
}

void XskProgram::detach()
{
	if (!program_)
		return;
	in_netns(netns_fd_, [this] { xdp_program__detach(program_, ifindex_, xdp_attach_mode(mode_), 0); });
	xdp_program__close(program_);
	program_ = nullptr;
	if (netns_fd_ >= 0)
		close(netns_fd_);
	netns_fd_ = -1;
}

} // namespace tripath::agent
