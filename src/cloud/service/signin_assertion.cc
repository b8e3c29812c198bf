#include "cloud/service/signin_assertion.h"

#include "cloud/errors.h"
#include "cloud/service/signin_common.h"
#include "webauthn/assertion.h"

namespace kb::cloud {
namespace {

struct Loaded {
  store::WebAuthnCredential credential;
  store::CloudUser user;
  store::TenantPolicy policy;
};

Result<Loaded> load(ServiceContext& ctx, std::string_view tenant_id, ByteView credential_id) {
  std::optional<store::WebAuthnCredential> cred;
  std::optional<store::CloudUser> user;
  store::TenantPolicy policy;
  KB_CHECK(ctx.store.read([&](store::CloudTxn& t) -> Result<void> {
    cred = KB_TRY(t.credential(tenant_id, credential_id));
    if (cred) user = KB_TRY(t.user_by_id(tenant_id, cred->user_id));
    policy = KB_TRY(t.policy(tenant_id));
    return ok();
  }));
  // A deleted credential is an unknown one: only rows of this tenant are looked at.
  if (!cred) return Error(CloudErrc::kInvalidGrant, "unknown credential");
  if (!user) return Error(CloudErrc::kInvalidGrant, "the credential's user is gone");
  return Loaded{std::move(*cred), std::move(*user), std::move(policy)};
}

}  // namespace

Result<SignInResult> check_sign_in_assertion(ServiceContext& ctx, std::string_view tenant_id,
                                             const SignInAssertion& a) {
  auto ids = webauthn::peek_assertion(a.assertion_json);
  if (!ids) return grant_error(ids.error());
  auto loaded = KB_TRY(load(ctx, tenant_id, ids->credential_id));
  if (!a.user_id.empty() && loaded.credential.user_id != a.user_id) {
    return Error(CloudErrc::kInvalidGrant, "the credential belongs to another user");
  }
  if (!loaded.user.enabled) return Error(CloudErrc::kInvalidGrant, "the user is disabled");

  webauthn::AssertionExpectation e;
  e.challenge = to_bytes(a.challenge);
  e.rp_id = ctx.config.rp_id;
  e.origins = ctx.config.allowed_origins;
  e.allow_credentials = a.allow;
  e.user_identified = !a.user_id.empty() || !a.allow.empty();
  e.require_user_verification = loaded.policy.require_user_verification;
  const webauthn::StoredCredential stored{
      loaded.credential.credential_id, user_handle(loaded.user), loaded.credential.public_key_cose,
      loaded.credential.sign_count, loaded.credential.backup_eligible};
  // WebAuthn 7.2 steps 3-24; step 19 (BE unchanged) and step 24 (counter) included.
  auto verified = webauthn::verify_assertion(e, a.assertion_json, stored);
  if (!verified) return grant_error(verified.error());

  // 7.2 step 26: record the new counter and BS, only while the counter is still the one
  // verified against; a concurrent use of the same counter value loses here.
  const store::CredentialUse use{loaded.credential.sign_count, verified->new_sign_count,
                                 verified->backup_state, verified->user_verified, ctx.clock.now()};
  auto recorded = ctx.store.transact([&](store::CloudTxn& t) {
    return t.record_credential_use(tenant_id, loaded.credential.credential_id, use);
  });
  if (!recorded) {
    if (recorded.error().is(store::Errc::kConflict) ||
        recorded.error().is(store::Errc::kNotFound)) {
      return Error(CloudErrc::kInvalidGrant, "the credential's counter moved concurrently");
    }
    return recorded.error();
  }
  return SignInResult{std::move(loaded.user), std::move(loaded.credential.credential_id)};
}

}  // namespace kb::cloud
