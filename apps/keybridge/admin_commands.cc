#include "admin_commands.h"

#include <boost/json.hpp>
#include <iostream>
#include <memory>

#include "admin/dc_check.h"
#include "admin/directory_admin.h"
#include "admin_webauthn_commands.h"
#include "base/http.h"
#include "client/dc_locator.h"
#include "crypto/crypto.h"
#include "net/dns_resolver.h"
#include "net/kdc_client.h"

namespace kb::app {
namespace {

int fail(const Error& e) {
  std::cerr << "keybridge: " << e.to_string() << "\n";
  return 1;
}

// The DCs to check: the ones given, else DNS SRV for the realm (docs/signin.md).
Result<std::vector<std::string>> dcs_for(const std::string& realm,
                                         const std::vector<std::string>& given, Rng& rng) {
  if (!given.empty()) return given;
  client::LocatorConfig cfg;
  auto lookup = [](const std::string& q) -> Result<std::vector<client::SrvEntry>> {
    auto r = KB_TRY(net::lookup_srv(q));
    std::vector<client::SrvEntry> out;
    for (auto& e : r) out.push_back({e.priority, e.weight, e.port, std::move(e.target)});
    return out;
  };
  std::vector<std::string> out;
  for (const auto& c : KB_TRY(client::locate_dcs(realm, cfg, lookup, rng)))
    out.push_back(c.address);
  return out;
}

int dc_check(const AdminCommon& c, const std::string& domain, const std::vector<std::string>& given,
             const std::string& user, bool json) {
  auto dc = admin::open_dc({c.dc_data_dir});
  if (!dc) return fail(dc.error());
  if (!domain.empty() && !http::iequals(domain, dc->domain.dns_name)) {
    std::cerr << "keybridge: " << c.dc_data_dir << " holds domain " << dc->domain.dns_name
              << ", not " << domain << "\n";
    return 1;
  }
  SystemClock clock;
  crypto::SystemRng rng;
  auto dcs = dcs_for(dc->domain.realm, given, rng);
  if (!dcs) return fail(dcs.error());
  admin::KdcExchange exchange = [](const std::string& addr, ByteView req) -> Result<Bytes> {
    auto r = KB_TRY(net::send_to_kdc(addr, req));
    return std::move(r.bytes);
  };
  admin::DcCheckRequest request{*dcs, user.empty() ? "Administrator" : user};
  auto results = admin::dc_check(*dc->store, *dc->master_key, request, exchange, clock, rng);
  if (!results) return fail(results.error());
  bool any_trade = false;
  boost::json::array arr;
  for (const auto& r : *results) {
    any_trade = any_trade || r.trade == admin::Answer::kYes;
    if (json) {
      arr.push_back(boost::json::object{{"dc", r.dc},
                                        {"reachable", r.reachable},
                                        {"trade", admin::answer_name(r.trade)},
                                        {"key_list", admin::answer_name(r.key_list)},
                                        {"detail", r.detail}});
      continue;
    }
    std::cout << r.dc << "\n  reachable : " << (r.reachable ? "yes" : "no")
              << "\n  trade     : " << admin::answer_name(r.trade)
              << "\n  key list  : " << admin::answer_name(r.key_list)
              << "\n  detail    : " << r.detail << "\n";
  }
  if (json) std::cout << boost::json::serialize(arr) << "\n";
  if (!any_trade)
    std::cerr << "keybridge: no DC of " << dc->domain.dns_name << " trades partial TGTs\n";
  return any_trade ? 0 : 1;
}

}  // namespace

void add_admin_commands(CLI::App& app, int& exit_code) {
  auto c = std::make_shared<AdminCommon>();
  auto* admin = app.add_subcommand(
      "admin", "The Kerberos server object across directory and cloud, sync, DC checks");
  admin->require_subcommand(1);
  admin->add_option("--dc-data-dir", c->dc_data_dir, "Data directory of the embedded DC")
      ->capture_default_str();
  admin->add_option("--cloud", c->cloud_url, "Cloud service URL, https://host[:port]");
  admin->add_option("--tenant", c->tenant,
                    "Tenant name for messages (the admin token selects the tenant)");
  admin->add_option("--token-file", c->token_file,
                    "File whose first line is the tenant's admin token (default: the "
                    "KEYBRIDGE_ADMIN_TOKEN environment variable)");
  admin->add_option("--ca-file", c->ca_file,
                    "PEM certificate(s) to trust for the cloud (default: the system store)");
  add_admin_cloud_commands(*admin, c, exit_code);

  auto* check = admin->add_subcommand(
      "dc-check",
      "For each DC: reachable, trades partial TGTs of this Kerberos server object, answers the "
      "key list (what nltest /dsgetdc:<domain> /keylist /kdc tells)");
  auto dcs = std::make_shared<std::vector<std::string>>();
  auto user = std::make_shared<std::string>();
  auto json = std::make_shared<bool>(false);
  auto domain = std::make_shared<std::string>();
  check->add_option("--domain", *domain, "DNS name of the domain (must be the directory's)");
  check->add_option("--dc", *dcs, "DC address host[:port]; repeatable (default: DNS SRV)");
  check->add_option("--user", *user,
                    "Probe account (default Administrator, which the policy denies; an allowed "
                    "account also shows the key list)");
  check->add_flag("--json", *json, "JSON instead of text");
  check->callback([c, domain, dcs, user, json, &exit_code] {
    exit_code = dc_check(*c, *domain, *dcs, *user, *json);
  });
  add_admin_webauthn_commands(*admin, exit_code);
}

}  // namespace kb::app
