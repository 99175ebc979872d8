// An agent service over plain UDP sockets: one socket per address and port, requests read with
// recvmmsg, responses written with sendmmsg. What an agent without AF_XDP runs.
#pragma once

#include <atomic>
#include <cstdint>
#include <string>
#include <sys/socket.h>
#include <vector>

#include <tripath/agent/counters.h>

namespace tripath::agent {

struct UdpServiceConfig {
	std::vector<std::string> addresses;  // numeric IPv4/IPv6; empty: 0.0.0.0 and ::
	std::string device;                  // SO_BINDTODEVICE when not empty
	uint16_t port_lo = 0;                // both ends included
	uint16_t port_hi = 0;
	bool busy_poll = false;              // SO_BUSY_POLL / SO_PREFER_BUSY_POLL, best effort
	bool spin = false;                   // spin on non-blocking receives instead of poll()
};

class UdpService {
public:
	UdpService() = default;
	~UdpService();
	UdpService(const UdpService &) = delete;
	UdpService &operator=(const UdpService &) = delete;

	// Binds every socket; on failure nothing stays open. Refusals of optional settings go to warnings().
	bool open(const UdpServiceConfig &config, std::string &error);
	// Serves until `stop` is set (checked at least every 100 ms).
	void run(const std::atomic<bool> &stop);
	void close();

	AgentStats stats() const { return counters_.snapshot(); }
	const std::vector<std::string> &warnings() const { return warnings_; }

private:
	static constexpr unsigned kRxBatch = 32;
	static constexpr unsigned kTxBatch = 64;
	static constexpr size_t kMaxRequest = 2048; // larger datagrams arrive truncated: malformed
	static constexpr int kReceiveBuffer = 4 << 20; // room for a burst while a large reply goes out

	struct Socket {
		int fd = -1;
		uint32_t drops_seen = 0; // SO_RXQ_OVFL's running count at the last read
	};

	struct TxSlot {
		int fd = -1;
		bool last_fragment = false;
	};

	static constexpr size_t kControlSpace = CMSG_SPACE(sizeof(uint32_t));

	bool open_socket(const std::string &address, uint16_t port, std::string &error);
	void add_warning(const std::string &warning);
	void serve(Socket &socket);
	void count_drops(Socket &socket, msghdr &msg);
	void answer(int fd, mmsghdr &request);
	void queue(int fd, const sockaddr_storage &to, socklen_t to_len, uint8_t *data, size_t len, bool last);
	uint8_t *tx_buffer();
	void flush();

	UdpServiceConfig config_;
	std::vector<Socket> sockets_;
	std::vector<std::string> warnings_;
	AgentCounters counters_;

	// rx: one recvmmsg batch; tx: datagrams waiting for sendmmsg (one socket at a time)
	std::vector<uint8_t> rx_buffers_;
	std::vector<sockaddr_storage> rx_addrs_;
	std::vector<iovec> rx_iov_;
	std::vector<mmsghdr> rx_msgs_;
	std::vector<uint8_t> rx_control_;
	std::vector<uint8_t> tx_buffers_;
	std::vector<sockaddr_storage> tx_addrs_;
	std::vector<iovec> tx_iov_;
	std::vector<mmsghdr> tx_msgs_;
	std::vector<TxSlot> tx_slots_;
	unsigned tx_count_ = 0;
	unsigned tx_buffers_used_ = 0;
};

} // namespace tripath::agent
