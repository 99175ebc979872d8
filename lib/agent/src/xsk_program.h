// bpf/xsk_redirect.bpf.o on one interface: loaded and attached with libxdp (driver mode, else
// SKB mode), told the port range, detached again on close.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

struct xdp_program;

namespace tripath::agent {

class XskProgram {
public:
	XskProgram() = default;
	~XskProgram() { detach(); }
	XskProgram(const XskProgram &) = delete;
	XskProgram &operator=(const XskProgram &) = delete;

	bool attach(const std::string &path, const std::string &iface, int ifindex,
		    std::vector<std::string> &warnings, std::string &error);
	bool set_ports(uint16_t lo, uint16_t hi, std::string &error);
	// The XSKMAP the socket registers itself in; -1 when not attached.
	int xsks_map_fd() const;
	const char *mode_name() const;
	void detach();

private:
	int map_fd(const char *name) const;

	xdp_program *program_ = nullptr;
	int ifindex_ = 0;
	int netns_fd_ = -1; // the namespace ifindex_ belongs to: detach may be called from another thread
	int mode_ = 0; // enum xdp_attach_mode
};

} // namespace tripath::agent
