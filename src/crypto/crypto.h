// Kerberos cryptography: the public API of src/crypto.
//
// RFC 3961 framework (n-fold, DK/DR, simplified profile), RFC 3962 aes*-cts-hmac-sha1-96,
// RFC 8009 aes*-cts-hmac-sha2, RFC 4757 rc4-hmac (NT hash, PAC and key-list use only).
// Only this module includes OpenSSL. Every function here is safe on hostile input: a bad
// ciphertext or checksum returns an Error, never crashes.
//
// Derived keys (Ke, Ki, Kc) are computed once per (key, usage) and cached inside the Key,
// so a KDC holding its krbtgt Key never re-derives sub-keys per request. A Key may be
// shared across threads for encrypt/decrypt/checksum (the cache is internally locked).
#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>
#include <optional>
#include <string_view>

#include "base/bytes.h"
#include "base/clock.h"
#include "base/result.h"
#include "base/secret.h"

namespace kb::crypto {

enum class Errc {
  kUnsupportedEnctype = 1,
  kUnsupportedChecksum,
  kBadKeyLength,
  kCiphertextTooShort,
  kIntegrity,    // decryption MAC mismatch (KRB_AP_ERR_BAD_INTEGRITY)
  kBadChecksum,  // checksum mismatch (KRB_AP_ERR_MODIFIED)
  kBadS2kParams,
  kOpenssl,  // unexpected failure inside OpenSSL
  kStash,    // a master-key stash file is missing, unreadable, malformed or too open
  kInvalidCertificateRequest,  // x509.h: a name or address a certificate cannot carry
  kBadCertificate,             // x509.h: PEM that holds no parsable certificate
  kBadPrivateKey,              // x509.h: PEM that holds no parsable private key
  kKeyMismatch,                // x509.h: a private key that is not the certificate's
};
constexpr ErrorDomain error_domain(Errc) {
  return ErrorDomain::kCrypto;
}
std::string_view error_code_name(Errc e);

// RFC 3961 §8, RFC 3962 §7, RFC 8009 §1, RFC 4757.
enum class EncType : std::int32_t {
  kAes128CtsHmacSha196 = 17,
  kAes256CtsHmacSha196 = 18,
  kAes128CtsHmacSha256128 = 19,
  kAes256CtsHmacSha384192 = 20,
  kRc4Hmac = 23,
};

enum class ChecksumType : std::int32_t {
  kHmacSha196Aes128 = 15,
  kHmacSha196Aes256 = 16,
  kHmacSha256128Aes128 = 19,
  kHmacSha384192Aes256 = 20,
  kHmacMd5 = -138,  // RFC 4757 §5, the rc4-hmac checksum
};

// RFC 4120 §7.5.1 and extensions. Any other value may be formed with KeyUsage{n}.
enum class KeyUsage : std::int32_t {
  kAsReqPaEncTimestamp = 1,
  kKdcRepTicket = 2,
  kAsRepEncPart = 3,
  kTgsReqAuthDataSessionKey = 4,
  kTgsReqAuthDataSubkey = 5,
  kTgsReqAuthCksum = 6,
  kTgsReqAuthenticator = 7,
  kTgsRepEncPartSessionKey = 8,
  kTgsRepEncPartSubkey = 9,
  kApReqAuthCksum = 10,
  kApReqAuthenticator = 11,
  kApRepEncPart = 12,
  kKrbPrivEncPart = 13,
  kKrbCredEncPart = 14,
  kKrbSafeCksum = 15,
  kPacChecksum = 17,  // MS-KILE §3.1.5.9 KERB_NON_KERB_CKSUM_SALT
  kAdKdcIssuedCksum = 19,
  kPaReqEncPaRep = 56,  // RFC 6806 §11
};

// Enctype number -> EncType if we implement it.
std::optional<EncType> enctype_from_int(std::int32_t v);
std::optional<ChecksumType> checksum_type_from_int(std::int32_t v);
std::string_view enctype_name(EncType e);    // "aes256-cts-hmac-sha1-96", ...
std::size_t key_length(EncType e);           // bytes of the base key
ChecksumType mandatory_checksum(EncType e);  // RFC 3961 §4 "required checksum mechanism"
std::size_t checksum_length(ChecksumType c);
// The enctype whose key keys this checksum type (for key-type compatibility checks).
EncType checksum_enctype(ChecksumType c);

// A Kerberos key: move-only, wiped, unprintable. Carries its enctype and a cache of the
// keys derived from it.
class Key {
 public:
  Key();  // empty; only for containers. Using an empty key is a programmer error.
  ~Key();
  Key(Key&&) noexcept;
  Key& operator=(Key&&) noexcept;
  Key(const Key&) = delete;
  Key& operator=(const Key&) = delete;

