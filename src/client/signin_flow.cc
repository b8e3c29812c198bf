#include "client/signin_flow.h"

#include <algorithm>
#include <boost/json.hpp>
#include <utility>

#include "base/base64.h"
#include "base/json.h"
#include "client/key_binding.h"
#include "client/signin_internal.h"
#include "client/webauthn_client.h"
#include "webauthn/assertion.h"
#include "webauthn/registration.h"

namespace kb::client {

std::string_view error_code_name(SigninErrc e) {
  switch (e) {
    case SigninErrc::kCloudUnreachable:
      return "signin_cloud_unreachable";
    case SigninErrc::kKeyNotRegistered:
      return "signin_key_not_registered";
    case SigninErrc::kAccessPassRefused:
      return "signin_access_pass_refused";
    case SigninErrc::kCloudRefused:
      return "signin_cloud_refused";
    case SigninErrc::kPasswordExpired:
      return "signin_password_expired";
    case SigninErrc::kNoKerberosServer:
      return "signin_no_kerberos_server";
    case SigninErrc::kNoDcReachable:
      return "signin_no_dc_reachable";
    case SigninErrc::kDcPolicy:
      return "signin_dc_policy";
    case SigninErrc::kAccountRevoked:
      return "signin_account_revoked";
    case SigninErrc::kNotSignedIn:
      return "signin_not_signed_in";
    case SigninErrc::kPrtExpired:
      return "signin_prt_expired";
    case SigninErrc::kCachedUnavailable:
      return "signin_cached_unavailable";
    case SigninErrc::kCachedKeyRefused:
      return "signin_cached_key_refused";
    case SigninErrc::kStateMismatch:
      return "signin_state_mismatch";
    case SigninErrc::kBadReply:
      return "signin_bad_reply";
  }
  return "unknown";
}

namespace {

namespace bj = boost::json;
using namespace detail;

// The device state, or none on first use.
Result<std::optional<DeviceState>> load_optional(const std::filesystem::path& path) {
  auto s = load_device_state(path);
  if (s) return std::optional<DeviceState>(std::move(*s));
  if (s.error().is(DeviceStateErrc::kMissing)) return std::optional<DeviceState>{};
  return std::move(s).error();
}

Result<void> check_state_fits(const DeviceState& s, const CloudOptions& o) {
  if (s.tenant != o.tenant || (!s.user.empty() && s.user != o.user)) {
    return Error(SigninErrc::kStateMismatch, "the device state is " + s.user + " at tenant " +
                                                 s.tenant + "; use another --state");
  }
  return ok();
}

// The credential cached for offline sign-in follows the key that just signed in online.
// Its counter moves when it already is the cached one (the cloud verified the assertion; a
// local failure only leaves the counter as it was). Another key (registered on another
// device, or a second key of the user) is adopted from the cloud's keybridge_credential,
// but only when the assertion this device just made verifies under that public key.
void adopt_signed_in_credential(DeviceState& state, const PrtResponse& prt,
                                ByteView used_credential, ByteView challenge,
                                const std::string& assertion) {
  if (std::ranges::equal(used_credential, state.credential_id) &&
      !state.credential_public_key.empty()) {
    (void)verify_cached_assertion(state, challenge, assertion);
    return;
  }
  if (!prt.credential || !std::ranges::equal(prt.credential->id, used_credential)) return;
  Bytes old_id = std::exchange(state.credential_id, prt.credential->id);
  Bytes old_key = std::exchange(state.credential_public_key, prt.credential->public_key_cose);
  const std::uint32_t old_count = std::exchange(state.sign_count, 0);
  if (!verify_cached_assertion(state, challenge, assertion)) {
    state.credential_id = std::move(old_id);
    state.credential_public_key = std::move(old_key);
    state.sign_count = old_count;
  }
}

// The PRT exchange of a first sign-in (MS-OAPXBC 3.2.5.1.2 with the assertion of digest F.1):
// nonce, an assertion whose challenge is the nonce, the device-signed request with tgt=true.
Result<PrtResponse> request_prt(const SigninOptions& o, DeviceState& state, Authenticator& auth,
                                const CloudTransport& cloud, const Clock& clock, Rng& rng) {
  // The user's allowCredentials and the RP id come with authentication options; their
  // challenge is not used (it expires unused on the cloud).
  AuthOptions opts = KB_TRY(authentication_options(cloud, o.cloud));
  const std::string nonce = KB_TRY(fetch_nonce(cloud, o.cloud.tenant));
  ensure_hmac_salt(state, rng);
  HmacSecretExchange hmac{state.hmac_salt, std::nullopt};
  std::string assertion = KB_TRY(assert_over(auth, o.cloud, opts.public_key, nonce, &hmac));
  std::string body =
      KB_TRY(make_device_prt_request(state.device_key, state.device_certificate, o.cloud.user,
                                     nonce, assertion, true, clock, rng));
  std::string reply =
      KB_TRY(post_form(cloud, "/" + o.cloud.tenant + "/oauth2/token", body, Route::kToken));
  auto prt = read_prt_response(reply, &state.transport_key, nullptr, clock.now());
  if (!prt) return Error(SigninErrc::kBadReply, "PRT response: " + prt.error().to_string());
  state.rp_id = opts.rp_id;
  state.origin = o.cloud.origin;
  state.user = o.cloud.user;
  auto ids = webauthn::peek_assertion(assertion);
  auto nonce_bytes = base64url_decode(nonce);
  if (ids && nonce_bytes)
    adopt_signed_in_credential(state, *prt, ids->credential_id, *nonce_bytes, assertion);
  // After adoption: the binding is made only for the state's (verified) credential.
  KB_CHECK(
      bind_cached_tgt(state, ids ? ByteView(ids->credential_id) : ByteView(), hmac.output, rng));
  return std::move(*prt);
}

Result<SigninResult> sign_in_online(const SigninOptions& o, std::optional<DeviceState>& state,
                                    Authenticator& auth, const CloudTransport& cloud,
                                    const KdcTransport& kdc, const SrvLookup& srv,
                                    const Clock& clock, Rng& rng) {
  bool registered = false;
  if (!state) {
    state = KB_TRY(register_device(o.cloud, auth, cloud));
    KB_CHECK(save_device_state(o.cloud.state_path, *state, rng));
    registered = true;
  }
  PrtResponse prt = KB_TRY(request_prt(o, *state, auth, cloud, clock, rng));
  KB_CHECK(keep_prt(*state, prt));
  if (!prt.partial_tgt) {
    KB_CHECK(save_device_state(o.cloud.state_path, *state, rng));
    return Error(SigninErrc::kNoKerberosServer,
                 prt.tgt_error.empty() ? "the PRT response has no partial TGT" : prt.tgt_error);
  }
  SigninResult out = KB_TRY(trade_and_store(*state, o.cloud.state_path, *prt.partial_tgt, o.ccache,
                                            o.ntlm, o.locator, srv, kdc, clock, rng));
  out.device_registered = registered;
  return out;
}

}  // namespace

Result<SigninResult> sign_in(const SigninOptions& o, Authenticator& auth,
                             const CloudTransport& cloud, const KdcTransport& kdc,
                             const SrvLookup& srv, const Clock& clock, Rng& rng) {
  std::optional<DeviceState> state = KB_TRY(load_optional(o.cloud.state_path));
  if (state) KB_CHECK(check_state_fits(*state, o.cloud));
  auto online = sign_in_online(o, state, auth, cloud, kdc, srv, clock, rng);
  // Only an unreachable cloud falls back; a refusal by a reachable cloud stands.
  if (!online && online.error().is(SigninErrc::kCloudUnreachable) && o.allow_cached && state) {
    return cached_sign_in(o, *state, auth, online.error(), clock, rng);
  }
  return online;
}

Result<SigninResult> refresh(const RefreshOptions& o, const CloudTransport& cloud,
                             const KdcTransport& kdc, const SrvLookup& srv, const Clock& clock,
                             Rng& rng) {
  std::optional<DeviceState> loaded = KB_TRY(load_optional(o.state_path));
  if (!loaded || !loaded->prt || !loaded->session_key || !loaded->prt_expiry) {
    return Error(SigninErrc::kNotSignedIn, "no PRT in " + o.state_path.string());
  }
  DeviceState& state = *loaded;
  if (*state.prt_expiry <= clock.now()) {
    return Error(SigninErrc::kPrtExpired, "the PRT expired; sign in with the security key");
  }
  auto nonce = fetch_nonce(cloud, state.tenant);
  if (!nonce && nonce.error().is(SigninErrc::kCloudUnreachable) && state.partial_tgt) {
    // Offline but a DC may be reachable: re-trade the partial TGT while it is valid.
    Credential partial = KB_TRY(credential_from_image(state.partial_tgt->reveal()));
    if (partial.endtime.to_sys() <= clock.now()) return std::move(nonce).error();
    SigninResult out = KB_TRY(trade_and_store(state, o.state_path, partial, o.ccache, o.ntlm,
                                              o.locator, srv, kdc, clock, rng));
    out.mode = SigninResult::Mode::kRefreshed;
    return out;
  }
  KB_CHECK(nonce);
  std::string body = KB_TRY(
      make_refresh_prt_request(state.prt->reveal(), *state.session_key, *nonce, true, clock, rng));
  std::string reply =
      KB_TRY(post_form(cloud, "/" + state.tenant + "/oauth2/token", body, Route::kRefresh));
  auto prt = read_prt_response(reply, nullptr, &*state.session_key, clock.now());
  if (!prt) return Error(SigninErrc::kBadReply, "PRT response: " + prt.error().to_string());
  KB_CHECK(keep_prt(state, *prt));
  if (!prt->partial_tgt) {
    KB_CHECK(save_device_state(o.state_path, state, rng));
    return Error(SigninErrc::kNoKerberosServer,
                 prt->tgt_error.empty() ? "the PRT response has no partial TGT" : prt->tgt_error);
  }
  SigninResult out = KB_TRY(trade_and_store(state, o.state_path, *prt->partial_tgt, o.ccache,
                                            o.ntlm, o.locator, srv, kdc, clock, rng));
  out.mode = SigninResult::Mode::kRefreshed;
  return out;
}

namespace {

// WebAuthn 7.1 on the client's own registration: not to decide anything (the cloud does),
// but to learn the credential public key that a cached sign-in verifies against.
Result<webauthn::RegistrationResult> read_own_registration(const bj::object& public_key,
                                                           const std::string& credential_json,
                                                           const CloudOptions& o,
                                                           const Clock& clock) {
  webauthn::RegistrationExpectation e;
  auto challenge = json::get_string(public_key, "challenge");
  auto rp = json::get_object(public_key, "rp");
  if (!challenge || !rp) return Error(SigninErrc::kBadReply, "registration options");
  auto rp_id = json::get_string(**rp, "id");
  auto challenge_bytes = base64url_decode(*challenge);
  if (!rp_id || !challenge_bytes) return Error(SigninErrc::kBadReply, "registration options");
  e.challenge = std::move(*challenge_bytes);
  e.rp_id = std::move(*rp_id);
  e.origins = {o.origin};
  e.require_user_verification = false;  // the cloud's policy decides; we only read the key
  e.now = clock.now();
  return webauthn::verify_registration(e, credential_json, {});
}

}  // namespace

Result<RegisterKeyResult> register_key(const CloudOptions& o, const SecretString& access_pass,
                                       std::string_view key_name, Authenticator& auth,
                                       const CloudTransport& cloud, const Clock& clock, Rng& rng) {
  std::optional<DeviceState> state = KB_TRY(load_optional(o.state_path));
  if (state) KB_CHECK(check_state_fits(*state, o));
  bj::object opts =
      KB_TRY(post_json(cloud, "/" + o.tenant + "/webauthn/registration/options",
                       {{"username", o.user}, {"access_pass", std::string(access_pass.reveal())}},
                       Route::kAccessPass));
  auto challenge_id = json::get_string(opts, "challenge_id");
  auto public_key = json::get_object(opts, "publicKey");
  if (!challenge_id || !public_key) return Error(SigninErrc::kBadReply, "registration options");
  WebauthnClient client(auth, o.origin);
  // hmac-secret lets a later sign-in bind the cached TGT to this key (key_binding.h).
  std::string credential = KB_TRY(client.create(json::serialize(**public_key), o.pin, true));
  webauthn::RegistrationResult mine =
      KB_TRY(read_own_registration(**public_key, credential, o, clock));
  auto credential_value = json::parse(credential);
  if (!credential_value) return Error(SigninErrc::kBadReply, "credential is not JSON");
  bj::object body{{"challenge_id", *challenge_id}, {"credential", *credential_value}};
  if (!key_name.empty()) body["name"] = std::string(key_name);
  bj::object reg =
      KB_TRY(post_json(cloud, "/" + o.tenant + "/webauthn/registration", body, Route::kAssertion));
  RegisterKeyResult out;
  out.credential_id = json::get_optional_string(reg, "credential_id").value_or("");
  out.user_id = json::get_optional_string(reg, "user_id").value_or("");
  out.name = json::get_optional_string(reg, "name").value_or("");
  if (!state) {
    state = KB_TRY(register_device(o, auth, cloud));
    out.device_registered = true;
  }
  state->credential_id = mine.credential_id;
  state->credential_public_key = mine.public_key_cose;
  state->sign_count = mine.sign_count;
  state->user = o.user;
  state->origin = o.origin;
  if (auto rp = json::get_object(**public_key, "rp")) {
    state->rp_id = json::get_optional_string(**rp, "id").value_or(state->rp_id);
  }
  KB_CHECK(save_device_state(o.state_path, *state, rng));
  out.device_id = state->device_id;
  return out;
}

}  // namespace kb::client
