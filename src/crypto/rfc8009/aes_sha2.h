// RFC 8009 aes128-cts-hmac-sha256-128 (19) and aes256-cts-hmac-sha384-192 (20):
// KDF-HMAC-SHA2 key derivation and encrypt-then-MAC over IV | C.
#pragma once

#include <cstdint>
#include <memory>

#include "base/bytes.h"
#include "base/result.h"
#include "base/secret.h"
#include "crypto/crypto.h"
#include "crypto/internal/key_state.h"

namespace kb::crypto::rfc8009 {

inline constexpr std::size_t kConfounderLength = 16;

struct Params {
  const char* digest;   // HMAC-SHA256 or HMAC-SHA384
  std::size_t key_len;  // base key and Ke: 16 or 32
  std::size_t mac_len;  // Ki, Kc and h: 16 or 24
  std::size_t prf_len;  // 32 or 48
};
// Only for etypes 19 and 20.
Params params(EncType e);

// Ke = KDF(base, usage|0xAA, key_len), Ki = KDF(base, usage|0x55, mac_len),
// Kc = KDF(base, usage|0x99, mac_len): the one selected.
Result<SecretBytes> derive_subkey(const Key::State& base, std::uint32_t usage,
                                  std::uint8_t selector);
// The per-usage keys of `base` (derived on first use of each), cached in the Key.
Result<const internal::UsageKeys*> usage_keys(const Key::State& base, std::uint32_t usage);

Result<Bytes> encrypt(Key::State& key, std::uint32_t usage, ByteView plaintext, Rng& rng);
Result<SecretBytes> decrypt(Key::State& key, std::uint32_t usage, ByteView ciphertext);
Result<Bytes> checksum(Key::State& key, std::uint32_t usage, ByteView data);
// saltp = enctype-name | 0x00 | salt; tkey = PBKDF2-HMAC-SHA2(password, saltp, iter);
// key = KDF-HMAC-SHA2(tkey, "kerberos", key_len).
Result<SecretBytes> string_to_key(EncType e, ByteView password, ByteView salt,
                                  std::uint32_t iterations);
// KDF-HMAC-SHA2(key, "prf", input, 256 or 384 bits).
Result<SecretBytes> prf(const Key::State& key, ByteView input);

}  // namespace kb::crypto::rfc8009
