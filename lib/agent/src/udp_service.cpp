// Requests are answered in the order they arrive; a response's datagrams go out in fragment
// order because one socket's pending datagrams are flushed before another socket is served.
#include <algorithm>
#include <arpa/inet.h>
#include <cerrno>
#include <cstring>
#include <linux/sock_diag.h>
#include <netinet/in.h>
#include <poll.h>
#include <unistd.h>

#include <tripath/agent/rpc_responder.h>
#include <tripath/agent/udp_service.h>

#include "socket_options.h"

namespace tripath::agent {
namespace {

constexpr int kPollMillis = 100;
// Batches read from one socket before the others get a turn.
constexpr unsigned kBatchesPerTurn = 4;

bool parse_address(const std::string &text, uint16_t port, sockaddr_storage &addr, socklen_t &len)
{
	std::memset(&addr, 0, sizeof(addr));
	auto *v4 = reinterpret_cast<sockaddr_in *>(&addr);
	auto *v6 = reinterpret_cast<sockaddr_in6 *>(&addr);
	if (inet_pton(AF_INET, text.c_str(), &v4->sin_addr) == 1) {
		v4->sin_family = AF_INET;
		v4->sin_port = htons(port);
		len = sizeof(*v4);
		return true;
	}
	if (inet_pton(AF_INET6, text.c_str(), &v6->sin6_addr) == 1) {
		v6->sin6_family = AF_INET6;
		v6->sin6_port = htons(port);
		len = sizeof(*v6);
		return true;
	}
	return false;
}

} // namespace

UdpService::~UdpService()
{
	close();
}

void UdpService::close()
{
	for (Socket &socket : sockets_)
		::close(socket.fd);
	sockets_.clear();
}

bool UdpService::open_socket(const std::string &address, uint16_t port, std::string &error)
{
	sockaddr_storage addr;
	socklen_t len;
	if (!parse_address(address, port, addr, len)) {
		error = "'" + address + "' is not a numeric IPv4 or IPv6 address";
		return false;
	}
	int fd = socket(addr.ss_family, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	if (fd < 0) {
		error = std::string("socket: ") + std::strerror(errno);
		return false;
	}
	sockets_.push_back({fd, 0});
	// Lets 0.0.0.0 and :: share a port.
	int one = 1;
	if (addr.ss_family == AF_INET6 && setsockopt(fd, IPPROTO_IPV6, IPV6_V6ONLY, &one, sizeof(one)) != 0) {
		error = "IPV6_V6ONLY on " + address + ": " + std::strerror(errno);
		return false;
	}
	if (!config_.device.empty() &&
	    setsockopt(fd, SOL_SOCKET, SO_BINDTODEVICE, config_.device.c_str(), socklen_t(config_.device.size())) != 0) {
		error = "SO_BINDTODEVICE " + config_.device + ": " + std::strerror(errno);
		return false;
	}
	if (bind(fd, reinterpret_cast<sockaddr *>(&addr), len) != 0) {
		error = "bind " + address + " port " + std::to_string(port) + ": " + std::strerror(errno);
		return false;
	}
	if (config_.busy_poll)
		enable_busy_poll(fd, "udp sockets", warnings_);
	// Drops at a full receive buffer are counted (SO_RXQ_OVFL), never silent.
	if (setsockopt(fd, SOL_SOCKET, SO_RXQ_OVFL, &one, sizeof(one)) != 0)
		add_warning("SO_RXQ_OVFL refused (" + std::string(std::strerror(errno)) + "): receive drops will not be counted");
	// FORCE passes net.core.rmem_max when privileged; otherwise take what the limit allows.
	int bytes = kReceiveBuffer;
	if (setsockopt(fd, SOL_SOCKET, SO_RCVBUFFORCE, &bytes, sizeof(bytes)) != 0)
		setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &bytes, sizeof(bytes));
	return true;
}

void UdpService::add_warning(const std::string &warning)
{
	// Once, not once per port of a range.
	if (std::find(warnings_.begin(), warnings_.end(), warning) == warnings_.end())
		warnings_.push_back(warning);
}

bool UdpService::open(const UdpServiceConfig &config, std::string &error)
{
	close();
	config_ = config;
	if (config_.addresses.empty())
		config_.addresses = {"0.0.0.0", "::"};
	if (config_.port_lo == 0 || config_.port_hi < config_.port_lo) {
		error = "port range " + std::to_string(config_.port_lo) + "-" + std::to_string(config_.port_hi) +
			" is empty or starts at 0";
		return false;
	}
	for (const std::string &address : config_.addresses) {
		for (uint32_t port = config_.port_lo; port <= config_.port_hi; port++) {
			if (!open_socket(address, uint16_t(port), error)) {
				close();
				return false;
			}
		}
	}

	rx_buffers_.assign(size_t(kRxBatch) * kMaxRequest, 0);
	rx_addrs_.assign(kRxBatch, {});
	rx_iov_.assign(kRxBatch, {});
	rx_msgs_.assign(kRxBatch, {});
	rx_control_.assign(size_t(kRxBatch) * kControlSpace, 0);
	tx_buffers_.assign(size_t(kTxBatch) * kRpcMaxDatagram, 0);
	tx_addrs_.assign(kTxBatch, {});
	tx_iov_.assign(kTxBatch, {});
	tx_msgs_.assign(kTxBatch, {});
	tx_slots_.assign(kTxBatch, {});
	return true;
}

void UdpService::run(const std::atomic<bool> &stop)
{
	std::vector<pollfd> pfds;
	for (const Socket &socket : sockets_)
		pfds.push_back({socket.fd, POLLIN, 0});
	while (!stop.load(std::memory_order_relaxed)) {
		if (config_.spin) {
			for (Socket &socket : sockets_)
				serve(socket);
			continue;
		}
		if (poll(pfds.data(), pfds.size(), kPollMillis) <= 0)
			continue;
		for (size_t i = 0; i < pfds.size(); i++)
			if (pfds[i].revents)
				serve(sockets_[i]);
	}
	// Drops since the last datagram read are reported by no cmsg: ask the sockets directly.
	for (Socket &socket : sockets_) {
		uint32_t meminfo[SK_MEMINFO_VARS] = {};
		socklen_t len = sizeof(meminfo);
		if (getsockopt(socket.fd, SOL_SOCKET, SO_MEMINFO, meminfo, &len) == 0 && len > SK_MEMINFO_DROPS * sizeof(uint32_t)) {
			AgentCounters::add(counters_.rx_dropped, uint32_t(meminfo[SK_MEMINFO_DROPS] - socket.drops_seen));
			socket.drops_seen = meminfo[SK_MEMINFO_DROPS];
		}
	}
}

void UdpService::serve(Socket &socket)
{
	int fd = socket.fd;
	for (unsigned turn = 0; turn < kBatchesPerTurn; turn++) {
		for (unsigned i = 0; i < kRxBatch; i++) {
			rx_iov_[i] = {rx_buffers_.data() + size_t(i) * kMaxRequest, kMaxRequest};
			rx_msgs_[i].msg_hdr = {};
			rx_msgs_[i].msg_hdr.msg_name = &rx_addrs_[i];
			rx_msgs_[i].msg_hdr.msg_namelen = sizeof(sockaddr_storage);
			rx_msgs_[i].msg_hdr.msg_iov = &rx_iov_[i];
			rx_msgs_[i].msg_hdr.msg_iovlen = 1;
			rx_msgs_[i].msg_hdr.msg_control = rx_control_.data() + size_t(i) * kControlSpace;
			rx_msgs_[i].msg_hdr.msg_controllen = kControlSpace;
		}
		int n = recvmmsg(fd, rx_msgs_.data(), kRxBatch, MSG_DONTWAIT, nullptr);
		if (n <= 0)
			break;
		count_drops(socket, rx_msgs_[n - 1].msg_hdr);
		for (int i = 0; i < n; i++)
			answer(fd, rx_msgs_[i]);
		flush();
		if (unsigned(n) < kRxBatch)
			break;
	}
}

void UdpService::count_drops(Socket &socket, msghdr &msg)
{
	for (cmsghdr *c = CMSG_FIRSTHDR(&msg); c; c = CMSG_NXTHDR(&msg, c)) {
		if (c->cmsg_level != SOL_SOCKET || c->cmsg_type != SO_RXQ_OVFL)
			continue;
		uint32_t drops;
		std::memcpy(&drops, CMSG_DATA(c), sizeof(drops));
		// A running count that wraps: the difference is right modulo 2^32.
		AgentCounters::add(counters_.rx_dropped, uint32_t(drops - socket.drops_seen));
		socket.drops_seen = drops;
	}
}

void UdpService::answer(int fd, mmsghdr &request)
{
	uint8_t *payload = static_cast<uint8_t *>(request.msg_hdr.msg_iov->iov_base);
	std::optional<RpcReply> reply;
	if (!(request.msg_hdr.msg_flags & MSG_TRUNC))
		reply = rpc_plan_reply(payload, request.msg_len);
	if (!reply) {
		AgentCounters::add(counters_.malformed);
		return;
	}
	AgentCounters::add(counters_.requests);
	const auto &to = *static_cast<const sockaddr_storage *>(request.msg_hdr.msg_name);
	socklen_t to_len = request.msg_hdr.msg_namelen;
	for (uint16_t i = 0; i < reply->fragments; i++) {
		// An echo is rewritten in the receive buffer; other datagrams get a tx buffer.
		uint8_t *out = reply->echo ? payload : tx_buffer();
		size_t len = rpc_write_fragment(*reply, i, payload, out);
		queue(fd, to, to_len, out, len, i + 1 == reply->fragments);
	}
}

uint8_t *UdpService::tx_buffer()
{
	if (tx_buffers_used_ == kTxBatch || tx_count_ == kTxBatch)
		flush();
	return tx_buffers_.data() + size_t(tx_buffers_used_++) * kRpcMaxDatagram;
}

void UdpService::queue(int fd, const sockaddr_storage &to, socklen_t to_len, uint8_t *data, size_t len, bool last)
{
	if (tx_count_ == kTxBatch) {
		// Only an echo gets here full (tx_buffer flushed otherwise); its data is not a tx buffer.
		flush();
	}
	unsigned i = tx_count_++;
	tx_addrs_[i] = to;
	tx_iov_[i] = {data, len};
	tx_msgs_[i].msg_hdr = {};
	tx_msgs_[i].msg_hdr.msg_name = &tx_addrs_[i];
	tx_msgs_[i].msg_hdr.msg_namelen = to_len;
	tx_msgs_[i].msg_hdr.msg_iov = &tx_iov_[i];
	tx_msgs_[i].msg_hdr.msg_iovlen = 1;
	tx_slots_[i] = {fd, last};
}

void UdpService::flush()
{
	unsigned sent = 0;
	while (sent < tx_count_) {
		int fd = tx_slots_[sent].fd;
		int n = sendmmsg(fd, tx_msgs_.data() + sent, tx_count_ - sent, 0);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0) {
			// This datagram is lost; the rest may still go.
			AgentCounters::add(counters_.tx_full);
			sent++;
			continue;
		}
		for (int i = 0; i < n; i++) {
			AgentCounters::add(counters_.datagrams);
			AgentCounters::add(counters_.bytes, tx_iov_[sent + i].iov_len);
			if (tx_slots_[sent + i].last_fragment)
				AgentCounters::add(counters_.responses);
		}
		sent += unsigned(n);
	}
	tx_count_ = 0;
	tx_buffers_used_ = 0;
}

} // namespace tripath::agent
