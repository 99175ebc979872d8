#include <arpa/inet.h>
#include <cerrno>
#include <cstring>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include "metrics_http.h"

namespace tripath::app {

namespace {

constexpr size_t kMaxClients = 8;
constexpr size_t kMaxRequest = 8192;
constexpr uint64_t kRequestDeadlineMs = 2000;

std::string reply(const char *status, const char *type, const std::string &body)
{
	return std::string("HTTP/1.1 ") + status + "\r\nContent-Type: " + type + "\r\nContent-Length: " +
	       std::to_string(body.size()) + "\r\nConnection: close\r\n\r\n" + body;
}

} // namespace

MetricsHttp::~MetricsHttp()
{
	for (Client &c : clients_)
		close(c.fd);
	if (listen_fd_ >= 0)
		close(listen_fd_);
}

bool MetricsHttp::open(const std::string &address, uint16_t port, std::string &error)
{
	sockaddr_storage ss{};
	socklen_t len;
	int family;
	if (inet_pton(AF_INET6, address.c_str(), &reinterpret_cast<sockaddr_in6 &>(ss).sin6_addr) == 1) {
		auto &a = reinterpret_cast<sockaddr_in6 &>(ss);
		a.sin6_family = family = AF_INET6;
		a.sin6_port = htons(port);
		len = sizeof(a);
	} else if (inet_pton(AF_INET, address.c_str(), &reinterpret_cast<sockaddr_in &>(ss).sin_addr) == 1) {
		auto &a = reinterpret_cast<sockaddr_in &>(ss);
		a.sin_family = family = AF_INET;
		a.sin_port = htons(port);
		len = sizeof(a);
	} else {
		error = "metrics_http: '" + address + "' is not an IP address";
		return false;
	}
	listen_fd_ = socket(family, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	int one = 1;
	if (listen_fd_ < 0 || setsockopt(listen_fd_, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one)) != 0 ||
	    bind(listen_fd_, reinterpret_cast<sockaddr *>(&ss), len) != 0 || listen(listen_fd_, 16) != 0) {
		error = "metrics_http " + address + ":" + std::to_string(port) + ": " + std::strerror(errno);
		if (listen_fd_ >= 0)
			close(listen_fd_);
		listen_fd_ = -1;
		return false;
	}
	return true;
}

std::string MetricsHttp::respond(const std::string &request, const Body &metrics)
{
	size_t eol = request.find("\r\n");
	std::string first = request.substr(0, eol);
	if (first.rfind("GET ", 0) != 0 && first.rfind("HEAD ", 0) != 0) {
		counters_.bad++;
		return reply("405 Method Not Allowed", "text/plain", "only GET /metrics\n");
	}
	size_t sp = first.find(' ');
	std::string target = first.substr(sp + 1, first.find(' ', sp + 1) - sp - 1);
	if (target != "/metrics" && target.rfind("/metrics?", 0) != 0) {
		counters_.not_found++;
		return reply("404 Not Found", "text/plain", "tripath serves /metrics\n");
	}
	counters_.served++;
	std::string out = reply("200 OK", "application/openmetrics-text; version=1.0.0; charset=utf-8", metrics());
	if (first.rfind("HEAD ", 0) == 0)
		out.resize(out.find("\r\n\r\n") + 4);
	return out;
}

unsigned MetricsHttp::poll(const Body &metrics, uint64_t now_ms)
{
	if (listen_fd_ < 0)
		return 0;
	for (int fd; (fd = accept4(listen_fd_, nullptr, nullptr, SOCK_NONBLOCK | SOCK_CLOEXEC)) >= 0;) {
		if (clients_.size() >= kMaxClients) {
			counters_.refused++;
			close(fd);
			continue;
		}
		clients_.push_back({fd, now_ms, {}, {}, false});
	}
	unsigned answered = 0;
	for (auto it = clients_.begin(); it != clients_.end();) {
		Client &c = *it;
		char buf[2048];
		ssize_t n;
		while (!c.answered && c.in.size() <= kMaxRequest && (n = recv(c.fd, buf, sizeof(buf), 0)) > 0)
			c.in.append(buf, size_t(n));
		bool done = false;
		if (!c.answered && c.in.find("\r\n\r\n") != std::string::npos) {
			c.out = respond(c.in, metrics);
			c.answered = true;
			answered++;
		} else if (!c.answered && c.in.size() > kMaxRequest) {
			counters_.bad++;
			c.out = reply("431 Request Header Fields Too Large", "text/plain", "request over 8 KiB\n");
			c.answered = true;
		} else if (!c.answered && now_ms - c.since_ms > kRequestDeadlineMs) {
			counters_.timed_out++; // a slow client must not hold a slot
			done = true;
		}
		while (c.answered && !c.out.empty()) {
			ssize_t s = send(c.fd, c.out.data(), c.out.size(), MSG_NOSIGNAL | MSG_DONTWAIT);
			if (s <= 0) {
				done = s < 0 && errno != EAGAIN && errno != EWOULDBLOCK;
				break;
			}
			c.out.erase(0, size_t(s));
		}
		done = done || (c.answered && c.out.empty()) || now_ms - c.since_ms > 10 * kRequestDeadlineMs;
		if (done) {
			close(c.fd);
			it = clients_.erase(it);
		} else {
			++it;
		}
	}
	return answered;
}

} // namespace tripath::app
