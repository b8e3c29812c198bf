// TLS server identities: the self-signed certificate `cloud init` generates when it is not
// given one, and the check that a given certificate and private key belong together.
//
// The certificate is what a browser and `curl --cacert` accept for a pinned server
// (RFC 5280 profile): X.509 v3, EC P-256 key, ECDSA-SHA256, random 128-bit serial,
// basicConstraints CA:FALSE (critical), keyUsage digitalSignature (critical),
// extendedKeyUsage serverAuth, subjectAltName with every DNS name and IP address
// (RFC 6125: names are checked in the SAN, never the CN), subject key identifier.
#pragma once

#include <chrono>
#include <string>
#include <vector>

#include "base/clock.h"
#include "base/result.h"
#include "base/secret.h"
#include "crypto/crypto.h"  // Errc

namespace kb::crypto {

struct SelfSignedOptions {
  std::string common_name = "keybridge";
  // LDH host names (RFC 1123), optionally with a leading "*." label.
  std::vector<std::string> dns_names = {"localhost"};
  // Textual IPv4 or IPv6 addresses.
  std::vector<std::string> ip_addresses = {"127.0.0.1", "::1"};
  std::chrono::seconds validity = std::chrono::hours(24 * 397);  // CA/B forum's ceiling
  // notBefore is `now` minus this, so clients with a slightly slow clock accept it.
  std::chrono::seconds backdate = std::chrono::hours(1);
};

struct TlsIdentity {
  std::string cert_pem;  // one CERTIFICATE, or a chain with the leaf first
  SecretString key_pem;  // PKCS#8 PRIVATE KEY
};

// Generates a fresh key and its self-signed certificate. kInvalidCertificateRequest for a
// name that is not a host name, an address that does not parse, or no names at all.
Result<TlsIdentity> generate_self_signed(const SelfSignedOptions& options, SysTime now);

// What a certificate says, for tests, `cloud init` output and diagnostics.
struct CertificateInfo {
  std::string subject_cn;
  std::vector<std::string> dns_names;
  std::vector<std::string> ip_addresses;  // textual, as inet_ntop prints them
  SysTime not_before;
  SysTime not_after;
  bool basic_constraints_ca = true;  // false only when basicConstraints says CA:FALSE
  bool server_auth = false;          // extendedKeyUsage contains serverAuth
  bool self_signed = false;          // issuer == subject and the signature verifies
  std::string key_type;              // "EC P-256", "RSA 2048", ...
  std::string sha256_fingerprint;    // lower-case hex of SHA-256(DER)
};

// Parses the first certificate of a PEM text. kBadCertificate when there is none or it
// does not parse.
Result<CertificateInfo> inspect_certificate(std::string_view cert_pem);

// Checks that `identity` is usable by a TLS server: the certificate parses, the key parses,
// and the key is the certificate's (kKeyMismatch otherwise; kBadPrivateKey for a key that
// does not parse). Returns the leaf's information.
Result<CertificateInfo> check_tls_identity(const TlsIdentity& identity);

}  // namespace kb::crypto
