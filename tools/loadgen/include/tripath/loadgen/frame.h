// --size is an Ethernet frame without FCS; the RPC request is the UDP payload that leaves.
#pragma once

#include <cstdint>
#include <optional>
#include <string>

namespace tripath::loadgen {

constexpr uint32_t kEthernetHeader = 14;
constexpr uint32_t kIpv4Header = 20;
constexpr uint32_t kIpv6Header = 40;
constexpr uint32_t kUdpHeader = 8;
constexpr uint32_t kMinimumFrame = 64;   // the classic smallest frame (60 B + FCS is 64 on the wire; we keep 64)
constexpr uint32_t kMaximumFrame = 1514; // one 1500-byte MTU frame

// Ethernet + IP + UDP header bytes in front of the payload; family is AF_INET or AF_INET6.
uint32_t udp_frame_overhead(int family);

// The smallest frame that still carries the RPC header, and never below 64 B (82 B for IPv6).
uint32_t smallest_request_frame(int family);

// nullopt and a message naming --size when the frame is too small for the header or too big.
std::optional<uint32_t> udp_payload_for_frame(uint32_t frame_bytes, int family, std::string &error);

} // namespace tripath::loadgen
