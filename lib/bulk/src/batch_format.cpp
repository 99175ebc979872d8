// Length-prefixed records in a batch: the only packet framing path C has.
#include <cstring>

#include <tripath/bulk/batch_format.h>

namespace tripath::bulk {

void BatchWriter::reset(std::span<std::byte> payload)
{
	payload_ = payload;
	used_ = 0;
	packets_ = 0;
}

std::span<std::byte> BatchWriter::append(uint32_t length, uint16_t port)
{
	if (length == 0 || length > kMaxRecordFrame || !fits(length))
		return {};
	auto *h = reinterpret_cast<uint8_t *>(payload_.data() + used_);
	h[0] = uint8_t(length);
	h[1] = uint8_t(length >> 8);
	h[2] = uint8_t(port);
	h[3] = uint8_t(port >> 8);
	std::span<std::byte> frame = payload_.subspan(used_ + kRecordHeader, length);
	// Zero the padding so a batch's bytes depend only on its frames.
	uint32_t pad = record_size(length) - kRecordHeader - length;
	if (pad)
		std::memset(frame.data() + length, 0, pad);
	used_ += record_size(length);
	packets_++;
	return frame;
}

bool BatchReader::next(BatchRecord &record)
{
	if (malformed_ || offset_ == batch_.size())
		return false;
	if (batch_.size() - offset_ < kRecordHeader) {
		malformed_ = true;
		return false;
	}
	auto *h = reinterpret_cast<const uint8_t *>(batch_.data() + offset_);
	uint32_t length = h[0] | uint32_t(h[1]) << 8;
	uint16_t port = uint16_t(h[2] | h[3] << 8);
	if (length == 0 || record_size(length) > batch_.size() - offset_) {
		malformed_ = true;
		return false;
	}
	record.port = port;
	record.frame = batch_.subspan(offset_ + kRecordHeader, length);
	offset_ += record_size(length);
	return true;
}

} // namespace tripath::bulk
