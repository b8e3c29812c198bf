// A decoded X.509 certificate (crypto/device_cert.h's certificates, issue 4): the DER is
// decoded once and the checks run on the decoded value, so a sign-in request that checks
// the chain, the subject CN and the key decodes its certificate once, and the tenant CA's
// certificate is decoded once per CA (CertificateCache), not at every request.
//
// Decoding is not checking: every check (chain signature, validity, constraints, CN) still
// runs each time it is asked for. Values are immutable and cheap to copy (shared
// ownership); OpenSSL allows concurrent read-only use of one X509 (its extension cache is
// filled under OpenSSL's own lock).
#pragma once

#include <cstddef>
#include <deque>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>
#include <unordered_map>

#include "base/bytes.h"
#include "base/clock.h"
#include "base/result.h"
#include "crypto/pkey.h"

struct x509_st;  // OpenSSL's X509

namespace kb::crypto {

class Certificate {
 public:
  Certificate() = default;  // empty; every accessor fails with kBadCertificate
  // One DER certificate, at most 16 KiB, no trailing bytes. kBadCertificate otherwise.
  static Result<Certificate> parse(ByteView der);

  [[nodiscard]] bool empty() const { return s_ == nullptr; }
  // The exact bytes it was decoded from (empty for an empty value).
  [[nodiscard]] ByteView der() const;
  // The subject's only CN as UTF-8 (none, several, or a NUL in it: kBadCertificate).
  [[nodiscard]] Result<std::string> subject_cn() const;
  // The subject public key info exactly as the certificate encodes it (no key import).
  [[nodiscard]] Result<Bytes> spki_der() const;
  // The subject public key, RSA or P-256, fully checked (PublicKey::from_spki_der).
  [[nodiscard]] Result<PublicKey> public_key() const;
  // This certificate chains directly to the trust anchor `ca` at `at`: signature, validity,
  // CA constraints, client-auth purpose, strict X.509 checks. kBadCertificate otherwise.
  [[nodiscard]] Result<void> verify_issued_by(const Certificate& ca, SysTime at) const;

  // For src/crypto only: the decoded certificate (never null for a non-empty value).
  [[nodiscard]] x509_st* x509() const;

 private:
  struct State;
  std::shared_ptr<const State> s_;
};

// Decoded certificates by name (e.g. a tenant's device CA by tenant id), bounded and
// thread-safe. An entry is used only while the caller's current DER for that name is the
// same bytes: other bytes (a new CA) are decoded and replace it, so a changed certificate
// is never answered from the cache. Failures are not cached. When full, the oldest name is
// evicted (FIFO).
class CertificateCache {
 public:
  static constexpr std::size_t kDefaultCapacity = 1024;
  explicit CertificateCache(std::size_t capacity = kDefaultCapacity);

  // Certificate::parse(der), reusing the decoded value stored under `name` when its DER is
  // exactly `der`.
  Result<Certificate> get(std::string_view name, ByteView der);
  // Keyed by the bytes themselves: Certificate::parse(der), decoded once per exact bytes.
  Result<Certificate> get(ByteView der) { return get(as_chars(der), der); }

  [[nodiscard]] std::size_t size() const;
  [[nodiscard]] std::size_t capacity() const { return capacity_; }

 private:
  std::size_t capacity_;
  mutable std::mutex mu_;
  std::unordered_map<std::string, Certificate> certs_;
  std::deque<std::string> order_;  // names in insertion order, oldest first
};

}  // namespace kb::crypto
