#include <cerrno>
#include <cstring>

#include <netinet/in.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <tripath/agent/rpc_wire.h>
#include <tripath/loadgen/bulk_sink.h>

namespace tripath::loadgen {

namespace {

constexpr size_t kScratch = 256 << 10;
constexpr int kMaxEvents = 64;
constexpr int kStopCheckMs = 100;

} // namespace

BulkSink::~BulkSink()
{
	for (auto &[fd, client] : clients_)
		close(fd);
	if (epoll_fd_ >= 0)
		close(epoll_fd_);
	if (listen_fd_ >= 0)
		close(listen_fd_);
}

bool BulkSink::open(const Endpoint &listen_on, std::string &error)
{
	listen_fd_ = socket(listen_on.family(), SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	int one = 1;
	if (listen_fd_ >= 0)
		setsockopt(listen_fd_, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
	if (listen_fd_ < 0 || bind(listen_fd_, listen_on.sockaddr_ptr(), listen_on.length) != 0 ||
		listen(listen_fd_, 128) != 0) {
		error = "--listen " + listen_on.text + ": " + std::strerror(errno);
		return false;
	}
	epoll_fd_ = epoll_create1(EPOLL_CLOEXEC);
	epoll_event ev{};
	ev.events = EPOLLIN;
	ev.data.fd = listen_fd_;
	if (epoll_fd_ < 0 || epoll_ctl(epoll_fd_, EPOLL_CTL_ADD, listen_fd_, &ev) != 0) {
		error = std::string("epoll: ") + std::strerror(errno);
		return false;
	}
	scratch_.resize(kScratch);
	return true;
}

std::string BulkSink::local_address() const
{
	sockaddr_storage a{};
	socklen_t len = sizeof(a);
	if (getsockname(listen_fd_, reinterpret_cast<sockaddr *>(&a), &len) != 0)
		return "?";
	return format_address(reinterpret_cast<sockaddr *>(&a));
}

void BulkSink::run(const std::atomic<bool> &stop)
{
	epoll_event events[kMaxEvents];
	while (!stop.load(std::memory_order_relaxed)) {
		int n = epoll_wait(epoll_fd_, events, kMaxEvents, kStopCheckMs);
		for (int i = 0; i < n; i++) {
			int fd = events[i].data.fd;
			if (fd == listen_fd_) {
				accept_clients();
				continue;
			}
			auto it = clients_.find(fd);
			if (it == clients_.end())
				continue;
			// A client that hung up while its answer is stuck will never read it.
			bool keep = !(events[i].events & EPOLLERR) &&
				!((events[i].events & EPOLLHUP) && it->second.ack_pending);
			if (keep && (events[i].events & EPOLLOUT) && it->second.ack_pending)
				keep = send_ack(fd, it->second);
			if (keep && (events[i].events & (EPOLLIN | EPOLLHUP)))
				keep = serve(fd, it->second);
			if (!keep)
				drop(fd);
		}
	}
}

void BulkSink::accept_clients()
{
	for (;;) {
		int fd = accept4(listen_fd_, nullptr, nullptr, SOCK_NONBLOCK | SOCK_CLOEXEC);
		if (fd < 0)
			return;
		epoll_event ev{};
		ev.events = EPOLLIN;
		ev.data.fd = fd;
		if (epoll_ctl(epoll_fd_, EPOLL_CTL_ADD, fd, &ev) != 0) {
			close(fd);
			continue;
		}
		clients_[fd] = Client{};
		counters_.connections++;
	}
}

// Reads until the socket is empty; answers each transfer once all of its data is in.
bool BulkSink::serve(int fd, Client &c)
{
	for (;;) {
		if (c.ack_pending)
			return true;               // the client waits for the answer before sending more
		ssize_t n;
		if (c.length_read < sizeof(c.length)) {
			n = recv(fd, c.length + c.length_read, sizeof(c.length) - c.length_read, 0);
		} else {
			n = recv(fd, scratch_.data(), std::min<uint64_t>(c.remaining, scratch_.size()), 0);
		}
		if (n == 0)
			return false;
		if (n < 0)
			return errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR;
		counters_.bytes += uint64_t(n);
		if (c.length_read < sizeof(c.length)) {
			c.length_read += unsigned(n);
			if (c.length_read < sizeof(c.length))
				continue;
			uint64_t be;
			std::memcpy(&be, c.length, sizeof(be));
			c.remaining = agent::rpc_hton64(be);   // the same swap both ways
		} else {
			c.remaining -= uint64_t(n);
		}
		if (c.remaining == 0) {
			c.length_read = 0;
			counters_.transfers++;
			c.ack_pending = true;
			if (!send_ack(fd, c))
				return false;
		}
	}
}

bool BulkSink::send_ack(int fd, Client &c)
{
	uint8_t ack = 1;
	ssize_t n = send(fd, &ack, 1, MSG_NOSIGNAL | MSG_DONTWAIT);
	if (n < 0 && errno != EAGAIN && errno != EWOULDBLOCK)
		return false;
	bool sent = n == 1;
	if (sent)
		c.ack_pending = false;
	if (sent == c.waiting_for_room) {
		// Watch for room while the answer is stuck, for data again once it is out.
		epoll_event ev{};
		ev.data.fd = fd;
		ev.events = sent ? EPOLLIN : EPOLLOUT;
		epoll_ctl(epoll_fd_, EPOLL_CTL_MOD, fd, &ev);
		c.waiting_for_room = !sent;
	}
	return true;
}

void BulkSink::drop(int fd)
{
	epoll_ctl(epoll_fd_, EPOLL_CTL_DEL, fd, nullptr);
	close(fd);
	clients_.erase(fd);
}

} // namespace tripath::loadgen
