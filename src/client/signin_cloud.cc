// The cloud half of the sign-in flow: the routes of docs/cloud-signin.md seen from the
// device, and the one mapping of the cloud's refusals to SigninErrc.
#include <boost/json.hpp>

#include "base/base64.h"
#include "base/json.h"
#include "client/signin_internal.h"
#include "client/webauthn_client.h"

namespace kb::client::detail {

namespace bj = boost::json;

namespace {

http::Request request(const std::string& path, std::string content_type, std::string body) {
  http::Request r;
  r.method = "POST";
  r.target = path;
  r.headers.add("Content-Type", std::move(content_type));
  r.headers.add("Accept", "application/json");
  r.body = std::move(body);
  r.tls = true;
  return r;
}

Result<http::Response> send(const CloudTransport& cloud, const http::Request& r) {
  auto resp = cloud(r);
  if (!resp) {
    return Error(SigninErrc::kCloudUnreachable, "cloud: " + resp.error().to_string());
  }
  return std::move(*resp);
}

// The problem code of a refusal ("" when the body is not a problem document).
std::string problem_code(const http::Response& r) {
  auto o = json::parse_object(r.body, {64 * 1024, 4});
  if (!o) return "";
  return json::get_optional_string(*o, "code").value_or("");
}

}  // namespace

Error map_refusal(const http::Response& r, Route route) {
  const std::string code = problem_code(r);
  const std::string what = "HTTP " + std::to_string(r.status) + " " + code;
  // The cloud refuses a user whose synced password has expired (reference 000 "Known
  // behavior"): the same message as the DC's KDC_ERR_KEY_EXPIRED.
  if (code == "password_expired") return Error(SigninErrc::kPasswordExpired, what);
  if (code == "invalid_grant") {
    switch (route) {
      case Route::kAccessPass:
        return Error(SigninErrc::kAccessPassRefused, what);
      case Route::kAssertion:
      case Route::kToken:
        // One code for unknown key, another user's key, bad assertion and disabled user
        // (the cloud does not tell them apart, docs/cloud-signin.md).
        return Error(SigninErrc::kKeyNotRegistered, what);
      case Route::kRefresh:
        return Error(SigninErrc::kCloudRefused, what + " (PRT refused)");
    }
  }
  return Error(SigninErrc::kCloudRefused, what);
}

Result<bj::object> post_json(const CloudTransport& cloud, const std::string& path,
                             const bj::object& body, Route route) {
  auto r = KB_TRY(send(cloud, request(path, "application/json", json::serialize(body))));
  if (r.status != 200) return map_refusal(r, route);
  auto o = json::parse_object(r.body);
  if (!o) return Error(SigninErrc::kBadReply, path + ": not a JSON object");
  return std::move(*o);
}

Result<std::string> post_form(const CloudTransport& cloud, const std::string& path,
                              const std::string& body, Route route) {
  auto r = KB_TRY(send(cloud, request(path, "application/x-www-form-urlencoded", body)));
  if (r.status != 200) return map_refusal(r, route);
  return std::move(r.body);
}

Result<AuthOptions> authentication_options(const CloudTransport& cloud, const CloudOptions& o) {
  bj::object o2 = KB_TRY(post_json(cloud, "/" + o.tenant + "/webauthn/authentication/options",
                                   {{"username", o.user}}, Route::kAssertion));
  AuthOptions out;
  auto id = json::get_string(o2, "challenge_id");
  auto pk = json::get_object(o2, "publicKey");
  if (!id || !pk) return Error(SigninErrc::kBadReply, "authentication options");
  auto rp = json::get_string(**pk, "rpId");
  if (!rp) return Error(SigninErrc::kBadReply, "authentication options: rpId");
  out.challenge_id = std::move(*id);
  out.public_key = **pk;
  out.rp_id = std::move(*rp);
  return out;
}

Result<std::string> assert_over(Authenticator& auth, const CloudOptions& o, bj::object public_key,
                                const std::string& challenge, HmacSecretExchange* hmac_secret) {
  public_key["challenge"] = challenge;
  // Sign-in requires user verification (PIN or biometrics), whatever the options said.
  public_key["userVerification"] = "required";
  WebauthnClient client(auth, o.origin);
  auto r = client.get(json::serialize(public_key), o.pin, hmac_secret);
  // The key holds no credential among the user's registered ones (allowCredentials): to
  // the person, the same as the cloud refusing an unknown key.
  if (!r && r.error().is(AuthenticatorErrc::kNoCredentials)) {
    return Error(SigninErrc::kKeyNotRegistered,
                 "the security key has none of " + o.user + "'s credentials");
  }
  return r;
}

Result<DeviceState> register_device(const CloudOptions& o, Authenticator& auth,
                                    const CloudTransport& cloud) {
  AuthOptions opts = KB_TRY(authentication_options(cloud, o));
  auto challenge = json::get_string(opts.public_key, "challenge");
  if (!challenge) return Error(SigninErrc::kBadReply, "authentication options: challenge");
  std::string assertion = KB_TRY(assert_over(auth, o, opts.public_key, *challenge));
  DeviceState s;
  // The cloud verifies the device-signed PRT request by the certified key's type: RS256 for
  // RSA, ES256 for P-256 (cloud/prt.cc).
  s.device_key = o.device_key_type == crypto::KeyType::kEcP256
                     ? KB_TRY(crypto::PrivateKey::generate_ec_p256())
                     : KB_TRY(crypto::PrivateKey::generate_rsa(2048));
  // MS-DRS: the transport key is RSA (the session key comes back RSA-OAEP wrapped).
  s.transport_key = KB_TRY(crypto::PrivateKey::generate_rsa(2048));
  const Bytes dk = KB_TRY(KB_TRY(s.device_key.public_key()).to_spki_der());
  const Bytes tk = KB_TRY(KB_TRY(s.transport_key.public_key()).to_spki_der());
  auto assertion_json = json::parse(assertion);
  if (!assertion_json) return Error(SigninErrc::kBadReply, "assertion is not JSON");
  bj::object reply = KB_TRY(post_json(cloud, "/" + o.tenant + "/devices",
                                      {{"username", o.user},
                                       {"challenge_id", opts.challenge_id},
                                       {"assertion", *assertion_json},
                                       {"device_key", base64url_encode(dk)},
                                       {"transport_key", base64url_encode(tk)},
                                       {"display_name", o.device_name}},
                                      Route::kAssertion));
  auto id = json::get_string(reply, "device_id");
  auto cert = json::get_string(reply, "certificate");
  if (!id || id->empty() || !cert) return Error(SigninErrc::kBadReply, "device registration");
  auto der = base64_decode(*cert);
  if (!der) return Error(SigninErrc::kBadReply, "device certificate is not base64");
  s.device_id = std::move(*id);
  s.device_certificate = std::move(*der);
  s.tenant = o.tenant;
  s.cloud_url = o.cloud_url;
  s.user = o.user;
  s.rp_id = opts.rp_id;
  s.origin = o.origin;
  return s;
}

Result<std::string> fetch_nonce(const CloudTransport& cloud, const std::string& tenant) {
  std::string body = KB_TRY(
      post_form(cloud, "/" + tenant + "/oauth2/token", "grant_type=srv_challenge", Route::kToken));
  auto n = read_nonce_response(body);
  if (!n) return Error(SigninErrc::kBadReply, "nonce: " + n.error().to_string());
  return std::move(*n);
}

}  // namespace kb::client::detail
