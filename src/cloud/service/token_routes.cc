// The token endpoint (MS-OAPXBC §3.2.5.1; digest F; cloud/prt.h has the wire shapes):
//   POST /{tenant}/oauth2/token  grant_type=srv_challenge                -> {"Nonce": ...}
//   POST /{tenant}/oauth2/token  grant_type=...:jwt-bearer request=<JWT> [tgt=true]
// A request JWT with x5c in its header is a first sign-in (device certificate + WebAuthn
// assertion over the nonce); one without is a refresh (HS256 under the PRT session key).
#include <string>

#include "base/base64.h"
#include "base/http_form.h"
#include "cloud/errors.h"
#include "cloud/prt.h"
#include "cloud/service/device_ca.h"
#include "cloud/service/kerberos_servers.h"
#include "cloud/service/signin_assertion.h"
#include "cloud/service/signin_common.h"
#include "cloud/service/signin_routes.h"
#include "cloud/service/token_grant.h"
#include "crypto/device_cert.h"
#include "jose/jws.h"

namespace kb::cloud {
namespace {

constexpr std::size_t kMaxTokenForm = 256 * 1024;

// grant_type=srv_challenge: a single-use nonce (purpose prt_nonce). It is 32 random bytes,
// base64url; those bytes are the WebAuthn challenge the first sign-in assertion signs.
Result<http::Response> nonce(ServiceContext& ctx, std::string_view tenant_id) {
  Bytes bytes(32);
  ctx.rng.fill(bytes);
  const std::string n = base64url_encode(bytes);
  store::Challenge ch{std::string(tenant_id),
                      n,
                      store::ChallengePurpose::kPrtNonce,
                      "",
                      bytes,
                      ctx.clock.now() + ctx.config.nonce_lifetime,
                      "{}"};
  KB_CHECK(ctx.store.transact([&](store::CloudTxn& t) { return t.put_challenge(ch); }));
  http::Response r = http::json_response(200, boost::json::object{{"Nonce", n}});
  r.headers.set("Cache-Control", "no-store");
  return r;
}

// Takes the nonce (single use); its stored bytes.
Result<Bytes> take_nonce(ServiceContext& ctx, std::string_view tenant_id, std::string_view n) {
  std::optional<store::Challenge> ch;
  KB_CHECK(ctx.store.transact([&](store::CloudTxn& t) -> Result<void> {
    ch =
        KB_TRY(t.take_challenge(tenant_id, n, store::ChallengePurpose::kPrtNonce, ctx.clock.now()));
    return ok();
  }));
  if (!ch) return Error(CloudErrc::kInvalidGrant, "unknown, used or expired nonce");
  return std::move(ch->challenge);
}

Result<store::Device> usable_device(ServiceContext& ctx, std::string_view tenant_id,
                                    std::string_view device_id) {
  std::optional<store::Device> d;
  KB_CHECK(ctx.store.read([&](store::CloudTxn& t) -> Result<void> {
    d = KB_TRY(t.device(tenant_id, device_id));
    return ok();
  }));
  if (!d) return Error(CloudErrc::kInvalidGrant, "no such device in the tenant");
  if (!d->enabled) return Error(CloudErrc::kInvalidGrant, "the device is disabled");
  return std::move(*d);
}

// First sign-in (reference 000 step 1): the device certificate chains to the tenant CA,
// names an enabled device of this tenant whose key it certifies; the nonce is taken and is
// the challenge of the WebAuthn assertion, which must be by a key of the named user.
Result<GrantSubject> first_sign_in(ServiceContext& ctx, std::string_view tenant_id,
                                   std::string_view jwt) {
  const auto ca = KB_TRY(decoded_device_ca(ctx, tenant_id));
  if (!ca) return Error(CloudErrc::kInvalidGrant, "the tenant has no device CA");
  const auto req =
      KB_TRY(verify_device_prt_request(jwt, *ca, ctx.clock.now(), *ctx.keys, *ctx.device_certs));
  auto device = KB_TRY(usable_device(ctx, tenant_id, req.device_id));
  // The certified key bytes against the registered ones (no key re-encoding per request).
  if (KB_TRY(req.certificate.spki_der()) != device.device_key) {
    return Error(CloudErrc::kInvalidGrant, "the certificate's key is not the device's");
  }
  const Bytes challenge = KB_TRY(take_nonce(ctx, tenant_id, req.request_nonce));
  const auto user = KB_TRY(signin_user_by_upn(ctx, tenant_id, req.username));
  auto signed_in =
      KB_TRY(check_sign_in_assertion(ctx, tenant_id, {req.assertion, challenge, {}, user.id}));
  auto transport = KB_TRY(ctx.keys->from_spki_der(device.transport_key));
  SecretBytes session(32);
  ctx.rng.fill(session.reveal_mutable());
  return GrantSubject{std::move(signed_in.user),
                      std::move(device),
                      std::move(session),
                      std::move(transport),
                      {},
                      std::move(signed_in.credential_id),
                      std::move(signed_in.public_key_cose)};
}

// Refresh (reference 000 step 3): the PRT is known, live and bound to an enabled device;
// the request is signed with its session key and carries a fresh nonce.
Result<GrantSubject> refresh(ServiceContext& ctx, std::string_view tenant_id,
                             std::string_view jws) {
  const auto named = KB_TRY(peek_refresh_token(jws));
  const Bytes hash = crypto::sha256(as_bytes(named));
  std::optional<store::PrimaryRefreshToken> prt;
  std::optional<store::CloudUser> user;
  KB_CHECK(ctx.store.read([&](store::CloudTxn& t) -> Result<void> {
    prt = KB_TRY(t.prt(tenant_id, hash));
    if (prt) user = KB_TRY(t.user_by_id(tenant_id, prt->user_id));
    return ok();
  }));
  const SysTime now = ctx.clock.now();
  if (!prt || prt->revoked || prt->expires_at <= now) {
    return Error(CloudErrc::kInvalidGrant, "unknown, revoked or expired PRT");
  }
  if (!user || !user->enabled) return Error(CloudErrc::kInvalidGrant, "user gone or disabled");
  auto device = KB_TRY(usable_device(ctx, tenant_id, prt->device_id));
  auto session =
      KB_TRY(ctx.master_key.unwrap(prt->session_key_wrapped, prt_session_binding(tenant_id, hash)));
  const auto req = KB_TRY(verify_refresh_prt_request(jws, session, now));
  KB_CHECK(take_nonce(ctx, tenant_id, req.request_nonce));
  return GrantSubject{
      std::move(*user), std::move(device), std::move(session), std::nullopt, hash, {}, {}};
}

// Reference 000 "Known behavior": a user whose synced on-prem password has expired gets
// neither a first PRT nor a refreshed one (nor a partial TGT the DC would refuse anyway).
// Checked only once the grant itself is accepted, so that the answer tells nothing about
// a user to a caller who has not proved a key or a PRT.
Result<void> check_password_not_expired(const store::CloudUser& user, SysTime now) {
  if (user.password_expires_at && *user.password_expires_at <= now) {
    return Error(CloudErrc::kPasswordExpired, "the on-prem password has expired");
  }
  return ok();
}

Result<http::Response> jwt_bearer(ServiceContext& ctx, std::string_view tenant_id,
                                  const http::Fields& form) {
  const auto request = KB_TRY(form.unique("request"));
  const bool want_tgt = form.first("tgt") == std::optional<std::string_view>("true");
  const auto jws = jose::parse_jws(request);
  if (!jws) return grant_error(jws.error());
  auto subject = jws->header.contains("x5c") ? first_sign_in(ctx, tenant_id, request)
                                             : refresh(ctx, tenant_id, request);
  if (!subject) return grant_error(subject.error());
  KB_CHECK(check_password_not_expired(subject->user, ctx.clock.now()));
  auto body = KB_TRY(issue_prt(ctx, tenant_id, std::move(*subject), want_tgt));
  http::Response r;
  r.status = 200;
  r.headers.set("Content-Type", "application/json");
  r.headers.set("Cache-Control", "no-store");
  r.body = std::move(body);
  return r;
}

Result<http::Response> token(ServiceContext& ctx, const http::Request& request,
                             std::string_view tenant_id) {
  const auto type = request.headers.get("Content-Type");
  if (!type ||
      !http::iequals(type->substr(0, type->find(';')), "application/x-www-form-urlencoded")) {
    return Error(CloudErrc::kBadRequest, "the token endpoint takes a form");
  }
  http::FormLimits limits;
  limits.max_total_bytes = kMaxTokenForm;
  const auto form = KB_TRY(http::parse_form(request.body, limits));
  const auto grant_type = KB_TRY(form.unique("grant_type"));
  if (grant_type == kGrantSrvChallenge) return nonce(ctx, tenant_id);
  if (grant_type == kGrantJwtBearer) return jwt_bearer(ctx, tenant_id, form);
  return Error(CloudErrc::kBadRequest, "unsupported grant_type");
}

}  // namespace

http::Response handle_token(ServiceContext& ctx, const http::Request& request,
                            std::string_view tenant_id) {
  auto r = token(ctx, request, tenant_id);
  if (!r) return problem_for(r.error());
  return std::move(*r);
}

}  // namespace kb::cloud
