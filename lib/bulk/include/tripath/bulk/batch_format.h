// What a batch holds: length-prefixed packets, back to back in a slot's payload. Each record
// is a 4-byte header (length, then the ingress port, little-endian) and the frame, padded to
// 4 bytes so the next header is aligned. The sender's port travels so that a batch it could
// not deliver can be handed to its own path A on the port the packets came in on.
#pragma once

#include <cstddef>
#include <cstdint>
#include <span>

namespace tripath::bulk {

inline constexpr uint32_t kRecordHeader = 4;
inline constexpr uint32_t kMaxRecordFrame = UINT16_MAX;

// Bytes one frame of `length` takes in a batch, header and padding included.
constexpr uint32_t record_size(uint32_t length) { return kRecordHeader + ((length + 3) & ~3u); }

// Appends records to a payload buffer; never writes past it.
class BatchWriter {
public:
	explicit BatchWriter(std::span<std::byte> payload = {}) : payload_(payload) {}

	// Starts an empty batch in `payload`.
	void reset(std::span<std::byte> payload);
	// Room for the frame? The bulk lcore posts the batch and starts another when not.
	bool fits(uint32_t length) const { return used_ + record_size(length) <= payload_.size(); }
	// Reserves a record and returns where its frame goes (filled by the caller, possibly from
	// several segments), or an empty span when it does not fit or is longer than 65,535.
	std::span<std::byte> append(uint32_t length, uint16_t port);

	uint32_t bytes() const { return used_; }
	uint32_t packets() const { return packets_; }
	bool empty() const { return packets_ == 0; }

private:
	std::span<std::byte> payload_;
	uint32_t used_ = 0;
	uint32_t packets_ = 0;
};

struct BatchRecord {
	uint16_t port = 0;
	std::span<const std::byte> frame;
};

// Walks a received batch. A record that runs past the batch, or a zero length, ends the walk
// with malformed() set: the rest of the batch cannot be trusted.
class BatchReader {
public:
	explicit BatchReader(std::span<const std::byte> batch) : batch_(batch) {}

	bool next(BatchRecord &record);
	bool malformed() const { return malformed_; }
	uint32_t offset() const { return offset_; } // where the walk stands (for the error report)

private:
	std::span<const std::byte> batch_;
	uint32_t offset_ = 0;
	bool malformed_ = false;
};

} // namespace tripath::bulk
