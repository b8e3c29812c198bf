#include "cloud/service/web_session.h"

#include <boost/json.hpp>

#include "base/base64.h"
#include "base/json.h"
#include "cloud/errors.h"
#include "jose/jws.h"
#include "jose/jwt.h"

namespace kb::cloud {
namespace {

namespace bj = boost::json;

// DESIGN: the derivation label names the purpose and its version; the context is the
// tenant, so each tenant's sessions have their own key.
constexpr std::string_view kKeyLabel = "keybridge web session v1";
constexpr std::string_view kIssuer = "keybridge";
constexpr std::string_view kAudience = "keybridge-security-info";
constexpr std::string_view kTyp = "kb-web-session+jwt";
constexpr std::size_t kMaxToken = 2048;
constexpr std::size_t kMaxUserId = 64;
constexpr std::size_t kMaxCredentialId = 1023;

Error unauthorized(std::string detail) {
  return Error(CloudErrc::kUnauthorized, "web session: " + std::move(detail));
}

Result<SecretBytes> session_key(ServiceContext& ctx, std::string_view tenant_id) {
  auto k = ctx.master_key.derive_key(kKeyLabel, as_bytes(tenant_id));
  if (!k) return Error(CloudErrc::kInternal, "web session key: " + k.error().detail());
  return std::move(*k);
}

std::int64_t unix_seconds(SysTime t) {
  return std::chrono::duration_cast<std::chrono::seconds>(t.time_since_epoch()).count();
}

std::string_view amr_of(WebSessionMethod m) {
  return m == WebSessionMethod::kSecurityKey ? "hwk" : "otp";
}

// The claims of a verified token, read into a WebSession.
Result<WebSession> read_claims(const bj::object& c, std::string_view tenant_id) {
  WebSession s;
  auto tid = json::get_string(c, "tid");
  if (!tid || *tid != tenant_id) return unauthorized("tid is not this tenant");
  s.tenant_id = std::move(*tid);
  auto sub = json::get_string(c, "sub");
  if (!sub || sub->empty() || sub->size() > kMaxUserId) return unauthorized("bad sub");
  s.user_id = std::move(*sub);

  const bj::value* amr = c.if_contains("amr");
  if (amr == nullptr || !amr->is_array() || amr->as_array().size() != 1 ||
      !amr->as_array()[0].is_string()) {
    return unauthorized("amr is not one method");
  }
  const std::string_view method = amr->as_array()[0].as_string();
  if (method == "hwk") {
    s.method = WebSessionMethod::kSecurityKey;
    auto cid = json::get_string(c, "cid");
    if (!cid) return unauthorized("a key session without cid");
    auto id = base64url_decode(*cid);
    if (!id || id->empty() || id->size() > kMaxCredentialId) return unauthorized("bad cid");
    s.credential_id = std::move(*id);
  } else if (method == "otp") {
    s.method = WebSessionMethod::kAccessPass;
    if (c.contains("cid")) return unauthorized("a pass session with a cid");
  } else {
    return unauthorized("unknown amr");
  }

  auto iat = jose::numeric_date(c, "iat");
  auto exp = jose::numeric_date(c, "exp");
  if (!iat || !exp || !*iat || !*exp) {
    return unauthorized("iat or exp missing or malformed");
  }
  // Only we sign these, but a token that claims a longer life than we ever give is not
  // ours to honour (e.g. signed under a key from before a lifetime change).
  if (**exp - **iat > kWebSessionLifetime.count() || **exp <= **iat) {
    return unauthorized("lifetime out of range");
  }
  s.issued_at = SysTime(std::chrono::seconds(**iat));
  s.expires_at = SysTime(std::chrono::seconds(**exp));
  return s;
}

}  // namespace

Result<SecretString> issue_web_session(ServiceContext& ctx, std::string_view tenant_id,
                                       std::string_view user_id, WebSessionMethod method,
                                       ByteView credential_id, SysTime* expires_at) {
  const SysTime now = ctx.clock.now();
  const std::int64_t iat = unix_seconds(now);
  const std::int64_t exp = iat + kWebSessionLifetime.count();
  Bytes jti(16);
  ctx.rng.fill(jti);
  bj::object claims{{"iss", kIssuer},
                    {"aud", kAudience},
                    {"tid", tenant_id},
                    {"sub", user_id},
                    {"amr", bj::array{bj::string(amr_of(method))}},
                    {"iat", iat},
                    {"exp", exp},
                    {"jti", base64url_encode(jti)}};
  if (method == WebSessionMethod::kSecurityKey) {
    claims["cid"] = base64url_encode(credential_id);
  }
  const SecretBytes key = KB_TRY(session_key(ctx, tenant_id));
  auto token =
      jose::sign_jws_hs256(bj::object{{"typ", kTyp}}, as_bytes(json::serialize(claims)), key);
  if (!token) return Error(CloudErrc::kInternal, "web session: " + token.error().detail());
  if (expires_at != nullptr) *expires_at = SysTime(std::chrono::seconds(exp));
  return SecretString::adopt(std::move(*token));
}

Result<WebSession> verify_web_session_token(ServiceContext& ctx, std::string_view tenant_id,
                                            std::string_view token) {
  jose::Limits limits;
  limits.max_compact = kMaxToken;
  limits.max_header = 256;
  limits.max_json_depth = 4;
  const SecretBytes key = KB_TRY(session_key(ctx, tenant_id));
  // RFC 8725 3.1: the algorithm is fixed by the key, not chosen by the token.
  auto jws = jose::verify_jws_hs256(token, key, limits);
  if (!jws) return unauthorized(jws.error().detail());
  // RFC 8725 3.11: explicit typing, so no other JWS under this key passes for a session.
  auto typ = json::get_string(jws->header, "typ");
  if (!typ || *typ != kTyp) return unauthorized("wrong typ");
  auto claims = jose::parse_claims(jws->payload, 4096);
  if (!claims) return unauthorized(claims.error().detail());
  jose::ClaimChecks checks;
  checks.skew = kWebSessionSkew;
  checks.issuer = std::string(kIssuer);
  checks.audience = std::string(kAudience);
  checks.require_exp = true;
  checks.require_iat = true;
  auto checked = jose::check_claims(*claims, checks, ctx.clock.now());
  if (!checked) return unauthorized(checked.error().detail());
  return read_claims(*claims, tenant_id);
}

Result<WebCaller> authenticate_web_session(ServiceContext& ctx, const http::Request& request,
                                           std::string_view tenant_id) {
  auto token = http::bearer_token(request);
  if (!token) return unauthorized("no bearer token");
  WebSession s = KB_TRY(verify_web_session_token(ctx, tenant_id, token->reveal()));
  std::optional<store::CloudUser> user;
  std::optional<store::WebAuthnCredential> key;
  KB_CHECK(ctx.store.read([&](store::CloudTxn& t) -> Result<void> {
    user = KB_TRY(t.user_by_id(tenant_id, s.user_id));
    if (s.method == WebSessionMethod::kSecurityKey) {
      key = KB_TRY(t.credential(tenant_id, s.credential_id));
    }
    return ok();
  }));
  if (!user || !user->enabled) return unauthorized("the user is gone or disabled");
  if (s.method == WebSessionMethod::kSecurityKey && (!key || key->user_id != user->id)) {
    return unauthorized("the key that opened the session is gone");
  }
  return WebCaller{std::move(s), std::move(*user)};
}

}  // namespace kb::cloud
