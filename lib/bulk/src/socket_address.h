#pragma once

#include <cstdint>
#include <string>
#include <sys/socket.h>

namespace tripath::bulk {

bool parse_socket_address(const std::string &address, uint16_t port, sockaddr_storage &addr,
	socklen_t &addr_len, std::string &error);

} // namespace tripath::bulk
