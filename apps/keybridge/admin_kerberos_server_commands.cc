// `keybridge admin kerberos-server set|get|remove` and `keybridge admin sync`: the Kerberos
// server object and the users on both sides, the directory (the embedded DC's data
// directory) and the cloud (its admin API over HTTPS). Flags and wiring only; the work is
// in src/admin (docs/admin.md).
#include <unistd.h>

#include <boost/json.hpp>
#include <cstdlib>
#include <iostream>

#include "admin/cloud_admin_client.h"
#include "admin/directory_admin.h"
#include "admin/kerberos_server_report.h"
#include "admin/sync.h"
#include "admin_commands.h"
#include "base/http.h"
#include "base/json.h"
#include "crypto/crypto.h"
#include "net/https_client.h"

namespace kb::app {
namespace {

namespace bj = boost::json;

// Exit codes: 0 done and both sides agree, 1 error (the message says what to re-run),
// 2 the sides do not agree (get), or the command could not make them.
constexpr int kExitError = 1;
constexpr int kExitMismatch = 2;

std::string host_name() {
  char buf[256] = {};
  if (::gethostname(buf, sizeof buf - 1) != 0) return "unknown";
  return buf;
}

int fail(const Error& e) {
  std::cerr << "keybridge: " << e.to_string() << "\n";
  return kExitError;
}

struct Session {
  admin::Dc dc;
  std::unique_ptr<admin::CloudAdminClient> cloud;
};

Result<Session> open_session(const AdminCommon& c, const std::string& domain) {
  if (c.cloud_url.empty()) {
    return Error(BaseErrc::kInvalidArgument, "give the cloud service with --cloud https://...");
  }
  KB_CHECK(net::parse_https_url(c.cloud_url));
  admin::Dc dc = KB_TRY(admin::open_dc({c.dc_data_dir}));
  if (!http::iequals(domain, dc.domain.dns_name)) {
    return Error(BaseErrc::kInvalidArgument,
                 c.dc_data_dir + " holds domain " + dc.domain.dns_name + ", not " + domain);
  }
  SecretString token =
      KB_TRY(admin::read_admin_token(c.token_file, std::getenv("KEYBRIDGE_ADMIN_TOKEN")));
  net::HttpsClientConfig cfg;
  cfg.ca_file = c.ca_file;
  net::HttpsClient client = KB_TRY(net::HttpsClient::create(cfg));
  auto transport = [client](const net::ClientRequest& r) { return client.request(r); };
  Session s{std::move(dc), std::make_unique<admin::CloudAdminClient>(c.cloud_url, std::move(token),
                                                                     std::move(transport))};
  return s;
}

void print_actions(const std::vector<std::string>& actions) {
  for (const auto& a : actions) std::cout << "- " << a << "\n";
}

int print_report(const AdminCommon& c, const admin::KerberosServerReport& r,
                 const std::vector<std::string>& actions, bool json) {
  if (json) {
    bj::object o = admin::report_json(r);
    if (!c.tenant.empty()) o["Tenant"] = c.tenant;
    bj::array a;
    for (const auto& s : actions) a.emplace_back(s);
    o["Actions"] = std::move(a);
    std::cout << json::serialize(o) << "\n";
  } else {
    print_actions(actions);
    if (!c.tenant.empty()) std::cout << "Tenant : " << c.tenant << "\n";
    std::cout << admin::format_report_text(r);
  }
  return r.consistent() ? 0 : kExitMismatch;
}

struct KsFlags {
  std::string domain;
  bool rotate = false;
  bool force = false;
  std::string older_than;
  bool json = false;
};

// Runs `fn(ctx, actions)` with the directory and the cloud of the session.
template <typename F>
int with_session(const AdminCommon& c, const std::string& domain, F&& fn) {
  auto s = open_session(c, domain);
  if (!s) return fail(s.error());
  SystemClock clock;
  crypto::SystemRng rng;
  admin::AdminContext ctx{*s->dc.store, *s->dc.master_key, *s->cloud, clock, rng, host_name()};
  return fn(ctx, *s);
}

int ks_set(const AdminCommon& c, const KsFlags& f) {
  std::optional<std::chrono::seconds> older;
  if (!f.older_than.empty()) {
    auto a = admin::parse_age(f.older_than);
    if (!a) return fail(a.error());
    older = *a;
  }
  return with_session(c, f.domain, [&](admin::AdminContext& ctx, Session&) {
    std::vector<std::string> actions;
    admin::RotateOptions opts;
    opts.force = f.force;
    opts.if_older_than = older;
    auto r = (f.rotate || older) ? admin::rotate_kerberos_server(ctx, opts, actions)
                                 : admin::set_kerberos_server(ctx, actions);
    if (!r) {
      if (!f.json) print_actions(actions);
      return fail(r.error());
    }
    return print_report(c, *r, actions, f.json);
  });
}

int ks_get(const AdminCommon& c, const KsFlags& f) {
  return with_session(c, f.domain, [&](admin::AdminContext& ctx, Session&) {
    auto r = admin::get_kerberos_server(ctx);
    if (!r) return fail(r.error());
    return print_report(c, *r, {}, f.json);
  });
}

int ks_remove(const AdminCommon& c, const KsFlags& f) {
  return with_session(c, f.domain, [&](admin::AdminContext& ctx, Session&) {
    std::vector<std::string> actions;
    auto r = admin::remove_kerberos_server(ctx, actions);
    if (f.json) {
      bj::array a;
      for (const auto& s : actions) a.emplace_back(s);
      std::cout << json::serialize(bj::object{{"Removed", r.has_value()}, {"Actions", a}}) << "\n";
    } else {
      print_actions(actions);
    }
    return r ? 0 : fail(r.error());
  });
}

int sync(const AdminCommon& c, const std::string& domain, bool dry_run, bool json) {
  return with_session(c, domain, [&](admin::AdminContext& ctx, Session& s) {
    auto r = admin::sync_users(*s.dc.store, *s.cloud, dry_run, ctx.clock, ctx.rng);
    if (!r) return fail(r.error());
    const admin::SyncPlan& p = r->plan;
    const std::size_t updated = p.upserts.size() - p.added;
    if (json) {
      bj::array up, del;
      for (const auto& u : p.upserts) up.emplace_back(u.upn);
      for (const auto& a : p.deletes) del.emplace_back(a);
      std::cout << json::serialize(bj::object{{"Domain", s.dc.domain.dns_name},
                                              {"DryRun", dry_run},
                                              {"Applied", r->applied},
                                              {"Added", p.added},
                                              {"Updated", updated},
                                              {"Disabled", p.disabled},
                                              {"Deleted", p.deletes.size()},
                                              {"Unchanged", p.unchanged},
                                              {"Upserted", std::move(up)},
                                              {"DeletedAnchors", std::move(del)}})
                << "\n";
      return 0;
    }
    const char* verb = dry_run ? "would " : "";
    for (const auto& u : p.upserts) std::cout << verb << "upsert " << u.upn << "\n";
    for (const auto& a : p.deletes) std::cout << verb << "delete anchor " << a << "\n";
    std::cout << (dry_run ? "dry run, nothing changed: " : "synced: ") << p.added << " added, "
              << updated << " updated (" << p.disabled << " disabled), " << p.deletes.size()
              << " deleted, " << p.unchanged << " unchanged\n";
    return 0;
  });
}

}  // namespace

void add_admin_cloud_commands(CLI::App& admin, const std::shared_ptr<AdminCommon>& c,
                              int& exit_code) {
  auto* ks = admin.add_subcommand(
      "kerberos-server",
      "The Kerberos server object on both sides: directory first, then the cloud");
  ks->require_subcommand(1);

  auto set_flags = std::make_shared<KsFlags>();
  auto* set = ks->add_subcommand(
      "set", "Create (or complete) the object and publish its key; or rotate the key");
  set->add_option("--domain", set_flags->domain, "DNS name of the domain")->required();
  auto* rotate = set->add_flag("--rotate-server-key", set_flags->rotate,
                               "New key, key version + 1, on both sides (the previous version "
                               "stays valid for partial TGTs already issued)");
  set->add_flag("--force", set_flags->force, "Rotate even within 24 hours of the last change")
      ->needs(rotate);
  set->add_option("--rotate-if-older-than", set_flags->older_than,
                  "Rotate only when the key is older than this (30d, 12h, ...): for timers");
  set->add_flag("--json", set_flags->json, "JSON instead of aligned text");
  set->callback([c, set_flags, &exit_code] { exit_code = ks_set(*c, *set_flags); });

  auto get_flags = std::make_shared<KsFlags>();
  auto* get = ks->add_subcommand(
      "get", "The property table of both sides; exit 2 when a pair does not match");
  get->add_option("--domain", get_flags->domain, "DNS name of the domain")->required();
  get->add_flag("--json", get_flags->json, "JSON instead of aligned text");
  get->callback([c, get_flags, &exit_code] { exit_code = ks_get(*c, *get_flags); });

  auto rm_flags = std::make_shared<KsFlags>();
  auto* rm = ks->add_subcommand("remove",
                                "Cloud first (no more partial TGTs), then the directory objects");
  rm->add_option("--domain", rm_flags->domain, "DNS name of the domain")->required();
  rm->add_flag("--json", rm_flags->json, "JSON instead of text");
  rm->callback([c, rm_flags, &exit_code] { exit_code = ks_remove(*c, *rm_flags); });

  auto domain = std::make_shared<std::string>();
  auto dry_run = std::make_shared<bool>(false);
  auto json = std::make_shared<bool>(false);
  auto* sy = admin.add_subcommand(
      "sync", "Push the domain's users (name, UPN, SID, enabled, password expiry) to the cloud");
  sy->add_option("--domain", *domain, "DNS name of the domain")->required();
  sy->add_flag("--dry-run", *dry_run, "Show what would change; change nothing");
  sy->add_flag("--json", *json, "JSON summary");
  sy->callback(
      [c, domain, dry_run, json, &exit_code] { exit_code = sync(*c, *domain, *dry_run, *json); });
}

}  // namespace kb::app
