// `keybridge signin` end to end, out of process, with the real binaries on loopback:
// `dc serve` (directory, KDC, Kerberos server object) and `cloud serve` (HTTPS), a software
// security key, then MIT klist, kvno and gss-client/gss-server on the ticket the sign-in put
// in a FILE cache; the NT hash of --ntlm; refresh; the cached sign-in with the cloud stopped;
// and the errors a person sees: policy refusal for a Domain Admin, no Kerberos server object,
// another key offline.
#include <gtest/gtest.h>
#include <unistd.h>

#include <boost/json.hpp>
#include <fstream>
#include <thread>

#include "admin/directory_admin.h"
#include "base/base64.h"
#include "base/json.h"
#include "client/device_state.h"
#include "crypto/crypto.h"
#include "formats/keytab.h"
#include "kdc/kerberos_server.h"
#include "net/https_client.h"
#include "process.h"

namespace kb {
namespace {

using kb::testing::run;
namespace fs = std::filesystem;
namespace bj = boost::json;

const std::string kOrigin = "https://localhost";

std::string slurp(const fs::path& p) {
  std::ifstream in(p);
  return std::string((std::istreambuf_iterator<char>(in)), {});
}

class SigninE2e : public ::testing::Test {
 protected:
  void SetUp() override {
    ASSERT_FALSE(find_program("klist").empty()) << "klist (krb5-user) is missing";
    ASSERT_FALSE(find_program("gss-server").empty()) << "gss-server (krb5-gss-samples) is missing";
    dc_port_ = ::kb::free_loopback_port();
    ASSERT_NE(dc_port_, 0);
    std::string conf =
        "[libdefaults]\n default_realm = CONTOSO.TEST\n dns_lookup_kdc = false\n rdns = false\n"
        " dns_canonicalize_hostname = false\n[realms]\n CONTOSO.TEST = {\n  kdc = " +
        dc() + "\n }\n[domain_realm]\n .contoso.test = CONTOSO.TEST\n";
    ASSERT_TRUE(formats::write_private_file(path("krb5.conf"), as_bytes(conf)));
    ASSERT_TRUE(formats::write_private_file(path("pin"), as_bytes("13579\n")));
  }
  void TearDown() override {
    cloud_.stop();
    dc_.stop();
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

  // The domain: alice, a web service with a keytab, the Kerberos server object; served.
  void set_up_dc() {
    auto init = dc_cmd({"init", "--domain", "contoso.test", "--password-stdin"}, "Adm1n!pw\n");
    ASSERT_EQ(init.exit_code, 0) << init.out;
    ASSERT_EQ(dc_cmd({"user", "add", "alice", "--password-stdin"}, "Al1ce-pw\n").exit_code, 0);
    ASSERT_EQ(dc_cmd({"user", "add", "websvc", "--random-password"}).exit_code, 0);
    ASSERT_EQ(dc_cmd({"spn", "add", "websvc", "HTTP/web.contoso.test"}).exit_code, 0);
    auto kt = dc_cmd({"keytab", "export", "HTTP/web.contoso.test", "--out", path("web.keytab")});
    ASSERT_EQ(kt.exit_code, 0) << kt.out;
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
    for (const auto& [sam, upn] : std::vector<std::pair<std::string, std::string>>{
             {"alice", "alice@contoso.test"}, {"Administrator", "administrator@contoso.test"}}) {
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

TEST_F(SigninE2e, SecurityKeyToFullTgtToServiceTicketThenRefreshAndCachedSignIn) {
  set_up_dc();
  set_up_cloud();
  publish();
  enroll("alice@contoso.test", "alice.key", "alice.state");

  // Sign in: PRT, partial TGT, trade at the DC, FILE cache, NT hash via the key list.
  const std::string cc1 = "FILE:" + path("cc1").string();
  auto s = signin("alice@contoso.test", "alice.key", "alice.state", cc1, {"--ntlm"});
  ASSERT_EQ(s.exit_code, 0) << s.out << slurp(path("cloud.log")) << slurp(path("dc.log"));
  EXPECT_NE(s.out.find("signed in: alice@CONTOSO.TEST"), std::string::npos) << s.out;
  EXPECT_NE(s.out.find("domain controller : " + dc()), std::string::npos) << s.out;
  EXPECT_NE(s.out.find("NT hash obtained"), std::string::npos) << s.out;
  expect_klist_and_kvno(cc1);
  gss_round_trip(cc1);
  // The state is 0600 and its NT hash is the directory's.
  EXPECT_EQ(fs::status(path("alice.state")).permissions() & fs::perms::all,
            fs::perms::owner_read | fs::perms::owner_write);
  auto st = client::load_device_state(path("alice.state"));
  ASSERT_TRUE(st) << st.error().to_string();
  ASSERT_TRUE(st->nt_hash);
  EXPECT_EQ(*st->nt_hash, crypto::nt_hash(SecretString("Al1ce-pw"))->bytes());

  // Status, as JSON and text.
  auto js =
      kb({"signin", "status", "--state", path("alice.state").string(), "--ccache", cc1, "--json"});
  ASSERT_EQ(js.exit_code, 0) << js.out;
  auto j = json::parse_object(js.out);
  ASSERT_TRUE(j) << js.out;
  EXPECT_TRUE(j->at("joined").as_bool());
  EXPECT_TRUE(j->at("prt_present").as_bool());
  EXPECT_TRUE(j->at("full_tgt_present").as_bool());
  EXPECT_TRUE(j->at("key_list_obtained").as_bool());
  EXPECT_EQ(j->at("tenant").as_string(), tenant_);
  EXPECT_EQ(j->at("dcs_answered").as_array().at(0).as_string(), dc());
  auto text = kb({"signin", "status", "--state", path("alice.state").string(), "--ccache", cc1});
  EXPECT_NE(text.out.find("PrtPresent : YES"), std::string::npos) << text.out;

  // Refresh without the key into another cache.
  const std::string cc2 = "FILE:" + path("cc2").string();
  auto r = kb({"signin", "refresh", "--state", path("alice.state").string(), "--ccache", cc2,
               "--dc", dc(), "--ca-file", (path("cloud") / "tls.crt").string()});
  ASSERT_EQ(r.exit_code, 0) << r.out;
  EXPECT_NE(r.out.find("refreshed: alice@CONTOSO.TEST"), std::string::npos) << r.out;
  expect_klist_and_kvno(cc2);

  // A Domain Admin gets a PRT, and the policy message instead of a TGT.
  enroll("administrator@contoso.test", "admin.key", "admin.state");
  auto adm = signin("administrator@contoso.test", "admin.key", "admin.state",
                    "FILE:" + path("cc-admin").string());
  EXPECT_EQ(adm.exit_code, 17) << adm.out;
  EXPECT_NE(adm.out.find("refused this account by policy"), std::string::npos) << adm.out;
  EXPECT_FALSE(fs::exists(path("cc-admin")));
  auto adm_status = kb({"signin", "status", "--state", path("admin.state").string(), "--json",
                        "--ccache", "FILE:" + path("cc-admin").string()});
  auto aj = json::parse_object(adm_status.out);
  ASSERT_TRUE(aj) << adm_status.out;
  EXPECT_TRUE(aj->at("prt_present").as_bool());
  EXPECT_FALSE(aj->at("full_tgt_present").as_bool());

  // No Kerberos server object for fabrikam.test.
  enroll("dave@fabrikam.test", "dave.key", "dave.state");
  auto dave =
      signin("dave@fabrikam.test", "dave.key", "dave.state", "FILE:" + path("cc-dave").string());
  EXPECT_EQ(dave.exit_code, 15) << dave.out;
  EXPECT_NE(dave.out.find("no Kerberos server object for your domain"), std::string::npos)
      << dave.out;

  // Another key on alice's device, with the cloud up: not registered.
  ASSERT_EQ(kb({"signin", "soft-key", "create", path("other.key").string(), "--pin-file",
                path("pin").string()})
                .exit_code,
            0);
  auto other_online =
      signin("alice@contoso.test", "other.key", "alice.state", "FILE:" + path("cc-other").string());
  EXPECT_EQ(other_online.exit_code, 11) << other_online.out;

  // The cloud goes away: cached sign-in with the same key works, with another key it does not.
  EXPECT_EQ(cloud_.stop(), 0);
  const std::string cc3 = "FILE:" + path("cc3").string();
  auto cached = signin("alice@contoso.test", "alice.key", "alice.state", cc3);
  ASSERT_EQ(cached.exit_code, 0) << cached.out;
  EXPECT_NE(cached.out.find("cached sign-in (offline): alice@CONTOSO.TEST"), std::string::npos)
      << cached.out;
  expect_klist_and_kvno(cc3);
  auto other =
      signin("alice@contoso.test", "other.key", "alice.state", "FILE:" + path("cc4").string());
  EXPECT_EQ(other.exit_code, 22) << other.out;
  EXPECT_FALSE(fs::exists(path("cc4")));
  auto strict = signin("alice@contoso.test", "alice.key", "alice.state",
                       "FILE:" + path("cc5").string(), {"--no-cached"});
  EXPECT_EQ(strict.exit_code, 10) << strict.out;

  // No DC reachable (the cloud back, the DC stopped).
  start_cloud();
  EXPECT_EQ(dc_.stop(), 0);
  auto nodc =
      signin("alice@contoso.test", "alice.key", "alice.state", "FILE:" + path("cc6").string());
  EXPECT_EQ(nodc.exit_code, 16) << nodc.out;
  EXPECT_NE(nodc.out.find("no domain controller"), std::string::npos) << nodc.out;
}

}  // namespace
}  // namespace kb
