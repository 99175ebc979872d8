#include <algorithm>
#include <cerrno>
#include <cstring>
#include <linux/if_xdp.h>
#include <sys/mman.h>
#include <sys/socket.h>

#include "xsk_port.h"

namespace tripath::agent {

bool XskPort::open(const std::string &iface, uint32_t queue, std::string &error)
{
	close();
	size_t bytes = size_t(kFrames) * kFrameSize;
	void *area = mmap(nullptr, bytes, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (area == MAP_FAILED) {
		error = std::string("umem: mmap: ") + std::strerror(errno);
		return false;
	}
	area_ = area;
	xsk_umem_config umem_config{};
	umem_config.fill_size = kRingSize;
	umem_config.comp_size = kRingSize;
	umem_config.frame_size = kFrameSize;
	umem_config.frame_headroom = XSK_UMEM__DEFAULT_FRAME_HEADROOM;
	if (int err = xsk_umem__create(&umem_, area_, bytes, &fill_, &comp_, &umem_config)) {
		umem_ = nullptr;
		error = std::string("umem: xsk_umem__create: ") + std::strerror(-err) +
			(err == -ENOMEM || err == -EPERM ? " (needs CAP_IPC_LOCK or a higher ulimit -l)" : "");
		close();
		return false;
	}
	xsk_socket_config socket_config{};
	socket_config.rx_size = kRingSize;
	socket_config.tx_size = kRingSize;
	socket_config.libxdp_flags = XSK_LIBXDP_FLAGS__INHIBIT_PROG_LOAD;
	// veth has no zero-copy; need_wakeup lets an idle service sleep instead of kicking.
	socket_config.bind_flags = XDP_COPY | XDP_USE_NEED_WAKEUP;
	if (int err = xsk_socket__create(&xsk_, iface.c_str(), queue, umem_, &rx_, &tx_, &socket_config)) {
		xsk_ = nullptr;
		error = "AF_XDP socket on " + iface + " queue " + std::to_string(queue) + ": " + std::strerror(-err);
		close();
		return false;
	}
	free_.clear();
	for (uint32_t i = 0; i < kFrames; i++)
		free_.push_back(uint64_t(kFrames - 1 - i) * kFrameSize);
	refill();
	return true;
}

void XskPort::close()
{
	if (xsk_)
		xsk_socket__delete(xsk_);
	xsk_ = nullptr;
	if (umem_)
		xsk_umem__delete(umem_);
	umem_ = nullptr;
	if (area_)
		munmap(area_, size_t(kFrames) * kFrameSize);
	area_ = nullptr;
	free_.clear();
	pending_tx_ = in_flight_ = 0;
}

bool XskPort::register_in(int xsks_map_fd, std::string &error)
{
	if (int err = xsk_socket__update_xskmap(xsk_, xsks_map_fd)) {
		error = std::string("cannot register the AF_XDP socket in xsks_map: ") + std::strerror(-err);
		return false;
	}
	return true;
}

void XskPort::refill()
{
	if (free_.size() <= kTxReserve)
		return;
	uint32_t want = xsk_prod_nb_free(&fill_, uint32_t(free_.size() - kTxReserve));
	want = std::min<uint32_t>(want, uint32_t(free_.size() - kTxReserve));
	uint32_t idx;
	if (want == 0 || xsk_ring_prod__reserve(&fill_, want, &idx) != want)
		return;
	for (uint32_t i = 0; i < want; i++) {
		*xsk_ring_prod__fill_addr(&fill_, idx + i) = free_.back();
		free_.pop_back();
	}
	xsk_ring_prod__submit(&fill_, want);
}

void XskPort::reclaim()
{
	uint32_t idx;
	uint32_t n = xsk_ring_cons__peek(&comp_, kRingSize, &idx);
	for (uint32_t i = 0; i < n; i++)
		give_back(*xsk_ring_cons__comp_addr(&comp_, idx + i));
	if (n)
		xsk_ring_cons__release(&comp_, n);
	in_flight_ -= n;
}

void XskPort::kick_tx()
{
	if (!xsk_ring_prod__needs_wakeup(&tx_))
		return;
	// Copy mode sends a bounded batch per call; EAGAIN/EBUSY/ENOBUFS just mean "call again".
	sendto(fd(), nullptr, 0, MSG_DONTWAIT, nullptr, 0);
}

void XskPort::flush_tx()
{
	if (pending_tx_) {
		xsk_ring_prod__submit(&tx_, pending_tx_);
		in_flight_ += pending_tx_;
		pending_tx_ = 0;
	}
	if (in_flight_)
		kick_tx();
}

uint64_t XskPort::take_frame()
{
	for (unsigned attempt = 0; free_.empty(); attempt++) {
		if (attempt == kRetries)
			return kNoFrame;
		flush_tx();
		reclaim();
	}
	uint64_t addr = free_.back();
	free_.pop_back();
	return addr;
}

bool XskPort::queue_tx(uint64_t addr, uint32_t len)
{
	uint32_t idx;
	for (unsigned attempt = 0; xsk_ring_prod__reserve(&tx_, 1, &idx) != 1; attempt++) {
		if (attempt == kRetries)
			return false;
		flush_tx();
		reclaim();
	}
	xdp_desc *desc = xsk_ring_prod__tx_desc(&tx_, idx);
	desc->addr = addr;
	desc->len = len;
	desc->options = 0;
	pending_tx_++;
	return true;
}

uint64_t XskPort::kernel_rx_dropped() const
{
	xdp_statistics stats{};
	socklen_t len = sizeof(stats);
	if (!xsk_ || getsockopt(fd(), SOL_XDP, XDP_STATISTICS, &stats, &len) != 0)
		return 0;
	return stats.rx_dropped + stats.rx_ring_full;
}

} // namespace tripath::agent