  // Wrong length for the enctype -> kBadKeyLength.
  static Result<Key> from_bytes(EncType e, ByteView key_bytes);
  // A fresh random key (RFC 3961 random-to-key over random bytes).
  static Key random(EncType e, Rng& rng);

  [[nodiscard]] bool empty() const { return state_ == nullptr; }
  [[nodiscard]] EncType enctype() const;
  [[nodiscard]] const SecretBytes& bytes() const;
  [[nodiscard]] Key clone() const;

  struct State;  // implementation detail (key bytes + derived-key cache)
  [[nodiscard]] State& state() const { return *state_; }

 private:
  explicit Key(std::unique_ptr<State> s);
  std::unique_ptr<State> state_;
};

std::string to_string(const Key& k);  // "<key:aes256-cts-hmac-sha1-96>", never the bytes

// Encrypt per the enctype's profile with a fresh confounder. Output is the `cipher` of an
// EncryptedData.
Result<Bytes> encrypt(const Key& key, KeyUsage usage, ByteView plaintext, Rng& rng);
// Decrypt and verify integrity. kIntegrity on a bad MAC, kCiphertextTooShort when the
// input cannot hold confounder+MAC. The plaintext may hold keys, hence SecretBytes.
Result<SecretBytes> decrypt(const Key& key, KeyUsage usage, ByteView ciphertext);

// Keyed checksum with the key's mandatory checksum type.
Result<Bytes> make_checksum(const Key& key, KeyUsage usage, ByteView data);
// Keyed checksum of an explicit type; the key's enctype must fit the type.
Result<Bytes> make_checksum(ChecksumType type, const Key& key, KeyUsage usage, ByteView data);
// Constant-time comparison; kBadChecksum on mismatch.
Result<void> verify_checksum(ChecksumType type, const Key& key, KeyUsage usage, ByteView data,
                             ByteView checksum);

// RFC 3961 §3 string-to-key. `s2kparams` as carried in ETYPE-INFO2 (absent = the enctype's
// default: 4096 iterations for RFC 3962, 32768 for RFC 8009). For rc4-hmac the salt and
// params are ignored and the result is the NT hash.
Result<Key> string_to_key(EncType e, const SecretString& password, std::string_view salt,
                          std::optional<ByteView> s2kparams = std::nullopt);
// The default s2kparams of an enctype (4-byte big-endian iteration count; empty for rc4).
Bytes default_s2kparams(EncType e);
// MD4(UTF-16LE(password)) as an rc4-hmac key (RFC 4757 §3). The password is UTF-8.
Result<Key> nt_hash(const SecretString& password);

// RFC 3961 §5.3 / RFC 8009 pseudo-random function.
Result<SecretBytes> prf(const Key& key, ByteView input);

// SHA-256 of `data` (32 bytes): replay-cache tags, WebAuthn hashes.
Bytes sha256(ByteView data);

// RFC 3961 §5.1 n-fold: `input` stretched or folded to `n_bytes`.
Bytes nfold(ByteView input, std::size_t n_bytes);

// OpenSSL's RAND_bytes.
class SystemRng final : public Rng {
 public:
  void fill(MutableByteView out) override;
};

}  // namespace kb::crypto
