// Cached sign-in (reference 002 FAQ: the first sign-in needs the network, later ones need
// not): with the cloud unreachable, the security key proves itself to this device alone and
// the cached full TGT goes back into the credential cache while it is valid.
#include <boost/json.hpp>

#include "base/base64.h"
#include "base/json.h"
#include "client/ccache_writer.h"
#include "client/key_binding.h"
#include "client/signin_internal.h"
#include "client/webauthn_client.h"
#include "webauthn/assertion.h"
#include "webauthn/auth_data.h"
#include "webauthn/credential_json.h"

namespace kb::client::detail {

namespace bj = boost::json;

Result<void> verify_cached_assertion(DeviceState& state, ByteView challenge,
                                     const std::string& assertion_json) {
  auto parsed = webauthn::parse_assertion_response(assertion_json);
  if (!parsed) return Error(SigninErrc::kCachedKeyRefused, parsed.error().to_string());
  auto ad = webauthn::parse_authenticator_data(parsed->authenticator_data);
  if (!ad) return Error(SigninErrc::kCachedKeyRefused, ad.error().to_string());
  webauthn::StoredCredential stored;
  stored.id = state.credential_id;
  // userHandle and BE are not covered by the signature's meaning here: the device does not
  // keep the cloud's user handle, and BE is the authenticator's own claim. What binds the
  // assertion to the key is the signature under the cached public key (WebAuthn 7.2
  // step 21), over a challenge this device just generated, with UV and a rising counter.
  stored.user_handle = parsed->user_handle.value_or(Bytes{});
  stored.public_key_cose = state.credential_public_key;
  stored.sign_count = state.sign_count;
  stored.backup_eligible = ad->be();
  webauthn::AssertionExpectation e;
  e.challenge = to_bytes(challenge);
  e.rp_id = state.rp_id;
  e.origins = {state.origin};
  e.allow_credentials = {state.credential_id};
  e.require_user_verification = true;
  auto r = webauthn::verify_assertion(e, assertion_json, stored);
  if (!r) return Error(SigninErrc::kCachedKeyRefused, r.error().to_string());
  state.sign_count = r->new_sign_count;
  return ok();
}

namespace {

// The assertion carries the state's hmac-secret salt; the output comes back in `hmac`.
Result<void> prove_key_offline(const SigninOptions& o, DeviceState& state, Authenticator& auth,
                               HmacSecretExchange& hmac, Rng& rng) {
  Bytes challenge(32);
  rng.fill(challenge);
  bj::array allow;
  allow.push_back(
      bj::object{{"type", "public-key"}, {"id", base64url_encode(state.credential_id)}});
  bj::object options{
      {"rpId", state.rp_id}, {"allowCredentials", std::move(allow)}, {"timeout", 120000}};
  CloudOptions co = o.cloud;
  co.origin = state.origin;
  // No salt in the state (nothing was ever bound): hmac-secret is not asked for.
  auto assertion = assert_over(auth, co, std::move(options), base64url_encode(challenge),
                               hmac.salt.empty() ? nullptr : &hmac);
  if (!assertion) {
    // Another security key holds no credential for this device's cached one.
    if (assertion.error().is(SigninErrc::kKeyNotRegistered)) {
      return Error(SigninErrc::kCachedKeyRefused, assertion.error().to_string());
    }
    return std::move(assertion).error();
  }
  return verify_cached_assertion(state, challenge, *assertion);
}

}  // namespace

Result<SigninResult> cached_sign_in(const SigninOptions& o, DeviceState& state, Authenticator& auth,
                                    const Error& why_offline, const Clock& clock, Rng& rng) {
  const std::string offline = " (cloud unreachable: " + why_offline.detail() + ")";
  if (state.credential_public_key.empty() || state.credential_id.empty() || state.rp_id.empty() ||
      state.origin.empty()) {
    return Error(SigninErrc::kCachedUnavailable,
                 "no security key is cached on this device" + offline);
  }
  if (!state.full_tgt && !state.full_tgt_sealed) {
    return Error(SigninErrc::kCachedUnavailable, "no cached TGT on this device" + offline);
  }
  // The key first: nothing cached is used, or even looked at, before it has proved itself.
  // Both are required: the signature under the cached public key and, when the TGT is bound
  // to the key, its hmac-secret output opening the sealed TGT.
  HmacSecretExchange hmac{state.hmac_salt, std::nullopt};
  KB_CHECK(prove_key_offline(o, state, auth, hmac, rng));
  // The counter moved: keep it even if the TGT turns out to be stale.
  KB_CHECK(save_device_state(o.cloud.state_path, state, rng));
  SecretBytes image = KB_TRY(open_cached_tgt(state, hmac.output));
  Credential tgt = KB_TRY(credential_from_image(image.reveal()));
  if (tgt.endtime.to_sys() <= clock.now()) {
    return Error(SigninErrc::kCachedUnavailable, "the cached TGT has expired" + offline);
  }
  SigninResult out;
  out.mode = SigninResult::Mode::kCached;
  out.ccache = KB_TRY(store_credential(tgt, o.ccache));
  out.device_id = state.device_id;
  out.principal = principal_text(tgt);
  out.tgt_expiry = tgt.endtime.to_sys();
  out.prt_expiry = state.prt_expiry;
  out.nt_hash = state.nt_hash.has_value();
  return out;
}

}  // namespace kb::client::detail
