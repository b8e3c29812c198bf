// What `keybridge admin webauthn verify` reports: a registration or assertion response run
// through the relying party's own verification (registration.h, assertion.h), plus what
// could be read out of it, and, on refusal, the WebAuthn Level 3 section and step the
// failed check implements (each WebauthnErrc belongs to one step of 7.1 and one of 7.2).
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "base/bytes.h"
#include "base/error.h"
#include "webauthn/assertion.h"
#include "webauthn/auth_data.h"
#include "webauthn/errc.h"
#include "webauthn/registration.h"

namespace kb::webauthn {

enum class Ceremony { kRegistration, kAuthentication };

// "WebAuthn 7.1 step 13 (rpIdHash is SHA-256 of the RP ID)" for kRpIdMismatch in a
// registration, and so on; the step numbers are those our checks' comments cite.
std::string spec_step(WebauthnErrc e, Ceremony c);
// The same for any Error: a WebauthnErrc gets its step, anything else (a file that is not
// JSON, say) the parse step of the ceremony.
std::string spec_step(const Error& e, Ceremony c);

// The attestation chain check against trust anchors the caller gave (AttestationPolicy::
// trust_anchors; WebAuthn 7.1 step 23, "assess the attestation trustworthiness").
enum class ChainCheck {
  kNotRequested,  // no trust anchor given
  kNotReached,    // the response was refused at an earlier step
  kNoChain,       // verified, but its attestation (none, self) has no x5c chain to check
  kVerified,      // the x5c chain verifies to one of the anchors
  kFailed,        // it does not (chain_detail says why)
};
// "not requested", "not reached", "no chain", "verified", "failed".
std::string_view chain_check_name(ChainCheck c);

struct Diagnosis {
  Ceremony ceremony = Ceremony::kRegistration;
  std::optional<Error> failure;  // empty: verification passed
  std::string failed_step;       // spec_step(*failure)

  // What the response holds, as far as it could be parsed (also after a failure).
  Bytes credential_id;
  std::string client_data_type;  // webauthn.create / webauthn.get
  std::string origin;
  std::optional<std::uint8_t> flags;
  std::optional<std::uint32_t> sign_count;
  std::optional<std::int32_t> alg;  // COSE algorithm of the credential key
  // Registration only.
  std::string fmt;
  std::string attestation_type;  // after a successful verification
  std::optional<Aaguid> aaguid;
  std::vector<std::string> chain_subjects;  // x5c, leaf first: "CN=..., O=..., C=..."
  Bytes public_key_cose;                    // what an RP would store
  ChainCheck chain_check = ChainCheck::kNotRequested;
  std::string chain_detail;  // kFailed: the chain verifier's reason
  // Authentication only: the counter an RP would store after this assertion.
  std::optional<std::uint32_t> new_sign_count;

  [[nodiscard]] bool ok() const { return !failure.has_value(); }
};

// With trust anchors in `policy`, a basic/attca x5c chain (packed, tpm, fido-u2f...) must
// verify to one of them, and chain_check says whether it did.
Diagnosis diagnose_registration(const RegistrationExpectation& e, std::string_view response_json,
                                const AttestationPolicy& policy);

// `stored` as the RP would hold it; when `backup_eligible_known` is false, the BE flag of
// the assertion itself is taken as the stored one (7.2 step 19 cannot fail).
Diagnosis diagnose_assertion(const AssertionExpectation& e, std::string_view response_json,
                             StoredCredential stored, bool backup_eligible_known);

// "C=US, O=Example, OU=Authenticator Attestation, CN=..." from a DER certificate; "?" when
// it does not parse.
std::string certificate_subject_text(ByteView der);

}  // namespace kb::webauthn
