// ADDR:PORT as typed on the command line ([v6]:port for IPv6), and its resolved socket address.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include <sys/socket.h>

namespace tripath::loadgen {

struct Endpoint {
	sockaddr_storage address{};
	socklen_t length = 0;
	std::string text;                  // as typed

	int family() const { return address.ss_family; }
	const sockaddr *sockaddr_ptr() const { return reinterpret_cast<const sockaddr *>(&address); }
};

// Syntax only (no name lookup): host non-empty, port 1..65535 (0 too when allow_port_zero).
bool split_host_port(std::string_view text, bool allow_port_zero, std::string &host, uint16_t &port,
	std::string &error);

// getaddrinfo on the host part; the first answer wins. `flag` names the option in errors.
std::optional<Endpoint> resolve_endpoint(std::string_view text, std::string_view flag, int socktype,
	bool allow_port_zero, std::string &error);

// "192.0.2.1:9000" or "[2001:db8::1]:9000".
std::string format_address(const sockaddr *address);

} // namespace tripath::loadgen
