#include <algorithm>
#include <fstream>
#include <grp.h>
#include <pwd.h>
#include <sstream>
#include <sys/socket.h>

#include <tripath/control/access.h>

namespace tripath::control {

Role role_for(uid_t uid, gid_t gid, const std::vector<gid_t> &groups, const SocketAccess &access)
{
	if (uid == 0)
		return Role::admin;
	if (access.admin_group && (gid == *access.admin_group || std::ranges::find(groups, *access.admin_group) != groups.end()))
		return Role::admin;
	return Role::reader;
}

std::vector<gid_t> process_groups(pid_t pid, uid_t uid, gid_t gid)
{
	std::vector<gid_t> groups;
	// The process's own groups: what setpriv/newgrp gave it, not only what /etc/group says.
	std::ifstream status("/proc/" + std::to_string(pid) + "/status");
	std::string line;
	while (std::getline(status, line))
		if (line.rfind("Groups:", 0) == 0) {
			std::istringstream in(line.substr(7));
			unsigned long g;
			while (in >> g)
				groups.push_back(gid_t(g));
			return groups;
		}
	passwd *pw = getpwuid(uid);
	if (pw == nullptr)
		return groups;
	int n = 64;
	groups.resize(size_t(n));
	if (getgrouplist(pw->pw_name, gid, groups.data(), &n) < 0) {
		groups.resize(size_t(n));
		getgrouplist(pw->pw_name, gid, groups.data(), &n);
	}
	groups.resize(size_t(std::max(n, 0)));
	return groups;
}

bool identify_peer(int fd, const SocketAccess &access, Peer &peer)
{
	ucred cred{};
	socklen_t len = sizeof(cred);
	if (getsockopt(fd, SOL_SOCKET, SO_PEERCRED, &cred, &len) != 0)
		return false;
	peer.uid = cred.uid;
	peer.gid = cred.gid;
	peer.pid = cred.pid;
	peer.groups = process_groups(cred.pid, cred.uid, cred.gid);
	peer.role = role_for(cred.uid, cred.gid, peer.groups, access);
	return true;
}

std::optional<gid_t> find_group(const std::string &name)
{
	group *g = getgrnam(name.c_str());
	if (g == nullptr)
		return std::nullopt;
	return g->gr_gid;
}

std::string describe_peer(const Peer &peer, const SocketAccess &access)
{
	passwd *pw = getpwuid(peer.uid);
	std::string admins = "uid 0";
	if (access.admin_group) {
		group *g = getgrgid(*access.admin_group);
		admins += " and group " + (g ? std::string(g->gr_name) : std::to_string(*access.admin_group));
	}
	return "uid " + std::to_string(peer.uid) + (pw ? " (" + std::string(pw->pw_name) + ")" : "") + ", gid " +
	       std::to_string(peer.gid) + ": role " + (peer.role == Role::admin ? "admin" : "reader") + " (admins: " + admins +
	       ")\n";
}

} // namespace tripath::control
