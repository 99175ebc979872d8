// A per-burst array of a type with default member initializers, left uninitialized: a burst
// writes each element before it reads it, and zeroing FlowKeys (~2-4 KiB a burst) showed in
// the worker's profile. Only for trivially destructible, trivially copyable types.
#pragma once

#include <cstddef>
#include <type_traits>

namespace tripath::packet {

template <typename T, std::size_t N>
struct UninitArray {
	static_assert(std::is_trivially_destructible_v<T> && std::is_trivially_copyable_v<T>);
	union {
		T v[N];
	};
	UninitArray() {} // no initializer: the union member is left as it is
	T &operator[](std::size_t i) { return v[i]; }
	const T &operator[](std::size_t i) const { return v[i]; }
	operator T *() { return v; }
	operator const T *() const { return v; }
};

} // namespace tripath::packet
