// The 32-bit immediate that rides on every message between two bulk endpoints. The receiver
// learns from it alone what arrived: a batch (RDMA WRITE_WITH_IMM, the immediate names the ring
// slot the batch was written to) or returned credits (a zero-length SEND_WITH_IMM carrying the
// receiver's running count of released slots). Sent in network byte order.
//   bits 31..30  kind: 0 batch, 1 credit
//   bits 29..0   batch: slot index; credit: released-slot count modulo 2^30
#pragma once

#include <cstdint>
#include <optional>

namespace tripath::bulk {

enum class ImmediateKind : uint8_t { batch = 0, credit = 1 };

struct Immediate {
	ImmediateKind kind = ImmediateKind::batch;
	uint32_t value = 0; // slot index or released count, 30 bits
};

constexpr uint32_t kImmediateValueBits = 30;
constexpr uint32_t kImmediateValueMask = (1u << kImmediateValueBits) - 1;
// Slot indexes must fit the immediate's value field.
constexpr uint32_t kMaxSlotCount = 1u << 20;

constexpr uint32_t encode_immediate(Immediate imm)
{
	return (uint32_t(imm.kind) << kImmediateValueBits) | (imm.value & kImmediateValueMask);
}

// nullopt for the two kinds no sender produces (a peer speaking another version).
constexpr std::optional<Immediate> decode_immediate(uint32_t raw)
{
	uint32_t kind = raw >> kImmediateValueBits;
	if (kind > uint32_t(ImmediateKind::credit))
		return std::nullopt;
	return Immediate{ImmediateKind(kind), raw & kImmediateValueMask};
}

// Credits travel as a running count so a lost or repeated message cannot skew the sum.
constexpr uint32_t released_since(uint32_t now, uint32_t before)
{
	return (now - before) & kImmediateValueMask;
}

} // namespace tripath::bulk
