// RFC 3962 aes128-cts-hmac-sha1-96 (17) and aes256-cts-hmac-sha1-96 (18): the RFC 3961
// simplified profile with SHA-1, h = 96 bits, no padding, AES-CTS.
#pragma once

#include <cstdint>
#include <memory>

#include "base/bytes.h"
#include "base/result.h"
#include "base/secret.h"
#include "crypto/crypto.h"
#include "crypto/internal/key_state.h"

namespace kb::crypto::rfc3962 {

inline constexpr std::size_t kConfounderLength = 16;
inline constexpr std::size_t kMacLength = 12;  // RFC 3962 §6: HMAC-SHA1 truncated to 96 bits

// Ke, Ki, Kc = DK(base, usage | 0xAA / 0x55 / 0x99) (RFC 3961 §5.3): the one selected.
Result<SecretBytes> derive_subkey(const Key::State& base, std::uint32_t usage,
                                  std::uint8_t selector);
// The per-usage keys of `base` (derived on first use of each), cached in the Key.
Result<const internal::UsageKeys*> usage_keys(const Key::State& base, std::uint32_t usage);

Result<Bytes> encrypt(Key::State& key, std::uint32_t usage, ByteView plaintext, Rng& rng);
Result<SecretBytes> decrypt(Key::State& key, std::uint32_t usage, ByteView ciphertext);
Result<Bytes> checksum(Key::State& key, std::uint32_t usage, ByteView data);
// tkey = PBKDF2-HMAC-SHA1(password, salt, iterations, keylen); key = DK(tkey, "kerberos").
Result<SecretBytes> string_to_key(std::size_t key_len, ByteView password, ByteView salt,
                                  std::uint32_t iterations);
// RFC 3962 §6: AES(DK(key, "prf"), first 16 bytes of SHA-1(input)).
Result<SecretBytes> prf(const Key::State& key, ByteView input);

}  // namespace kb::crypto::rfc3962
