#include <cerrno>
#include <cstring>

#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <unistd.h>

#include "tcp_connect.h"

namespace tripath::loadgen {

int tcp_connect(const Endpoint &e, uint32_t timeout_ms, std::string &error)
{
	int fd = socket(e.family(), SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (fd < 0) {
		error = "socket for --target " + e.text + ": " + std::strerror(errno);
		return -1;
	}
	int one = 1;
	// The 8-byte length and the one-byte answer must not wait for Nagle.
	setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
	int rc = connect(fd, e.sockaddr_ptr(), e.length);
	if (rc != 0 && errno == EINPROGRESS) {
		pollfd p{fd, POLLOUT, 0};
		rc = poll(&p, 1, int(timeout_ms));
		if (rc == 0) {
			errno = ETIMEDOUT;
			rc = -1;
		} else if (rc > 0) {
			int so_error = 0;
			socklen_t len = sizeof(so_error);
			getsockopt(fd, SOL_SOCKET, SO_ERROR, &so_error, &len);
			errno = so_error;
			rc = so_error == 0 ? 0 : -1;
		}
	}
	if (rc != 0) {
		error = "connect to --target " + e.text + ": " + std::strerror(errno);
		close(fd);
		return -1;
	}
	return fd;
}

} // namespace tripath::loadgen
