// RFC 3961 §5.1 n-fold.
#include <numeric>

#include "crypto/crypto.h"

namespace kb::crypto {
namespace {

// Bit `i` of `b`, bit 0 being the most significant bit of b[0] (big-endian bit string).
int bit_at(ByteView b, std::size_t i) {
  return (b[i / 8] >> (7 - i % 8)) & 1;
}

}  // namespace

Bytes nfold(ByteView input, std::size_t n_bytes) {
  Bytes out(n_bytes, 0);
  if (input.empty() || n_bytes == 0) return out;
  const std::size_t m = input.size();
  const std::size_t m_bits = m * 8;
  const std::size_t total = std::lcm(m, n_bytes);

  // The input repeated to lcm(m, n) bytes, copy k rotated right by 13*k bits.
  Bytes rep(total, 0);
  for (std::size_t k = 0; k < total / m; ++k) {
    const std::size_t rot = (13 * k) % m_bits;
    for (std::size_t j = 0; j < m_bits; ++j) {
      // Rotating right by `rot`: output bit j is input bit (j - rot) mod m_bits.
      const std::size_t src = (j + m_bits - rot) % m_bits;
      if (bit_at(input, src) != 0) {
        const std::size_t dst = k * m_bits + j;
        rep[dst / 8] = static_cast<std::uint8_t>(rep[dst / 8] | (0x80u >> (dst % 8)));
      }
    }
  }

  // Ones'-complement sum of the n-byte chunks, big-endian, end-around carry.
  std::vector<unsigned> acc(n_bytes, 0);
  for (std::size_t off = 0; off < total; off += n_bytes) {
    unsigned carry = 0;
    for (std::size_t i = n_bytes; i-- > 0;) {
      unsigned s = acc[i] + rep[off + i] + carry;
      acc[i] = s & 0xffu;
      carry = s >> 8;
    }
    while (carry != 0) {
      for (std::size_t i = n_bytes; i-- > 0 && carry != 0;) {
        unsigned s = acc[i] + carry;
        acc[i] = s & 0xffu;
        carry = s >> 8;
      }
    }
  }
  for (std::size_t i = 0; i < n_bytes; ++i) out[i] = static_cast<std::uint8_t>(acc[i]);
  return out;
}

}  // namespace kb::crypto
