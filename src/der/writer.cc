#include "der/writer.h"

#include <array>

namespace kb::der {
namespace {

// Identifier + minimal definite length (X.690 10.1).
std::size_t make_header(std::uint8_t tag, std::size_t length, std::array<std::uint8_t, 6>& h) {
  h[0] = tag;
  if (length < 0x80) {
    h[1] = static_cast<std::uint8_t>(length);
    return 2;
  }
  std::size_t n = 0;
  for (std::size_t l = length; l != 0; l >>= 8) ++n;
  h[1] = static_cast<std::uint8_t>(0x80 | n);
  for (std::size_t i = 0; i < n; ++i) {
    h[2 + i] = static_cast<std::uint8_t>(length >> (8 * (n - 1 - i)));
  }
  return 2 + n;
}

}  // namespace

void Writer::write_tlv(std::uint8_t tag, ByteView content) {
  std::array<std::uint8_t, 6> h{};
  const std::size_t n = make_header(tag, content.size(), h);
  buf_.insert(buf_.end(), h.begin(), h.begin() + static_cast<std::ptrdiff_t>(n));
  append(buf_, content);
}

void Writer::finish_header(std::size_t at, std::size_t length) {
  if (length < 0x80) {
    buf_[at + 1] = static_cast<std::uint8_t>(length);
    return;
  }
  std::array<std::uint8_t, 6> h{};
  const std::size_t n = make_header(buf_[at], length, h);
  buf_[at + 1] = h[1];
  buf_.insert(buf_.begin() + static_cast<std::ptrdiff_t>(at + 2), h.begin() + 2,
              h.begin() + static_cast<std::ptrdiff_t>(n));
}

namespace {

// The minimal two's-complement content octets of v (X.690 8.3), at the end of `out`;
// returns how many.
std::size_t minimal_integer(std::int64_t v, std::array<std::uint8_t, 8>& out) {
  const auto u = static_cast<std::uint64_t>(v);
  for (std::size_t i = 0; i < 8; ++i) out[i] = static_cast<std::uint8_t>(u >> (56 - 8 * i));
  // Drop leading octets while the next one carries the same sign (X.690 8.3.2).
  std::size_t skip = 0;
  while (skip + 1 < out.size() && ((out[skip] == 0x00 && (out[skip + 1] & 0x80) == 0) ||
                                   (out[skip] == 0xff && (out[skip + 1] & 0x80) != 0))) {
    ++skip;
  }
  return out.size() - skip;
}

}  // namespace

Bytes integer_content(std::int64_t v) {
  std::array<std::uint8_t, 8> c{};
  const std::size_t n = minimal_integer(v, c);
  return Bytes(c.end() - static_cast<std::ptrdiff_t>(n), c.end());
}

void Writer::write_integer(std::int64_t v) {
  std::array<std::uint8_t, 8> c{};
  const std::size_t n = minimal_integer(v, c);
  write_tlv(0x02, ByteView(c).last(n));
}

}  // namespace kb::der
