// Big-endian field access for the control messages and slot headers.
#pragma once

#include <cstdint>
#include <cstring>
#include <endian.h>

namespace tripath::bulk {

inline void put_be16(uint8_t *p, uint16_t v) { v = htobe16(v); std::memcpy(p, &v, 2); }
inline void put_be32(uint8_t *p, uint32_t v) { v = htobe32(v); std::memcpy(p, &v, 4); }
inline void put_be64(uint8_t *p, uint64_t v) { v = htobe64(v); std::memcpy(p, &v, 8); }

inline uint16_t get_be16(const uint8_t *p) { uint16_t v; std::memcpy(&v, p, 2); return be16toh(v); }
inline uint32_t get_be32(const uint8_t *p) { uint32_t v; std::memcpy(&v, p, 4); return be32toh(v); }
inline uint64_t get_be64(const uint8_t *p) { uint64_t v; std::memcpy(&v, p, 8); return be64toh(v); }

} // namespace tripath::bulk
