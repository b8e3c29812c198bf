// Byte containers and small helpers for wire formats.
#pragma once

#include <cstddef>
#include <cstdint>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "base/result.h"

namespace kb {

using Bytes = std::vector<std::uint8_t>;
using ByteView = std::span<const std::uint8_t>;
using MutableByteView = std::span<std::uint8_t>;

inline ByteView as_bytes(std::string_view s) {
  return {reinterpret_cast<const std::uint8_t*>(s.data()), s.size()};
}
inline std::string_view as_chars(ByteView b) {
  return {reinterpret_cast<const char*>(b.data()), b.size()};
}
inline Bytes to_bytes(ByteView b) {
  return Bytes(b.begin(), b.end());
}
inline Bytes to_bytes(std::string_view s) {
  return to_bytes(as_bytes(s));
}

// Lower-case hex, no separators.
std::string hex_encode(ByteView b);
// Accepts upper or lower case, ignores ASCII whitespace; odd length or other characters
// are an error.
Result<Bytes> hex_decode(std::string_view s);

void append(Bytes& out, ByteView b);

void put_u16be(Bytes& out, std::uint16_t v);
void put_u32be(Bytes& out, std::uint32_t v);
void put_u16le(Bytes& out, std::uint16_t v);
void put_u32le(Bytes& out, std::uint32_t v);
void put_u64le(Bytes& out, std::uint64_t v);

// Compares two byte strings in time that depends only on their lengths.
bool constant_time_equal(ByteView a, ByteView b);

// Overwrites memory in a way the compiler cannot elide.
void secure_wipe(void* p, std::size_t n);

}  // namespace kb
