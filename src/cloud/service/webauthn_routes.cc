// WebAuthn ceremonies of the sign-in service (WebAuthn 7.1, 7.2; digest F):
//   POST /{tenant}/webauthn/registration/options  {username, access_pass}
//                                               | {username, challenge_id, assertion}
//   POST /{tenant}/webauthn/registration          {challenge_id, credential, name?}
//   POST /{tenant}/webauthn/authentication/options {username?}
#include "base/base64.h"
#include "base/json.h"
#include "cloud/errors.h"
#include "cloud/service/signin_common.h"
#include "cloud/service/signin_routes.h"
#include "crypto/crypto.h"
#include "webauthn/attestation.h"
#include "webauthn/errc.h"
#include "webauthn/options.h"
#include "webauthn/registration.h"

namespace kb::cloud {
namespace {

namespace wa = webauthn;

Result<boost::json::value> registration_options(ServiceContext& ctx, const http::Request& request,
                                                std::string_view tenant_id) {
  const auto body = KB_TRY(read_json_body(request));
  const auto username = KB_TRY(required_string(body, "username"));
  const auto user = KB_TRY(signin_user_by_upn(ctx, tenant_id, username));
  if (body.contains("access_pass")) {
    const auto pass = KB_TRY(required_string(body, "access_pass"));
    KB_CHECK(consume_user_access_pass(ctx, tenant_id, user, pass));
  } else {
    KB_TRY(check_user_key_assertion(ctx, tenant_id, user, body));
  }
  return issue_registration_options(ctx, tenant_id, user);
}

Result<std::vector<wa::Aaguid>> aaguids(const std::vector<Bytes>& list) {
  std::vector<wa::Aaguid> out;
  for (const auto& b : list) {
    if (b.size() != 16) return Error(CloudErrc::kInternal, "stored AAGUID is not 16 bytes");
    wa::Aaguid a{};
    std::copy(b.begin(), b.end(), a.begin());
    out.push_back(a);
  }
  return out;
}

// Attestation and AAGUID refusals are the tenant policy's; the rest a bad request.
Error registration_error(const Error& e) {
  if (e.is(wa::WebauthnErrc::kAttestationRequired) || e.is(wa::WebauthnErrc::kAaguidBlocked) ||
      e.is(wa::WebauthnErrc::kUntrustedAttestation)) {
    return Error(CloudErrc::kPolicy, e.detail());
  }
  return e;
}

// WebAuthn 7.1 step 27: what is kept of a verified registration.
store::WebAuthnCredential credential_row(std::string_view tenant_id, const std::string& user_id,
                                         const wa::RegistrationResult& r, const std::string& name,
                                         SysTime now) {
  store::WebAuthnCredential c;
  c.tenant_id = std::string(tenant_id);
  c.user_id = user_id;
  c.credential_id = r.credential_id;
  c.public_key_cose = r.public_key_cose;
  c.alg = static_cast<std::int32_t>(r.alg);
  c.sign_count = r.sign_count;
  c.aaguid = Bytes(r.aaguid.begin(), r.aaguid.end());
  c.attestation_format = r.fmt;
  c.attestation_type = std::string(wa::attestation_type_name(r.attestation_type));
  c.x5c = r.x5c;
  c.backup_eligible = r.backup_eligible;
  c.backup_state = r.backup_state;
  c.uv_initialized = r.user_verified;
  c.transports = r.transports;
  c.friendly_name = name;
  c.created = now;
  return c;
}

Result<boost::json::value> registration(ServiceContext& ctx, const http::Request& request,
                                        std::string_view tenant_id) {
  const auto body = KB_TRY(read_json_body(request));
  const auto challenge_id = KB_TRY(required_string(body, "challenge_id"));
  const auto* credential = body.if_contains("credential");
  if (credential == nullptr || !credential->is_object()) {
    return Error(CloudErrc::kBadRequest, "credential must be a PublicKeyCredential object");
  }
  std::string name = "Security key";
  if (body.contains("name")) name = KB_TRY(required_string(body, "name", kMaxDisplayName));

  const SysTime now = ctx.clock.now();
  std::optional<store::Challenge> ch;
  std::optional<store::CloudUser> user;
  store::TenantPolicy policy;
  KB_CHECK(ctx.store.transact([&](store::CloudTxn& t) -> Result<void> {
    ch = KB_TRY(
        t.take_challenge(tenant_id, challenge_id, store::ChallengePurpose::kRegistration, now));
    if (ch) user = KB_TRY(t.user_by_id(tenant_id, ch->user_id));
    policy = KB_TRY(t.policy(tenant_id));
    return ok();
  }));
  if (!ch) return Error(CloudErrc::kInvalidGrant, "unknown or expired challenge");
  if (!user || !user->enabled) return Error(CloudErrc::kInvalidGrant, "user gone or disabled");

  wa::RegistrationExpectation e;
  e.challenge = ch->challenge;
  e.rp_id = ctx.config.rp_id;
  e.origins = ctx.config.allowed_origins;
  e.require_user_verification = policy.require_user_verification;
  e.now = now;
  wa::AttestationPolicy ap;
  ap.require_attestation = policy.require_attestation;
  ap.aaguid_allow = KB_TRY(aaguids(policy.aaguid_allow));
  ap.aaguid_block = KB_TRY(aaguids(policy.aaguid_block));
  auto r = wa::verify_registration(e, json::serialize(*credential), ap);
  if (!r) return registration_error(r.error());

  const auto c = credential_row(tenant_id, user->id, *r, name, now);
  // 7.1 step 26: a credential id already registered (to anyone in the tenant) is a conflict.
  KB_CHECK(ctx.store.transact([&](store::CloudTxn& t) { return t.add_credential(c); }));
  return boost::json::value{
      {"credential_id", base64url_encode(c.credential_id)}, {"user_id", user->id}, {"name", name}};
}

Result<boost::json::value> authentication_options(ServiceContext& ctx, const http::Request& request,
                                                  std::string_view tenant_id) {
  const auto body = KB_TRY(read_json_body(request));
  std::string user_id;
  std::vector<wa::CredentialDescriptor> allow;
  bool require_uv = true;
  std::optional<std::string> username;
  if (body.contains("username")) username = KB_TRY(required_string(body, "username"));
  KB_CHECK(ctx.store.read([&](store::CloudTxn& t) -> Result<void> {
    require_uv = KB_TRY(t.policy(tenant_id)).require_user_verification;
    if (!username) return ok();
    auto user = KB_TRY(t.user_by_upn(tenant_id, *username));
    // DESIGN: an unknown or disabled user gets discoverable options, so the response
    // does not say whether the name exists; the assertion is refused later.
    if (!user || !user->enabled) return ok();
    user_id = user->id;
    auto creds = KB_TRY(t.credentials_by_user(tenant_id, user->id));
    for (auto& c : creds) {
      allow.push_back({std::move(c.credential_id), std::move(c.transports)});
    }
    return ok();
  }));
  wa::RequestParams p;
  p.rp_id = ctx.config.rp_id;
  p.allow = allow;
  p.user_verification = require_uv ? wa::Requirement::kRequired : wa::Requirement::kPreferred;
  p.timeout = std::chrono::duration_cast<std::chrono::milliseconds>(ctx.config.challenge_lifetime);
  auto options = KB_TRY(wa::make_request_options(p, ctx.rng));
  std::vector<Bytes> ids;
  for (const auto& d : allow) ids.push_back(d.id);
  store::Challenge ch{std::string(tenant_id),
                      random_token(ctx.rng),
                      store::ChallengePurpose::kAuthentication,
                      user_id,
                      options.challenge,
                      ctx.clock.now() + ctx.config.challenge_lifetime,
                      allow_list_json(ids)};
  KB_CHECK(ctx.store.transact([&](store::CloudTxn& t) { return t.put_challenge(ch); }));
  auto public_key = KB_TRY(json::parse(options.json));
  return boost::json::value{{"challenge_id", ch.id}, {"publicKey", std::move(public_key)}};
}

}  // namespace

Result<boost::json::value> issue_registration_options(ServiceContext& ctx,
                                                      std::string_view tenant_id,
                                                      const store::CloudUser& user) {
  std::vector<store::WebAuthnCredential> existing;
  store::TenantPolicy policy;
  KB_CHECK(ctx.store.read([&](store::CloudTxn& t) -> Result<void> {
    existing = KB_TRY(t.credentials_by_user(tenant_id, user.id));
    policy = KB_TRY(t.policy(tenant_id));
    return ok();
  }));
  wa::CreationParams p;
  p.rp_id = ctx.config.rp_id;
  p.rp_name = ctx.config.rp_name;
  p.user_id = user_handle(user);
  p.user_name = user.upn;
  p.user_display_name = user.display_name.empty() ? user.upn : user.display_name;
  for (const auto& c : existing) p.exclude.push_back({c.credential_id, c.transports});
  p.resident_key = wa::Requirement::kPreferred;
  p.user_verification =
      policy.require_user_verification ? wa::Requirement::kRequired : wa::Requirement::kPreferred;
  // An AAGUID rule can only be trusted from an attestation statement.
  const bool want_attestation =
      policy.require_attestation || !policy.aaguid_allow.empty() || !policy.aaguid_block.empty();
  p.attestation = want_attestation ? wa::Conveyance::kDirect : wa::Conveyance::kNone;
  p.timeout = std::chrono::duration_cast<std::chrono::milliseconds>(ctx.config.challenge_lifetime);
  auto options = KB_TRY(wa::make_creation_options(p, ctx.rng));

  store::Challenge ch{std::string(tenant_id),
                      random_token(ctx.rng),
                      store::ChallengePurpose::kRegistration,
                      user.id,
                      options.challenge,
                      ctx.clock.now() + ctx.config.challenge_lifetime,
                      "{}"};
  KB_CHECK(ctx.store.transact([&](store::CloudTxn& t) { return t.put_challenge(ch); }));
  auto public_key = KB_TRY(json::parse(options.json));
  return boost::json::value{{"challenge_id", ch.id}, {"publicKey", std::move(public_key)}};
}

http::Response handle_registration_options(ServiceContext& ctx, const http::Request& request,
                                           std::string_view tenant_id) {
  return respond(registration_options(ctx, request, tenant_id));
}
http::Response handle_registration(ServiceContext& ctx, const http::Request& request,
                                   std::string_view tenant_id) {
  return respond(registration(ctx, request, tenant_id));
}
http::Response handle_authentication_options(ServiceContext& ctx, const http::Request& request,
                                             std::string_view tenant_id) {
  return respond(authentication_options(ctx, request, tenant_id));
}

}  // namespace kb::cloud
