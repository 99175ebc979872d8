// The bytes the tests move: stream offset i holds pattern[i % kPeriod]. The period is prime, so
// a batch landing in the wrong slot, shifted or stale, compares unequal.
#pragma once

#include <cstddef>
#include <cstdint>
#include <cstring>
#include <random>
#include <vector>

namespace tripath::bulk::test {

class StreamPattern {
public:
	static constexpr size_t kPeriod = 1000003;

	StreamPattern() : bytes_(kPeriod)
	{
		std::mt19937_64 generator{0x7269706174687472};
		for (auto &b : bytes_)
			b = std::byte(generator());
	}

	void fill(std::byte *out, uint64_t offset, size_t len) const
	{
		for (size_t done = 0; done < len;) {
			size_t at = (offset + done) % kPeriod;
			size_t n = std::min(len - done, kPeriod - at);
			std::memcpy(out + done, bytes_.data() + at, n);
			done += n;
		}
	}

	bool matches(const std::byte *in, uint64_t offset, size_t len) const
	{
		for (size_t done = 0; done < len;) {
			size_t at = (offset + done) % kPeriod;
			size_t n = std::min(len - done, kPeriod - at);
			if (std::memcmp(in + done, bytes_.data() + at, n) != 0)
				return false;
			done += n;
		}
		return true;
	}

private:
	std::vector<std::byte> bytes_;
};

} // namespace tripath::bulk::test
