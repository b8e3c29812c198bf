// Asymmetric keys for WebAuthn: verification of credential and attestation signatures with
// the COSE algorithms (RFC 9053, RFC 8230, WebAuthn 5.8.5), and signing for the software
// authenticator. OpenSSL 3 EVP underneath; only src/crypto includes OpenSSL.
//
// Signature encodings follow WebAuthn 6.5.5 "Signature Formats for Packed Attestation, FIDO
// U2F Attestation, and Assertion Signatures": ECDSA is an ASN.1 DER Ecdsa-Sig-Value, EdDSA
// the raw 64-byte signature, RSA PKCS#1 v1.5 (or PSS for PS256).
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string_view>

#include "base/bytes.h"
#include "base/result.h"
#include "base/secret.h"

namespace kb::crypto::cose {

// Errors of the asymmetric layer. Same domain as crypto::Errc; the numbers start at 100 so
// that Error::is() never confuses the two enums.
enum class Errc {
  kBadKey = 100,    // malformed key, point not on the curve, unsupported key size
  kBadSignature,    // the signature does not verify (or is malformed)
  kUnsupportedAlg,  // algorithm unknown, or not usable with this key type
  kBadCertificate,  // an X.509 certificate fails to parse or lacks what is required
  kChainInvalid,    // a certificate chain does not verify against the trust anchors
  kOpenssl,         // unexpected failure inside OpenSSL
};
constexpr ErrorDomain error_domain(Errc) {
  return ErrorDomain::kCrypto;
}
std::string_view error_code_name(Errc e);

// COSE algorithm identifiers (IANA "COSE Algorithms" registry).
enum class Alg : std::int32_t {
  kEs256 = -7,
  kEdDsa = -8,
  kEs384 = -35,
  kEs512 = -36,
  kPs256 = -37,
  kRs256 = -257,
  kRs384 = -258,
  kRs512 = -259,
  kRs1 = -65535,  // RSASSA-PKCS1-v1_5 with SHA-1: only for TPM attestation statements
};
std::optional<Alg> alg_from_int(std::int64_t v);
std::string_view alg_name(Alg a);

enum class HashAlg { kSha1, kSha256, kSha384, kSha512 };
Bytes digest(HashAlg h, ByteView data);
// The hash a signature algorithm signs with.
HashAlg alg_hash(Alg a);

enum class KeyKind { kP256, kP384, kP521, kEd25519, kRsa, kOther };

// The raw public numbers: EC (x, y big-endian, fixed to the field size), Ed25519 (x only,
// 32 bytes), RSA (n, e big-endian without leading zeros).
struct PublicComponents {
  KeyKind kind = KeyKind::kOther;
  Bytes x;
  Bytes y;
  Bytes n;
  Bytes e;
};

class PublicKey {
 public:
  PublicKey();
  ~PublicKey();
  PublicKey(PublicKey&&) noexcept;
  PublicKey& operator=(PublicKey&&) noexcept;
  PublicKey(const PublicKey&) = delete;
  PublicKey& operator=(const PublicKey&) = delete;

  // EC point on P-256 / P-384 / P-521 from fixed-size coordinates; a point that is not on
  // the curve (or the point at infinity) is kBadKey.
  static Result<PublicKey> ec(KeyKind curve, ByteView x, ByteView y);
  static Result<PublicKey> ed25519(ByteView x);
  // RSA with a modulus of 2048..8192 bits and an odd exponent > 1 (kBadKey otherwise).
  static Result<PublicKey> rsa(ByteView n, ByteView e);
  // DER SubjectPublicKeyInfo.
  static Result<PublicKey> from_spki(ByteView der);

  [[nodiscard]] bool empty() const { return impl_ == nullptr; }
  [[nodiscard]] KeyKind kind() const;
  [[nodiscard]] Result<PublicComponents> components() const;
  [[nodiscard]] Result<Bytes> spki() const;

  // kUnsupportedAlg when `alg` does not fit the key (ES256 needs P-256, ...); kBadSignature
  // when the signature does not verify.
  [[nodiscard]] Result<void> verify(Alg alg, ByteView data, ByteView signature) const;

  struct Impl;
  [[nodiscard]] Impl& impl() const { return *impl_; }
  explicit PublicKey(std::unique_ptr<Impl> i);

 private:
  std::unique_ptr<Impl> impl_;
};

class PrivateKey {
 public:
  PrivateKey();
  ~PrivateKey();
  PrivateKey(PrivateKey&&) noexcept;
  PrivateKey& operator=(PrivateKey&&) noexcept;
  PrivateKey(const PrivateKey&) = delete;
  PrivateKey& operator=(const PrivateKey&) = delete;

  // A fresh key for ES256 (P-256), EdDSA (Ed25519) or RS256 (RSA-2048), from OpenSSL's
  // DRBG (keys are never derived from a caller's Rng).
  static Result<PrivateKey> generate(Alg alg);
  // PKCS#8 PrivateKeyInfo DER; the key's algorithm is inferred (P-256 -> ES256, Ed25519 ->
  // EdDSA, RSA -> RS256).
  static Result<PrivateKey> from_pkcs8(ByteView der);
  [[nodiscard]] Result<SecretBytes> to_pkcs8() const;

  [[nodiscard]] bool empty() const { return impl_ == nullptr; }
  [[nodiscard]] Alg alg() const;
  [[nodiscard]] Result<PublicKey> public_key() const;
  // Signs with the key's algorithm (ES256: DER signature over SHA-256; EdDSA: pure
  // Ed25519; RS256: PKCS#1 v1.5 SHA-256).
  [[nodiscard]] Result<Bytes> sign(ByteView data) const;

  struct Impl;
  [[nodiscard]] Impl& impl() const { return *impl_; }

 private:
  explicit PrivateKey(std::unique_ptr<Impl> i);
  std::unique_ptr<Impl> impl_;
};

}  // namespace kb::crypto::cose
