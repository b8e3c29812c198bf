#include "webauthn/errc.h"

namespace kb::webauthn {

std::string_view error_code_name(WebauthnErrc e) {
  switch (e) {
    case WebauthnErrc::kBadCbor:
      return "bad_cbor";
    case WebauthnErrc::kBadJson:
      return "bad_json";
    case WebauthnErrc::kBadCredential:
      return "bad_credential";
    case WebauthnErrc::kBadClientData:
      return "bad_client_data";
    case WebauthnErrc::kWrongType:
      return "wrong_type";
    case WebauthnErrc::kChallengeMismatch:
      return "challenge_mismatch";
    case WebauthnErrc::kOriginNotAllowed:
      return "origin_not_allowed";
    case WebauthnErrc::kCrossOriginNotAllowed:
      return "cross_origin_not_allowed";
    case WebauthnErrc::kBadAuthenticatorData:
      return "bad_authenticator_data";
    case WebauthnErrc::kRpIdMismatch:
      return "rp_id_mismatch";
    case WebauthnErrc::kUserNotPresent:
      return "user_not_present";
    case WebauthnErrc::kUserNotVerified:
      return "user_not_verified";
    case WebauthnErrc::kBadBackupFlags:
      return "bad_backup_flags";
    case WebauthnErrc::kBackupEligibilityChanged:
      return "backup_eligibility_changed";
    case WebauthnErrc::kMissingAttestedData:
      return "missing_attested_data";
    case WebauthnErrc::kBadExtensions:
      return "bad_extensions";
    case WebauthnErrc::kBadCoseKey:
      return "bad_cose_key";
    case WebauthnErrc::kUnsupportedAlgorithm:
      return "unsupported_algorithm";
    case WebauthnErrc::kUnsupportedFormat:
      return "unsupported_format";
    case WebauthnErrc::kBadAttestation:
      return "bad_attestation";
    case WebauthnErrc::kAttestationRequired:
      return "attestation_required";
    case WebauthnErrc::kUntrustedAttestation:
      return "untrusted_attestation";
    case WebauthnErrc::kAaguidBlocked:
      return "aaguid_blocked";
    case WebauthnErrc::kCredentialNotAllowed:
      return "credential_not_allowed";
    case WebauthnErrc::kUserHandleMismatch:
      return "user_handle_mismatch";
    case WebauthnErrc::kBadSignature:
      return "bad_signature";
    case WebauthnErrc::kPossibleClone:
      return "possible_clone";
    case WebauthnErrc::kCredentialIdTooLong:
      return "credential_id_too_long";
  }
  return "unknown";
}

}  // namespace kb::webauthn
