// Control socket access: the socket file's mode and group, each client's role from its
// credentials, and a read-only client refused a change while it may still look.
#include <algorithm>
#include <cstring>
#include <grp.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <unistd.h>

#include <gtest/gtest.h>

#include <tripath/control/socket_server.h>

using namespace tripath::control;

namespace {

constexpr gid_t kNogroup = 65534;
constexpr uid_t kNobody = 65534;

// One exchange as `uid`/`gid` with no supplementary groups: the answers, in order, joined by '|'.
std::string exchange_as(uid_t uid, gid_t gid, const std::string &path, SocketServer &server, const CommandRegistry &registry,
			const std::string &lines)
{
	int pipefd[2];
	EXPECT_EQ(pipe(pipefd), 0);
	pid_t child = fork();
	if (child == 0) {
		close(pipefd[0]);
		if (setgroups(0, nullptr) != 0 || setgid(gid) != 0 || setuid(uid) != 0)
			_exit(3);
		sockaddr_un addr{};
		addr.sun_family = AF_UNIX;
		std::strncpy(addr.sun_path, path.c_str(), sizeof(addr.sun_path) - 1);
		int fd = socket(AF_UNIX, SOCK_STREAM, 0);
		if (connect(fd, reinterpret_cast<sockaddr *>(&addr), sizeof(addr)) != 0) {
			std::string e = std::string("connect: ") + std::strerror(errno);
			(void)!write(pipefd[1], e.data(), e.size());
			_exit(0);
		}
		(void)!send(fd, lines.data(), lines.size(), 0);
		shutdown(fd, SHUT_WR);
		std::string all;
		char buf[4096];
		ssize_t n;
		while ((n = recv(fd, buf, sizeof(buf), 0)) > 0)
			all.append(buf, size_t(n));
		for (char &c : all)
			if (c == '\0')
				c = '|';
		(void)!write(pipefd[1], all.data(), all.size());
		_exit(0);
	}
	close(pipefd[1]);
	// The child waits on us: serve it until it has gone.
	int status = 0;
	while (waitpid(child, &status, WNOHANG) == 0)
		server.poll(registry), usleep(200);
	std::string out;
	char buf[4096];
	ssize_t n;
	while ((n = read(pipefd[0], buf, sizeof(buf))) > 0)
		out.append(buf, size_t(n));
	close(pipefd[0]);
	EXPECT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 0) << "child status " << status;
	return out;
}

class SocketAccessTest : public ::testing::Test {
protected:
	void SetUp() override
	{
		if (geteuid() != 0)
			GTEST_SKIP() << "needs root to chown the socket and to connect as another user";
		dir = "/tmp/tripath-access-" + std::to_string(getpid());
		mkdir(dir.c_str(), 0711); // others may pass through to the socket, not list the directory
		path = dir + "/ctl.sock";
		registry.add("show thing", "test", "look", [](const Args &) { return ok("thing\n"); });
		registry.add("rule del <name>", "test", "change", [](const Args &a) { return ok("deleted " + a[0] + "\n"); });
	}
	void TearDown() override
	{
		if (!dir.empty())
			unlink(path.c_str()), rmdir(dir.c_str());
	}
	std::string dir, path;
	CommandRegistry registry;
};

} // namespace

TEST(SocketAccessRole, RootAndAdminGroupMembersAreAdmins)
{
	SocketAccess a;
	a.admin_group = 990;
	EXPECT_EQ(role_for(0, 0, {}, a), Role::admin);
	EXPECT_EQ(role_for(1000, 990, {}, a), Role::admin);          // primary group
	EXPECT_EQ(role_for(1000, 1000, {27, 990}, a), Role::admin);  // supplementary group
	EXPECT_EQ(role_for(1000, 1000, {27, 991}, a), Role::reader);
	EXPECT_EQ(role_for(1000, 990, {}, SocketAccess{}), Role::reader); // no admin group: only root
}

TEST(SocketAccessRole, ProcessGroupsAreTheProcesssOwn)
{
	std::vector<gid_t> mine(size_t(getgroups(0, nullptr)));
	mine.resize(size_t(getgroups(int(mine.size()), mine.data())));
	std::vector<gid_t> read = process_groups(getpid(), getuid(), getgid());
	std::ranges::sort(mine);
	std::ranges::sort(read);
	EXPECT_EQ(read, mine);
}

TEST_F(SocketAccessTest, ModeAndGroupAreApplied)
{
	SocketServer server;
	std::string error;
	SocketAccess access;
	access.mode = 0660;
	access.group = kNogroup;
	ASSERT_TRUE(server.open(path, error, access)) << error;
	struct stat st{};
	ASSERT_EQ(stat(path.c_str(), &st), 0);
	EXPECT_EQ(st.st_mode & 0777, 0660u);
	EXPECT_EQ(st.st_gid, kNogroup);
}

TEST_F(SocketAccessTest, ReaderMayLookButIsRefusedAChange)
{
	SocketServer server;
	std::string error;
	SocketAccess access;
	access.mode = 0660;
	access.group = kNogroup; // nobody connects through the group bits
	ASSERT_TRUE(server.open(path, error, access)) << error;
	std::string out = exchange_as(kNobody, kNogroup, path, server, registry, "whoami\nshow thing\nrule del web\n");
	EXPECT_NE(out.find("uid 65534 (nobody), gid 65534: role reader (admins: uid 0)\n|0"), std::string::npos) << out;
	EXPECT_NE(out.find("thing\n|0"), std::string::npos) << out;
	EXPECT_NE(out.find("error: 'rule del <name>' changes tripath and needs the admin role; this client is read-only\n|1"),
		  std::string::npos)
		<< out;
	EXPECT_EQ(out.find("deleted"), std::string::npos) << out;
}

TEST_F(SocketAccessTest, AdminGroupMemberMayChange)
{
	SocketServer server;
	std::string error;
	SocketAccess access;
	access.mode = 0660;
	access.group = kNogroup;
	access.admin_group = kNogroup;
	ASSERT_TRUE(server.open(path, error, access)) << error;
	std::string out = exchange_as(kNobody, kNogroup, path, server, registry, "rule del web\nwhoami\n");
	EXPECT_NE(out.find("deleted web\n|0"), std::string::npos) << out;
	EXPECT_NE(out.find("role admin (admins: uid 0 and group nogroup)"), std::string::npos) << out;
}

TEST_F(SocketAccessTest, OwnerOnlySocketKeepsOthersOut)
{
	SocketServer server;
	std::string error;
	ASSERT_TRUE(server.open(path, error)) << error; // the default, 0600 root's
	std::string out = exchange_as(kNobody, kNogroup, path, server, registry, "show thing\n");
	EXPECT_EQ(out, "connect: Permission denied");
}
