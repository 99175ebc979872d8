#include <tripath/bulk/control_socket.h>

#include <arpa/inet.h>
#include <cerrno>
#include <cstring>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include "socket_address.h"

namespace tripath::bulk {

int listen_tcp(const std::string &address, uint16_t port, std::string &error)
{
	sockaddr_storage addr{};
	socklen_t addr_len = 0;
	if (!parse_socket_address(address, port, addr, addr_len, error))
		return -1;
	int fd = ::socket(addr.ss_family, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (fd < 0) {
		error = std::string("socket: ") + std::strerror(errno);
		return -1;
	}
	int one = 1;
	::setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
	if (::bind(fd, reinterpret_cast<sockaddr *>(&addr), addr_len) != 0 || ::listen(fd, 4) != 0) {
		error = "listen on " + address + ":" + std::to_string(port) + ": " + std::strerror(errno);
		::close(fd);
		return -1;
	}
	return fd;
}

uint16_t local_port(int socket_fd)
{
	sockaddr_storage addr{};
	socklen_t len = sizeof(addr);
	if (::getsockname(socket_fd, reinterpret_cast<sockaddr *>(&addr), &len) != 0)
		return 0;
	if (addr.ss_family == AF_INET)
		return ntohs(reinterpret_cast<sockaddr_in *>(&addr)->sin_port);
	return ntohs(reinterpret_cast<sockaddr_in6 *>(&addr)->sin6_port);
}

bool parse_socket_address(const std::string &address, uint16_t port, sockaddr_storage &addr,
	socklen_t &addr_len, std::string &error)
{
	auto *v4 = reinterpret_cast<sockaddr_in *>(&addr);
	auto *v6 = reinterpret_cast<sockaddr_in6 *>(&addr);
	if (::inet_pton(AF_INET, address.c_str(), &v4->sin_addr) == 1) {
		v4->sin_family = AF_INET;
		v4->sin_port = htons(port);
		addr_len = sizeof(*v4);
		return true;
	}
	if (::inet_pton(AF_INET6, address.c_str(), &v6->sin6_addr) == 1) {
		v6->sin6_family = AF_INET6;
		v6->sin6_port = htons(port);
		addr_len = sizeof(*v6);
		return true;
	}
	error = "not a numeric IPv4/IPv6 address: " + address;
	return false;
}

} // namespace tripath::bulk
