// A TCP connection with a bounded connect time, for the bulk client.
#pragma once

#include <string>

#include <tripath/loadgen/endpoint.h>

namespace tripath::loadgen {

// A non-blocking, TCP_NODELAY socket connected to `e`, or -1 and `error`.
int tcp_connect(const Endpoint &e, uint32_t timeout_ms, std::string &error);

} // namespace tripath::loadgen
