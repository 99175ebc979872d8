// The TCP server of class bulk: reads each length-prefixed transfer to the end, answers one
// byte. Many clients, one epoll loop.
#pragma once

#include <atomic>
#include <cstdint>
#include <string>
#include <unordered_map>
#include <vector>

#include <tripath/loadgen/endpoint.h>

namespace tripath::loadgen {

struct SinkCounters {
	uint64_t connections = 0;
	uint64_t transfers = 0;
	uint64_t bytes = 0;                // everything read, length prefixes included
};

class BulkSink {
public:
	BulkSink() = default;
	BulkSink(const BulkSink &) = delete;
	BulkSink &operator=(const BulkSink &) = delete;
	~BulkSink();

	bool open(const Endpoint &listen, std::string &error);
	// The bound address, with the real port when --listen asked for port 0.
	std::string local_address() const;
	// Serves until `stop` is set (checked at least every 100 ms).
	void run(const std::atomic<bool> &stop);
	// Written by run(); read it after run() has returned.
	const SinkCounters &counters() const { return counters_; }

private:
	struct Client {
		uint8_t length[8];
		unsigned length_read = 0;
		uint64_t remaining = 0;        // data bytes of the current transfer still to read
		bool ack_pending = false;      // transfer read, one-byte answer not sent yet
		bool waiting_for_room = false; // epoll watches EPOLLOUT instead of EPOLLIN
	};

	void accept_clients();
	bool serve(int fd, Client &c);     // false: close the connection
	bool send_ack(int fd, Client &c);
	void drop(int fd);

	int listen_fd_ = -1;
	int epoll_fd_ = -1;
	std::unordered_map<int, Client> clients_;
	std::vector<uint8_t> scratch_;
	SinkCounters counters_;
};

} // namespace tripath::loadgen
