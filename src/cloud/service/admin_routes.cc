// The admin API, part one: users synced from on-prem, Kerberos server objects and the
// tenant policy (docs/cloud.md has the reference). Every route authenticates with
// authenticate_admin() and acts only for the token's tenant.
#include <exception>

#include "base/http_form.h"
#include "base/json.h"
#include "cloud/errors.h"
#include "cloud/service/admin_internal.h"
#include "cloud/service/admin_parse.h"
#include "cloud/service/kerberos_servers.h"

namespace kb::cloud {
namespace admin {

namespace bj = boost::json;

void add_admin_route(http::Router& r, ServiceContext& ctx, std::string method,
                     std::string_view pattern, AdminHandler h) {
  r.add(std::move(method), pattern,
        http::RouteHandler(
            [&ctx, h = std::move(h)](const http::Request& req, const http::PathParams& params) {
              try {
                auto tenant = authenticate_admin(ctx, req);
                if (!tenant) return problem_for(tenant.error());
                auto res = h(req, params, *tenant);
                if (!res) return problem_for(res.error());
                return std::move(*res);
              } catch (const std::exception&) {
                return problem_for(Error(CloudErrc::kInternal, "exception in admin handler"));
              }
            }));
}

Result<store::CloudUser> user_by_upn(store::CloudTxn& t, std::string_view tenant_id,
                                     std::string_view upn) {
  auto u = KB_TRY(t.user_by_upn(tenant_id, upn));
  if (!u) return Error(store::Errc::kNotFound, "no such user");
  return std::move(*u);
}

bj::value optional_time(const std::optional<SysTime>& t) {
  if (!t) return nullptr;
  return bj::string(format_rfc3339(*t));
}

bj::object user_json(const store::CloudUser& u) {
  bj::object o;
  o["id"] = u.id;
  o["source_anchor"] = u.source_anchor;
  o["upn"] = u.upn;
  o["domain"] = u.domain;
  o["sam_account_name"] = u.sam_account_name;
  o["object_sid"] = u.object_sid;
  o["enabled"] = u.enabled;
  o["password_expires_at"] = optional_time(u.password_expires_at);
  o["display_name"] = u.display_name;
  o["updated_at"] = format_rfc3339(u.updated_at);
  o["change_seq"] = u.change_seq;
  return o;
}

namespace {

constexpr std::size_t kDefaultPage = 100;
constexpr std::size_t kMaxPage = 1000;

Result<bj::object> body_object(const http::Request& req, std::size_t max_bytes = 64 << 10) {
  return json::parse_object(req.body, {.max_bytes = max_bytes, .max_depth = 4});
}

http::Response no_content() {
  http::Response r;
  r.status = 204;
  return r;
}

// --- Users.

Result<http::Response> put_users(ServiceContext& ctx, const http::Request& req,
                                 const std::string& tenant) {
  std::vector<store::CloudUser> users = KB_TRY(admin::parse_user_upserts(req.body));
  for (auto& u : users) {
    u.tenant_id = tenant;
    u.id = store::new_uuid(ctx.rng);  // kept only for anchors the tenant does not know yet
  }
  const SysTime now = ctx.clock.now();
  std::vector<std::string> ids;
  KB_CHECK(ctx.store.transact([&](store::CloudTxn& t) -> Result<void> {
    ids = KB_TRY(t.upsert_users(tenant, users, now));
    return ok();
  }));
  bj::array out;
  for (std::size_t i = 0; i < users.size() && i < ids.size(); ++i) {
    out.push_back(bj::object{{"source_anchor", users[i].source_anchor}, {"id", ids[i]}});
  }
  return http::json_response(200, bj::object{{"users", std::move(out)}});
}

Result<http::Response> delete_users(ServiceContext& ctx, const http::Request& req,
                                    const std::string& tenant) {
  const std::vector<std::string> anchors = KB_TRY(admin::parse_anchor_list(req.body));
  std::size_t n = 0;
  KB_CHECK(ctx.store.transact([&](store::CloudTxn& t) -> Result<void> {
    n = KB_TRY(t.delete_users(tenant, anchors));
    return ok();
  }));
  return http::json_response(200, bj::object{{"deleted", n}});
}

Result<std::size_t> page_limit(const http::Fields& q) {
  auto l = q.first("limit");
  if (!l) return kDefaultPage;
  if (l->empty() || l->size() > 4) return Error(CloudErrc::kBadRequest, "limit");
  std::size_t v = 0;
  for (char c : *l) {
    if (c < '0' || c > '9') return Error(CloudErrc::kBadRequest, "limit");
    v = v * 10 + static_cast<std::size_t>(c - '0');
  }
  if (v == 0 || v > kMaxPage) return Error(CloudErrc::kBadRequest, "limit range");
  return v;
}

// Without `domain`: users in change order, `after` a change_seq. With `domain`: that
// domain's users in UPN order, `after` a UPN. Either way `next` is the `after` of the
// following page, null on the last one.
Result<http::Response> list_users(ServiceContext& ctx, const http::Request& req,
                                  const std::string& tenant) {
  const http::Fields q = KB_TRY(http::parse_query(req.query()));
  for (const auto& [name, value] : q.entries()) {
    if (name != "domain" && name != "after" && name != "limit") {
      return Error(CloudErrc::kBadRequest, "unknown query parameter");
    }
    if (q.count(name) != 1) return Error(CloudErrc::kBadRequest, "repeated query parameter");
  }
  const std::size_t limit = KB_TRY(page_limit(q));
  const std::string after(q.first("after").value_or(""));
  std::vector<store::CloudUser> users;
  bj::value next = nullptr;
  if (auto d = q.first("domain")) {
    const std::string domain = KB_TRY(admin::parse_domain(*d));
    if (!after.empty()) KB_CHECK(admin::parse_upn(after));
    KB_CHECK(ctx.store.read([&](store::CloudTxn& t) -> Result<void> {
      users = KB_TRY(t.users_by_domain(tenant, domain, store::ascii_lower(after), limit));
      return ok();
    }));
    if (users.size() == limit) next = bj::string(store::ascii_lower(users.back().upn));
  } else {
    std::int64_t seq = 0;
    if (!after.empty()) {
      if (after.size() > 18 || after.find_first_not_of("0123456789") != std::string::npos) {
        return Error(CloudErrc::kBadRequest, "after is not a sequence number");
      }
      seq = std::stoll(after);
    }
    KB_CHECK(ctx.store.read([&](store::CloudTxn& t) -> Result<void> {
      users = KB_TRY(t.users_changed_since(tenant, seq, limit));
      return ok();
    }));
    if (users.size() == limit) next = bj::string(std::to_string(users.back().change_seq));
  }
  bj::array arr;
  for (const auto& u : users) arr.push_back(user_json(u));
  return http::json_response(200, bj::object{{"users", std::move(arr)}, {"next", next}});
}

Result<http::Response> get_user(ServiceContext& ctx, const http::PathParams& p,
                                const std::string& tenant) {
  store::CloudUser u;
  KB_CHECK(ctx.store.read([&](store::CloudTxn& t) -> Result<void> {
    u = KB_TRY(user_by_upn(t, tenant, p.at("upn")));
    return ok();
  }));
  return http::json_response(200, user_json(u));
}

// --- Kerberos server objects. Never any key material in a response.

bj::object server_json(const store::KerberosServer& s) {
  bj::object o;
  o["Id"] = s.branch_id;
  o["DomainDnsName"] = s.domain;
  o["KeyVersion"] = s.key_version;
  o["KeyUpdatedOn"] = format_rfc3339(s.key_updated_on);
  o["KeyUpdatedFrom"] = s.key_updated_from;
  o["EncryptionType"] = s.enctype;
  o["PreviousKeyVersion"] =
      s.previous_key_version ? bj::value(*s.previous_key_version) : bj::value(nullptr);
  o["Created"] = format_rfc3339(s.created);
  return o;
}

Result<http::Response> get_server(ServiceContext& ctx, const std::string& tenant,
                                  const std::string& domain, int status) {
  std::optional<store::KerberosServer> s;
  KB_CHECK(ctx.store.read([&](store::CloudTxn& t) -> Result<void> {
    s = KB_TRY(t.kerberos_server(tenant, domain));
    return ok();
  }));
  if (!s) return Error(store::Errc::kNotFound, "no such Kerberos server object");
  return http::json_response(status, server_json(*s));
}

Result<http::Response> put_server(ServiceContext& ctx, const http::Request& req,
                                  const http::PathParams& p, const std::string& tenant) {
  const std::string domain = KB_TRY(admin::parse_domain(p.at("domain")));
  const bj::object o = KB_TRY(body_object(req));
  store::KerberosServerRecord r;
  r.domain = domain;
  r.branch_id = static_cast<std::uint16_t>(KB_TRY(admin::get_int_in(o, "branch_id", 1, 65535)));
  const auto kvno =
      static_cast<std::uint16_t>(KB_TRY(admin::get_int_in(o, "key_version", 0, 65535)));
  const auto etype = static_cast<std::int32_t>(KB_TRY(admin::get_int_in(o, "enctype", 18, 18, 18)));
  const Bytes key = KB_TRY(admin::get_base64(o, "key"));
  r.current = KB_TRY(wrap_kerberos_server_key(ctx, tenant, domain, kvno, etype, key));
  if (o.contains("previous_key")) {
    const auto pv =
        static_cast<std::uint16_t>(KB_TRY(admin::get_int_in(o, "previous_key_version", 0, 65535)));
    if (pv >= kvno) return Error(CloudErrc::kBadRequest, "previous version not older");
    const Bytes prev = KB_TRY(admin::get_base64(o, "previous_key"));
    r.previous = KB_TRY(wrap_kerberos_server_key(ctx, tenant, domain, pv, etype, prev));
  } else if (o.contains("previous_key_version")) {
    return Error(CloudErrc::kBadRequest, "previous_key_version without previous_key");
  }
  r.key_updated_from = KB_TRY(json::get_string(o, "key_updated_from"));
  KB_CHECK(admin::check_text("key_updated_from", r.key_updated_from, 256));
  const SysTime now = ctx.clock.now();
  // The admin tool sends its directory's KeyUpdatedOn so both sides show the same instant.
  r.key_updated_on = KB_TRY(admin::get_optional_time(o, "key_updated_on")).value_or(now);
  KB_CHECK(ctx.store.transact(
      [&](store::CloudTxn& t) -> Result<void> { return t.put_kerberos_server(tenant, r, now); }));
  return get_server(ctx, tenant, domain, 200);
}

Result<http::Response> rotate_server(ServiceContext& ctx, const http::Request& req,
                                     const http::PathParams& p, const std::string& tenant) {
  const std::string domain = KB_TRY(admin::parse_domain(p.at("domain")));
  const bj::object o = KB_TRY(body_object(req));
  const auto kvno =
      static_cast<std::uint16_t>(KB_TRY(admin::get_int_in(o, "key_version", 0, 65535)));
  const Bytes key = KB_TRY(admin::get_base64(o, "key"));
  const std::string from = KB_TRY(json::get_string(o, "key_updated_from"));
  KB_CHECK(admin::check_text("key_updated_from", from, 256));
  const store::KerberosServerKey k =
      KB_TRY(wrap_kerberos_server_key(ctx, tenant, domain, kvno, 18, key));
  const SysTime updated_on =
      KB_TRY(admin::get_optional_time(o, "key_updated_on")).value_or(ctx.clock.now());
  KB_CHECK(ctx.store.transact([&](store::CloudTxn& t) -> Result<void> {
    return t.rotate_kerberos_server_key(tenant, domain, k, updated_on, from);
  }));
  return get_server(ctx, tenant, domain, 200);
}

Result<http::Response> list_servers(ServiceContext& ctx, const std::string& tenant) {
  std::vector<store::KerberosServer> servers;
  KB_CHECK(ctx.store.read([&](store::CloudTxn& t) -> Result<void> {
    servers = KB_TRY(t.kerberos_servers(tenant));
    return ok();
  }));
  bj::array arr;
  for (const auto& s : servers) arr.push_back(server_json(s));
  return http::json_response(200, bj::object{{"servers", std::move(arr)}});
}

// --- Policy.

bj::object policy_json(const store::TenantPolicy& p) {
  bj::array allow, block;
  for (const auto& a : p.aaguid_allow) allow.push_back(bj::string(admin::format_aaguid(a)));
  for (const auto& a : p.aaguid_block) block.push_back(bj::string(admin::format_aaguid(a)));
  return bj::object{{"require_attestation", p.require_attestation},
                    {"require_user_verification", p.require_user_verification},
                    {"aaguid_allow", std::move(allow)},
                    {"aaguid_block", std::move(block)},
                    {"tap_default_lifetime_seconds", p.tap_default_lifetime_s},
                    {"tap_default_one_time", p.tap_default_one_time},
                    {"prt_lifetime_seconds", p.prt_lifetime_s}};
}

Result<http::Response> get_policy(ServiceContext& ctx, const std::string& tenant) {
  store::TenantPolicy p;
  KB_CHECK(ctx.store.read([&](store::CloudTxn& t) -> Result<void> {
    p = KB_TRY(t.policy(tenant));
    return ok();
  }));
  return http::json_response(200, policy_json(p));
}

}  // namespace
}  // namespace admin

void add_admin_routes(http::Router& r, ServiceContext& ctx) {
  using namespace admin;
  using P = const http::PathParams&;
  using Q = const http::Request&;
  using T = const std::string&;
  add_admin_route(r, ctx, "PUT", "/api/v1/users",
                  [&ctx](Q q, P, T t) { return put_users(ctx, q, t); });
  add_admin_route(r, ctx, "POST", "/api/v1/users/delete",
                  [&ctx](Q q, P, T t) { return delete_users(ctx, q, t); });
  add_admin_route(r, ctx, "GET", "/api/v1/users",
                  [&ctx](Q q, P, T t) { return list_users(ctx, q, t); });
  add_admin_route(r, ctx, "GET", "/api/v1/users/{upn}",
                  [&ctx](Q, P p, T t) { return get_user(ctx, p, t); });

  add_admin_route(r, ctx, "GET", "/api/v1/kerberos-servers",
                  [&ctx](Q, P, T t) { return list_servers(ctx, t); });
  add_admin_route(r, ctx, "GET", "/api/v1/kerberos-servers/{domain}",
                  [&ctx](Q, P p, T t) -> Result<http::Response> {
                    const std::string d = KB_TRY(parse_domain(p.at("domain")));
                    return get_server(ctx, t, d, 200);
                  });
  add_admin_route(r, ctx, "PUT", "/api/v1/kerberos-servers/{domain}",
                  [&ctx](Q q, P p, T t) { return put_server(ctx, q, p, t); });
  add_admin_route(r, ctx, "POST", "/api/v1/kerberos-servers/{domain}/rotate",
                  [&ctx](Q q, P p, T t) { return rotate_server(ctx, q, p, t); });
  add_admin_route(r, ctx, "DELETE", "/api/v1/kerberos-servers/{domain}",
                  [&ctx](Q, P p, T t) -> Result<http::Response> {
                    const std::string d = KB_TRY(parse_domain(p.at("domain")));
                    KB_CHECK(ctx.store.transact(
                        [&](store::CloudTxn& x) { return x.delete_kerberos_server(t, d); }));
                    return no_content();
                  });

  add_admin_route(r, ctx, "GET", "/api/v1/policy",
                  [&ctx](Q, P, T t) { return get_policy(ctx, t); });
  add_admin_route(r, ctx, "PUT", "/api/v1/policy", [&ctx](Q q, P, T t) -> Result<http::Response> {
    const store::TenantPolicy p = KB_TRY(parse_policy(q.body));
    KB_CHECK(ctx.store.transact([&](store::CloudTxn& x) { return x.put_policy(t, p); }));
    return get_policy(ctx, t);
  });

  add_access_pass_routes(r, ctx);
  add_credential_routes(r, ctx);
  add_device_routes(r, ctx);
}

}  // namespace kb::cloud
