// The TCP side of a bulk connection: the listening socket a receiving endpoint accepts on.
// Kept apart from the transport so a caller can bind (port 0 for any) before it forks or
// starts the peer, and learn the port.
#pragma once

#include <cstdint>
#include <string>

namespace tripath::bulk {

// A listening TCP socket on a numeric IPv4/IPv6 address, or -1 with `error` set.
int listen_tcp(const std::string &address, uint16_t port, std::string &error);
uint16_t local_port(int socket_fd);

} // namespace tripath::bulk
