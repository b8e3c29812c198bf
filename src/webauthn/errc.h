// Typed errors of the WebAuthn relying party: one code per failed check, so the cloud and
// the `admin webauthn verify` diagnostic can say exactly which step refused a response.
#pragma once

#include <string_view>

#include "base/error.h"

namespace kb::webauthn {

enum class WebauthnErrc {
  kBadCbor = 1,               // malformed, non-canonical or over-limit CBOR
  kBadJson,                   // PublicKeyCredential JSON malformed or missing members
  kBadCredential,             // id/rawId/type inconsistent
  kBadClientData,             // clientDataJSON unparsable or missing members
  kWrongType,                 // clientData.type is not the ceremony's
  kChallengeMismatch,         // clientData.challenge is not the one issued
  kOriginNotAllowed,          // clientData.origin not in the allow-list
  kCrossOriginNotAllowed,     // crossOrigin true / topOrigin not allowed
  kBadAuthenticatorData,      // authenticatorData malformed (length, flags, trailing bytes)
  kRpIdMismatch,              // rpIdHash != SHA-256(rpId)
  kUserNotPresent,            // UP flag clear
  kUserNotVerified,           // UV flag clear while required
  kBadBackupFlags,            // BS set without BE
  kBackupEligibilityChanged,  // BE differs from the registered value
  kMissingAttestedData,       // AT clear (registration) or set (assertion)
  kBadExtensions,             // ED flag and extension data disagree, or extensions malformed
  kBadCoseKey,                // COSE_Key malformed or the key is invalid
  kUnsupportedAlgorithm,      // algorithm not in the allowed list
  kUnsupportedFormat,         // attestation statement format unknown
  kBadAttestation,            // attestation statement fails its format's verification
  kAttestationRequired,       // policy requires attestation; got none/self
  kUntrustedAttestation,      // x5c chain does not verify against the trust anchors
  kAaguidBlocked,             // AAGUID on the block-list or not on the allow-list
  kCredentialNotAllowed,      // credential id not in allowCredentials
  kUserHandleMismatch,        // userHandle absent when required, or not the credential's user
  kBadSignature,              // assertion signature does not verify
  kPossibleClone,             // signCount did not increase
  kCredentialIdTooLong,       // credential id longer than 1023 bytes
};

constexpr ErrorDomain error_domain(WebauthnErrc) {
  return ErrorDomain::kWebauthn;
}
std::string_view error_code_name(WebauthnErrc e);

}  // namespace kb::webauthn
