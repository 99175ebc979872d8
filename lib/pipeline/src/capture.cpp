// Capture: the workers' copies (capture_copy) and the control lcore's pcapng writer (Capture).
#ifndef ALLOW_EXPERIMENTAL_API
#define ALLOW_EXPERIMENTAL_API // rte_pcapng is experimental API in DPDK 22.11
#endif
#include <algorithm>
#include <cerrno>
#include <cstring>
#include <fcntl.h>
#include <unistd.h>

#include <rte_cycles.h>
#include <rte_errno.h>
#include <rte_lcore.h>
#include <rte_mbuf.h>
#include <rte_pcapng.h>
#include <rte_rcu_qsbr.h>

#include <tripath/pipeline/capture.h>
#include <tripath/pipeline/dataplane.h>

#include "capture_tap.h"

namespace tripath::pipeline {

namespace {

constexpr uint32_t kSnaplen = 2048;    // a standard frame whole; longer ones keep their length
constexpr unsigned kRingSize = 1024;   // per worker: about 1 ms of a busy worker's bursts
constexpr unsigned kPoolSize = 4095;   // copies in flight over all rings
constexpr unsigned kPoolCache = 32;
constexpr unsigned kDrainPerRing = 256; // per poll: bounds the control lcore's round

} // namespace

const char *capture_where_name(CaptureWhere w)
{
	switch (w) {
	case CaptureWhere::port: return "port";
	case CaptureWhere::kernel: return "kernel";
	case CaptureWhere::fast: return "fast";
	case CaptureWhere::bulk: return "bulk";
	case CaptureWhere::drop: return "drop";
	}
	return "?";
}

// Worker side: rte_pcapng_copy takes its mbufs from the capture pool (no syscall, no lock).
void capture_copy(const CaptureTap &cap, unsigned slot, const PollQueue &pq, rte_mbuf *const *pkts, unsigned n)
{
	CaptureSlot &s = cap.slots[slot];
	rte_mbuf *copies[kBurst];
	unsigned made = 0;
	const uint64_t tsc = rte_rdtsc();
	for (unsigned i = 0; i < n; i++) {
		rte_mbuf *c = rte_pcapng_copy(pq.port_id, pq.queue, pkts[i], cap.pool, cap.snaplen, tsc, RTE_PCAPNG_DIRECTION_IN);
		if (likely(c != nullptr))
			copies[made++] = c;
	}
	unsigned sent = rte_ring_sp_enqueue_burst(s.ring, reinterpret_cast<void **>(copies), made, nullptr);
	if (unlikely(sent < made))
		rte_pktmbuf_free_bulk(copies + sent, made - sent);
	bump(s.copied, sent);
	if (unlikely(sent < n)) {
		bump(s.ring_full, made - sent);
		bump(s.no_mbuf, n - made);
	}
}

Capture::Capture(Dataplane &dp) : dp_(dp) {}

Capture::~Capture()
{
	stop(true);
	for (CaptureSlot &s : slots_)
		rte_ring_free(s.ring);
	rte_mempool_free(tap_.pool);
}

bool Capture::make_resources(std::string &error)
{
	slots_ = std::vector<CaptureSlot>(dp_.workers().size());
	tap_.slots = slots_.data();
	for (size_t i = 0; i < slots_.size(); i++) {
		std::string name = "tripath_cap" + std::to_string(i);
		slots_[i].ring = rte_ring_create(name.c_str(), kRingSize, int(rte_socket_id()), RING_F_SP_ENQ | RING_F_SC_DEQ);
		if (slots_[i].ring == nullptr) {
			error = "cannot create capture ring " + name + ": " + rte_strerror(rte_errno);
			return false;
		}
	}
	tap_.pool = rte_pktmbuf_pool_create("tripath_capture", kPoolSize, kPoolCache, 0,
					    uint16_t(rte_pcapng_mbuf_size(kSnaplen)), int(rte_socket_id()));
	if (tap_.pool == nullptr) {
		error = std::string("cannot create the capture pool: ") + rte_strerror(rte_errno) + " (raise eal.memory_mb)";
		return false;
	}
	tap_.snaplen = kSnaplen;
	// rte_pcapng sets its TSC->time base on its first copy: do that here, not on a worker.
	if (rte_mbuf *m = rte_pktmbuf_alloc(tap_.pool)) {
		rte_pktmbuf_append(m, 64);
		rte_pktmbuf_free(rte_pcapng_copy(0, 0, m, tap_.pool, 64, rte_rdtsc(), RTE_PCAPNG_DIRECTION_IN));
		rte_pktmbuf_free(m);
	}
	return true;
}

bool Capture::start(CaptureWhere where, uint16_t port_id, const std::string &target, const std::string &file,
		    uint64_t limit, std::string &error)
{
	if (status_.state == CaptureStatus::State::running) {
		error = "a capture is running (to " + status_.file + "): capture stop first";
		return false;
	}
	stop(true); // the last one, if it is still closing
	if (tap_.pool == nullptr && !make_resources(error))
		return false;
	int fd = open(file.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
	if (fd < 0) {
		error = "cannot open " + file + ": " + std::strerror(errno);
		return false;
	}
	std::string comment = "tripath capture start " + target;
	writer_ = rte_pcapng_fdopen(fd, nullptr, nullptr, "tripath", comment.c_str());
	if (writer_ == nullptr) {
		error = "cannot write the pcapng header to " + file + ": " + rte_strerror(rte_errno);
		close(fd);
		return false;
	}
	for (CaptureSlot &s : slots_) // no worker sees the tap now: idle means past the grace period
		s.copied = s.ring_full = s.no_mbuf = 0;
	tap_.where = where;
	tap_.port_id = port_id;
	status_ = CaptureStatus{};
	status_.state = CaptureStatus::State::running;
	status_.file = file;
	status_.where = where;
	status_.target = target;
	status_.limit = limit;
	dp_.capture_.store(&tap_, std::memory_order_release);
	return true;
}

void Capture::stop(bool wait)
{
	if (status_.state == CaptureStatus::State::running) {
		dp_.capture_.store(nullptr, std::memory_order_release);
		token_ = rte_rcu_qsbr_start(dp_.qsbr); // a worker past it no longer holds the tap
		status_.state = CaptureStatus::State::finishing;
	}
	if (wait && status_.state == CaptureStatus::State::finishing) {
		// With path C polled here this lcore is an RCU reader too, holding nothing of the tap
		// now: report it, or the wait below would wait for itself.
		if (dp_.bulk_on_control())
			rte_rcu_qsbr_quiescent(dp_.qsbr, rte_lcore_id());
		rte_rcu_qsbr_check(dp_.qsbr, token_, true); // workers pass it within a loop, or are stopped
		drain(UINT32_MAX);
		finish();
	}
}

unsigned Capture::poll()
{
	if (status_.state == CaptureStatus::State::idle)
		return 0;
	unsigned n = drain(kDrainPerRing);
	if (status_.limit != 0 && status_.written >= status_.limit)
		stop();
	if (status_.state == CaptureStatus::State::finishing && rte_rcu_qsbr_check(dp_.qsbr, token_, false) == 1) {
		n += drain(UINT32_MAX);
		finish();
	}
	return n;
}

// Write what the rings hold, up to the limit; copies past it or after a write error are freed.
unsigned Capture::drain(unsigned max_per_ring)
{
	unsigned written = 0;
	for (CaptureSlot &s : slots_) {
		for (unsigned taken = 0; taken < max_per_ring;) {
			rte_mbuf *pkts[kBurst];
			unsigned n = rte_ring_sc_dequeue_burst(s.ring, reinterpret_cast<void **>(pkts), kBurst, nullptr);
			if (n == 0)
				break;
			taken += n;
			uint64_t room = status_.limit ? status_.limit - std::min(status_.limit, status_.written) : n;
			unsigned keep = status_.error.empty() ? unsigned(std::min<uint64_t>(room, n)) : 0;
			if (keep) {
				ssize_t bytes = rte_pcapng_write_packets(writer_, pkts, uint16_t(keep));
				if (bytes < 0) {
					status_.error = "write " + status_.file + ": " + rte_strerror(rte_errno);
					stop();
				} else {
					status_.written += keep;
					status_.bytes += uint64_t(bytes);
					written += keep;
				}
			}
			rte_pktmbuf_free_bulk(pkts, n); // rte_pcapng_write_packets leaves them to us
		}
	}
	return written;
}

void Capture::sum_slots(CaptureStatus &s) const
{
	s.ring_full = s.no_mbuf = 0;
	for (const CaptureSlot &slot : slots_) {
		s.ring_full += read_counter(slot.ring_full);
		s.no_mbuf += read_counter(slot.no_mbuf);
	}
}

// Past the grace period: no worker copies any more. Close the file and freeze the counters.
void Capture::finish()
{
	sum_slots(status_);
	if (status_.where == CaptureWhere::port)
		rte_pcapng_write_stats(writer_, tap_.port_id, "tripath capture", 0, 0, status_.written,
				       status_.ring_full + status_.no_mbuf);
	rte_pcapng_close(writer_);
	writer_ = nullptr;
	status_.state = CaptureStatus::State::idle;
}

CaptureStatus Capture::status() const
{
	CaptureStatus s = status_;
	if (s.state != CaptureStatus::State::idle)
		sum_slots(s);
	return s;
}

} // namespace tripath::pipeline
