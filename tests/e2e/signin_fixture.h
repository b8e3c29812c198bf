// The start-up every `keybridge signin` end-to-end test shares: a temporary directory with a
// krb5.conf for CONTOSO.TEST, `keybridge dc` (init, users, SPNs and keytabs, the Kerberos
// server object, `serve` on a free loopback port) and `keybridge cloud` (init, `serve` over
// HTTPS), the server object and users published through the cloud's admin API, software
// security keys enrolled with `signin register-key`, and `keybridge signin` itself. All
// binaries run out of process and are stopped by PID. Used by signin_e2e_test.cc and
// signin_peers_test.cc.
#pragma once

#include <gtest/gtest.h>
#include <unistd.h>

#include <boost/json.hpp>
#include <fstream>
#include <thread>

#include "admin/directory_admin.h"
#include "base/base64.h"
#include "base/json.h"
#include "crypto/crypto.h"
#include "formats/keytab.h"
#include "kdc/kerberos_server.h"
#include "net/https_client.h"
#include "process.h"

namespace kb::e2e {

using kb::testing::run;
namespace fs = std::filesystem;
namespace bj = boost::json;

inline const std::string kOrigin = "https://localhost";

inline std::string slurp(const fs::path& p) {
  std::ifstream in(p);
  return std::string((std::istreambuf_iterator<char>(in)), {});
}

class SigninFixture : public ::testing::Test {
 protected:
  void SetUp() override {
    ASSERT_FALSE(find_program("klist").empty()) << "klist (krb5-user) is missing";
    ASSERT_FALSE(find_program("gss-server").empty()) << "gss-server (krb5-gss-samples) is missing";
    dc_port_ = ::kb::free_loopback_port();
    ASSERT_NE(dc_port_, 0);
    write_krb5_conf("");
    ASSERT_TRUE(formats::write_private_file(path("pin"), as_bytes("13579\n")));
  }
  void TearDown() override {
    cloud_.stop();
    dc_.stop();
  }

  // The realm's krb5.conf (KRB5_CONFIG of every program the tests run), with
  // `extra_libdefaults` ("name = value\n" lines) added to [libdefaults].
  void write_krb5_conf(const std::string& extra_libdefaults) {
    std::string conf =
        "[libdefaults]\n default_realm = CONTOSO.TEST\n dns_lookup_kdc = false\n rdns = false\n"
        " dns_canonicalize_hostname = false\n" +
        extra_libdefaults + "[realms]\n CONTOSO.TEST = {\n  kdc = " + dc() +
        "\n }\n[domain_realm]\n .contoso.test = CONTOSO.TEST\n";
    ASSERT_TRUE(formats::write_private_file(path("krb5.conf"), as_bytes(conf)));
  }

  fs::path path(const std::string& name) const { return dir_.path() / name; }
  std::string dc() const { return "127.0.0.1:" + std::to_string(dc_port_); }
  std::string cloud_url() const { return "https://localhost:" + std::to_string(cloud_port_); }
  std::map<std::string, std::string> env(const std::string& ccache = "") const {
    std::map<std::string, std::string> e{{"KRB5_CONFIG", path("krb5.conf").string()},
                                         {"LC_ALL", "C"},
                                         {"HOME", dir_.path().string()}};
    if (!ccache.empty()) e["KRB5CCNAME"] = ccache;
    return e;
  }
  RunResult kb(std::vector<std::string> args, const std::string& input = "") {
    args.insert(args.begin(), KB_KEYBRIDGE_BIN);
    return run(args, env(), input, 120);
  }
  RunResult dc_cmd(std::vector<std::string> args, const std::string& input = "") {
    args.insert(args.begin(), {"dc", "--data-dir", path("dc").string()});
    return kb(args, input);
  }

  void start(BackgroundProcess& p, std::vector<std::string> argv, const std::string& log,
             const std::string& marker, int* port_out) {
    std::string error;
    ASSERT_TRUE(p.start(argv, env(), path(log), &error)) << error;
    for (int i = 0; i < 200; ++i) {
      const std::string l = slurp(path(log));
      const auto at = l.find(marker);
      if (at != std::string::npos && l.find('\n', at) != std::string::npos) {
        if (port_out) *port_out = std::stoi(l.substr(at + marker.size()));
        return;
      }
      std::this_thread::sleep_for(std::chrono::milliseconds(50));
    }
    FAIL() << argv[1] << " did not start: " << slurp(path(log));
  }

  // A service account with one SPN whose keys `dc keytab export` writes to path(keytab).
  struct Service {
    std::string sam;
    std::string spn;
    std::string keytab;
  };

