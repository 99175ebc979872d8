// The 16 bytes in front of every batch in a ring slot. The immediate already names the slot;
// the header adds the length (the immediate has no room for it) and the sequence, which lets
// the receiver prove the batch is the one its window expects.
#pragma once

#include <cstddef>
#include <cstdint>

#include "byte_order.h"

namespace tripath::bulk {

constexpr uint32_t kSlotMagic = 0x54504253; // "TPBS"
constexpr uint32_t kSlotHeaderSize = 16;

struct SlotHeader {
	uint32_t bytes = 0;
	uint64_t sequence = 0;
};

inline void write_slot_header(std::byte *slot, const SlotHeader &header)
{
	auto *p = reinterpret_cast<uint8_t *>(slot);
	put_be32(p, kSlotMagic);
	put_be32(p + 4, header.bytes);
	put_be64(p + 8, header.sequence);
}

inline bool read_slot_header(const std::byte *slot, SlotHeader &header)
{
	auto *p = reinterpret_cast<const uint8_t *>(slot);
	if (get_be32(p) != kSlotMagic)
		return false;
	header.bytes = get_be32(p + 4);
	header.sequence = get_be64(p + 8);
	return true;
}

} // namespace tripath::bulk
