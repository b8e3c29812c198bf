// The per-format verification procedures (WebAuthn 8.x). Internal to src/webauthn.
#pragma once

#include "webauthn/attestation.h"

namespace kb::webauthn::internal {

Result<AttestationOutcome> verify_packed(const AttestationObject& obj, ByteView client_data_hash);
Result<AttestationOutcome> verify_fido_u2f(const AttestationObject& obj, ByteView client_data_hash);
Result<AttestationOutcome> verify_tpm(const AttestationObject& obj, ByteView client_data_hash);

// Shared helpers.
Error bad_attestation(std::string detail);
// attStmt.x5c: a non-empty array of at most 8 DER certificates (bytes).
Result<std::vector<Bytes>> x5c_of(const cbor::Value& att_stmt, bool required);
// The AAGUID extension (id-fido-gen-ce-aaguid, 1.3.6.1.4.1.45724.1.1.4) must, when present,
// be an OCTET STRING of 16 bytes equal to authData's AAGUID and not be critical.
Result<void> check_aaguid_extension(const Bytes& cert_der, const Aaguid& aaguid);

}  // namespace kb::webauthn::internal
