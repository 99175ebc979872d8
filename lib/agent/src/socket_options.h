// Busy-polling socket options, shared by the UDP and XSK services; each refusal is a warning.
#pragma once

#include <string>
#include <vector>

namespace tripath::agent {

// SO_PREFER_BUSY_POLL, SO_BUSY_POLL and SO_BUSY_POLL_BUDGET on `fd`, each best effort.
void enable_busy_poll(int fd, const std::string &what, std::vector<std::string> &warnings);

} // namespace tripath::agent
