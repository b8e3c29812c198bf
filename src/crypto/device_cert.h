// X.509 certificates the cloud issues to devices, MS-DRS style: the cloud keeps a device CA
// (self-signed), and each registered device gets a certificate for its device key with
// subject CN = device id, signed by that CA. Devices put the certificate in the x5c header
// of their signed requests; the cloud checks it chains to its CA.
//
// Certificates are DER bytes. Signatures use SHA-256 (RSA PKCS#1 v1.5 or ECDSA, after the
// CA key's type).
#pragma once

#include <string>
#include <string_view>

#include "base/bytes.h"
#include "base/clock.h"
#include "base/result.h"
#include "crypto/pkey.h"

namespace kb::crypto {

struct Validity {
  SysTime not_before;
  SysTime not_after;
};

// A self-signed CA certificate: subject = issuer = CN=<common_name>, basicConstraints
// critical CA:TRUE pathlen 0, keyUsage critical keyCertSign|cRLSign, subject key identifier.
// The serial is 16 random bytes from `rng` (top bit cleared).
Result<Bytes> make_ca_certificate(const PrivateKey& ca_key, std::string_view common_name,
                                  Validity validity, Rng& rng);

// A device (end-entity) certificate for `subject_key`: subject CN=<device_id>, issuer = the
// CA certificate's subject, basicConstraints critical CA:FALSE, keyUsage critical
// digitalSignature|keyEncipherment, extendedKeyUsage clientAuth, SKI and AKI. `ca_key`
// must be the key of `ca_cert_der`.
Result<Bytes> issue_device_certificate(const PublicKey& subject_key, std::string_view device_id,
                                       const PrivateKey& ca_key, ByteView ca_cert_der,
                                       Validity validity, Rng& rng);

// Verifies that `cert_der` chains directly to the trust anchor `ca_cert_der` (signature,
// validity at `at`, CA constraints, strict X.509 checks). kBadCertificate otherwise.
Result<void> verify_certificate(ByteView cert_der, ByteView ca_cert_der, SysTime at);

// The certificate's subject public key (RSA or P-256 only) and its subject CN.
Result<PublicKey> certificate_public_key(ByteView cert_der);
Result<std::string> certificate_subject_cn(ByteView cert_der);

}  // namespace kb::crypto
