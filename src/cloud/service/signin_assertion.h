// The sign-in assertion check shared by registration of further keys, device registration
// and the PRT grant (digest F; WebAuthn 7.2): the credential is found by id in the tenant,
// the assertion verified against it under the tenant policy, and its use recorded with a
// compare-and-set on the signature counter so that a cloned authenticator's counter is
// accepted at most once.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "base/result.h"
#include "cloud/service/context.h"
#include "store/cloud.h"

namespace kb::cloud {

struct SignInAssertion {
  std::string_view assertion_json;  // AuthenticationResponseJSON
  ByteView challenge;               // the challenge the RP issued (or the PRT nonce's bytes)
  std::vector<Bytes> allow;         // allowCredentials as sent (empty: discoverable)
  std::string_view user_id;         // when not empty, the credential must be this user's
};

struct SignInResult {
  store::CloudUser user;
  Bytes credential_id;
  Bytes public_key_cose;  // the credential's stored COSE_Key (public)
};

// Every refusal is CloudErrc::kInvalidGrant (detail for logs): an unknown or deleted
// credential, another user's credential, a disabled user, a credential marked possibly
// cloned, any WebAuthn 7.2 failure (including UV when the policy requires it, a changed BE
// flag, a counter that did not increase), or a lost counter compare-and-set. A counter
// that did not increase also marks the credential possibly cloned in the store.
Result<SignInResult> check_sign_in_assertion(ServiceContext& ctx, std::string_view tenant_id,
                                             const SignInAssertion& a);

}  // namespace kb::cloud