  // The domain: alice, a web service with a keytab (and `extra` services), the Kerberos
  // server object; served.
  void set_up_dc(const std::vector<Service>& extra = {}) {
    auto init = dc_cmd({"init", "--domain", "contoso.test", "--password-stdin"}, "Adm1n!pw\n");
    ASSERT_EQ(init.exit_code, 0) << init.out;
    ASSERT_EQ(dc_cmd({"user", "add", "alice", "--password-stdin"}, "Al1ce-pw\n").exit_code, 0);
    std::vector<Service> services = {{"websvc", "HTTP/web.contoso.test", "web.keytab"}};
    services.insert(services.end(), extra.begin(), extra.end());
    for (const auto& svc : services) {
      auto add = dc_cmd({"user", "add", svc.sam, "--random-password"});
      ASSERT_EQ(add.exit_code, 0) << add.out;
      auto spn = dc_cmd({"spn", "add", svc.sam, svc.spn});
      ASSERT_EQ(spn.exit_code, 0) << spn.out;
      auto kt = dc_cmd({"keytab", "export", svc.spn, "--out", path(svc.keytab)});
      ASSERT_EQ(kt.exit_code, 0) << kt.out;
    }
    auto ks = dc_cmd({"kerberos-server", "create", "--branch", "4242"});
    ASSERT_EQ(ks.exit_code, 0) << ks.out;
    start(dc_,
          {KB_KEYBRIDGE_BIN, "dc", "--data-dir", path("dc").string(), "serve", "--listen", dc(),
           "--threads", "2"},
          "dc.log", "listening on " + dc(), nullptr);
  }

  void set_up_cloud() {
    auto init = kb({"cloud", "--data-dir", path("cloud").string(), "init", "--origin", kOrigin});
    ASSERT_EQ(init.exit_code, 0) << init.out;
    const auto at = init.out.find("kbat_");
    ASSERT_NE(at, std::string::npos) << init.out;
    token_ = init.out.substr(at, init.out.find('\n', at) - at);
    auto cfg = json::parse_object(slurp(path("cloud") / "cloud.json"));
    ASSERT_TRUE(cfg);
    tenant_ = std::string(cfg->at("tenant_id").as_string());
    start_cloud();
  }
  void start_cloud() {
    start(cloud_,
          {KB_KEYBRIDGE_BIN, "cloud", "--data-dir", path("cloud").string(), "serve", "--listen",
           "127.0.0.1:" + std::to_string(cloud_port_), "--threads", "2"},
          "cloud.log", "listening on 127.0.0.1:", &cloud_port_);
  }

  http::Response admin(const std::string& method, const std::string& target,
                       const std::string& body) {
    net::HttpsClientConfig cc;
    cc.ca_file = path("cloud") / "tls.crt";
    auto client = net::HttpsClient::create(cc);
    EXPECT_TRUE(client) << client.error().to_string();
    net::ClientRequest r;
    r.method = method;
    r.url = cloud_url() + target;
    r.headers.add("Authorization", "Bearer " + token_);
    r.headers.add("Content-Type", "application/json");
    r.body = body;
    auto resp = client->request(r);
    EXPECT_TRUE(resp) << resp.error().to_string();
    return resp ? *resp : http::Response{500, {}, ""};
  }

  // What sync and `admin kerberos-server set` would publish, read from the directory.
  void publish() {
    auto d = admin::open_dc({path("dc")});
    ASSERT_TRUE(d) << d.error().to_string();
    auto info = kdc::read_kerberos_server(*d->store);
    ASSERT_TRUE(info && *info);
    auto key = kdc::kerberos_server_key(*d->store, *d->master_key);
    ASSERT_TRUE(key);
    bj::object ks{{"branch_id", (*info)->branch_id},
                  {"key_version", (*info)->key_version},
                  {"enctype", 18},
                  {"key", base64_encode(key->bytes().reveal())},
                  {"key_updated_from", "dc1.contoso.test"}};
    auto r = admin("PUT", "/api/v1/kerberos-servers/contoso.test", json::serialize(ks));
    ASSERT_EQ(r.status, 200) << r.body;
    bj::array users;
    const std::vector<std::pair<std::string, std::string>> synced = {
        {"alice", "alice@contoso.test"}, {"Administrator", "administrator@contoso.test"}};
    for (const auto& entry : synced) {
      // Plain names: clang 14 cannot capture structured bindings in the lambda below.
      const std::string& sam = entry.first;
      const std::string& upn = entry.second;
      auto a = d->store->transact([&](store::DirectoryTxn& t) -> Result<void> {
        auto acc = KB_TRY(t.account_by_sam(sam));
        if (!acc) return Error(BaseErrc::kIo, "no " + sam);
        users.push_back(bj::object{{"source_anchor", "anchor-" + sam},
                                   {"upn", upn},
                                   {"domain", "contoso.test"},
                                   {"sam_account_name", sam},
                                   {"object_sid", d->domain.sid + "-" + std::to_string(acc->rid)},
                                   {"enabled", true},
                                   {"password_expires_at", nullptr}});
        return ok();
      });
      ASSERT_TRUE(a) << a.error().to_string();
    }
    // A user of a domain that has no Kerberos server object.
    users.push_back(bj::object{{"source_anchor", "anchor-dave"},
                               {"upn", "dave@fabrikam.test"},
                               {"domain", "fabrikam.test"},
                               {"sam_account_name", "dave"},
                               {"object_sid", "S-1-5-21-4-5-6-1107"},
                               {"enabled", true},
                               {"password_expires_at", nullptr}});
    auto u = admin("PUT", "/api/v1/users", json::serialize(users));
    ASSERT_EQ(u.status, 200) << u.body;
  }

