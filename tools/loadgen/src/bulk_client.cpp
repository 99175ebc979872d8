#include <algorithm>
#include <cerrno>
#include <cstring>

#include <poll.h>
#include <sys/socket.h>
#include <sys/uio.h>
#include <unistd.h>

#include <tripath/agent/rpc_wire.h>
#include <tripath/loadgen/bulk_client.h>
#include <tripath/loadgen/clock.h>

#include "tcp_connect.h"
#include "window.h"

namespace tripath::loadgen {

namespace {

constexpr size_t kDataChunk = 256 << 10;
constexpr uint64_t kMaxSleepNs = 100'000'000;
constexpr uint64_t kLengthBytes = 8;

struct Connection {
	enum class State { idle, sending, awaiting_ack };

	int fd = -1;
	uint32_t target = 0;
	State state = State::idle;
	uint8_t length[kLengthBytes];      // big-endian transfer size
	uint64_t sent = 0;                 // bytes of this transfer sent, length included
	uint64_t started_ns = 0;
	bool measured = false;             // started inside the measurement window
};

class BulkRun {
public:
	BulkRun(const Options &o, const std::vector<Endpoint> &targets, const std::atomic<bool> &stop)
		: options_(o), targets_(targets), stop_(stop), data_(kDataChunk, 0x5a),
		  timeout_ns_(uint64_t(o.timeout_ms) * 1000000ull)
	{
	}

	~BulkRun()
	{
		for (Connection &c : connections_)
			if (c.fd >= 0)
				close(c.fd);
	}

	bool open(std::string &error);
	bool run(RunResult &result, std::string &error);

private:
	void start(Connection &c, uint64_t now, RunResult &r);
	bool pump(Connection &c, RunResult &r);          // false: the connection failed
	bool read_ack(Connection &c, RunResult &r);      // false: the connection failed
	bool reopen(Connection &c, RunResult &r, std::string &error);
	uint64_t in_flight_measured() const;

