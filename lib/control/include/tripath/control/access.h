// Who may use the control socket: the socket file's mode and group decide who can connect;
// each client's credentials (SO_PEERCRED) decide its role, admin or read-only.
#pragma once

#include <optional>
#include <string>
#include <sys/types.h>
#include <vector>

#include <tripath/control/registry.h>

namespace tripath::control {

struct SocketAccess {
	mode_t mode = 0600;                    // the socket file's permission bits
	std::optional<gid_t> group;            // the socket file's group; unset: the daemon's
	std::optional<gid_t> admin_group;      // its members are admins; unset: only uid 0 is
};

// A connected client, as the kernel reported it at accept.
struct Peer {
	uid_t uid = 0;
	gid_t gid = 0;
	pid_t pid = 0;
	std::vector<gid_t> groups;             // supplementary, at accept
	Role role = Role::reader;
};

// uid 0, or admin_group as the primary or a supplementary group: admin; anyone else: reader.
Role role_for(uid_t uid, gid_t gid, const std::vector<gid_t> &groups, const SocketAccess &access);

// The supplementary groups the process `pid` runs with (/proc/PID/status Groups:), else the
// groups /etc/group gives user `uid`.
std::vector<gid_t> process_groups(pid_t pid, uid_t uid, gid_t gid);

// The client on `fd` (SO_PEERCRED) and its role; false if the kernel gives no credentials.
bool identify_peer(int fd, const SocketAccess &access, Peer &peer);

// A group name to its id (NSS included); nullopt when there is no such group.
std::optional<gid_t> find_group(const std::string &name);

// "uid 65534 (nobody), gid 65534: role reader" for `whoami`, with who the admins are.
std::string describe_peer(const Peer &peer, const SocketAccess &access);

} // namespace tripath::control
