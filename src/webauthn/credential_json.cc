#include "webauthn/credential_json.h"

#include <boost/json.hpp>

#include "base/base64.h"
#include "base/json.h"
#include "webauthn/errc.h"

namespace kb::webauthn {
namespace {

using E = WebauthnErrc;
namespace bj = boost::json;

constexpr std::size_t kMaxTransports = 16;

Result<bj::object> parse_top(std::string_view text) {
  json::Limits limits;
  limits.max_bytes = 256 * 1024;
  limits.max_depth = 16;
  auto o = json::parse_object(text, limits);
  if (!o) return Error(E::kBadJson, "credential JSON: " + o.error().detail());
  return std::move(o).value();
}

Result<Bytes> b64_member(const bj::object& o, std::string_view key) {
  auto s = json::get_string(o, key);
  if (!s) return Error(E::kBadJson, "missing string member " + std::string(key));
  auto b = base64url_decode(*s);
  if (!b) return Error(E::kBadJson, std::string(key) + " is not base64url");
  return std::move(b).value();
}

// id, rawId, type (WebAuthn 5.1: id is base64url(rawId); 7.1 step 3 / 7.2 step 3 expect a
// PublicKeyCredential of type "public-key").
Result<Bytes> credential_id(const bj::object& o) {
  auto type = json::get_string(o, "type");
  if (!type) return Error(E::kBadJson, "missing type");
  if (*type != "public-key") return Error(E::kBadCredential, "type is not public-key");
  auto id = json::get_string(o, "id");
  if (!id) return Error(E::kBadJson, "missing id");
  Bytes raw = KB_TRY(b64_member(o, "rawId"));
  auto id_bytes = base64url_decode(*id);
  if (!id_bytes || *id_bytes != raw) return Error(E::kBadCredential, "id does not match rawId");
  if (raw.empty()) return Error(E::kBadCredential, "empty credential id");
  return raw;
}

Result<const bj::object*> response_member(const bj::object& o) {
  auto r = json::get_object(o, "response");
  if (!r) return Error(E::kBadJson, "missing response object");
  return *r;
}

Result<std::vector<std::string>> transports(const bj::object& o) {
  std::vector<std::string> out;
  const bj::value* v = o.if_contains("transports");
  if (v == nullptr || v->is_null()) return out;
  if (!v->is_array() || v->as_array().size() > kMaxTransports) {
    return Error(E::kBadJson, "transports is not a short array");
  }
  for (const auto& t : v->as_array()) {
    if (!t.is_string() || t.as_string().size() > 32) {
      return Error(E::kBadJson, "transport is not a short string");
    }
    out.emplace_back(t.as_string());
  }
  return out;
}

bj::array transports_json(const std::vector<std::string>& t) {
  bj::array a;
  for (const auto& s : t) a.emplace_back(s);
  return a;
}

}  // namespace

Result<RegistrationResponse> parse_registration_response(std::string_view text) {
  bj::object o = KB_TRY(parse_top(text));
  RegistrationResponse r;
  r.id = KB_TRY(credential_id(o));
  const bj::object* resp = KB_TRY(response_member(o));
  r.client_data_json = KB_TRY(b64_member(*resp, "clientDataJSON"));
  r.attestation_object = KB_TRY(b64_member(*resp, "attestationObject"));
  // L3 puts transports in response; older clients put them at the top level.
  r.transports = KB_TRY(transports(*resp));
  if (r.transports.empty()) r.transports = KB_TRY(transports(o));
  return r;
}

Result<AssertionResponse> parse_assertion_response(std::string_view text) {
  bj::object o = KB_TRY(parse_top(text));
  AssertionResponse r;
  r.id = KB_TRY(credential_id(o));
  const bj::object* resp = KB_TRY(response_member(o));
  r.client_data_json = KB_TRY(b64_member(*resp, "clientDataJSON"));
  r.authenticator_data = KB_TRY(b64_member(*resp, "authenticatorData"));
  r.signature = KB_TRY(b64_member(*resp, "signature"));
  if (const bj::value* uh = resp->if_contains("userHandle"); uh != nullptr && !uh->is_null()) {
    Bytes h = KB_TRY(b64_member(*resp, "userHandle"));
    if (!h.empty()) r.user_handle = std::move(h);
  }
  return r;
}

std::string to_json(const RegistrationResponse& r) {
  bj::object resp;
  resp["clientDataJSON"] = base64url_encode(r.client_data_json);
  resp["attestationObject"] = base64url_encode(r.attestation_object);
  resp["transports"] = transports_json(r.transports);
  bj::object o;
  o["id"] = base64url_encode(r.id);
  o["rawId"] = base64url_encode(r.id);
  o["type"] = "public-key";
  o["response"] = std::move(resp);
  o["clientExtensionResults"] = bj::object();
  return json::serialize(o);
}

std::string to_json(const AssertionResponse& r) {
  bj::object resp;
  resp["clientDataJSON"] = base64url_encode(r.client_data_json);
  resp["authenticatorData"] = base64url_encode(r.authenticator_data);
  resp["signature"] = base64url_encode(r.signature);
  if (r.user_handle) resp["userHandle"] = base64url_encode(*r.user_handle);
  bj::object o;
  o["id"] = base64url_encode(r.id);
  o["rawId"] = base64url_encode(r.id);
  o["type"] = "public-key";
  o["response"] = std::move(resp);
  o["clientExtensionResults"] = bj::object();
  return json::serialize(o);
}

}  // namespace kb::webauthn
