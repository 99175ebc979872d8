#include <cerrno>
#include <cstring>
#include <algorithm>
#include <random>

#include <time.h>

#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <tripath/agent/rpc_wire.h>
#include <tripath/loadgen/clock.h>
#include <tripath/loadgen/frame.h>
#include <tripath/loadgen/udp_client.h>

#include "window.h"

namespace tripath::loadgen {

namespace {

// Room for a fan-out of 16 KiB responses before the kernel drops fragments.
constexpr int kReceiveBuffer = 8 << 20;
// Long enough that a stop request from another thread is seen promptly.
constexpr uint64_t kMaxSleepNs = 100'000'000;

struct Slot {
	uint64_t sent_ns = 0;
	uint32_t target = 0;
	uint16_t frag_count = 0;           // 0 until the first fragment tells
	uint16_t frags_seen = 0;
	bool open = false;                 // sent and not yet complete
	std::vector<uint64_t> seen;        // one bit per fragment
};

class UdpRun {
public:
	UdpRun(const Options &o, const std::vector<Endpoint> &targets, const std::vector<uint32_t> &payloads,
		const std::atomic<bool> &stop)
		: options_(o), targets_(targets), payloads_(payloads), stop_(stop), rng_(o.seed),
		  response_(o.response_min, o.response_max), rx_(65536)
	{
		// Distinct across runs, so stray answers to an earlier generator are never mistaken for ours.
		next_id_ = monotonic_ns();
	}

	~UdpRun()
	{
		for (pollfd &p : pollfds_)
			close(p.fd);
	}

	bool open(std::string &error);
	void run_window(uint64_t end_ns, uint64_t count, RunResult &r);

private:
	void round(uint32_t n, RunResult &r);
	void sleep_until(uint64_t t_ns);
	void send_requests(uint32_t n, RunResult &r);
	void await_answers(RunResult &r);
	void drain(size_t t, RunResult &r);
	void on_datagram(const uint8_t *p, size_t len, uint64_t now, RunResult &r);

