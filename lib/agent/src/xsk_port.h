// One AF_XDP socket in copy mode and its umem: the rings, and the frames that are neither in
// the fill ring nor in flight on tx. Everything here runs on the service thread.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include <xdp/xsk.h>

namespace tripath::agent {

class XskPort {
public:
	static constexpr uint32_t kFrameSize = XSK_UMEM__DEFAULT_FRAME_SIZE;
	static constexpr uint32_t kFrames = 4096;
	static constexpr uint32_t kRingSize = 2048;
	static constexpr uint64_t kNoFrame = ~uint64_t{0};

	XskPort() = default;
	~XskPort() { close(); }
	XskPort(const XskPort &) = delete;
	XskPort &operator=(const XskPort &) = delete;

	// Umem, socket (program load inhibited: XskProgram owns the program) and a full fill ring.
	bool open(const std::string &iface, uint32_t queue, std::string &error);
	void close();
	int fd() const { return xsk_ ? xsk_socket__fd(xsk_) : -1; }
	bool register_in(int xsks_map_fd, std::string &error);

	uint8_t *data(uint64_t addr) { return static_cast<uint8_t *>(xsk_umem__get_data(area_, addr)); }
	// Bytes from `addr` to the end of its frame.
	static uint32_t room(uint64_t addr) { return kFrameSize - uint32_t(addr % kFrameSize); }

	void refill();
	xsk_ring_cons &rx() { return rx_; }
	bool fill_needs_wakeup() const { return xsk_ring_prod__needs_wakeup(&fill_); }

	// A frame for a reply, reclaiming and kicking tx when none is free; kNoFrame if that fails.
	uint64_t take_frame();
	void give_back(uint64_t addr) { free_.push_back(addr - addr % kFrameSize); }
	// Puts one frame on the tx ring (published by flush_tx); false when the ring stays full.
	bool queue_tx(uint64_t addr, uint32_t len);
	void flush_tx();
	void reclaim();
	uint32_t tx_in_flight() const { return in_flight_; }
	// Frames the kernel dropped at this socket (XDP_STATISTICS): no fill frame or rx ring full.
	uint64_t kernel_rx_dropped() const;

private:
	// Frames kept off the fill ring so replies, which can need many frames, find some.
	static constexpr uint32_t kTxReserve = 1024;
	static constexpr unsigned kRetries = 256;

	void kick_tx();

	void *area_ = nullptr;
	xsk_umem *umem_ = nullptr;
	xsk_socket *xsk_ = nullptr;
	xsk_ring_prod fill_{};
	xsk_ring_cons comp_{};
	xsk_ring_cons rx_{};
	xsk_ring_prod tx_{};
	std::vector<uint64_t> free_;
	uint32_t pending_tx_ = 0; // reserved on the tx ring, not yet submitted
	uint32_t in_flight_ = 0;  // submitted, not yet completed
};

} // namespace tripath::agent
