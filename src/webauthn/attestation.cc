#include "webauthn/attestation.h"

#include "webauthn/attestation_formats.h"
#include "webauthn/errc.h"

namespace kb::webauthn {

using E = WebauthnErrc;

std::string_view attestation_type_name(AttestationType t) {
  switch (t) {
    case AttestationType::kNone:
      return "none";
    case AttestationType::kSelf:
      return "self";
    case AttestationType::kBasic:
      return "basic";
    case AttestationType::kAttCa:
      return "attca";
  }
  return "none";
}

Result<AttestationObject> parse_attestation_object(ByteView in) {
  cbor::Limits limits;
  limits.max_bytes = 64 * 1024;
  limits.max_depth = 8;
  limits.max_items = 1024;
  cbor::Value v = KB_TRY(cbor::decode(in, limits));
  if (v.kind != cbor::Value::Kind::kMap) return Error(E::kBadCbor, "attestationObject not a map");
  const cbor::Value* fmt = v.find("fmt");
  const cbor::Value* stmt = v.find("attStmt");
  const cbor::Value* ad = v.find("authData");
  if (fmt == nullptr || fmt->kind != cbor::Value::Kind::kText || stmt == nullptr ||
      stmt->kind != cbor::Value::Kind::kMap || ad == nullptr ||
      ad->kind != cbor::Value::Kind::kBytes) {
    return Error(E::kBadAttestation, "attestationObject lacks fmt/attStmt/authData");
  }
  // WebAuthn 6.5.4: fmt, attStmt, authData; L3 allows no other members (epAtt and
  // largeBlobKey belong to CTAP responses, not here).
  if (v.map_size() != 3) return Error(E::kBadAttestation, "unexpected attestationObject members");
  AttestationObject out;
  out.fmt = fmt->text;
  out.att_stmt = *stmt;
  out.auth_data = KB_TRY(parse_authenticator_data(ad->bytes));
  return out;
}

Result<AttestationOutcome> verify_attestation_statement(const AttestationObject& obj,
                                                        ByteView client_data_hash) {
  // WebAuthn 7.1 step 19: fmt is matched case-sensitively against the IANA registry.
  if (obj.fmt == "none") {
    // WebAuthn 8.7: attStmt is the empty map.
    if (obj.att_stmt.map_size() != 0) return internal::bad_attestation("none: attStmt not empty");
    return AttestationOutcome{};
  }
  if (obj.fmt == "packed") return internal::verify_packed(obj, client_data_hash);
  if (obj.fmt == "fido-u2f") return internal::verify_fido_u2f(obj, client_data_hash);
  if (obj.fmt == "tpm") return internal::verify_tpm(obj, client_data_hash);
  return Error(E::kUnsupportedFormat, "attestation format " + obj.fmt);
}

}  // namespace kb::webauthn
