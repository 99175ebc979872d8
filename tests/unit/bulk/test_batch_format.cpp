#include <cstring>
#include <vector>

#include <gtest/gtest.h>

#include <tripath/bulk/batch_format.h>

using namespace tripath::bulk;

namespace {

std::vector<std::byte> frame_of(uint32_t length, uint8_t seed)
{
	std::vector<std::byte> f(length);
	for (uint32_t i = 0; i < length; i++)
		f[i] = std::byte(uint8_t(seed + i * 7));
	return f;
}

} // namespace

TEST(BulkBatch, RecordsRoundTripWithTheirPorts)
{
	std::vector<std::byte> payload(4096);
	BatchWriter w(payload);
	std::vector<std::vector<std::byte>> frames;
	for (uint32_t len : {60u, 61u, 62u, 63u, 64u, 1514u}) {
		frames.push_back(frame_of(len, uint8_t(len)));
		auto dst = w.append(len, uint16_t(len * 3));
		ASSERT_EQ(dst.size(), len);
		std::memcpy(dst.data(), frames.back().data(), len);
	}
	EXPECT_EQ(w.packets(), 6u);
	EXPECT_EQ(w.bytes(), record_size(60) + record_size(61) + record_size(62) + record_size(63) + record_size(64) + record_size(1514));
	EXPECT_EQ(w.bytes() % 4, 0u);

	BatchReader r(std::span<const std::byte>(payload.data(), w.bytes()));
	BatchRecord rec;
	size_t i = 0;
	while (r.next(rec)) {
		ASSERT_LT(i, frames.size());
		EXPECT_EQ(rec.port, uint16_t(frames[i].size() * 3));
		ASSERT_EQ(rec.frame.size(), frames[i].size());
		EXPECT_EQ(std::memcmp(rec.frame.data(), frames[i].data(), rec.frame.size()), 0);
		i++;
	}
	EXPECT_EQ(i, frames.size());
	EXPECT_FALSE(r.malformed());
}

TEST(BulkBatch, AFullBatchRefusesTheNextFrameAndStaysIntact)
{
	std::vector<std::byte> payload(record_size(100) * 3 + 8);
	BatchWriter w(payload);
	EXPECT_FALSE(w.append(100, 1).empty());
	EXPECT_FALSE(w.append(100, 1).empty());
	EXPECT_FALSE(w.append(100, 1).empty());
	EXPECT_FALSE(w.fits(100));
	EXPECT_TRUE(w.append(100, 1).empty());
	EXPECT_TRUE(w.fits(4));
	EXPECT_EQ(w.packets(), 3u);
	EXPECT_TRUE(w.append(0, 1).empty()) << "an empty frame is never a record";
	EXPECT_TRUE(w.append(70000, 1).empty()) << "longer than the 16-bit length";
}

TEST(BulkBatch, PaddingIsZeroed)
{
	std::vector<std::byte> payload(64, std::byte{0xff});
	BatchWriter w(payload);
	auto dst = w.append(5, 0);
	std::memset(dst.data(), 0xab, 5);
	EXPECT_EQ(payload[kRecordHeader + 5], std::byte{0});
	EXPECT_EQ(payload[kRecordHeader + 7], std::byte{0});
	EXPECT_EQ(payload[kRecordHeader + 8], std::byte{0xff}) << "nothing past the record is touched";
}

TEST(BulkBatch, ResetStartsAnEmptyBatch)
{
	std::vector<std::byte> a(256), b(256);
	BatchWriter w(a);
	w.append(10, 0);
	w.reset(b);
	EXPECT_TRUE(w.empty());
	EXPECT_EQ(w.bytes(), 0u);
	EXPECT_EQ(w.append(200, 0).data(), b.data() + kRecordHeader);
}

TEST(BulkBatch, ARecordRunningPastTheBatchIsMalformed)
{
	std::vector<std::byte> payload(256);
	BatchWriter w(payload);
	w.append(40, 2);
	w.append(40, 2);
	// Cut the second record short: the reader takes the first, then reports the rest malformed.
	BatchReader r(std::span<const std::byte>(payload.data(), record_size(40) + 20));
	BatchRecord rec;
	EXPECT_TRUE(r.next(rec));
	EXPECT_FALSE(r.next(rec));
	EXPECT_TRUE(r.malformed());
	EXPECT_EQ(r.offset(), record_size(40));
}

TEST(BulkBatch, AZeroLengthOrShortHeaderIsMalformed)
{
	std::vector<std::byte> zeros(64);
	BatchReader r(zeros);
	BatchRecord rec;
	EXPECT_FALSE(r.next(rec));
	EXPECT_TRUE(r.malformed());

	std::vector<std::byte> payload(64);
	BatchWriter w(payload);
	w.append(8, 0);
	BatchReader tail(std::span<const std::byte>(payload.data(), record_size(8) + 2));
	EXPECT_TRUE(tail.next(rec));
	EXPECT_FALSE(tail.next(rec));
	EXPECT_TRUE(tail.malformed());
}

TEST(BulkBatch, AnEmptyBatchHasNoRecordsAndIsNotMalformed)
{
	BatchReader r(std::span<const std::byte>{});
	BatchRecord rec;
	EXPECT_FALSE(r.next(rec));
	EXPECT_FALSE(r.malformed());
}