  // A software key and an access pass for `upn`, then `signin register-key`.
  void enroll(const std::string& upn, const std::string& key, const std::string& state) {
    auto pass = admin("POST", "/api/v1/users/" + upn + "/access-passes", "{}");
    ASSERT_EQ(pass.status, 201) << pass.body;
    auto o = json::parse_object(pass.body);
    ASSERT_TRUE(o);
    ASSERT_TRUE(formats::write_private_file(path(key + ".pass"),
                                            as_bytes(std::string(o->at("pass").as_string()))));
    auto created = kb(
        {"signin", "soft-key", "create", path(key).string(), "--pin-file", path("pin").string()});
    ASSERT_EQ(created.exit_code, 0) << created.out;
    auto reg = kb({"signin",
                   "register-key",
                   "--user",
                   upn,
                   "--cloud",
                   cloud_url(),
                   "--tenant",
                   tenant_,
                   "--authenticator",
                   "soft:" + path(key).string(),
                   "--state",
                   path(state).string(),
                   "--ca-file",
                   (path("cloud") / "tls.crt").string(),
                   "--pin-file",
                   path("pin").string(),
                   "--origin",
                   kOrigin,
                   "--access-pass-file",
                   path(key + ".pass").string(),
                   "--name",
                   "e2e key"});
    ASSERT_EQ(reg.exit_code, 0) << reg.out;
    EXPECT_NE(reg.out.find("security key registered for " + upn), std::string::npos) << reg.out;
  }

  RunResult signin(const std::string& upn, const std::string& key, const std::string& state,
                   const std::string& ccache, std::vector<std::string> extra = {}) {
    std::vector<std::string> a = {"signin",
                                  "--user",
                                  upn,
                                  "--cloud",
                                  cloud_url(),
                                  "--tenant",
                                  tenant_,
                                  "--authenticator",
                                  "soft:" + path(key).string(),
                                  "--state",
                                  path(state).string(),
                                  "--ccache",
                                  ccache,
                                  "--dc",
                                  dc(),
                                  "--ca-file",
                                  (path("cloud") / "tls.crt").string(),
                                  "--pin-file",
                                  path("pin").string(),
                                  "--origin",
                                  kOrigin};
    a.insert(a.end(), extra.begin(), extra.end());
    return kb(a);
  }

  void expect_klist_and_kvno(const std::string& ccache) {
    auto k = run({"klist", "-f"}, env(ccache));
    ASSERT_EQ(k.exit_code, 0) << k.out;
    EXPECT_NE(k.out.find("Default principal: alice@CONTOSO.TEST"), std::string::npos) << k.out;
    EXPECT_NE(k.out.find("krbtgt/CONTOSO.TEST@CONTOSO.TEST"), std::string::npos) << k.out;
    auto v = run({"kvno", "HTTP/web.contoso.test"}, env(ccache));
    ASSERT_EQ(v.exit_code, 0) << v.out << slurp(path("dc.log"));
    EXPECT_NE(v.out.find("HTTP/web.contoso.test@CONTOSO.TEST: kvno = "), std::string::npos)
        << v.out;
  }

  void gss_round_trip(const std::string& ccache) {
    const std::string port = std::to_string(::kb::free_loopback_port());
    BackgroundProcess server;
    ASSERT_TRUE(server.start({"gss-server", "-port", port, "-once", "-keytab",
                              path("web.keytab").string(), "HTTP@web.contoso.test"},
                             env(), path("gss-server.log")));
    RunResult client;
    for (int i = 0; i < 50; ++i) {  // until the server listens
      client = run(
          {"gss-client", "-port", port, "127.0.0.1", "HTTP@web.contoso.test", "hello from alice"},
          env(ccache), "", 20);
      if (client.out.find("connecting") == std::string::npos || client.exit_code == 0) break;
      ::usleep(100000);
    }
    EXPECT_EQ(client.exit_code, 0) << client.out;
    EXPECT_NE(client.out.find("Signature verified"), std::string::npos) << client.out;
    server.wait(5000);
    server.stop();
    EXPECT_NE(slurp(path("gss-server.log")).find("alice@CONTOSO.TEST"), std::string::npos)
        << slurp(path("gss-server.log"));
  }

  kb::testing::TempDir dir_{"kb-signin-e2e"};
  BackgroundProcess dc_;
  BackgroundProcess cloud_;
  int dc_port_ = 0;
  int cloud_port_ = 0;
  std::string token_;
  std::string tenant_;
};

}  // namespace kb::e2e
