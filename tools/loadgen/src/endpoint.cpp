#include <charconv>
#include <cstring>

#include <arpa/inet.h>
#include <netdb.h>
#include <netinet/in.h>

#include <tripath/loadgen/endpoint.h>

namespace tripath::loadgen {

bool split_host_port(std::string_view text, bool allow_port_zero, std::string &host, uint16_t &port,
	std::string &error)
{
	std::string_view h, p;
	if (!text.empty() && text.front() == '[') {
		size_t close = text.find(']');
		if (close == std::string_view::npos || close + 1 >= text.size() || text[close + 1] != ':') {
			error = "'" + std::string(text) + "' is not [IPV6]:PORT";
			return false;
		}
		h = text.substr(1, close - 1);
		p = text.substr(close + 2);
	} else {
		size_t colon = text.rfind(':');
		if (colon == std::string_view::npos) {
			error = "'" + std::string(text) + "' has no :PORT";
			return false;
		}
		h = text.substr(0, colon);
		p = text.substr(colon + 1);
		if (h.find(':') != std::string_view::npos) {
			error = "'" + std::string(text) + "': write an IPv6 address in brackets, [ADDR]:PORT";
			return false;
		}
	}
	if (h.empty()) {
		error = "'" + std::string(text) + "' has no address before the port";
		return false;
	}
	unsigned value = 0;
	auto [end, ec] = std::from_chars(p.data(), p.data() + p.size(), value);
	if (p.empty() || ec != std::errc() || end != p.data() + p.size() || value > 65535 ||
		(value == 0 && !allow_port_zero)) {
		error = "'" + std::string(text) + "': port '" + std::string(p) + "' is not " +
			(allow_port_zero ? "0" : "1") + "..65535";
		return false;
	}
	host = std::string(h);
	port = uint16_t(value);
	return true;
}

std::optional<Endpoint> resolve_endpoint(std::string_view text, std::string_view flag, int socktype,
	bool allow_port_zero, std::string &error)
{
	std::string host, syntax_error;
	uint16_t port = 0;
	if (!split_host_port(text, allow_port_zero, host, port, syntax_error)) {
		error = std::string(flag) + " " + syntax_error;
		return std::nullopt;
	}
	addrinfo hints{};
	hints.ai_family = AF_UNSPEC;
	hints.ai_socktype = socktype;
	hints.ai_flags = AI_NUMERICSERV;
	addrinfo *found = nullptr;
	std::string service = std::to_string(port);
	int rc = getaddrinfo(host.c_str(), service.c_str(), &hints, &found);
	if (rc != 0 || found == nullptr) {
		error = std::string(flag) + " '" + std::string(text) + "': cannot resolve '" + host + "': " +
			(rc == EAI_SYSTEM ? std::strerror(errno) : gai_strerror(rc));
		return std::nullopt;
	}
	Endpoint e;
	std::memcpy(&e.address, found->ai_addr, found->ai_addrlen);
	e.length = found->ai_addrlen;
	e.text = std::string(text);
	freeaddrinfo(found);
	return e;
}

std::string format_address(const sockaddr *address)
{
	char host[INET6_ADDRSTRLEN] = "?";
	if (address->sa_family == AF_INET6) {
		auto *in6 = reinterpret_cast<const sockaddr_in6 *>(address);
		inet_ntop(AF_INET6, &in6->sin6_addr, host, sizeof(host));
		return "[" + std::string(host) + "]:" + std::to_string(ntohs(in6->sin6_port));
	}
	auto *in4 = reinterpret_cast<const sockaddr_in *>(address);
	inet_ntop(AF_INET, &in4->sin_addr, host, sizeof(host));
	return std::string(host) + ":" + std::to_string(ntohs(in4->sin_port));
}

} // namespace tripath::loadgen
