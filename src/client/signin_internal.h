// Pieces of the sign-in flow shared by signin_flow.cc, signin_cloud.cc, signin_trade.cc and
// signin_cached.cc. Not a public interface: include signin_flow.h.
#pragma once

#include <boost/json/object.hpp>
#include <string>

#include "client/device_state.h"
#include "client/prt_client.h"
#include "client/signin_flow.h"
#include "client/tgs_client.h"
#include "client/webauthn_client.h"

namespace kb::client::detail {

// ---- cloud (signin_cloud.cc)

// Which route a refusal came from decides what `invalid_grant` means.
enum class Route { kAccessPass, kAssertion, kToken, kRefresh };

// POSTs JSON or a form to `path` and returns the 200 body as an object. A transport error
// is kCloudUnreachable; a problem body is mapped by map_refusal; a 200 that is not a JSON
// object is kBadReply.
Result<boost::json::object> post_json(const CloudTransport& cloud, const std::string& path,
                                      const boost::json::object& body, Route route);
Result<std::string> post_form(const CloudTransport& cloud, const std::string& path,
                              const std::string& body, Route route);
// The Error for a non-200 answer: `password_expired` -> kPasswordExpired; `invalid_grant`
// -> kAccessPassRefused / kKeyNotRegistered / kCloudRefused by route; others kCloudRefused.
Error map_refusal(const http::Response& r, Route route);

// The WebAuthn request options for `user` (authentication/options): rpId and the user's
// allowCredentials; challenge_id for the routes that take one.
struct AuthOptions {
  std::string challenge_id;
  boost::json::object public_key;
  std::string rp_id;
};
Result<AuthOptions> authentication_options(const CloudTransport& cloud, const CloudOptions& o);

// An assertion (AuthenticationResponseJSON) over `challenge` (base64url text) with UV
// required, through a WebauthnClient at options.origin. A key with none of the allowed
// credentials is kKeyNotRegistered.
// With `hmac_secret`, its salt goes with the assertion and the output comes back in it.
Result<std::string> assert_over(Authenticator& auth, const CloudOptions& o,
                                boost::json::object public_key, const std::string& challenge,
                                HmacSecretExchange* hmac_secret = nullptr);

// Device registration (POST /{t}/devices): new device and transport keys, the certificate.
Result<DeviceState> register_device(const CloudOptions& o, Authenticator& auth,
                                    const CloudTransport& cloud);

// srv_challenge nonce.
Result<std::string> fetch_nonce(const CloudTransport& cloud, const std::string& tenant);

// ---- DC trade (signin_trade.cc)

struct TradeResult {
  std::optional<Error> refusal;   // a final KRB-ERROR (policy, key expired, revoked)
  std::optional<TgsReply> reply;  // the full TGT when there is no refusal
  std::string dc;
  std::vector<std::string> failures;
  std::vector<std::string> answered;
};
// Locates the DCs of the partial TGT's realm and trades it at the first that answers. A
// final KRB-ERROR (policy, key expired, client revoked) stops at once (`refusal`, with its
// SigninErrc; the DC still counts as one that answered);
// an unreachable DC, another KRB-ERROR or an RODC-style TGS-REP (the ticket's kvno carries
// a branch id) moves to the next DC; none left is kNoDcReachable naming each failure.
Result<TradeResult> trade(const Credential& partial, bool ntlm, const LocatorConfig& locator,
                          const SrvLookup& srv, const KdcTransport& kdc, const Clock& clock,
                          Rng& rng);

// "alice@CONTOSO.TEST" (for messages; the ccache writer escapes properly).
std::string principal_text(const Credential& c);
// The credential as the ccache image the device state keeps, and back.
Result<SecretBytes> credential_image(const Credential& c);
Result<Credential> credential_from_image(ByteView image);

// Trades `partial` and finishes the sign-in: ccache, state (full TGT, NT hash, DCs), result.
// The state is saved whether the trade succeeded or not (dcs_answered, partial TGT).
Result<SigninResult> trade_and_store(DeviceState& state, const std::filesystem::path& state_path,
                                     const Credential& partial,
                                     const std::optional<std::string>& ccache, bool ntlm,
                                     const LocatorConfig& locator, const SrvLookup& srv,
                                     const KdcTransport& kdc, const Clock& clock, Rng& rng);

// Records a PRT response in the state (PRT, expiry, session key when new, partial TGT).
Result<void> keep_prt(DeviceState& state, PrtResponse& prt);

// ---- cached sign-in (signin_cached.cc)

Result<SigninResult> cached_sign_in(const SigninOptions& o, DeviceState& state, Authenticator& auth,
                                    const Error& why_offline, const Clock& clock, Rng& rng);

// Verifies `assertion_json` over `challenge` against the state's cached credential and
// records the new counter in `state`. kCachedKeyRefused when it does not verify.
Result<void> verify_cached_assertion(DeviceState& state, ByteView challenge,
                                     const std::string& assertion_json);

}  // namespace kb::client::detail
