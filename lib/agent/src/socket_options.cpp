#include <algorithm>
#include <cerrno>
#include <cstring>
#include <sys/socket.h>

#include "socket_options.h"

// Older libc headers lack these (Linux 5.11).
#ifndef SO_PREFER_BUSY_POLL
#define SO_PREFER_BUSY_POLL 69
#endif
#ifndef SO_BUSY_POLL_BUDGET
#define SO_BUSY_POLL_BUDGET 70
#endif

namespace tripath::agent {
namespace {

constexpr int kBusyPollMicros = 20;
constexpr int kBusyPollBudget = 64;

void set_option(int fd, int option, int value, const char *name, const std::string &what,
		std::vector<std::string> &warnings)
{
	if (setsockopt(fd, SOL_SOCKET, option, &value, sizeof(value)) == 0)
		return;
	std::string warning = what + ": busy polling: " + name + " refused (" + std::strerror(errno) +
			      "); continuing without it";
	// Once per kind of socket, not once per port of a range.
	if (std::find(warnings.begin(), warnings.end(), warning) == warnings.end())
		warnings.push_back(warning);
}

} // namespace

void enable_busy_poll(int fd, const std::string &what, std::vector<std::string> &warnings)
{
	set_option(fd, SO_PREFER_BUSY_POLL, 1, "SO_PREFER_BUSY_POLL", what, warnings);
	set_option(fd, SO_BUSY_POLL, kBusyPollMicros, "SO_BUSY_POLL", what, warnings);
	set_option(fd, SO_BUSY_POLL_BUDGET, kBusyPollBudget, "SO_BUSY_POLL_BUDGET", what, warnings);
}

} // namespace tripath::agent
