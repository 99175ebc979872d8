// Sets of missing sequence numbers kept as ranges, so a forged seq of 2^60 costs nothing.
#pragma once

#include <cstddef>
#include <cstdint>
#include <map>
#include <vector>

namespace tripath::audit {

class SeqRanges {
public:
	void add(uint64_t first, uint64_t last); // inclusive; ranges must not overlap
	bool contains(uint64_t seq) const;
	bool take(uint64_t seq);                 // remove one seq; false if absent
	uint64_t count_between(uint64_t lo, uint64_t hi) const; // seqs s with lo < s < hi
	std::vector<uint64_t> first_between(uint64_t lo, uint64_t hi, size_t limit) const;
	const std::map<uint64_t, uint64_t> &ranges() const { return ranges_; } // first -> last

private:
	std::map<uint64_t, uint64_t> ranges_;
};

} // namespace tripath::audit
