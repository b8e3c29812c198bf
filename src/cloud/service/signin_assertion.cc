#include "cloud/service/signin_assertion.h"

#include "cloud/errors.h"
#include "cloud/service/signin_common.h"
#include "webauthn/assertion.h"
#include "webauthn/errc.h"

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

// WebAuthn 6.1.1 / 7.2 step 24: an authentic assertion whose counter did not increase
// means two authenticators may hold this credential's key. The credential is marked in its
// own transaction (the refusal must not roll the mark back) and signs in no more until an
// admin clears the mark or deletes the key. Only reached after the signature verified
// (7.2 steps 22-23 come first), so nobody without the key can mark someone's credential.
Result<void> mark_possibly_cloned(ServiceContext& ctx, std::string_view tenant_id,
                                  ByteView credential_id) {
  auto marked = ctx.store.transact([&](store::CloudTxn& t) {
    return t.set_credential_possibly_cloned(tenant_id, credential_id, true);
  });
  // Deleted meanwhile: nothing left to mark, and the sign-in is refused either way.
  if (!marked && !marked.error().is(store::Errc::kNotFound)) return marked.error();
  return ok();
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
  if (loaded.credential.possibly_cloned) {
    return Error(CloudErrc::kInvalidGrant, "the credential is marked possibly cloned");
  }

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
  if (!verified) {
    if (verified.error().is(webauthn::WebauthnErrc::kPossibleClone)) {
      KB_CHECK(mark_possibly_cloned(ctx, tenant_id, loaded.credential.credential_id));
    }
    return grant_error(verified.error());
  }

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
  return SignInResult{std::move(loaded.user), std::move(loaded.credential.credential_id),
                      std::move(loaded.credential.public_key_cose)};
}

}  // namespace kb::cloud
