#include "seq_ranges.h"

#include <algorithm>

namespace tripath::audit {

void SeqRanges::add(uint64_t first, uint64_t last)
{
	if (first <= last)
		ranges_[first] = last;
}

bool SeqRanges::contains(uint64_t seq) const
{
	auto it = ranges_.upper_bound(seq);
	return it != ranges_.begin() && std::prev(it)->second >= seq;
}

bool SeqRanges::take(uint64_t seq)
{
	auto it = ranges_.upper_bound(seq);
	if (it == ranges_.begin() || std::prev(it)->second < seq)
		return false;
	--it;
	uint64_t first = it->first, last = it->second;
	ranges_.erase(it);
	if (seq > first)
		ranges_[first] = seq - 1;
	if (seq < last)
		ranges_[seq + 1] = last;
	return true;
}

uint64_t SeqRanges::count_between(uint64_t lo, uint64_t hi) const
{
	uint64_t count = 0;
	for (const auto &[first, last] : ranges_) {
		uint64_t a = std::max(first, lo + 1), b = std::min(last, hi - 1);
		if (hi > 0 && a <= b)
			count += b - a + 1;
	}
	return count;
}

std::vector<uint64_t> SeqRanges::first_between(uint64_t lo, uint64_t hi, size_t limit) const
{
	std::vector<uint64_t> out;
	for (const auto &[first, last] : ranges_)
		for (uint64_t s = std::max(first, lo + 1); s <= last && s < hi && out.size() < limit; s++)
			out.push_back(s);
	return out;
}

} // namespace tripath::audit
