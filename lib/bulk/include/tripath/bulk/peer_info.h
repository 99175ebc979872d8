// What two bulk endpoints tell each other over the TCP control connection before their QPs
// can talk (and again after every reset): QP number, PSN, address (GID, LID), MTU, the receive
// ring (address, rkey, geometry) and where that ring stands, so a reconnect resumes in place.
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <optional>

namespace tripath::bulk {

struct PeerInfo {
	uint32_t epoch = 0;         // 0 on the first connect, +1 per reset
	uint32_t qp_number = 0;     // 24 bits
	uint32_t psn = 0;           // 24 bits, first packet sequence number this side sends
	std::array<uint8_t, 16> gid{};
	uint16_t lid = 0;           // InfiniBand only; 0 on RoCE
	uint8_t mtu = 0;            // enum ibv_mtu of the port
	uint32_t rkey = 0;          // of the receive ring
	uint64_t ring_address = 0;  // virtual address of slot 0 in the peer's process
	uint32_t slot_count = 0;
	uint32_t slot_size = 0;     // bytes per slot, header included
	uint64_t next_expected = 0; // the ring's next batch sequence
	uint32_t free_slots = 0;    // slots the sender may fill from next_expected on
	uint32_t released_total = 0; // running count credits continue from

	bool operator==(const PeerInfo &) const = default;
};

constexpr size_t kPeerInfoSize = 80;

// Big-endian, fixed layout, so the two ends need not share a compiler or an architecture.
void encode_peer_info(const PeerInfo &info, std::array<uint8_t, kPeerInfoSize> &out);
std::optional<PeerInfo> decode_peer_info(const uint8_t *data, size_t len);

} // namespace tripath::bulk
