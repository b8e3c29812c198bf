// RFC 4757 rc4-hmac (23) and the HMAC-MD5 checksum (-138). Kept for the PAC and the
// KERB-KEY-LIST NT hash only. RC4 and MD4 come from OpenSSL's legacy provider.
#pragma once

#include <cstdint>

#include "base/bytes.h"
#include "base/result.h"
#include "base/secret.h"
#include "crypto/crypto.h"

namespace kb::crypto::rc4_hmac {

inline constexpr std::size_t kConfounderLength = 8;
inline constexpr std::size_t kChecksumLength = 16;

// RFC 4757 §3 message-type mapping of RFC 4120 usage numbers (3 -> 8, 23 -> 13).
std::uint32_t translate_usage(std::uint32_t usage);

Result<Bytes> encrypt(Key::State& key, std::uint32_t usage, ByteView plaintext, Rng& rng);
Result<SecretBytes> decrypt(Key::State& key, std::uint32_t usage, ByteView ciphertext);
// RFC 4757 §5 HMAC-MD5 checksum.
Result<Bytes> checksum(Key::State& key, std::uint32_t usage, ByteView data);
// MD4(UTF-16LE(password)); kBadS2kParams if the password is not valid UTF-8.
Result<SecretBytes> nt_hash(ByteView password_utf8);
// HMAC-SHA1(key, input), as MIT krb5 defines the rc4-hmac PRF.
Result<SecretBytes> prf(const Key::State& key, ByteView input);

}  // namespace kb::crypto::rc4_hmac
