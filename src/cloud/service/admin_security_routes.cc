// The admin API, part two: a user's temporary access passes and security keys, and
// devices. Every route authenticates with authenticate_admin() and acts only for the
// token's tenant; an object of another tenant is simply not found.
#include "base/base64.h"
#include "base/http_form.h"
#include "base/json.h"
#include "cloud/errors.h"
#include "cloud/service/access_pass.h"
#include "cloud/service/admin_internal.h"
#include "cloud/service/admin_parse.h"
#include "cloud/service/device_registration.h"
#include "cloud/service/signin_common.h"

namespace kb::cloud::admin {
namespace {

namespace bj = boost::json;
using P = const http::PathParams&;
using Q = const http::Request&;
using T = const std::string&;

http::Response no_content() {
  http::Response r;
  r.status = 204;
  return r;
}

// --- Temporary access passes.

bj::object pass_json(const store::TemporaryAccessPass& p) {
  return bj::object{{"id", p.id},
                    {"one_time", p.one_time},
                    {"starts_at", format_rfc3339(p.starts_at)},
                    {"expires_at", format_rfc3339(p.expires_at)},
                    {"used_at", optional_time(p.used_at)},
                    {"created", format_rfc3339(p.created)}};
}

Result<http::Response> create_pass(ServiceContext& ctx, Q req, P p, T tenant) {
  const bj::object o = KB_TRY(
      json::parse_object(req.body.empty() ? "{}" : req.body, {.max_bytes = 4096, .max_depth = 2}));
  for (const auto& kv : o) {
    if (kv.key() != "lifetime_seconds" && kv.key() != "one_time") {
      return Error(CloudErrc::kBadRequest, "unknown access pass member");
    }
  }
  const SysTime now = ctx.clock.now();
  const SecretString secret = new_access_pass(ctx.rng);
  const std::string id = store::new_uuid(ctx.rng);
  store::TemporaryAccessPass pass;
  KB_CHECK(ctx.store.transact([&](store::CloudTxn& t) -> Result<void> {
    const store::CloudUser u = KB_TRY(user_by_upn(t, tenant, p.at("upn")));
    const store::TenantPolicy pol = KB_TRY(t.policy(tenant));
    const std::int64_t life = KB_TRY(get_int_in(o, "lifetime_seconds", kMinPassLifetimeS,
                                                kMaxPassLifetimeS, pol.tap_default_lifetime_s));
    bool one_time = pol.tap_default_one_time;
    if (o.contains("one_time")) one_time = KB_TRY(json::get_bool(o, "one_time"));
    pass = store::TemporaryAccessPass{tenant,
                                      u.id,
                                      id,
                                      access_pass_hash(secret.reveal()),
                                      one_time,
                                      now,
                                      now + std::chrono::seconds(life),
                                      std::nullopt,
                                      now};
    return t.create_access_pass(pass);
  }));
  bj::object out = pass_json(pass);
  out["pass"] = std::string(secret.reveal());  // shown this once; Cache-Control: no-store
  return http::json_response(201, out);
}

Result<http::Response> list_passes(ServiceContext& ctx, P p, T tenant) {
  std::vector<store::TemporaryAccessPass> passes;
  KB_CHECK(ctx.store.read([&](store::CloudTxn& t) -> Result<void> {
    const store::CloudUser u = KB_TRY(user_by_upn(t, tenant, p.at("upn")));
    passes = KB_TRY(t.access_passes(tenant, u.id));
    return ok();
  }));
  bj::array arr;
  for (const auto& x : passes) arr.push_back(pass_json(x));
  return http::json_response(200, bj::object{{"access_passes", std::move(arr)}});
}

Result<http::Response> delete_pass(ServiceContext& ctx, P p, T tenant) {
  KB_CHECK(ctx.store.transact([&](store::CloudTxn& t) -> Result<void> {
    const store::CloudUser u = KB_TRY(user_by_upn(t, tenant, p.at("upn")));
    const auto passes = KB_TRY(t.access_passes(tenant, u.id));
    for (const auto& x : passes) {
      if (x.id == p.at("id")) return t.delete_access_pass(tenant, x.id);
    }
    return Error(store::Errc::kNotFound, "no such access pass for the user");
  }));
  return no_content();
}

// --- Security keys (WebAuthn credentials).

bj::object credential_json(const store::WebAuthnCredential& c) {
  bj::array transports;
  for (const auto& t : c.transports) transports.push_back(bj::string(t));
  return bj::object{{"credential_id", base64url_encode(c.credential_id)},
                    {"name", c.friendly_name},
                    {"aaguid", format_aaguid(c.aaguid)},
                    {"created", format_rfc3339(c.created)},
                    {"last_used", optional_time(c.last_used)},
                    {"backup_eligible", c.backup_eligible},
                    {"backup_state", c.backup_state},
                    {"attestation_format", c.attestation_format},
                    {"sign_count", c.sign_count},
                    {"possibly_cloned", c.possibly_cloned},
                    {"transports", std::move(transports)}};
}

Result<http::Response> list_credentials(ServiceContext& ctx, P p, T tenant) {
  std::vector<store::WebAuthnCredential> creds;
  KB_CHECK(ctx.store.read([&](store::CloudTxn& t) -> Result<void> {
    const store::CloudUser u = KB_TRY(user_by_upn(t, tenant, p.at("upn")));
    creds = KB_TRY(t.credentials_by_user(tenant, u.id));
    return ok();
  }));
  bj::array arr;
  for (const auto& c : creds) arr.push_back(credential_json(c));
  return http::json_response(200, bj::object{{"credentials", std::move(arr)}});
}

Result<Bytes> credential_id_param(P p) {
  auto id = base64url_decode(p.at("credential_id"));
  if (!id || id->empty() || id->size() > 1023) {
    return Error(CloudErrc::kBadRequest, "credential id is not base64url");
  }
  return std::move(*id);
}

// Runs `change` on the credential `{credential_id}` of user `{upn}`; kNotFound when it is
// not that user's (or not this tenant's).
Result<http::Response> change_credential(
    ServiceContext& ctx, P p, T tenant,
    const std::function<Result<void>(store::CloudTxn&, ByteView)>& change) {
  const Bytes id = KB_TRY(credential_id_param(p));
  KB_CHECK(ctx.store.transact([&](store::CloudTxn& t) -> Result<void> {
    const store::CloudUser u = KB_TRY(user_by_upn(t, tenant, p.at("upn")));
    const auto c = KB_TRY(t.credential(tenant, id));
    if (!c || c->user_id != u.id) return Error(store::Errc::kNotFound, "no such credential");
    return change(t, id);
  }));
  return no_content();
}

Result<http::Response> delete_credential(ServiceContext& ctx, P p, T tenant) {
  return change_credential(ctx, p, tenant, [&](store::CloudTxn& t, ByteView id) {
    return t.delete_credential(tenant, id);
  });
}

// DESIGN: clearing the mark keeps the stored counter (the highest one seen), so of two
// authenticators holding the key only the one ahead signs in; an admin who cannot tell
// them apart deletes the key instead.
Result<http::Response> clear_clone_flag(ServiceContext& ctx, P p, T tenant) {
  return change_credential(ctx, p, tenant, [&](store::CloudTxn& t, ByteView id) {
    return t.set_credential_possibly_cloned(tenant, id, false);
  });
}

// --- Devices.

bj::object device_json(const store::Device& d) {
  return bj::object{{"id", d.id},
                    {"display_name", d.display_name},
                    {"join_type", d.join_type == store::JoinType::kHybrid ? "hybrid" : "cloud"},
                    {"registered_by", d.registered_by},
                    {"enabled", d.enabled},
                    {"created", format_rfc3339(d.created)},
                    {"last_seen", optional_time(d.last_seen)}};
}

Result<http::Response> list_devices(ServiceContext& ctx, Q req, T tenant) {
  const http::Fields q = KB_TRY(http::parse_query(req.query()));
  if (q.size() != 1) return Error(CloudErrc::kBadRequest, "devices are listed per user");
  const std::string upn(KB_TRY(q.unique("user")));
  std::vector<store::Device> devices;
  KB_CHECK(ctx.store.read([&](store::CloudTxn& t) -> Result<void> {
    const store::CloudUser u = KB_TRY(user_by_upn(t, tenant, upn));
    devices = KB_TRY(t.devices_by_user(tenant, u.id));
    return ok();
  }));
  bj::array arr;
  for (const auto& d : devices) arr.push_back(device_json(d));
  return http::json_response(200, bj::object{{"devices", std::move(arr)}});
}

// Hybrid join (MS-DRS: a domain-joined computer registered by the directory side, not by a
// user's security key): POST /api/v1/devices {username, device_key, transport_key,
// display_name} -> 201 the device and its certificate from the tenant CA. The keys are
// checked exactly as on POST /{tenant}/devices. DESIGN: `username` names the user the
// device is registered for (registered_by, so GET /api/v1/devices?user= lists it); it must
// exist in the token's tenant, and may be disabled (the device is the machine's identity,
// sign-in still refuses a disabled user).
Result<http::Response> hybrid_join(ServiceContext& ctx, Q req, T tenant) {
  const bj::object body =
      KB_TRY(json::parse_object(req.body, {.max_bytes = 16 << 10, .max_depth = 2}));
  for (const auto& kv : body) {
    if (kv.key() != "username" && kv.key() != "device_key" && kv.key() != "transport_key" &&
        kv.key() != "display_name") {
      return Error(CloudErrc::kBadRequest, "unknown device member");
    }
  }
  const std::string upn = KB_TRY(required_string(body, "username", 256));
  const std::string display_name = KB_TRY(required_string(body, "display_name", kMaxDisplayName));
  KB_CHECK(check_text("display_name", display_name, kMaxDisplayName));
  DeviceKeys keys = KB_TRY(read_device_keys(body));
  store::CloudUser user;
  KB_CHECK(ctx.store.read([&](store::CloudTxn& t) -> Result<void> {
    user = KB_TRY(user_by_upn(t, tenant, upn));
    return ok();
  }));
  const NewDevice d = KB_TRY(
      create_device(ctx, tenant, user.id, display_name, std::move(keys), store::JoinType::kHybrid));
  bj::object out = device_json(d.device);
  out["certificate"] = base64_encode(d.certificate);
  return http::json_response(201, out);
}

Result<std::string> device_id(P p) {
  const std::string& id = p.at("id");
  KB_CHECK(check_text("device id", id, 64));
  return id;
}

}  // namespace

void add_access_pass_routes(http::Router& r, ServiceContext& ctx) {
  add_admin_route(r, ctx, "POST", "/api/v1/users/{upn}/access-passes",
                  [&ctx](Q q, P p, T t) { return create_pass(ctx, q, p, t); });
  add_admin_route(r, ctx, "GET", "/api/v1/users/{upn}/access-passes",
                  [&ctx](Q, P p, T t) { return list_passes(ctx, p, t); });
  add_admin_route(r, ctx, "DELETE", "/api/v1/users/{upn}/access-passes/{id}",
                  [&ctx](Q, P p, T t) { return delete_pass(ctx, p, t); });
}

void add_credential_routes(http::Router& r, ServiceContext& ctx) {
  add_admin_route(r, ctx, "GET", "/api/v1/users/{upn}/credentials",
                  [&ctx](Q, P p, T t) { return list_credentials(ctx, p, t); });
  add_admin_route(r, ctx, "DELETE", "/api/v1/users/{upn}/credentials/{credential_id}",
                  [&ctx](Q, P p, T t) { return delete_credential(ctx, p, t); });
  add_admin_route(r, ctx, "POST",
                  "/api/v1/users/{upn}/credentials/{credential_id}/clear-clone-flag",
                  [&ctx](Q, P p, T t) { return clear_clone_flag(ctx, p, t); });
}

void add_device_routes(http::Router& r, ServiceContext& ctx) {
  add_admin_route(r, ctx, "GET", "/api/v1/devices",
                  [&ctx](Q q, P, T t) { return list_devices(ctx, q, t); });
  add_admin_route(r, ctx, "POST", "/api/v1/devices",
                  [&ctx](Q q, P, T t) { return hybrid_join(ctx, q, t); });
  add_admin_route(r, ctx, "POST", "/api/v1/devices/{id}/disable",
                  [&ctx](Q, P p, T t) -> Result<http::Response> {
                    const std::string id = KB_TRY(device_id(p));
                    KB_CHECK(ctx.store.transact([&](store::CloudTxn& x) -> Result<void> {
                      KB_CHECK(x.set_device_enabled(t, id, false));
                      KB_CHECK(x.revoke_prts_for_device(t, id));
                      return ok();
                    }));
                    return no_content();
                  });
  add_admin_route(r, ctx, "POST", "/api/v1/devices/{id}/enable",
                  [&ctx](Q, P p, T t) -> Result<http::Response> {
                    const std::string id = KB_TRY(device_id(p));
                    KB_CHECK(ctx.store.transact(
                        [&](store::CloudTxn& x) { return x.set_device_enabled(t, id, true); }));
                    return no_content();
                  });
  add_admin_route(r, ctx, "DELETE", "/api/v1/devices/{id}",
                  [&ctx](Q, P p, T t) -> Result<http::Response> {
                    const std::string id = KB_TRY(device_id(p));
                    KB_CHECK(ctx.store.transact([&](store::CloudTxn& x) -> Result<void> {
                      KB_CHECK(x.revoke_prts_for_device(t, id));
                      return x.delete_device(t, id);  // its PRT rows go with it
                    }));
                    return no_content();
                  });
}

}  // namespace kb::cloud::admin
