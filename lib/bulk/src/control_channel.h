// Framed messages on the TCP control connection: an 8-byte header (type, length) and a payload.
// Blocking calls take a deadline; poll_message never blocks (the bulk lcore calls it).
#pragma once

#include <cstdint>
#include <string>
#include <vector>

namespace tripath::bulk {

enum class ControlType : uint16_t { hello = 1, ready = 2, bye = 3 };

struct ControlMessage {
	ControlType type = ControlType::bye;
	std::vector<uint8_t> payload;
};

enum class ControlPoll { nothing, message, closed };

class ControlChannel {
public:
	ControlChannel() = default;
	~ControlChannel() { close(); }
	ControlChannel(const ControlChannel &) = delete;
	ControlChannel &operator=(const ControlChannel &) = delete;

	bool connect(const std::string &address, uint16_t port, int timeout_ms, std::string &error);
	bool accept(int listen_fd, int timeout_ms, std::string &error);
	bool is_open() const { return fd_ >= 0; }
	void close();

	bool send(ControlType type, const uint8_t *payload, uint32_t len, std::string &error);
	bool receive(ControlMessage &message, int timeout_ms, std::string &error);
	// A whole message if one is waiting; `closed` on EOF or a broken stream.
	ControlPoll poll_message(ControlMessage &message);

private:
	static constexpr uint32_t kMaxPayload = 4096;
	bool adopt(int fd, std::string &error);
	// Moves what the socket has into buffer_; false on EOF or error.
	bool fill(bool wait, int timeout_ms, std::string &error);
	bool take_message(ControlMessage &message, std::string &error);

	int fd_ = -1;
	std::vector<uint8_t> buffer_; // bytes read, not yet a whole message
};

} // namespace tripath::bulk
