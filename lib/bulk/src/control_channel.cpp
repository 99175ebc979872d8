#include "control_channel.h"

#include <cerrno>
#include <chrono>
#include <cstring>
#include <fcntl.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <sys/socket.h>
#include <thread>
#include <unistd.h>

#include "byte_order.h"
#include "socket_address.h"

namespace tripath::bulk {

namespace {

using Clock = std::chrono::steady_clock;
constexpr size_t kHeaderSize = 8;

int remaining_ms(Clock::time_point deadline)
{
	auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - Clock::now()).count();
	return left > 0 ? int(left) : 0;
}

bool wait_for(int fd, short events, Clock::time_point deadline)
{
	pollfd p{fd, events, 0};
	for (;;) {
		int n = ::poll(&p, 1, remaining_ms(deadline));
		if (n > 0)
			return true;
		if (n == 0 || errno != EINTR)
			return false;
	}
}

} // namespace

bool ControlChannel::adopt(int fd, std::string &error)
{
	int one = 1;
	// Control messages are tiny and each one waits for an answer.
	::setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
	if (::fcntl(fd, F_SETFL, ::fcntl(fd, F_GETFL) | O_NONBLOCK) != 0) {
		error = std::string("fcntl: ") + std::strerror(errno);
		::close(fd);
		return false;
	}
	close();
	fd_ = fd;
	return true;
}

bool ControlChannel::connect(const std::string &address, uint16_t port, int timeout_ms, std::string &error)
{
	sockaddr_storage addr{};
	socklen_t addr_len = 0;
	if (!parse_socket_address(address, port, addr, addr_len, error))
		return false;
	auto deadline = Clock::now() + std::chrono::milliseconds(timeout_ms);
	// The peer may not listen yet: refused connections are retried until the deadline.
	for (;;) {
		int fd = ::socket(addr.ss_family, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
		if (fd < 0) {
			error = std::string("socket: ") + std::strerror(errno);
			return false;
		}
		int rc = ::connect(fd, reinterpret_cast<sockaddr *>(&addr), addr_len);
		int err = rc == 0 ? 0 : errno;
		if (err == EINPROGRESS) {
			err = ETIMEDOUT;
			if (wait_for(fd, POLLOUT, deadline)) {
				socklen_t len = sizeof(err);
				::getsockopt(fd, SOL_SOCKET, SO_ERROR, &err, &len);
			}
		}
		if (err == 0)
			return adopt(fd, error);
		::close(fd);
		if ((err != ECONNREFUSED && err != ETIMEDOUT) || remaining_ms(deadline) == 0) {
			error = "connect to " + address + ":" + std::to_string(port) + ": " + std::strerror(err);
			return false;
		}
		std::this_thread::sleep_for(std::chrono::milliseconds(50));
	}
}

bool ControlChannel::accept(int listen_fd, int timeout_ms, std::string &error)
{
	auto deadline = Clock::now() + std::chrono::milliseconds(timeout_ms);
	if (!wait_for(listen_fd, POLLIN, deadline)) {
		error = "no peer connected within " + std::to_string(timeout_ms) + " ms";
		return false;
	}
	int fd = ::accept4(listen_fd, nullptr, nullptr, SOCK_CLOEXEC);
	if (fd < 0) {
		error = std::string("accept: ") + std::strerror(errno);
		return false;
	}
	return adopt(fd, error);
}

void ControlChannel::close()
{
	if (fd_ >= 0)
		::close(fd_);
	fd_ = -1;
	buffer_.clear();
}

bool ControlChannel::send(ControlType type, const uint8_t *payload, uint32_t len, std::string &error)
{
	std::vector<uint8_t> frame(kHeaderSize + len);
	put_be16(frame.data(), uint16_t(type));
	put_be32(frame.data() + 4, len);
	if (len > 0)
		std::memcpy(frame.data() + kHeaderSize, payload, len);
	auto deadline = Clock::now() + std::chrono::seconds(5);
	size_t sent = 0;
	while (sent < frame.size()) {
		ssize_t n = ::send(fd_, frame.data() + sent, frame.size() - sent, MSG_NOSIGNAL);
		if (n > 0) {
			sent += size_t(n);
			continue;
		}
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK) && wait_for(fd_, POLLOUT, deadline))
			continue;
		error = std::string("control connection: send: ") + (n < 0 ? std::strerror(errno) : "closed");
		return false;
	}
	return true;
}

bool ControlChannel::fill(bool wait, int timeout_ms, std::string &error)
{
	if (wait && !wait_for(fd_, POLLIN, Clock::now() + std::chrono::milliseconds(timeout_ms))) {
		error = "control connection: nothing from the peer within " + std::to_string(timeout_ms) + " ms";
		return false;
	}
	uint8_t chunk[512];
	ssize_t n = ::recv(fd_, chunk, sizeof(chunk), 0);
	if (n > 0) {
		buffer_.insert(buffer_.end(), chunk, chunk + n);
		return true;
	}
	if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR))
		return true;
	error = n == 0 ? "control connection closed by the peer" : std::string("control connection: ") + std::strerror(errno);
	return false;
}

bool ControlChannel::take_message(ControlMessage &message, std::string &error)
{
	if (buffer_.size() < kHeaderSize)
		return false;
	uint32_t len = get_be32(buffer_.data() + 4);
	if (len > kMaxPayload) {
		error = "control connection: oversized message";
		return false;
	}
	if (buffer_.size() < kHeaderSize + len)
		return false;
	message.type = ControlType(get_be16(buffer_.data()));
	message.payload.assign(buffer_.begin() + kHeaderSize, buffer_.begin() + kHeaderSize + len);
	buffer_.erase(buffer_.begin(), buffer_.begin() + kHeaderSize + len);
	return true;
}

bool ControlChannel::receive(ControlMessage &message, int timeout_ms, std::string &error)
{
	auto deadline = Clock::now() + std::chrono::milliseconds(timeout_ms);
	for (;;) {
		error.clear();
		if (take_message(message, error))
			return true;
		if (!error.empty() || !fill(true, remaining_ms(deadline), error))
			return false;
	}
}

ControlPoll ControlChannel::poll_message(ControlMessage &message)
{
	if (fd_ < 0)
		return ControlPoll::closed;
	std::string error;
	if (take_message(message, error))
		return ControlPoll::message;
	if (!error.empty() || !fill(false, 0, error))
		return ControlPoll::closed;
	if (take_message(message, error))
		return ControlPoll::message;
	return error.empty() ? ControlPoll::nothing : ControlPoll::closed;
}

} // namespace tripath::bulk
