#include "webauthn/options.h"

#include <boost/json.hpp>

#include "base/base64.h"
#include "base/json.h"
#include "webauthn/errc.h"

namespace kb::webauthn {
namespace {

using E = WebauthnErrc;
namespace bj = boost::json;

constexpr std::size_t kMaxDescriptors = 64;

bj::array descriptors_json(const std::vector<CredentialDescriptor>& ds) {
  bj::array a;
  for (const auto& d : ds) {
    bj::object o;
    o["type"] = "public-key";
    o["id"] = base64url_encode(d.id);
    if (!d.transports.empty()) {
      bj::array t;
      for (const auto& s : d.transports) t.emplace_back(s);
      o["transports"] = std::move(t);
    }
    a.emplace_back(std::move(o));
  }
  return a;
}

Bytes fresh_challenge(Rng& rng) {
  Bytes c(kChallengeSize);
  rng.fill(c);
  return c;
}

Result<Requirement> parse_requirement(std::string_view s) {
  if (s == "required") return Requirement::kRequired;
  if (s == "preferred") return Requirement::kPreferred;
  if (s == "discouraged") return Requirement::kDiscouraged;
  return Error(E::kBadJson, "unknown requirement " + std::string(s));
}

Result<Bytes> b64(const bj::object& o, std::string_view key) {
  auto s = json::get_string(o, key);
  if (!s) return Error(E::kBadJson, "missing " + std::string(key));
  auto b = base64url_decode(*s);
  if (!b) return Error(E::kBadJson, std::string(key) + " is not base64url");
  return std::move(b).value();
}

Result<std::vector<CredentialDescriptor>> parse_descriptors(const bj::object& o,
                                                            std::string_view key) {
  std::vector<CredentialDescriptor> out;
  const bj::value* v = o.if_contains(key);
  if (v == nullptr) return out;
  if (!v->is_array() || v->as_array().size() > kMaxDescriptors) {
    return Error(E::kBadJson, std::string(key) + " is not a short array");
  }
  for (const auto& d : v->as_array()) {
    if (!d.is_object()) return Error(E::kBadJson, "descriptor is not an object");
    CredentialDescriptor cd;
    cd.id = KB_TRY(b64(d.as_object(), "id"));
    if (const bj::value* t = d.as_object().if_contains("transports");
        t != nullptr && t->is_array()) {
      for (const auto& s : t->as_array()) {
        if (s.is_string()) cd.transports.emplace_back(s.as_string());
      }
    }
    out.push_back(std::move(cd));
  }
  return out;
}

Result<bj::object> parse_top(std::string_view text) {
  json::Limits limits;
  limits.max_bytes = 64 * 1024;
  limits.max_depth = 8;
  auto o = json::parse_object(text, limits);
  if (!o) return Error(E::kBadJson, "options JSON: " + o.error().detail());
  return std::move(o).value();
}

std::chrono::milliseconds parse_timeout(const bj::object& o) {
  auto t = json::get_int(o, "timeout");
  if (!t || *t <= 0) return std::chrono::milliseconds(300000);
  return std::chrono::milliseconds(*t);
}

}  // namespace

std::string_view requirement_name(Requirement r) {
  switch (r) {
    case Requirement::kRequired:
      return "required";
    case Requirement::kPreferred:
      return "preferred";
    case Requirement::kDiscouraged:
      return "discouraged";
  }
  return "preferred";
}

std::string_view conveyance_name(Conveyance c) {
  switch (c) {
    case Conveyance::kNone:
      return "none";
    case Conveyance::kIndirect:
      return "indirect";
    case Conveyance::kDirect:
      return "direct";
    case Conveyance::kEnterprise:
      return "enterprise";
  }
  return "none";
}

Result<Options> make_creation_options(const CreationParams& p, Rng& rng) {
  if (p.rp_id.empty()) return Error(E::kBadJson, "empty rp id");
  if (p.user_id.empty() || p.user_id.size() > kMaxUserHandle) {
    return Error(E::kBadJson, "user handle must be 1..64 bytes");  // WebAuthn 5.4.3
  }
  if (p.algs.empty()) return Error(E::kBadJson, "no algorithms");
  Options out;
  out.challenge = fresh_challenge(rng);
  bj::object o;
  o["challenge"] = base64url_encode(out.challenge);
  o["rp"] = {{"id", p.rp_id}, {"name", p.rp_name}};
  o["user"] = {{"id", base64url_encode(p.user_id)},
               {"name", p.user_name},
               {"displayName", p.user_display_name}};
  bj::array params;
  for (auto a : p.algs) {
    params.emplace_back(bj::object{{"type", "public-key"}, {"alg", static_cast<int>(a)}});
  }
  o["pubKeyCredParams"] = std::move(params);
  o["timeout"] = p.timeout.count();
  o["excludeCredentials"] = descriptors_json(p.exclude);
  o["authenticatorSelection"] = {{"residentKey", requirement_name(p.resident_key)},
                                 {"requireResidentKey", p.resident_key == Requirement::kRequired},
                                 {"userVerification", requirement_name(p.user_verification)}};
  o["attestation"] = conveyance_name(p.attestation);
  out.json = json::serialize(o);
  return out;
}

Result<Options> make_request_options(const RequestParams& p, Rng& rng) {
  if (p.rp_id.empty()) return Error(E::kBadJson, "empty rp id");
  Options out;
  out.challenge = fresh_challenge(rng);
  bj::object o;
  o["challenge"] = base64url_encode(out.challenge);
  o["rpId"] = p.rp_id;
  o["timeout"] = p.timeout.count();
  o["allowCredentials"] = descriptors_json(p.allow);
  o["userVerification"] = requirement_name(p.user_verification);
  out.json = json::serialize(o);
  return out;
}

Result<ParsedCreation> parse_creation_options(std::string_view text) {
  bj::object o = KB_TRY(parse_top(text));
  ParsedCreation out;
  out.challenge = KB_TRY(b64(o, "challenge"));
  auto rp = json::get_object(o, "rp");
  auto user = json::get_object(o, "user");
  if (!rp || !user) return Error(E::kBadJson, "missing rp or user");
  auto rp_id = json::get_string(**rp, "id");
  if (!rp_id) return Error(E::kBadJson, "missing rp.id");
  out.params.rp_id = *rp_id;
  out.params.rp_name = json::get_optional_string(**rp, "name").value_or("");
  out.params.user_id = KB_TRY(b64(**user, "id"));
  if (out.params.user_id.empty() || out.params.user_id.size() > kMaxUserHandle) {
    return Error(E::kBadJson, "user.id must be 1..64 bytes");
  }
  out.params.user_name = json::get_optional_string(**user, "name").value_or("");
  out.params.user_display_name = json::get_optional_string(**user, "displayName").value_or("");
  auto params = json::get_array(o, "pubKeyCredParams");
  if (!params) return Error(E::kBadJson, "missing pubKeyCredParams");
  out.params.algs.clear();
  for (const auto& p : **params) {
    if (!p.is_object()) continue;
    const bj::value* alg = p.as_object().if_contains("alg");
    if (alg == nullptr || !alg->is_int64()) continue;
    auto a = crypto::cose::alg_from_int(alg->as_int64());
    if (a) out.params.algs.push_back(*a);
  }
  out.params.exclude = KB_TRY(parse_descriptors(o, "excludeCredentials"));
  if (auto sel = json::get_object(o, "authenticatorSelection")) {
    if (auto rk = json::get_optional_string(**sel, "residentKey")) {
      out.params.resident_key = KB_TRY(parse_requirement(*rk));
    }
    if (auto uv = json::get_optional_string(**sel, "userVerification")) {
      out.params.user_verification = KB_TRY(parse_requirement(*uv));
    }
  }
  if (auto att = json::get_optional_string(o, "attestation")) {
    if (*att == "direct") out.params.attestation = Conveyance::kDirect;
    if (*att == "indirect") out.params.attestation = Conveyance::kIndirect;
    if (*att == "enterprise") out.params.attestation = Conveyance::kEnterprise;
  }
  out.params.timeout = parse_timeout(o);
  return out;
}

Result<ParsedRequest> parse_request_options(std::string_view text) {
  bj::object o = KB_TRY(parse_top(text));
  ParsedRequest out;
  out.challenge = KB_TRY(b64(o, "challenge"));
  auto rp_id = json::get_string(o, "rpId");
  if (!rp_id) return Error(E::kBadJson, "missing rpId");
  out.params.rp_id = *rp_id;
  out.params.allow = KB_TRY(parse_descriptors(o, "allowCredentials"));
  if (auto uv = json::get_optional_string(o, "userVerification")) {
    out.params.user_verification = KB_TRY(parse_requirement(*uv));
  }
  out.params.timeout = parse_timeout(o);
  return out;
}

}  // namespace kb::webauthn
