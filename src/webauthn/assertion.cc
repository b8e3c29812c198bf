#include "webauthn/assertion.h"

#include <algorithm>

#include "webauthn/auth_data.h"
#include "webauthn/cbor.h"
#include "webauthn/checks.h"
#include "webauthn/cose.h"
#include "webauthn/credential_json.h"
#include "webauthn/errc.h"

namespace kb::webauthn {
namespace {

using E = WebauthnErrc;

// 7.2 steps 5-6: the credential is allowed and belongs to the user.
Result<void> check_credential(const AssertionExpectation& e, const AssertionResponse& r,
                              const StoredCredential& stored) {
  if (!e.allow_credentials.empty() &&
      std::find(e.allow_credentials.begin(), e.allow_credentials.end(), r.id) ==
          e.allow_credentials.end()) {
    return Error(E::kCredentialNotAllowed, "credential not in allowCredentials");
  }
  if (r.id != stored.id) return Error(E::kCredentialNotAllowed, "not the stored credential");
  if (!e.user_identified && !r.user_handle) {
    return Error(E::kUserHandleMismatch, "userHandle required in a discoverable flow");
  }
  if (r.user_handle && *r.user_handle != stored.user_handle) {
    return Error(E::kUserHandleMismatch, "userHandle is not the credential's user");
  }
  return ok();
}

// 7.2 step 24: signature counter (6.1.1).
Result<std::uint32_t> check_sign_count(std::uint32_t stored, std::uint32_t received) {
  if (stored == 0 && received == 0) return std::uint32_t{0};
  if (received <= stored) {
    return Error(E::kPossibleClone, "signCount " + std::to_string(received) + " not above stored " +
                                        std::to_string(stored));
  }
  return received;
}

}  // namespace

Result<AssertionIds> peek_assertion(std::string_view response_json) {
  AssertionResponse r = KB_TRY(parse_assertion_response(response_json));
  return AssertionIds{std::move(r.id), std::move(r.user_handle)};
}

Result<AssertionResult> verify_assertion(const AssertionExpectation& e,
                                         std::string_view response_json,
                                         const StoredCredential& stored) {
  // 7.2 step 3: a PublicKeyCredential with an AuthenticatorAssertionResponse.
  AssertionResponse r = KB_TRY(parse_assertion_response(response_json));
  // 7.2 steps 5-6.
  KB_CHECK(check_credential(e, r, stored));
  // 7.2 steps 9-14: client data.
  CollectedClientData c = KB_TRY(internal::check_client_data(
      r.client_data_json, {"webauthn.get", e.challenge, &e.origins, &e.top_origins}));
  AuthenticatorData ad = KB_TRY(parse_authenticator_data(r.authenticator_data));
  // An assertion carries no attested credential data.
  if (ad.at()) return Error(E::kMissingAttestedData, "AT flag set in an assertion");
  // 7.2 step 15: rpIdHash.
  KB_CHECK(internal::check_rp_id_hash(ad, e.rp_id));
  // 7.2 steps 16-18: UP, UV, BS only with BE.
  KB_CHECK(internal::check_flags(ad, true, e.require_user_verification));
  // 7.2 step 19: BE must not change from what was registered (6.1.3).
  if (ad.be() != stored.backup_eligible) {
    return Error(E::kBackupEligibilityChanged, "BE flag differs from registration");
  }
  // 7.2 steps 22-23: verify sig over authData || SHA-256(cData) with the stored key.
  std::size_t used = 0;
  CoseKey key = KB_TRY(parse_cose_key_prefix(stored.public_key_cose, used));
  if (used != stored.public_key_cose.size()) {
    return Error(E::kBadCoseKey, "stored COSE key has trailing bytes");
  }
  Bytes signed_data = ad.raw;
  append(signed_data, c.hash);
  if (!key.key.verify(key.alg, signed_data, r.signature)) {
    return Error(E::kBadSignature, "assertion signature does not verify");
  }
  // 7.2 step 24: signCount.
  AssertionResult out;
  out.new_sign_count = KB_TRY(check_sign_count(stored.sign_count, ad.sign_count));
  out.credential_id = std::move(r.id);
  out.flags = ad.flags;
  out.user_verified = ad.uv();
  out.backup_eligible = ad.be();
  out.backup_state = ad.bs();
  return out;
}

}  // namespace kb::webauthn
