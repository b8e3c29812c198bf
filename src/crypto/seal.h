// Sealing to a public key (an ECIES-style box) and HKDF, for binding cached sign-in state to
// a security key (docs/signin.md "Cached TGT bound to the security key").
//
// seal(): X25519 (RFC 7748) between a fresh ephemeral key and the recipient's public key,
// HKDF-SHA-256 (RFC 5869) over the shared secret, AES-256-GCM over the plaintext.
// Blob layout (version 1):
//   0x01 | ephemeral public key (32) | nonce (12) | ciphertext | tag (16)
// HKDF: salt = ephemeral public || recipient public, info = "keybridge seal v1".
// The caller's associated data is authenticated by GCM, so a blob bound to one purpose does
// not open for another. Errors are PkeyErrc (pkey.h).
#pragma once

#include <cstddef>
#include <string_view>

#include "base/bytes.h"
#include "base/clock.h"
#include "base/result.h"
#include "base/secret.h"
#include "crypto/pkey.h"

namespace kb::crypto {

inline constexpr std::size_t kX25519KeySize = 32;
inline constexpr std::uint8_t kSealVersion = 1;
// Smallest blob: version, ephemeral key, nonce, tag (an empty plaintext).
inline constexpr std::size_t kSealOverhead = 1 + kX25519KeySize + 12 + 16;

// RFC 5869 HKDF-SHA-256 (extract and expand). `out_len` 1..8160 (255 * 32); an empty salt
// means the RFC's default (32 zero bytes).
Result<SecretBytes> hkdf_sha256(ByteView ikm, ByteView salt, ByteView info, std::size_t out_len);

// An X25519 key pair for seal()/open_sealed(): private key as 32 raw bytes (RFC 7748 5).
struct SealKeyPair {
  SecretBytes private_key;  // 32 bytes
  Bytes public_key;         // 32 bytes
};
// A fresh key pair from `rng`.
Result<SealKeyPair> generate_seal_key(Rng& rng);
// The public key of a raw X25519 private key; kBadLength if it is not 32 bytes.
Result<Bytes> seal_public_key(const SecretBytes& private_key);

// Seals `plaintext` to `recipient_public` (32 bytes) with `aad` authenticated alongside.
// kBadKey for a public key of the wrong size or a low-order point (all-zero shared secret).
Result<Bytes> seal(ByteView recipient_public, ByteView plaintext, ByteView aad, Rng& rng);
// Opens a seal() blob. kBadLength for a blob too short or of another version; kIntegrity when
// it was changed, sealed to another key or under other associated data.
Result<SecretBytes> open_sealed(const SecretBytes& recipient_private, ByteView blob, ByteView aad);

}  // namespace kb::crypto