	const Options &options_;
	const std::vector<Endpoint> &targets_;
	const std::vector<uint32_t> &payloads_;
	const std::atomic<bool> &stop_;
	std::vector<pollfd> pollfds_;      // one connected socket per target
	std::vector<std::vector<uint8_t>> requests_;
	std::vector<Slot> slots_;
	uint64_t next_id_ = 0;
	uint64_t round_base_ = 0;
	uint32_t round_size_ = 0;
	uint32_t outstanding_ = 0;
	uint64_t next_target_ = 0;
	std::mt19937_64 rng_;
	std::uniform_int_distribution<uint32_t> response_;
	std::vector<uint8_t> rx_;
};

bool UdpRun::open(std::string &error)
{
	for (size_t t = 0; t < targets_.size(); t++) {
		const Endpoint &e = targets_[t];
		int fd = socket(e.family(), SOCK_DGRAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
		if (fd < 0) {
			error = "socket for --target " + e.text + ": " + std::strerror(errno);
			return false;
		}
		pollfds_.push_back({fd, POLLIN, 0});
		// As root the limit rmem_max does not apply; otherwise take what the kernel allows.
		if (setsockopt(fd, SOL_SOCKET, SO_RCVBUFFORCE, &kReceiveBuffer, sizeof(kReceiveBuffer)) != 0)
			setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &kReceiveBuffer, sizeof(kReceiveBuffer));
		if (connect(fd, e.sockaddr_ptr(), e.length) != 0) {
			error = "connect to --target " + e.text + ": " + std::strerror(errno);
			return false;
		}
		std::vector<uint8_t> request(payloads_[t], 0);
		requests_.push_back(std::move(request));
	}
	return true;
}

void UdpRun::run_window(uint64_t end_ns, uint64_t count, RunResult &r)
{
	// --rate: rounds start on a fixed schedule, so the offered load does not follow the RTT.
	const uint64_t period_ns = options_.rate ? uint64_t(options_.fanout) * 1'000'000'000ull / options_.rate : 0;
	uint64_t next_start = monotonic_ns();
	while (!stop_.load(std::memory_order_relaxed)) {
		if (period_ns) {
			uint64_t now = monotonic_ns();
			if (now < next_start)
				sleep_until(next_start);
			else if (now - next_start > period_ns / 4)
				r.rounds_behind++;
			next_start = std::max(next_start + period_ns, now); // late: go now, no catch-up burst
		}
		if (end_ns != 0 && monotonic_ns() >= end_ns)
			break;
		if (count != 0 && r.requests >= count)
			break;
		uint64_t n = options_.fanout;
		if (count != 0)
			n = std::min(n, count - r.requests);
		round(uint32_t(n), r);
	}
	if (stop_.load(std::memory_order_relaxed))
		r.interrupted = true;
}

// Sleeps on the monotonic clock (the one monotonic_ns reads); --spin spins instead.
void UdpRun::sleep_until(uint64_t t_ns)
{
	if (options_.spin) {
		while (monotonic_ns() < t_ns && !stop_.load(std::memory_order_relaxed))
			;
		return;
	}
	timespec ts{time_t(t_ns / 1000000000ull), long(t_ns % 1000000000ull)};
	while (clock_nanosleep(CLOCK_MONOTONIC, TIMER_ABSTIME, &ts, nullptr) == EINTR && !stop_.load(std::memory_order_relaxed))
		;
}

void UdpRun::round(uint32_t n, RunResult &r)
{
	send_requests(n, r);
	await_answers(r);
	for (uint32_t i = 0; i < round_size_; i++)
		slots_[i].open = false;
}

void UdpRun::send_requests(uint32_t n, RunResult &r)
{
	round_base_ = next_id_;
	round_size_ = n;
	next_id_ += n;
	outstanding_ = 0;
	if (slots_.size() < n)
		slots_.resize(n);
	bool retrieval = options_.workload == WorkloadClass::retrieval;
	for (uint32_t i = 0; i < n; i++) {
		Slot &s = slots_[i];
		s.target = uint32_t(next_target_++ % targets_.size());
		s.frag_count = 0;
		s.frags_seen = 0;
		agent::RpcHeader h;
		h.id = round_base_ + i;
		h.response_bytes = retrieval ? response_(rng_) : 0;
		std::vector<uint8_t> &buf = requests_[s.target];
		agent::rpc_encode(h, buf.data());
		r.requests++;
		r.targets[s.target].requests++;
		s.sent_ns = monotonic_ns();
		ssize_t sent = send(pollfds_[s.target].fd, buf.data(), buf.size(), 0);
		if (sent != ssize_t(buf.size())) {
			// A pending ICMP port unreachable is reported here and the datagram is not sent.
			if (sent < 0 && errno == ECONNREFUSED)
				r.refused++;
			r.failed++;
			continue;
		}
		r.tx_bytes += uint64_t(sent);
		r.tx_datagrams++;
		s.open = true;
		outstanding_++;
	}
}

void UdpRun::await_answers(RunResult &r)
{
	uint64_t deadline = monotonic_ns() + uint64_t(options_.timeout_ms) * 1000000ull;
	while (outstanding_ > 0) {
		for (size_t t = 0; t < pollfds_.size(); t++)
			drain(t, r);
		if (outstanding_ == 0)
			break;
		if (stop_.load(std::memory_order_relaxed)) {
			r.abandoned += outstanding_;
			outstanding_ = 0;
			break;
		}
		uint64_t now = monotonic_ns();
		if (now >= deadline) {
			for (uint32_t i = 0; i < round_size_; i++) {
				if (slots_[i].open) {
					r.timeouts++;
					r.targets[slots_[i].target].timeouts++;
				}
			}
			outstanding_ = 0;
			break;
		}
		if (options_.spin)
			continue;
		uint64_t wait = std::min(deadline - now, kMaxSleepNs);
		timespec ts{time_t(wait / 1000000000ull), long(wait % 1000000000ull)};
		ppoll(pollfds_.data(), pollfds_.size(), &ts, nullptr);
	}
}

void UdpRun::drain(size_t t, RunResult &r)
{
	for (;;) {
		ssize_t n = recv(pollfds_[t].fd, rx_.data(), rx_.size(), MSG_DONTWAIT);
		if (n < 0) {
			if (errno == EAGAIN || errno == EWOULDBLOCK)
				return;
			if (errno == EINTR)
				continue;
			if (errno == ECONNREFUSED) {
				r.refused++;
				continue;
			}
			r.receive_errors++;
			return;
		}
		uint64_t now = monotonic_ns();
		r.rx_bytes += uint64_t(n);
		r.rx_datagrams++;
		on_datagram(rx_.data(), size_t(n), now, r);
	}
}

void UdpRun::on_datagram(const uint8_t *p, size_t len, uint64_t now, RunResult &r)
{
	std::optional<agent::RpcHeader> h = agent::rpc_decode(p, len);
	if (!h || !(h->flags & agent::kRpcResponse)) {
		r.invalid++;
		return;
	}
	if (h->id < round_base_ || h->id >= round_base_ + round_size_) {
		r.late++;
		return;
	}
	Slot &s = slots_[h->id - round_base_];
	if (!s.open) {
		r.duplicates++;
		return;
	}
	if (s.frag_count == 0) {
		s.frag_count = h->frag_count;
		s.seen.assign((s.frag_count + 63) / 64, 0);
	} else if (h->frag_count != s.frag_count) {
		r.invalid++;
		return;
	}
	uint64_t &word = s.seen[h->frag_index / 64];
	uint64_t bit = uint64_t(1) << (h->frag_index % 64);
	if (word & bit) {
		r.duplicates++;
		return;
	}
	word |= bit;
	if (++s.frags_seen < s.frag_count)
		return;
	s.open = false;
	outstanding_--;
	r.completed++;
	r.targets[s.target].completed++;
	r.rtt_ns.push_back(now - s.sent_ns);
	r.done_ns.push_back(now);
}

RunResult blank_result(const std::vector<Endpoint> &targets, const std::vector<uint32_t> &payloads)
{
	RunResult r;
	for (size_t t = 0; t < targets.size(); t++)
		r.targets.push_back(
			{targets[t].text, payloads[t] + udp_frame_overhead(targets[t].family()), payloads[t], 0, 0, 0});
	return r;
}

} // namespace

std::optional<std::vector<uint32_t>> request_payloads(const Options &options, const std::vector<Endpoint> &targets,
	std::string &error)
{
	std::vector<uint32_t> payloads;
	for (const Endpoint &e : targets) {
		uint32_t frame = options.frame_bytes != 0 ? options.frame_bytes : smallest_request_frame(e.family());
		std::string why;
		std::optional<uint32_t> payload = udp_payload_for_frame(frame, e.family(), why);
		if (!payload) {
			error = why + " (--target " + e.text + ")";
			return std::nullopt;
		}
		payloads.push_back(*payload);
	}
	return payloads;
}

bool run_udp(const Options &options, const std::vector<Endpoint> &targets, const std::atomic<bool> &stop,
	RunResult &result, std::string &error)
{
	std::optional<std::vector<uint32_t>> payloads = request_payloads(options, targets, error);
	if (!payloads)
		return false;
	UdpRun run(options, targets, *payloads, stop);
	if (!run.open(error))
		return false;
	if (options.warmup_s > 0) {
		RunResult warmup = blank_result(targets, *payloads);
		run.run_window(monotonic_ns() + uint64_t(options.warmup_s * 1e9), 0, warmup);
	}
	result = blank_result(targets, *payloads);
	MeasurementWindow window;
	window.open(result);
	uint64_t end = options.duration_s > 0 ? window.start_ns() + uint64_t(options.duration_s * 1e9) : 0;
	run.run_window(end, options.count, result);
	window.close(result);
	return true;
}

} // namespace tripath::loadgen
