#include "client/webauthn_client.h"

#include "crypto/crypto.h"
#include "webauthn/client_data.h"
#include "webauthn/credential_json.h"
#include "webauthn/options.h"

namespace kb::client {
namespace {

using E = AuthenticatorErrc;

// The host of a "scheme://host[:port]" origin.
std::string_view origin_host(std::string_view origin) {
  auto p = origin.find("://");
  if (p == std::string_view::npos) return {};
  std::string_view rest = origin.substr(p + 3);
  rest = rest.substr(0, rest.find('/'));
  if (!rest.empty() && rest.front() == '[') return rest.substr(0, rest.find(']') + 1);
  return rest.substr(0, rest.find(':'));
}

}  // namespace

Result<void> WebauthnClient::check_rp_id(std::string_view rp_id) const {
  // 5.1.3 step 8 / 5.1.4.1 step 6: rp.id is the origin's effective domain or a registrable
  // suffix of it. (Without a public-suffix list we accept any parent domain.)
  std::string_view host = origin_host(origin_);
  bool fits = host == rp_id ||
              (host.size() > rp_id.size() && host.substr(host.size() - rp_id.size()) == rp_id &&
               host[host.size() - rp_id.size() - 1] == '.');
  if (rp_id.empty() || !fits) {
    return Error(E::kRpIdNotAllowed, "rp id does not fit origin " + origin_);
  }
  return ok();
}

Result<std::string> WebauthnClient::create(std::string_view options_json, const SecretString* pin,
                                           bool hmac_secret) {
  auto parsed = webauthn::parse_creation_options(options_json);
  if (!parsed) return Error(E::kBadOptions, parsed.error().detail());
  const webauthn::CreationParams& p = parsed->params;
  KB_CHECK(check_rp_id(p.rp_id));
  // 5.1.3 step 16: collectedClientData, then its hash.
  std::string cd =
      webauthn::build_client_data("webauthn.create", parsed->challenge, origin_, false);
  MakeCredentialRequest req;
  req.rp_id = p.rp_id;
  req.rp_name = p.rp_name;
  req.client_data_hash = crypto::sha256(as_bytes(cd));
  req.user = {p.user_id, p.user_name, p.user_display_name};
  req.algs = p.algs;
  req.resident_key = p.resident_key != webauthn::Requirement::kDiscouraged;
  req.user_verification = p.user_verification;
  for (const auto& d : p.exclude) req.exclude.push_back(d.id);
  req.attestation_requested = p.attestation != webauthn::Conveyance::kNone;
  req.pin = pin;
  req.hmac_secret = hmac_secret;
  MakeCredentialResponse r = KB_TRY(authenticator_.make_credential(req));
  webauthn::RegistrationResponse out;
  out.id = std::move(r.credential_id);
  out.client_data_json = to_bytes(cd);
  out.attestation_object = std::move(r.attestation_object);
  out.transports = std::move(r.transports);
  return webauthn::to_json(out);
}

Result<std::string> WebauthnClient::get(std::string_view options_json, const SecretString* pin,
                                        HmacSecretExchange* hmac_secret) {
  auto parsed = webauthn::parse_request_options(options_json);
  if (!parsed) return Error(E::kBadOptions, parsed.error().detail());
  const webauthn::RequestParams& p = parsed->params;
  KB_CHECK(check_rp_id(p.rp_id));
  std::string cd = webauthn::build_client_data("webauthn.get", parsed->challenge, origin_, false);
  GetAssertionRequest req;
  req.rp_id = p.rp_id;
  req.client_data_hash = crypto::sha256(as_bytes(cd));
  for (const auto& d : p.allow) req.allow.push_back(d.id);
  req.user_verification = p.user_verification;
  req.pin = pin;
  if (hmac_secret != nullptr) req.hmac_salt = hmac_secret->salt;
  GetAssertionResponse r = KB_TRY(authenticator_.get_assertion(req));
  if (hmac_secret != nullptr) hmac_secret->output = std::move(r.hmac_secret);
  webauthn::AssertionResponse out;
  out.id = std::move(r.credential_id);
  out.client_data_json = to_bytes(cd);
  out.authenticator_data = std::move(r.authenticator_data);
  out.signature = std::move(r.signature);
  out.user_handle = std::move(r.user_handle);
  return webauthn::to_json(out);
}

}  // namespace kb::client
