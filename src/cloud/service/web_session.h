// The security-info page's user session (docs/cloud-web.md). DESIGN: stateless, so any
// front end accepts a session another one opened and the store schema is untouched: a
// JWS HS256 (RFC 7515) over {iss, aud, tid, sub, amr, cid, iat, exp} under a key derived
// from the service master key for the tenant (MasterKey::derive_key, SP 800-108). It is
// returned in the JSON body and sent back as `Authorization: Bearer` (RFC 6750), never
// as a cookie, so a cross-site page cannot ride on it (no CSRF surface).
//
// Being stateless it cannot be revoked, so it is short (10 minutes) and every use
// re-reads the store: the user must still exist and be enabled, and a session opened
// with a security key dies with that key.
#pragma once

#include <chrono>
#include <optional>
#include <string>
#include <string_view>

#include "base/bytes.h"
#include "base/clock.h"
#include "base/http.h"
#include "base/result.h"
#include "base/secret.h"
#include "cloud/service/context.h"
#include "store/cloud.h"

namespace kb::cloud {

inline constexpr std::chrono::seconds kWebSessionLifetime{600};
// Clock difference tolerated between the front end that issued a session and the one
// that checks it.
inline constexpr std::chrono::seconds kWebSessionSkew{30};

// How the user proved who they are (RFC 8176 amr values: "otp" for a temporary access
// pass, "hwk" for a proof of possession of a hardware-bound key).
enum class WebSessionMethod { kAccessPass, kSecurityKey };

struct WebSession {
  std::string tenant_id;
  std::string user_id;
  WebSessionMethod method = WebSessionMethod::kAccessPass;
  Bytes credential_id;  // the key that opened it (kSecurityKey only)
  SysTime issued_at{};
  SysTime expires_at{};
};

// A session for `user_id`, opened now and valid for kWebSessionLifetime.
Result<SecretString> issue_web_session(ServiceContext& ctx, std::string_view tenant_id,
                                       std::string_view user_id, WebSessionMethod method,
                                       ByteView credential_id, SysTime* expires_at = nullptr);

// The token alone: signature under `tenant_id`'s key (so another tenant's token never
// verifies), header typ, iss, aud, tid equal to `tenant_id`, exp in the future, iat not in
// the future, a lifetime no longer than kWebSessionLifetime, the amr/cid pair consistent.
// Every failure is CloudErrc::kUnauthorized (the detail says which check, for logs).
Result<WebSession> verify_web_session_token(ServiceContext& ctx, std::string_view tenant_id,
                                            std::string_view token);

struct WebCaller {
  WebSession session;
  store::CloudUser user;
};

// A request's `Authorization: Bearer` session, verified, and the store re-read: the user
// exists and is enabled, and for a key session the key is still the user's. kUnauthorized
// otherwise.
Result<WebCaller> authenticate_web_session(ServiceContext& ctx, const http::Request& request,
                                           std::string_view tenant_id);

}  // namespace kb::cloud
