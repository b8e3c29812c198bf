#include "cloud/service/web_routes.h"

#include <boost/json.hpp>

#include "base/base64.h"
#include "base/json.h"
#include "cloud/errors.h"
#include "cloud/service/admin_internal.h"
#include "cloud/service/admin_parse.h"
#include "cloud/service/signin_common.h"
#include "cloud/service/signin_routes.h"
#include "cloud/service/web_assets.h"
#include "cloud/service/web_session.h"

namespace kb::cloud {
namespace {

namespace bj = boost::json;
using P = const http::PathParams&;
using Q = const http::Request&;
using T = const std::string&;
using WebHandler = std::function<Result<http::Response>(Q, P, T)>;

// The page's policy: only same-origin script, style and fetches; no framing (clickjacking),
// no <base> or form posts elsewhere.
constexpr std::string_view kPageCsp =
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self'; "
    "connect-src 'self'; object-src 'none'; base-uri 'none'; form-action 'none'; "
    "frame-ancestors 'none'";

void hardening_headers(http::Response& r) {
  r.headers.set("X-Content-Type-Options", "nosniff");
  r.headers.set("Referrer-Policy", "no-referrer");
  r.headers.set("X-Frame-Options", "DENY");
}

// Every web route: errors become problems (problem_for), a 401 says how to authenticate
// (RFC 6750 3), library exceptions are caught here, and every answer carries the
// hardening headers.
void add_web_route(http::Router& r, std::string method, std::string_view pattern, WebHandler h) {
  r.add(std::move(method), pattern, http::RouteHandler([h = std::move(h)](Q req, P params) {
          http::Response res;
          try {
            auto out = h(req, params, params.at("tenant"));
            res = out ? std::move(*out) : problem_for(out.error());
          } catch (const std::exception&) {
            res = problem_for(Error(CloudErrc::kInternal, "exception in a web handler"));
          }
          if (res.status == 401) {
            // RFC 6750 3.1: no error code when the request carried no credentials.
            res.headers.set("WWW-Authenticate",
                            req.headers.contains("Authorization")
                                ? "Bearer realm=\"keybridge\", error=\"invalid_token\""
                                : "Bearer realm=\"keybridge\"");
          }
          if (!res.headers.contains("Cache-Control")) res.headers.set("Cache-Control", "no-store");
          hardening_headers(res);
          return res;
        }));
}

http::Response json_ok(int status, const bj::value& v) {
  http::Response r = http::json_response(status, v);
  r.headers.set("Cache-Control", "no-store");
  return r;
}

// --- The page.

// Only a tenant that exists gets a page (any other first segment is a plain 404).
Result<void> check_tenant(ServiceContext& ctx, std::string_view tenant_id) {
  std::optional<store::Tenant> t;
  KB_CHECK(ctx.store.read([&](store::CloudTxn& x) -> Result<void> {
    t = KB_TRY(x.tenant(tenant_id));
    return ok();
  }));
  if (!t) return Error(CloudErrc::kNotFound, "no such tenant");
  return ok();
}

Result<http::Response> asset(ServiceContext& ctx, T tenant, std::string_view type,
                             std::string_view body) {
  KB_CHECK(check_tenant(ctx, tenant));
  http::Response r;
  r.headers.set("Content-Type", std::string(type));
  r.headers.set("Cache-Control", "no-cache");
  r.body = std::string(body);
  return r;
}

// --- Opening a session.

bj::object user_summary(const store::CloudUser& u) {
  return bj::object{{"upn", u.upn},
                    {"display_name", u.display_name.empty() ? u.upn : u.display_name}};
}

Result<http::Response> open_session(ServiceContext& ctx, Q req, T tenant) {
  const bj::object body = KB_TRY(read_json_body(req));
  const std::string username = KB_TRY(required_string(body, "username"));
  const bool with_pass = body.contains("access_pass");
  if (with_pass == (body.contains("assertion") || body.contains("challenge_id"))) {
    return Error(CloudErrc::kBadRequest, "either access_pass or challenge_id and assertion");
  }
  const store::CloudUser user = KB_TRY(signin_user_by_upn(ctx, tenant, username));
  WebSessionMethod method = WebSessionMethod::kAccessPass;
  Bytes credential_id;
  if (with_pass) {
    const std::string pass = KB_TRY(required_string(body, "access_pass", 256));
    KB_CHECK(consume_user_access_pass(ctx, tenant, user, pass));
  } else {
    credential_id = KB_TRY(check_user_key_assertion(ctx, tenant, user, body));
    method = WebSessionMethod::kSecurityKey;
  }
  SysTime expires{};
  const SecretString token =
      KB_TRY(issue_web_session(ctx, tenant, user.id, method, credential_id, &expires));
  bj::object out{{"session", token.reveal()},
                 {"token_type", "Bearer"},
                 {"expires_in", kWebSessionLifetime.count()},
                 {"expires_at", admin::format_rfc3339(expires)},
                 {"method", with_pass ? "access_pass" : "security_key"},
                 {"user", user_summary(user)}};
  out["credential_id"] =
      with_pass ? bj::value(nullptr) : bj::value(base64url_encode(credential_id));
  return json_ok(200, out);
}

// --- With a session.

Result<http::Response> new_key_options(ServiceContext& ctx, Q req, T tenant) {
  const WebCaller caller = KB_TRY(authenticate_web_session(ctx, req, tenant));
  // The body, if any, carries nothing: the session says who the user is.
  if (!req.body.empty()) {
    const bj::object body = KB_TRY(read_json_body(req));
    if (!body.empty()) return Error(CloudErrc::kBadRequest, "registration options take no body");
  }
  return json_ok(200, KB_TRY(issue_registration_options(ctx, tenant, caller.user)));
}

Result<http::Response> new_key(ServiceContext& ctx, Q req, T tenant) {
  KB_CHECK(authenticate_web_session(ctx, req, tenant));
  // The registration challenge is bound to the user it was issued for and its id went
  // only to that user's session (me/registration/options).
  return handle_registration(ctx, req, tenant);
}

bj::object key_json(const store::WebAuthnCredential& c) {
  bj::array transports;
  for (const auto& t : c.transports) transports.emplace_back(t);
  return bj::object{{"credential_id", base64url_encode(c.credential_id)},
                    {"name", c.friendly_name},
                    {"aaguid", admin::format_aaguid(c.aaguid)},
                    {"created", admin::format_rfc3339(c.created)},
                    {"last_used", admin::optional_time(c.last_used)},
                    {"backup_eligible", c.backup_eligible},
                    {"backup_state", c.backup_state},
                    {"transports", std::move(transports)}};
}

Result<http::Response> list_keys(ServiceContext& ctx, Q req, T tenant) {
  const WebCaller caller = KB_TRY(authenticate_web_session(ctx, req, tenant));
  std::vector<store::WebAuthnCredential> keys;
  KB_CHECK(ctx.store.read([&](store::CloudTxn& t) -> Result<void> {
    keys = KB_TRY(t.credentials_by_user(tenant, caller.user.id));
    return ok();
  }));
  bj::array arr;
  for (const auto& k : keys) arr.push_back(key_json(k));
  bj::value current = nullptr;
  if (caller.session.method == WebSessionMethod::kSecurityKey) {
    current = bj::string(base64url_encode(caller.session.credential_id));
  }
  return json_ok(200, bj::object{{"user", user_summary(caller.user)},
                                 {"current", std::move(current)},
                                 {"credentials", std::move(arr)}});
}

Result<http::Response> delete_key(ServiceContext& ctx, Q req, P p, T tenant) {
  const WebCaller caller = KB_TRY(authenticate_web_session(ctx, req, tenant));
  auto id = base64url_decode(p.at("credential_id"));
  if (!id || id->empty() || id->size() > 1023) {
    return Error(CloudErrc::kBadRequest, "credential id is not base64url");
  }
  KB_CHECK(ctx.store.transact([&](store::CloudTxn& t) -> Result<void> {
    const auto c = KB_TRY(t.credential(tenant, *id));
    // Another user's key is exactly as absent as a missing one.
    if (!c || c->user_id != caller.user.id) {
      return Error(CloudErrc::kNotFound, "no such key of the user");
    }
    return t.delete_credential(tenant, *id);
  }));
  http::Response r;
  r.status = 204;
  return r;
}

}  // namespace

void add_web_routes(http::Router& r, ServiceContext& ctx) {
  add_web_route(r, "GET", "/{tenant}/security-info", [&ctx](Q, P, T t) {
    auto res = asset(ctx, t, "text/html; charset=utf-8", security_info_html());
    if (res) res->headers.set("Content-Security-Policy", std::string(kPageCsp));
    return res;
  });
  add_web_route(r, "GET", "/{tenant}/security-info.js", [&ctx](Q, P, T t) {
    return asset(ctx, t, "text/javascript; charset=utf-8", security_info_js());
  });
  add_web_route(r, "GET", "/{tenant}/security-info.css", [&ctx](Q, P, T t) {
    return asset(ctx, t, "text/css; charset=utf-8", security_info_css());
  });
  add_web_route(r, "POST", "/{tenant}/me/session",
                [&ctx](Q q, P, T t) { return open_session(ctx, q, t); });
  add_web_route(r, "POST", "/{tenant}/me/registration/options",
                [&ctx](Q q, P, T t) { return new_key_options(ctx, q, t); });
  add_web_route(r, "POST", "/{tenant}/me/registration",
                [&ctx](Q q, P, T t) { return new_key(ctx, q, t); });
  add_web_route(r, "GET", "/{tenant}/me/credentials",
                [&ctx](Q q, P, T t) { return list_keys(ctx, q, t); });
  add_web_route(r, "DELETE", "/{tenant}/me/credentials/{credential_id}",
                [&ctx](Q q, P p, T t) { return delete_key(ctx, q, p, t); });
}

}  // namespace kb::cloud