	const Options &options_;
	const std::vector<Endpoint> &targets_;
	const std::atomic<bool> &stop_;
	std::vector<Connection> connections_;
	std::vector<pollfd> pollfds_;
	std::vector<uint8_t> data_;
	uint64_t timeout_ns_;
	bool measuring_ = false;
};

bool BulkRun::open(std::string &error)
{
	connections_.resize(options_.parallel);
	for (uint32_t i = 0; i < options_.parallel; i++) {
		Connection &c = connections_[i];
		c.target = uint32_t(i % targets_.size());
		c.fd = tcp_connect(targets_[c.target], options_.timeout_ms, error);
		if (c.fd < 0)
			return false;
	}
	uint64_t be = agent::rpc_hton64(options_.transfer_bytes);
	for (Connection &c : connections_)
		std::memcpy(c.length, &be, sizeof(be));
	return true;
}

void BulkRun::start(Connection &c, uint64_t now, RunResult &r)
{
	c.state = Connection::State::sending;
	c.sent = 0;
	c.started_ns = now;
	c.measured = measuring_;
	r.requests++;
	r.targets[c.target].requests++;
}

bool BulkRun::pump(Connection &c, RunResult &r)
{
	uint64_t total = kLengthBytes + options_.transfer_bytes;
	while (c.sent < total) {
		iovec iov[2];
		int n = 0;
		if (c.sent < kLengthBytes)
			iov[n++] = {c.length + c.sent, size_t(kLengthBytes - c.sent)};
		uint64_t data_sent = c.sent < kLengthBytes ? 0 : c.sent - kLengthBytes;
		iov[n++] = {data_.data(), size_t(std::min<uint64_t>(options_.transfer_bytes - data_sent, data_.size()))};
		msghdr m{};
		m.msg_iov = iov;
		m.msg_iovlen = size_t(n);
		ssize_t k = sendmsg(c.fd, &m, MSG_NOSIGNAL | MSG_DONTWAIT);
		if (k < 0) {
			if (errno == EAGAIN || errno == EWOULDBLOCK)
				return true;
			if (errno == EINTR)
				continue;
			return false;
		}
		uint64_t length_part = c.sent < kLengthBytes ? std::min<uint64_t>(uint64_t(k), kLengthBytes - c.sent) : 0;
		r.tx_bytes += uint64_t(k);
		r.goodput_bytes += uint64_t(k) - length_part;
		c.sent += uint64_t(k);
	}
	c.state = Connection::State::awaiting_ack;
	return true;
}

bool BulkRun::read_ack(Connection &c, RunResult &r)
{
	uint8_t ack[16];
	ssize_t k = recv(c.fd, ack, sizeof(ack), MSG_DONTWAIT);
	if (k < 0)
		return errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR;
	if (k == 0)
		return false;
	uint64_t now = monotonic_ns();
	r.rx_bytes += uint64_t(k);
	if (k != 1)
		r.invalid++;                   // the sink answers each transfer with exactly one byte
	if (c.measured) {
		r.completed++;
		r.targets[c.target].completed++;
		r.rtt_ns.push_back(now - c.started_ns);
		r.done_ns.push_back(now);
	}
	c.state = Connection::State::idle;
	return true;
}

bool BulkRun::reopen(Connection &c, RunResult &r, std::string &error)
{
	close(c.fd);
	c.state = Connection::State::idle;
	r.reconnects++;
	c.fd = tcp_connect(targets_[c.target], options_.timeout_ms, error);
	return c.fd >= 0;
}

uint64_t BulkRun::in_flight_measured() const
{
	return uint64_t(std::count_if(connections_.begin(), connections_.end(), [](const Connection &c) {
		return c.measured && c.state != Connection::State::idle;
	}));
}

bool BulkRun::run(RunResult &r, std::string &error)
{
	RunResult blank = r;
	MeasurementWindow window;
	uint64_t warmup_end = monotonic_ns() + uint64_t(options_.warmup_s * 1e9);
	uint64_t end = 0;
	for (;;) {
		uint64_t now = monotonic_ns();
		if (!measuring_ && now >= warmup_end) {
			r = blank;                 // warm-up results are discarded
			window.open(r);
			measuring_ = true;
			if (options_.duration_s > 0)
				end = window.start_ns() + uint64_t(options_.duration_s * 1e9);
		}
		bool stopped = stop_.load(std::memory_order_relaxed);
		bool time_up = measuring_ && end != 0 && now >= end;
		if (stopped || time_up) {
			if (measuring_)
				r.abandoned += in_flight_measured();
			else {
				r = blank;         // stopped during warm-up: report an empty window
				window.open(r);
			}
			r.interrupted = stopped;
			break;
		}
		bool may_start = !measuring_ || options_.count == 0 || r.requests < options_.count;
		if (measuring_ && !may_start && in_flight_measured() == 0)
			break;
		pollfds_.clear();
		for (Connection &c : connections_) {
			if (c.state == Connection::State::idle && may_start) {
				start(c, now, r);
				may_start = !measuring_ || options_.count == 0 || r.requests < options_.count;
			}
			if (c.state != Connection::State::idle && now - c.started_ns > timeout_ns_) {
				if (c.measured) {
					r.timeouts++;
					r.targets[c.target].timeouts++;
				}
				c.measured = false;
				if (!reopen(c, r, error))
					return false;
			}
			short events = c.state == Connection::State::sending ? POLLOUT :
				c.state == Connection::State::awaiting_ack ? POLLIN : 0;
			pollfds_.push_back({c.fd, events, 0});
		}
		uint64_t wait = options_.spin ? 0 : kMaxSleepNs;
		if (!measuring_)
			wait = std::min(wait, warmup_end - std::min(warmup_end, now));
		if (end != 0)
			wait = std::min(wait, end - std::min(end, now));
		timespec ts{time_t(wait / 1000000000ull), long(wait % 1000000000ull)};
		if (ppoll(pollfds_.data(), pollfds_.size(), &ts, nullptr) <= 0)
			continue;
		for (size_t i = 0; i < connections_.size(); i++) {
			Connection &c = connections_[i];
			short revents = pollfds_[i].revents;
			if (revents == 0)
				continue;
			bool ok = true;
			if (revents & (POLLERR | POLLHUP))
				ok = false;
			else if (c.state == Connection::State::sending)
				ok = pump(c, r);
			else if (c.state == Connection::State::awaiting_ack)
				ok = read_ack(c, r);
			if (ok)
				continue;
			if (c.measured && c.state != Connection::State::idle)
				r.failed++;
			c.measured = false;
			if (!reopen(c, r, error))
				return false;
		}
	}
	window.close(r);
	return true;
}

} // namespace

bool run_bulk(const Options &options, const std::vector<Endpoint> &targets, const std::atomic<bool> &stop,
	RunResult &result, std::string &error)
{
	result = RunResult{};
	for (const Endpoint &e : targets)
		result.targets.push_back({e.text, 0, 0, 0, 0, 0});
	BulkRun run(options, targets, stop);
	if (!run.open(error))
		return false;
	return run.run(result, error);
}

} // namespace tripath::loadgen
