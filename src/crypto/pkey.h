// Asymmetric keys for the cloud and sign-in sides: device keys (RS256 / ES256 request
// signatures), transport keys (RSA-OAEP wrapping of the MS-OAPXBC session key) and the
// cloud's device-CA key.
//
// Keys are opaque handles over OpenSSL EVP_PKEY objects (only src/crypto includes
// OpenSSL). Private keys leave their type only as PKCS#8 DER in SecretBytes, for state files
// that the caller encrypts at rest. Only RSA (2048..4096 bits) and EC P-256 keys are
// accepted anywhere: an imported key of another kind is kBadKey, never a silent fallback.
#pragma once

#include <cstddef>
#include <memory>
#include <string_view>

#include "base/bytes.h"
#include "base/error.h"
#include "base/result.h"
#include "base/secret.h"

namespace kb::crypto {

// Errors of the asymmetric, JOSE-support and certificate code. Same domain as crypto::Errc,
// numbered from 100 so the two enums never share a code.
enum class PkeyErrc {
  kBadKey = 100,    // malformed DER, unsupported key type or size, wrong key for the operation
  kBadSignature,    // signature does not verify (or is malformed)
  kDecrypt,         // RSA-OAEP decryption failed (wrong key, bad padding)
  kIntegrity,       // AES-GCM tag mismatch, or bad CBC padding
  kBadLength,       // key, IV, tag or input length not what the algorithm needs
  kBadCertificate,  // malformed certificate or one that does not verify against the CA
  kOpenssl,         // unexpected failure inside OpenSSL
};
constexpr ErrorDomain error_domain(PkeyErrc) {
  return ErrorDomain::kCrypto;
}
std::string_view error_code_name(PkeyErrc e);

enum class KeyType { kRsa, kEcP256 };

struct PkeyHandle;  // shared, immutable EVP_PKEY reference (implementation detail)

class PublicKey {
 public:
  PublicKey() = default;  // empty; using it is kBadKey
  // SubjectPublicKeyInfo DER; no trailing bytes; RSA 2048..4096 bits or EC P-256.
  static Result<PublicKey> from_spki_der(ByteView der);
  [[nodiscard]] Result<Bytes> to_spki_der() const;

  [[nodiscard]] bool empty() const { return h_ == nullptr; }
  [[nodiscard]] KeyType type() const;      // meaningless (kRsa) for an empty key
  [[nodiscard]] std::size_t bits() const;  // RSA modulus bits, 256 for P-256, 0 when empty
  [[nodiscard]] const PkeyHandle& handle() const { return *h_; }
  explicit PublicKey(std::shared_ptr<const PkeyHandle> h) : h_(std::move(h)) {}

 private:
  std::shared_ptr<const PkeyHandle> h_;
};

class PrivateKey {
 public:
  PrivateKey() = default;  // empty; using it is kBadKey
  PrivateKey(PrivateKey&&) noexcept = default;
  PrivateKey& operator=(PrivateKey&&) noexcept = default;
  PrivateKey(const PrivateKey&) = delete;
  PrivateKey& operator=(const PrivateKey&) = delete;

  // bits in 2048..4096.
  static Result<PrivateKey> generate_rsa(unsigned bits = 2048);
  static Result<PrivateKey> generate_ec_p256();
  // Unencrypted PKCS#8 PrivateKeyInfo DER, as written by to_pkcs8_der().
  static Result<PrivateKey> from_pkcs8_der(ByteView der);
  [[nodiscard]] Result<SecretBytes> to_pkcs8_der() const;

  [[nodiscard]] Result<PublicKey> public_key() const;
  [[nodiscard]] bool empty() const { return h_ == nullptr; }
  [[nodiscard]] KeyType type() const;
  [[nodiscard]] std::size_t bits() const;
  [[nodiscard]] const PkeyHandle& handle() const { return *h_; }
  explicit PrivateKey(std::shared_ptr<const PkeyHandle> h) : h_(std::move(h)) {}

 private:
  std::shared_ptr<const PkeyHandle> h_;
};

std::string to_string(const PrivateKey& k);  // "<private-key:rsa-2048>", never the key

// RSAES-OAEP (RFC 8017 7.1). kSha1 is OAEP with SHA-1 and MGF1-SHA-1 (JOSE "RSA-OAEP", the
// MS-OAPXBC session-key wrap); kSha256 uses SHA-256 for both (JOSE "RSA-OAEP-256").
enum class OaepHash { kSha1, kSha256 };
Result<Bytes> rsa_oaep_encrypt(const PublicKey& key, OaepHash hash, ByteView plaintext);
// kDecrypt on any failure, without saying which (no padding oracle detail).
Result<SecretBytes> rsa_oaep_decrypt(const PrivateKey& key, OaepHash hash, ByteView ciphertext);

// JOSE signature algorithms (RFC 7518 3.3, 3.4).
//  kRs256: RSASSA-PKCS1-v1_5 with SHA-256; RSA keys only.
//  kEs256: ECDSA P-256 with SHA-256; signatures are the 64-byte raw r||s form of RFC 7518
//          3.4, converted from / to DER internally.
enum class SignatureAlg { kRs256, kEs256 };
Result<Bytes> sign(const PrivateKey& key, SignatureAlg alg, ByteView message);
// kBadKey when the key type does not fit `alg`; kBadSignature when it does not verify.
Result<void> verify(const PublicKey& key, SignatureAlg alg, ByteView message, ByteView signature);

// ECDSA-Sig-Value DER <-> fixed-width r||s (each `n` bytes, 32 for P-256). The DER side is
// strict (minimal INTEGERs, no trailing bytes); r and s must be positive and fit `n` bytes.
Result<Bytes> ecdsa_der_to_raw(ByteView der, std::size_t n = 32);
Result<Bytes> ecdsa_raw_to_der(ByteView raw);

}  // namespace kb::crypto
