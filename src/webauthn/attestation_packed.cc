// WebAuthn 8.2 packed and 8.6 fido-u2f attestation.
#include <algorithm>

#include "crypto/attestation_cert.h"
#include "webauthn/attestation_formats.h"
#include "webauthn/errc.h"

namespace kb::webauthn::internal {
namespace {

using crypto::attest::Certificate;
using crypto::cose::Alg;
using E = WebauthnErrc;

constexpr std::size_t kMaxX5c = 8;
constexpr const char* kOidAaguid = "1.3.6.1.4.1.45724.1.1.4";

Bytes signed_data(const AttestationObject& obj, ByteView client_data_hash) {
  Bytes data = obj.auth_data.raw;
  append(data, client_data_hash);
  return data;
}

// WebAuthn 8.2.1 "Certificate Requirements for Packed Attestation Statements".
Result<void> check_packed_cert(const Certificate& cert, const Aaguid& aaguid) {
  if (cert.version() != 3) return bad_attestation("packed 8.2.1: certificate is not X.509 v3");
  for (const char* oid : {"2.5.4.6", "2.5.4.10", "2.5.4.3"}) {
    auto vals = cert.subject_values(oid);
    if (vals.size() != 1 || vals[0].empty()) {
      return bad_attestation(std::string("packed 8.2.1: subject lacks ") + oid);
    }
  }
  auto c = cert.subject_values("2.5.4.6")[0];
  if (c.size() != 2) return bad_attestation("packed 8.2.1: subject C is not a country code");
  auto ou = cert.subject_values("2.5.4.11");
  if (ou.size() != 1 || ou[0] != "Authenticator Attestation") {
    return bad_attestation("packed 8.2.1: subject OU is not \"Authenticator Attestation\"");
  }
  auto ca = cert.basic_constraints_ca();
  if (!ca.has_value() || *ca) return bad_attestation("packed 8.2.1: basic constraints CA");
  KB_CHECK(check_aaguid_extension(cert.der(), aaguid));
  return ok();
}

Result<Alg> stmt_alg(const cbor::Value& stmt) {
  const cbor::Value* a = stmt.find("alg");
  if (a == nullptr || !a->as_int()) return bad_attestation("attStmt.alg missing");
  auto alg = crypto::cose::alg_from_int(*a->as_int());
  if (!alg) return Error(E::kUnsupportedAlgorithm, "attStmt.alg unsupported");
  return *alg;
}

Result<const Bytes*> stmt_sig(const cbor::Value& stmt) {
  const cbor::Value* s = stmt.find("sig");
  if (s == nullptr || s->kind != cbor::Value::Kind::kBytes || s->bytes.empty()) {
    return bad_attestation("attStmt.sig missing");
  }
  return &s->bytes;
}

}  // namespace

Error bad_attestation(std::string detail) {
  return Error(E::kBadAttestation, std::move(detail));
}

Result<std::vector<Bytes>> x5c_of(const cbor::Value& att_stmt, bool required) {
  std::vector<Bytes> out;
  const cbor::Value* x = att_stmt.find("x5c");
  if (x == nullptr) {
    if (required) return bad_attestation("attStmt.x5c missing");
    return out;
  }
  if (x->kind != cbor::Value::Kind::kArray || x->items.empty() || x->items.size() > kMaxX5c) {
    return bad_attestation("attStmt.x5c is not a non-empty array");
  }
  for (const auto& c : x->items) {
    if (c.kind != cbor::Value::Kind::kBytes) return bad_attestation("x5c entry is not bytes");
    out.push_back(c.bytes);
  }
  return out;
}

Result<void> check_aaguid_extension(const Bytes& cert_der, const Aaguid& aaguid) {
  auto cert = Certificate::from_der(cert_der);
  if (!cert) return bad_attestation("certificate does not parse");
  auto ext = cert->extension(kOidAaguid);
  if (!ext) return ok();
  // The extension value is an OCTET STRING holding the 16-byte AAGUID (8.2.1).
  const Bytes& v = ext->value;
  if (ext->critical) return bad_attestation("AAGUID extension marked critical");
  if (v.size() != 18 || v[0] != 0x04 || v[1] != 0x10 ||
      !std::equal(aaguid.begin(), aaguid.end(), v.begin() + 2)) {
    return bad_attestation("AAGUID extension does not match authenticator data");
  }
  return ok();
}

// WebAuthn 8.2 "Verification procedure".
Result<AttestationOutcome> verify_packed(const AttestationObject& obj, ByteView client_data_hash) {
  const cbor::Value& stmt = obj.att_stmt;
  // Step 1: attStmt is CBOR conforming to the packed syntax.
  Alg alg = KB_TRY(stmt_alg(stmt));
  const Bytes* sig = KB_TRY(stmt_sig(stmt));
  std::vector<Bytes> x5c = KB_TRY(x5c_of(stmt, false));
  const auto& acd = obj.auth_data.attested;
  if (!acd) return bad_attestation("packed: no attested credential data");
  Bytes data = signed_data(obj, client_data_hash);
  AttestationOutcome out;
  if (!x5c.empty()) {
    // Step 2: verify sig with the attestation certificate's key and alg.
    auto cert = Certificate::from_der(x5c[0]);
    if (!cert) return bad_attestation("packed step 2: attestnCert does not parse");
    auto key = cert->public_key();
    if (!key) return bad_attestation("packed step 2: attestnCert key");
    if (!key->verify(alg, data, *sig)) return bad_attestation("packed step 2: sig does not verify");
    // Step 2: attestnCert meets 8.2.1, and its AAGUID extension (if any) matches.
    KB_CHECK(check_packed_cert(*cert, acd->aaguid));
    out.type = AttestationType::kBasic;
    out.x5c = std::move(x5c);
    return out;
  }
  // Step 3 (self attestation): alg matches the credential's, sig by the credential key.
  if (alg != acd->public_key.alg) return bad_attestation("packed step 3: alg differs from key");
  if (!acd->public_key.key.verify(alg, data, *sig)) {
    return bad_attestation("packed step 3: self signature does not verify");
  }
  out.type = AttestationType::kSelf;
  return out;
}

// WebAuthn 8.6 "Verification procedure".
Result<AttestationOutcome> verify_fido_u2f(const AttestationObject& obj,
                                           ByteView client_data_hash) {
  const cbor::Value& stmt = obj.att_stmt;
  // Step 1: syntax; x5c holds exactly one certificate.
  const Bytes* sig = KB_TRY(stmt_sig(stmt));
  std::vector<Bytes> x5c = KB_TRY(x5c_of(stmt, true));
  if (x5c.size() != 1) return bad_attestation("fido-u2f step 2: x5c must hold one certificate");
  // Step 2: the certificate key is EC P-256.
  auto cert = Certificate::from_der(x5c[0]);
  if (!cert) return bad_attestation("fido-u2f step 2: certificate does not parse");
  auto cert_key = cert->public_key();
  if (!cert_key || cert_key->kind() != crypto::cose::KeyKind::kP256) {
    return bad_attestation("fido-u2f step 2: certificate key is not P-256");
  }
  // Steps 3-4: rpIdHash, credentialId, and the credential key as an uncompressed point.
  const auto& acd = obj.auth_data.attested;
  if (!acd) return bad_attestation("fido-u2f step 3: no attested credential data");
  auto comps = acd->public_key.key.components();
  if (!comps || comps->kind != crypto::cose::KeyKind::kP256) {
    return bad_attestation("fido-u2f step 4: credential key is not P-256");
  }
  // Step 5: verificationData = 0x00 || rpIdHash || clientDataHash || credentialId || 04||x||y.
  Bytes data{0x00};
  append(data, obj.auth_data.rp_id_hash);
  append(data, client_data_hash);
  append(data, acd->credential_id);
  data.push_back(0x04);
  append(data, comps->x);
  append(data, comps->y);
  // Step 6: verify with the certificate key (ECDSA P-256 SHA-256).
  if (!cert_key->verify(Alg::kEs256, data, *sig)) {
    return bad_attestation("fido-u2f step 6: sig does not verify");
  }
  AttestationOutcome out;
  out.type = AttestationType::kBasic;
  out.x5c = std::move(x5c);
  return out;
}

}  // namespace kb::webauthn::internal
