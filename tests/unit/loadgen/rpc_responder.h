// A stand-in for tripath-agent built on rpc_wire.h: echoes a request when it asks for 0 bytes,
// else answers rpc_fragments(response_bytes) datagrams. Can drop every Nth request on purpose.
#pragma once

#include <algorithm>
#include <atomic>
#include <cstring>
#include <string>
#include <thread>
#include <vector>

#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <tripath/agent/rpc_wire.h>
#include <tripath/loadgen/endpoint.h>

namespace tripath::loadgen::test {

class RpcResponder {
public:
	// family AF_INET listens on 127.0.0.1, AF_INET6 on ::1; an ephemeral port either way.
	explicit RpcResponder(int family = AF_INET, unsigned drop_every = 0) : drop_every_(drop_every)
	{
		fd_ = socket(family, SOCK_DGRAM | SOCK_CLOEXEC, 0);
		sockaddr_storage a{};
		socklen_t len;
		if (family == AF_INET6) {
			auto *in6 = reinterpret_cast<sockaddr_in6 *>(&a);
			in6->sin6_family = AF_INET6;
			in6->sin6_addr = in6addr_loopback;
			len = sizeof(*in6);
		} else {
			auto *in4 = reinterpret_cast<sockaddr_in *>(&a);
			in4->sin_family = AF_INET;
			in4->sin_addr.s_addr = htonl(INADDR_LOOPBACK);
			len = sizeof(*in4);
		}
		int buffer = 8 << 20;
		setsockopt(fd_, SOL_SOCKET, SO_RCVBUFFORCE, &buffer, sizeof(buffer));
		setsockopt(fd_, SOL_SOCKET, SO_SNDBUFFORCE, &buffer, sizeof(buffer));
		ok_ = fd_ >= 0 && bind(fd_, reinterpret_cast<sockaddr *>(&a), len) == 0;
		len = sizeof(a);
		if (ok_ && getsockname(fd_, reinterpret_cast<sockaddr *>(&a), &len) == 0)
			address_ = format_address(reinterpret_cast<sockaddr *>(&a));
		if (ok_)
			thread_ = std::thread([this] { loop(); });
	}

	~RpcResponder()
	{
		stop();
		if (fd_ >= 0)
			close(fd_);
	}

	// Its counts are final after this: a datagram is counted only once sendto() returns, which
	// may be after the client has already received it.
	void stop()
	{
		done_ = true;
		if (thread_.joinable())
			thread_.join();
	}

	bool ok() const { return ok_; }
	const std::string &address() const { return address_; }
	uint64_t requests() const { return requests_; }
	uint64_t dropped() const { return dropped_; }
	uint64_t datagrams_sent() const { return datagrams_sent_; }
	uint64_t bytes_sent() const { return bytes_sent_; }

private:
	void loop()
	{
		std::vector<uint8_t> in(65536), out(agent::kRpcMaxDatagram);
		while (!done_) {
			pollfd p{fd_, POLLIN, 0};
			if (poll(&p, 1, 20) <= 0)
				continue;
			sockaddr_storage peer{};
			socklen_t peer_len = sizeof(peer);
			ssize_t n = recvfrom(fd_, in.data(), in.size(), 0, reinterpret_cast<sockaddr *>(&peer), &peer_len);
			auto h = n > 0 ? agent::rpc_decode(in.data(), size_t(n)) : std::nullopt;
			if (!h || (h->flags & agent::kRpcResponse))
				continue;
			uint64_t seen = ++requests_;
			if (drop_every_ != 0 && seen % drop_every_ == 0) {
				dropped_++;
				continue;
			}
			h->flags = agent::kRpcResponse;
			if (h->response_bytes == 0) {
				agent::rpc_encode(*h, in.data());
				send(in.data(), size_t(n), peer, peer_len);
				continue;
			}
			// As tripath-agent lays them out: response_bytes is the whole UDP payload, headers
			// included; the body after each header fills datagrams in order.
			uint16_t count = agent::rpc_fragments(h->response_bytes);
			uint32_t total = std::max<uint32_t>(h->response_bytes, agent::kRpcHeaderSize);
			uint32_t body = total - uint32_t(count) * agent::kRpcHeaderSize;
			for (uint16_t i = 0; i < count; i++) {
				uint32_t chunk = std::min<uint32_t>(body, agent::kRpcMaxDatagram - agent::kRpcHeaderSize);
				body -= chunk;
				h->frag_index = i;
				h->frag_count = count;
				agent::rpc_encode(*h, out.data());
				send(out.data(), agent::kRpcHeaderSize + chunk, peer, peer_len);
			}
		}
	}

	void send(const uint8_t *p, size_t len, const sockaddr_storage &peer, socklen_t peer_len)
	{
		if (sendto(fd_, p, len, 0, reinterpret_cast<const sockaddr *>(&peer), peer_len) == ssize_t(len)) {
			datagrams_sent_++;
			bytes_sent_ += len;
		}
	}

	int fd_ = -1;
	bool ok_ = false;
	unsigned drop_every_;
	std::string address_;
	std::thread thread_;
	std::atomic<bool> done_{false};
	// responder thread: writes; test thread: reads after the run
	std::atomic<uint64_t> requests_{0}, dropped_{0}, datagrams_sent_{0}, bytes_sent_{0};
};

} // namespace tripath::loadgen::test
