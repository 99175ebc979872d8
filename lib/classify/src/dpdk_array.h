// A fixed array in DPDK memory: on hugepages when EAL has them, so the workers' lookups into a
// large table miss the TLB far less than in 4 KiB malloc pages.
#pragma once

#include <cstring>
#include <new>
#include <type_traits>
#include <vector>

#include <rte_malloc.h>

namespace tripath::classify {

template <typename T>
class DpdkArray {
	static_assert(std::is_trivially_copyable_v<T>);

public:
	DpdkArray() = default;
	explicit DpdkArray(const std::vector<T> &from) : size_(from.size())
	{
		if (size_ == 0)
			return;
		data_ = static_cast<T *>(rte_malloc("tripath_classify", size_ * sizeof(T), alignof(T) < 64 ? 64 : alignof(T)));
		if (data_ == nullptr)
			throw std::bad_alloc();
		std::memcpy(static_cast<void *>(data_), from.data(), size_ * sizeof(T));
	}
	~DpdkArray() { rte_free(data_); }
	DpdkArray(const DpdkArray &) = delete;
	DpdkArray &operator=(const DpdkArray &) = delete;
	DpdkArray &operator=(DpdkArray &&o) noexcept
	{
		std::swap(data_, o.data_);
		std::swap(size_, o.size_);
		return *this;
	}

	const T &operator[](size_t i) const { return data_[i]; }
	const T *data() const { return data_; }
	size_t size() const { return size_; }
	bool empty() const { return size_ == 0; }

private:
	T *data_ = nullptr;
	size_t size_ = 0;
};

} // namespace tripath::classify
