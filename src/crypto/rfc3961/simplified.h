// RFC 3961 framework pieces shared by the AES enctypes: DR/DK (§5.1) over AES and the
// 4-byte big-endian well-known constants of the simplified profile (§5.3).
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>

#include "base/bytes.h"
#include "base/result.h"
#include "base/secret.h"

namespace kb::crypto::rfc3961 {

// RFC 3961 §5.3: usage (32-bit big-endian) followed by one selector octet.
inline constexpr std::uint8_t kKeyChecksum = 0x99;
inline constexpr std::uint8_t kKeyEncryption = 0xAA;
inline constexpr std::uint8_t kKeyIntegrity = 0x55;

inline std::array<std::uint8_t, 5> usage_constant(std::uint32_t usage, std::uint8_t selector) {
  return {static_cast<std::uint8_t>(usage >> 24), static_cast<std::uint8_t>(usage >> 16),
          static_cast<std::uint8_t>(usage >> 8), static_cast<std::uint8_t>(usage), selector};
}

// DK(key, constant) for AES (random-to-key is the identity, RFC 3962 §6): `out_len`
// bytes of K1 | K2 | ..., K1 = AES(key, n-fold(constant, 128)), K(i+1) = AES(key, Ki).
Result<SecretBytes> derive_key_aes(ByteView key, ByteView constant, std::size_t out_len);

}  // namespace kb::crypto::rfc3961
