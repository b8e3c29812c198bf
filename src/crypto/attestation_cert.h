// X.509 certificates as WebAuthn attestation needs them: parse DER/PEM, read the fields the
// attestation formats check (WebAuthn 8.2.1 packed, 8.3.1 TPM AIK, 8.6 fido-u2f), verify a
// chain against trust anchors at a given time, and issue certificates for the software
// authenticator's test attestation CA. OpenSSL underneath.
#pragma once

#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "base/bytes.h"
#include "base/clock.h"
#include "base/result.h"
#include "crypto/cose_key.h"

namespace kb::crypto::attest {

struct Extension {
  bool critical = false;
  Bytes value;  // the contents of extnValue's OCTET STRING (the DER of the extension value)
};

class Certificate {
 public:
  Certificate();
  ~Certificate();
  Certificate(Certificate&&) noexcept;
  Certificate& operator=(Certificate&&) noexcept;
  Certificate(const Certificate&) = delete;
  Certificate& operator=(const Certificate&) = delete;
  [[nodiscard]] Certificate clone() const;

  // Exactly one DER Certificate, no trailing bytes; at most 16 KiB (kBadCertificate).
  static Result<Certificate> from_der(ByteView der);

  [[nodiscard]] const Bytes& der() const;
  // X.509 version as written in the certificate (3 for v3).
  [[nodiscard]] int version() const;
  // Subject attribute values (UTF-8) with the given dotted OID, e.g. "2.5.4.11" (OU).
  [[nodiscard]] std::vector<std::string> subject_values(std::string_view oid) const;
  [[nodiscard]] bool subject_empty() const;
  [[nodiscard]] std::optional<Extension> extension(std::string_view oid) const;
  // basicConstraints: nullopt when absent, else the cA flag.
  [[nodiscard]] std::optional<bool> basic_constraints_ca() const;
  // Dotted OIDs of extKeyUsage (empty when absent).
  [[nodiscard]] std::vector<std::string> extended_key_usage() const;
  // (OID, value) pairs of every directoryName attribute in subjectAltName.
  [[nodiscard]] std::vector<std::pair<std::string, std::string>> san_directory_attributes() const;
  [[nodiscard]] SysTime not_before() const;
  [[nodiscard]] SysTime not_after() const;
  [[nodiscard]] Result<cose::PublicKey> public_key() const;

  struct Impl;
  [[nodiscard]] Impl& impl() const { return *impl_; }

 private:
  explicit Certificate(std::unique_ptr<Impl> i);
  std::unique_ptr<Impl> impl_;
};

// Reads every certificate from PEM ("-----BEGIN CERTIFICATE-----" blocks) or one DER
// certificate. At most 64 certificates.
Result<std::vector<Certificate>> parse_certificates(ByteView pem_or_der);

// Verifies `chain` (leaf first, then intermediates in any order) up to one of `anchors` at
// time `at`. An anchor may be an intermediate (partial chains are accepted: the RP trusts
// what it was told to trust). kChainInvalid with OpenSSL's reason in the detail.
Result<void> verify_chain(const std::vector<Certificate>& chain,
                          const std::vector<Certificate>& anchors, SysTime at);

// What issue_certificate() writes.
struct IssueParams {
  std::vector<std::pair<std::string, std::string>> subject;  // (short name or OID, value)
  std::uint64_t serial = 1;
  SysTime not_before;
  SysTime not_after;
  bool is_ca = false;
  // Extra extensions: (dotted OID, DER of the value, critical).
  struct Ext {
    std::string oid;
    Bytes der;
    bool critical = false;
  };
  std::vector<Ext> extensions;
};

// Issues a v3 certificate for `subject_key` signed by `issuer_key` (ES256/RS256/EdDSA key).
// With `issuer` null the certificate is self-signed (subject_key must be issuer_key's
// public half). Returns the DER.
Result<Bytes> issue_certificate(const IssueParams& p, const cose::PublicKey& subject_key,
                                const cose::PrivateKey& issuer_key, const Certificate* issuer);

}  // namespace kb::crypto::attest
