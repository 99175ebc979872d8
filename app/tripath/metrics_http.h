// The OpenMetrics text over HTTP on loopback (control.metrics_http), for Prometheus: GET
// /metrics answers what `tripathctl metrics` prints. Polled by the control lcore without
// blocking; a client gets 2 s and 8 KiB to send its request, then it is closed.
#pragma once

#include <cstdint>
#include <functional>
#include <string>
#include <vector>

namespace tripath::app {

class MetricsHttp {
public:
	using Body = std::function<std::string()>;

	MetricsHttp() = default;
	~MetricsHttp();
	MetricsHttp(const MetricsHttp &) = delete;
	MetricsHttp &operator=(const MetricsHttp &) = delete;

	// Listen on address:port (an IPv4 or IPv6 literal); false with `error`.
	bool open(const std::string &address, uint16_t port, std::string &error);
	// Accept, read and answer what is ready; never blocks. Returns requests answered.
	unsigned poll(const Body &metrics, uint64_t now_ms);

	struct Counters {
		uint64_t served = 0, not_found = 0, bad = 0, timed_out = 0, refused = 0;
	};
	const Counters &counters() const { return counters_; }

private:
	struct Client {
		int fd = -1;
		uint64_t since_ms = 0;
		std::string in, out;
		bool answered = false;
	};
	std::string respond(const std::string &request, const Body &metrics);

	int listen_fd_ = -1;
	std::vector<Client> clients_;
	Counters counters_;
};

} // namespace tripath::app
