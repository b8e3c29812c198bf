// Attestation objects (WebAuthn 6.5.4) and the attestation statement formats of 8: none
// (8.7), packed (8.2), tpm (8.3), fido-u2f (8.6).
#pragma once

#include <string>
#include <vector>

#include "base/bytes.h"
#include "base/clock.h"
#include "base/result.h"
#include "webauthn/auth_data.h"
#include "webauthn/cbor.h"

namespace kb::webauthn {

enum class AttestationType { kNone, kSelf, kBasic, kAttCa };
std::string_view attestation_type_name(AttestationType t);

struct AttestationObject {
  std::string fmt;
  cbor::Value att_stmt;  // a map
  AuthenticatorData auth_data;
};

// WebAuthn 7.1 step 12: CBOR-decode the attestationObject (at most 64 KiB, duplicate keys
// refused) into fmt (text), attStmt (map) and authData (bytes, parsed strictly). Unknown
// top-level members are refused. kBadCbor / kBadAttestation / authenticator-data errors.
Result<AttestationObject> parse_attestation_object(ByteView in);

struct AttestationOutcome {
  AttestationType type = AttestationType::kNone;
  std::vector<Bytes> x5c;  // DER, leaf first (the trust path)
};

// WebAuthn 7.1 steps 19-20: dispatch on fmt and run that format's verification procedure
// over (authData, clientDataHash). kUnsupportedFormat for other formats; kBadAttestation
// (with the failed step in the detail) when the statement does not verify.
Result<AttestationOutcome> verify_attestation_statement(const AttestationObject& obj,
                                                        ByteView client_data_hash);

}  // namespace kb::webauthn
