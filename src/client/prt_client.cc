#include "client/prt_client.h"

#include <boost/json.hpp>

#include "base/base64.h"
#include "base/json.h"
#include "cloud/prt.h"
#include "jose/jws.h"
#include "jose/oapxbc.h"

namespace kb::client {
namespace {

Error bad(std::string detail) {
  return Error(Errc::kBadReply, std::move(detail));
}

std::int64_t unix_now(const Clock& clock) {
  return std::chrono::duration_cast<std::chrono::seconds>(clock.now().time_since_epoch()).count();
}

std::string form_body(std::string request, bool tgt) {
  std::vector<std::pair<std::string, std::string>> f{
      {"grant_type", std::string(cloud::kGrantJwtBearer)},
      {"request", std::move(request)},
      {"windows_api_version", "2.0"},
      {"client_info", "1"}};
  if (tgt) f.emplace_back("tgt", "true");
  return form_encode(f);
}

// tgt_ad (a JSON string holding an object) or the documented top-level fields.
struct TgtFields {
  std::string client_key, buffer, realm, error;
  std::int64_t key_type = 0;
};

Result<TgtFields> tgt_fields(const boost::json::object& o) {
  TgtFields t;
  if (auto ad = json::get_optional_string(o, "tgt_ad")) {
    auto inner = json::parse_object(*ad, {.max_bytes = 64 * 1024, .max_depth = 4});
    if (!inner) return bad("tgt_ad is not a JSON object");
    t.client_key = json::get_optional_string(*inner, "clientKey").value_or("");
    t.buffer = json::get_optional_string(*inner, "messageBuffer").value_or("");
    t.realm = json::get_optional_string(*inner, "realm").value_or("");
    t.error = json::get_optional_string(*inner, "error").value_or("");
    auto kt = json::get_int(*inner, "keyType");
    t.key_type = kt ? *kt : 0;
    return t;
  }
  t.client_key = json::get_optional_string(o, "tgt_client_key").value_or("");
  t.buffer = json::get_optional_string(o, "tgt_message_buffer").value_or("");
  t.error = json::get_optional_string(o, "tgt_error_message").value_or("");
  auto kt = json::get_int(o, "tgt_key_type");
  t.key_type = kt ? *kt : 0;
  return t;
}

// The id_token's upn: display only, so its (absent) signature is not checked.
std::string id_token_upn(const boost::json::object& o) {
  auto token = json::get_optional_string(o, "id_token").value_or("");
  const auto a = token.find('.');
  const auto b = token.find('.', a == std::string::npos ? a : a + 1);
  if (a == std::string::npos || b == std::string::npos) return "";
  auto payload = base64url_decode(std::string_view(token).substr(a + 1, b - a - 1));
  if (!payload) return "";
  auto claims = json::parse_object(as_chars(*payload), {.max_bytes = 16 * 1024, .max_depth = 4});
  return claims ? json::get_optional_string(*claims, "upn").value_or("") : "";
}

}  // namespace

std::string form_encode(const std::vector<std::pair<std::string, std::string>>& fields) {
  static constexpr char kHex[] = "0123456789ABCDEF";
  std::string out;
  auto put = [&](std::string_view s) {
    for (const char ch : s) {
      const auto c = static_cast<unsigned char>(ch);
      if (std::isalnum(c) || c == '-' || c == '_' || c == '.' || c == '*') {
        out += static_cast<char>(c);
      } else if (c == ' ') {
        out += '+';
      } else {
        out += '%';
        out += kHex[c >> 4];
        out += kHex[c & 15];
      }
    }
  };
  for (const auto& [name, value] : fields) {
    if (!out.empty()) out += '&';
    put(name);
    out += '=';
    put(value);
  }
  return out;
}

Result<std::string> make_device_prt_request(const crypto::PrivateKey& device_key,
                                            ByteView device_certificate, std::string_view username,
                                            std::string_view nonce, std::string_view assertion_json,
                                            bool tgt, const Clock& clock, Rng& rng) {
  (void)rng;
  auto assertion = json::parse_object(assertion_json);
  if (!assertion) return Error(Errc::kBadReply, "the assertion is not a JSON object");
  const std::int64_t now = unix_now(clock);
  boost::json::object claims{{"client_id", cloud::kBrokerClientId},
                             {"scope", "openid aza ugs"},
                             {"request_nonce", nonce},
                             {"iat", now},
                             {"exp", now + 300},
                             {"grant_type", cloud::kGrantWebauthn},
                             {"username", username},
                             {"assertion", std::move(*assertion)}};
  boost::json::object header{{"typ", "JWT"},
                             {"x5c", boost::json::array{base64_encode(device_certificate)}}};
  const std::string payload = boost::json::serialize(claims);
  // RS256 for an RSA device key, ES256 for a P-256 one; the cloud picks the same from the
  // certified key.
  const jose::JwsAlg alg = device_key.type() == crypto::KeyType::kEcP256 ? jose::JwsAlg::kEs256
                                                                         : jose::JwsAlg::kRs256;
  std::string jwt = KB_TRY(jose::sign_jws(header, as_bytes(payload), alg, device_key));
  return form_body(std::move(jwt), tgt);
}

Result<std::string> make_refresh_prt_request(std::string_view prt, const SecretBytes& session_key,
                                             std::string_view nonce, bool tgt, const Clock& clock,
                                             Rng& rng) {
  const std::int64_t now = unix_now(clock);
  boost::json::object claims{{"client_id", cloud::kBrokerClientId},
                             {"request_nonce", nonce},
                             {"iat", now},
                             {"exp", now + 300},
                             {"grant_type", cloud::kGrantRefreshToken},
                             {"refresh_token", prt}};
  const std::string payload = boost::json::serialize(claims);
  std::string jws = KB_TRY(jose::oapxbc::sign_with_session_key(
      session_key, {{"typ", "JWT"}}, as_bytes(payload), jose::oapxbc::KdfVersion::kV2, rng));
  return form_body(std::move(jws), tgt);
}

Result<std::string> read_nonce_response(std::string_view text) {
  auto o = json::parse_object(text, {.max_bytes = 16 * 1024, .max_depth = 4});
  if (!o) return bad("nonce response is not a JSON object");
  auto nonce = json::get_string(*o, "Nonce");
  if (!nonce || nonce->empty()) return bad("nonce response without Nonce");
  return *nonce;
}

Result<PrtResponse> read_prt_response(std::string_view text,
                                      const crypto::PrivateKey* transport_key,
                                      const SecretBytes* session_key, SysTime now) {
  auto o = json::parse_object(text, {.max_bytes = 256 * 1024, .max_depth = 8});
  if (!o) return bad("PRT response is not a JSON object");
  PrtResponse out;
  auto token_type = json::get_string(*o, "token_type");
  auto prt = json::get_string(*o, "refresh_token");
  auto expires_in = json::get_int(*o, "refresh_token_expires_in");
  if (!token_type || *token_type != "pop" || !prt || prt->empty() || !expires_in ||
      *expires_in <= 0) {
    return bad("PRT response without pop token_type, refresh_token or its lifetime");
  }
  out.refresh_token = *prt;
  out.refresh_token_expires = now + std::chrono::seconds(*expires_in);
  out.upn = id_token_upn(*o);
  if (auto jwe = json::get_optional_string(*o, "session_key_jwe")) {
    if (transport_key == nullptr) return bad("session_key_jwe without a transport key");
    auto key = jose::oapxbc::unwrap_session_key_jwe(*jwe, *transport_key);
    if (!key) return bad("session_key_jwe: " + key.error().to_string());
    out.session_key = std::move(*key);
  }
  const SecretBytes* session = out.session_key ? &*out.session_key : session_key;
  const TgtFields t = KB_TRY(tgt_fields(*o));
  out.tgt_realm = t.realm;
  out.tgt_error = t.error;
  if (t.key_type == 0 || t.client_key.empty() || t.buffer.empty()) return out;
  if (session == nullptr) return bad("TGT fields without a session key");
  auto client_key = jose::oapxbc::decrypt_with_session_key(*session, t.client_key);
  if (!client_key) return bad("tgt client key: " + client_key.error().to_string());
  auto type = crypto::enctype_from_int(static_cast<std::int32_t>(t.key_type));
  if (!type) return bad("tgt key type " + std::to_string(t.key_type) + " not supported");
  auto key = crypto::Key::from_bytes(*type, client_key->reveal());
  if (!key) return bad("tgt client key of the wrong size");
  auto buffer = base64_decode(t.buffer);
  if (!buffer) return bad("tgt message buffer is not base64");
  out.partial_tgt = KB_TRY(open_as_rep(*buffer, *key));
  if (out.tgt_realm.empty()) out.tgt_realm = out.partial_tgt->crealm;
  return out;
}

}  // namespace kb::client
