// `keybridge admin kerberos-server ...` and `keybridge admin sync` end to end: a real
// `keybridge cloud serve` and three `keybridge dc serve` processes (two domains of one
// forest, one of a second forest), each on its own loopback port and data directory,
// started and stopped by PID. The admin commands run as a user would run them (--json,
// the token from a file or the environment, the cloud's certificate pinned). Partial TGTs
// are minted from the cloud's own store, exactly as its sign-in code does, and traded at
// the DC processes over the network with the client library.
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <array>
#include <boost/json.hpp>
#include <fstream>
#include <sstream>
#include <thread>

#include "base/json.h"
#include "client/tgs_client.h"
#include "cloud/partial_tgt.h"
#include "cloud/service/admin_server.h"
#include "cloud/service/kerberos_servers.h"
#include "crypto/crypto.h"
#include "formats/keytab.h"
#include "net/kdc_client.h"
#include "pac/sid.h"
#include "process.h"

namespace kb {
namespace {

using kb::testing::run;
namespace fs = std::filesystem;
namespace bj = boost::json;

std::string read_all(const fs::path& p) {
  std::ifstream in(p);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

struct Dc {
  std::string domain;
  std::string sid;
  std::string user;
  std::string data;
  int port = 0;
  BackgroundProcess server;
};

class AdminCli : public ::testing::Test {
 protected:
  void SetUp() override {
    cloud_data_ = (dir_.path() / "cloud").string();
    auto init = run(
        {KB_KEYBRIDGE_BIN, "cloud", "--data-dir", cloud_data_, "init", "--tenant-name", "Contoso"},
        {}, "", 60);
    ASSERT_EQ(init.exit_code, 0) << init.out;
    std::istringstream lines(init.out);
    for (std::string l; std::getline(lines, l);) {
      if (l.rfind("kbat_", 0) == 0) token_ = l;
    }
    ASSERT_FALSE(token_.empty()) << init.out;
    token_file_ = (dir_.path() / "admin.token").string();
    ASSERT_TRUE(formats::write_private_file(token_file_, as_bytes(token_ + "\n")));
    start_cloud();

    const std::array<std::array<const char*, 3>, 3> spec = {
        {{"contoso.test", "S-1-5-21-100-1-1", "alice"},
         {"emea.contoso.test", "S-1-5-21-100-2-2", "bert"},
         {"fabrikam.test", "S-1-5-21-200-1-1", "fiona"}}};
    for (const auto& [domain, sid, user] : spec) {
      auto dc = std::make_unique<Dc>();
      dc->domain = domain;
      dc->sid = sid;
      dc->user = user;
      dc->data = (dir_.path() / domain).string();
      auto r = run({KB_KEYBRIDGE_BIN, "dc", "--data-dir", dc->data, "init", "--domain", domain,
                    "--domain-sid", sid, "--password-stdin"},
                   {}, "Adm1n!pw\n", 60);
      ASSERT_EQ(r.exit_code, 0) << r.out;
      r = run(
          {KB_KEYBRIDGE_BIN, "dc", "--data-dir", dc->data, "user", "add", user, "--password-stdin"},
          {}, "Us3r-pw!\n", 60);
      ASSERT_EQ(r.exit_code, 0) << r.out;
      dc->port = ::kb::free_loopback_port();
      ASSERT_NE(dc->port, 0);
      const fs::path log = dir_.path() / (std::string(domain) + ".log");
      std::string error;
      ASSERT_TRUE(
          dc->server.start({KB_KEYBRIDGE_BIN, "dc", "--data-dir", dc->data, "serve", "--listen",
                            "127.0.0.1:" + std::to_string(dc->port), "--threads", "1"},
                           {}, log, &error))
          << error;
      bool up = false;
      for (int i = 0; i < 200 && !up; ++i) {
        up = read_all(log).find("listening on 127.0.0.1:" + std::to_string(dc->port)) !=
             std::string::npos;
        if (!up) std::this_thread::sleep_for(std::chrono::milliseconds(50));
      }
      ASSERT_TRUE(up) << read_all(log);
      dcs_.push_back(std::move(dc));
    }
  }
  void TearDown() override {
    for (auto& dc : dcs_) dc->server.stop();
    cloud_.stop();
  }

  void start_cloud() {
    const fs::path log = dir_.path() / "cloud.log";
    std::string error;
    ASSERT_TRUE(cloud_.start({KB_KEYBRIDGE_BIN, "cloud", "--data-dir", cloud_data_, "serve",
                              "--listen", "127.0.0.1:0", "--threads", "2"},
                             {}, log, &error))
        << error;
    const std::string marker = "listening on 127.0.0.1:";
    for (int i = 0; i < 200; ++i) {
      const std::string l = read_all(log);
      const auto at = l.find(marker);
      if (at != std::string::npos && l.find('\n', at) != std::string::npos) {
        cloud_port_ = std::stoi(l.substr(at + marker.size()));
        return;
      }
      std::this_thread::sleep_for(std::chrono::milliseconds(50));
    }
    FAIL() << "cloud serve did not start: " << read_all(log);
  }

  // `keybridge admin --dc-data-dir <dc> --cloud ... <args>`, token from the file.
  RunResult admin(const Dc& dc, std::vector<std::string> args, const std::string& cloud_url = "",
                  std::map<std::string, std::string> env = {}, bool token_file = true) {
    std::vector<std::string> argv = {KB_KEYBRIDGE_BIN, "admin",
                                     "--dc-data-dir",  dc.data,
                                     "--cloud",        cloud_url.empty() ? cloud_url_() : cloud_url,
                                     "--tenant",       "Contoso",
                                     "--ca-file",      cloud_data_ + "/tls.crt"};
    if (token_file) argv.insert(argv.end(), {"--token-file", token_file_});
    argv.insert(argv.end(), args.begin(), args.end());
    return run(argv, env, "", 60);
  }
  std::string cloud_url_() const { return "https://localhost:" + std::to_string(cloud_port_); }

  static bj::object json_line(const RunResult& r) {
    // The JSON document is the last line of stdout (errors go to stderr).
    std::istringstream in(r.out);
    std::string last;
    for (std::string l; std::getline(in, l);) {
      if (!l.empty() && l.front() == '{') last = l;
    }
    auto o = json::parse_object(last);
    EXPECT_TRUE(o) << r.out;
    return o ? *o : bj::object();
  }

  // What the cloud's sign-in does for `upn` with tgt=true: mint from its stored key.
  std::optional<client::Credential> mint(const std::string& upn) {
    auto dir = cloud::open_cloud_dir(cloud_data_);
    EXPECT_TRUE(dir) << dir.error().to_string();
    if (!dir) return std::nullopt;
    SystemClock clock;
    cloud::ServiceContext ctx{*dir->store, *dir->master_key, clock, rng_, dir->config};
    std::optional<store::CloudUser> u;
    EXPECT_TRUE(dir->store->read([&](store::CloudTxn& t) -> Result<void> {
      u = KB_TRY(t.user_by_upn(dir->tenant_id, upn));
      return ok();
    }));
    EXPECT_TRUE(u) << upn;
    if (!u) return std::nullopt;
    auto key = cloud::load_kerberos_server_key(ctx, dir->tenant_id, u->domain);
    EXPECT_TRUE(key) << key.error().to_string();
    if (!key || !*key) return std::nullopt;
    std::string realm = u->domain;
    for (auto& c : realm) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
    cloud::OnPremUser who{u->sam_account_name, u->upn, u->domain, realm.substr(0, realm.find('.')),
                          *pac::Sid::parse(u->object_sid)};
    auto minted = cloud::mint_partial_tgt(
        who, {(*key)->branch_id, (*key)->key_version, &(*key)->key}, {}, clock, rng_);
    EXPECT_TRUE(minted) << minted.error().to_string();
    auto cred = client::open_as_rep(minted->as_rep, minted->client_key);
    EXPECT_TRUE(cred) << cred.error().to_string();
    return cred ? std::optional<client::Credential>(std::move(*cred)) : std::nullopt;
  }

  // The trade at a DC process over the network (UDP, then TCP when the reply is too big).
  Result<client::TgsReply> trade(const Dc& dc, const client::Credential& tgt) {
    SystemClock clock;
    client::TgsRequest req;
    req.realm = tgt.crealm;
    req.sname = krb5::PrincipalName{2, {"krbtgt", tgt.crealm}};
    req.kdc_options = client::trade_options();
    auto prepared = KB_TRY(client::build_tgs_req(tgt, req, clock, rng_));
    auto reply = KB_TRY(net::send_to_kdc("127.0.0.1:" + std::to_string(dc.port), prepared.bytes));
    return client::read_tgs_rep(reply.bytes, tgt, prepared);
  }

  kb::testing::TempDir dir_{"kb-admin-cli"};
  crypto::SystemRng rng_;
  std::string cloud_data_;
  std::string token_;
  std::string token_file_;
  BackgroundProcess cloud_;
  int cloud_port_ = 0;
  std::vector<std::unique_ptr<Dc>> dcs_;
};

TEST_F(AdminCli, KerberosServerLifecycleSyncAndTradesAcrossDomainsAndForests) {
  // set + sync in each domain.
  for (const auto& dc : dcs_) {
    SCOPED_TRACE(dc->domain);
    auto set = admin(*dc, {"kerberos-server", "set", "--domain", dc->domain, "--json"});
    ASSERT_EQ(set.exit_code, 0) << set.out;
    bj::object o = json_line(set);
    EXPECT_TRUE(o.at("Consistent").as_bool());
    EXPECT_EQ(o.at("KeyVersion"), o.at("CloudKeyVersion"));
    EXPECT_EQ(o.at("KeyUpdatedOn"), o.at("CloudKeyUpdatedOn"));
    EXPECT_EQ(o.at("Id"), o.at("CloudId"));
    EXPECT_EQ(o.at("Tenant").as_string(), "Contoso");
    auto sync = admin(*dc, {"sync", "--domain", dc->domain, "--json"});
    ASSERT_EQ(sync.exit_code, 0) << sync.out;
    EXPECT_GE(json_line(sync).at("Added").to_number<std::int64_t>(),
              2);  // Administrator and the user
    auto again = admin(*dc, {"sync", "--domain", dc->domain, "--json"});
    ASSERT_EQ(again.exit_code, 0) << again.out;
    EXPECT_EQ(json_line(again).at("Added").to_number<std::int64_t>(), 0);
    EXPECT_EQ(json_line(again).at("Updated").to_number<std::int64_t>(), 0);
    EXPECT_EQ(json_line(again).at("Deleted").to_number<std::int64_t>(), 0);
  }

  // The aligned table, checked pairs included.
  auto get = admin(*dcs_[0], {"kerberos-server", "get", "--domain", "contoso.test"});
  ASSERT_EQ(get.exit_code, 0) << get.out;
  for (const char* p : {"Id ", "DomainDnsName ", "ComputerAccount ", "UserAccount ", "KeyVersion ",
                        "KeyUpdatedOn ", "KeyUpdatedFrom ", "CloudId ", "CloudDomainDnsName ",
                        "CloudKeyVersion ", "CloudKeyUpdatedOn "}) {
    EXPECT_NE(get.out.find(p), std::string::npos) << p << "\n" << get.out;
  }
  EXPECT_NE(get.out.find("CN=AzureADKerberos,OU=Domain Controllers"), std::string::npos);

  // Each user's partial TGT is for their own domain, trades at their DC and no other.
  std::vector<std::optional<client::Credential>> tickets;
  for (const auto& dc : dcs_) {
    SCOPED_TRACE(dc->domain);
    auto tgt = mint(dc->user + "@" + dc->domain);
    ASSERT_TRUE(tgt);
    auto full = trade(*dc, *tgt);
    ASSERT_TRUE(full) << full.error().to_string();
    for (const auto& other : dcs_) {
      if (other == dc) continue;
      EXPECT_FALSE(trade(*other, *tgt)) << other->domain;
    }
    tickets.push_back(std::move(tgt));
  }

  // Rotation: refused within 24 hours, forced; the earlier ticket still trades.
  auto soon = admin(*dcs_[0],
                    {"kerberos-server", "set", "--domain", "contoso.test", "--rotate-server-key"});
  EXPECT_EQ(soon.exit_code, 1) << soon.out;
  EXPECT_NE(soon.out.find("--force"), std::string::npos) << soon.out;
  auto rot = admin(*dcs_[0], {"kerberos-server", "set", "--domain", "contoso.test",
                              "--rotate-server-key", "--force", "--json"});
  ASSERT_EQ(rot.exit_code, 0) << rot.out;
  EXPECT_EQ(json_line(rot).at("KeyVersion").to_number<std::int64_t>(), 2);
  EXPECT_EQ(json_line(rot).at("CloudKeyVersion").to_number<std::int64_t>(), 2);
  EXPECT_TRUE(trade(*dcs_[0], *tickets[0])) << "minted before the rotation";
  auto fresh = mint("alice@contoso.test");
  ASSERT_TRUE(fresh);
  EXPECT_EQ(*fresh->ticket.enc_part.kvno & 0xffff, 2u);
  EXPECT_TRUE(trade(*dcs_[0], *fresh));
  auto timer = admin(*dcs_[0], {"kerberos-server", "set", "--domain", "contoso.test",
                                "--rotate-if-older-than", "30d"});
  ASSERT_EQ(timer.exit_code, 0) << timer.out;
  EXPECT_NE(timer.out.find("not rotated"), std::string::npos) << timer.out;

  // Remove one domain of the second forest: no more partial TGTs for it, its DC refuses
  // the branch, the others are untouched.
  auto rm = admin(*dcs_[2], {"kerberos-server", "remove", "--domain", "fabrikam.test"});
  ASSERT_EQ(rm.exit_code, 0) << rm.out;
  auto cloud_dir = cloud::open_cloud_dir(cloud_data_);
  ASSERT_TRUE(cloud_dir);
  SystemClock clock;
  cloud::ServiceContext ctx{*cloud_dir->store, *cloud_dir->master_key, clock, rng_,
                            cloud_dir->config};
  auto key = cloud::load_kerberos_server_key(ctx, cloud_dir->tenant_id, "fabrikam.test");
  ASSERT_TRUE(key);
  EXPECT_FALSE(*key);
  EXPECT_FALSE(trade(*dcs_[2], *tickets[2]));
  auto gone = admin(*dcs_[2], {"kerberos-server", "get", "--domain", "fabrikam.test", "--json"});
  EXPECT_EQ(gone.exit_code, 2) << gone.out;
  EXPECT_FALSE(json_line(gone).at("InCloud").as_bool());
  EXPECT_FALSE(json_line(gone).at("InDirectory").as_bool());
  EXPECT_TRUE(trade(*dcs_[1], *mint("bert@emea.contoso.test")));
}

TEST_F(AdminCli, CloudUnreachableHalfwayIsReportedAndTheRerunCompletes) {
  const Dc& dc = *dcs_[1];
  const std::string closed = "https://127.0.0.1:" + std::to_string(::kb::free_loopback_port());
  auto failed = admin(dc, {"kerberos-server", "set", "--domain", dc.domain}, closed);
  EXPECT_EQ(failed.exit_code, 1) << failed.out;
  EXPECT_NE(failed.out.find("Re-run `keybridge admin kerberos-server set`"), std::string::npos)
      << failed.out;
  auto half = admin(dc, {"kerberos-server", "get", "--domain", dc.domain});
  EXPECT_EQ(half.exit_code, 2) << half.out;
  EXPECT_NE(half.out.find("The cloud has no Kerberos server object"), std::string::npos)
      << half.out;
  auto done = admin(dc, {"kerberos-server", "set", "--domain", dc.domain});
  ASSERT_EQ(done.exit_code, 0) << done.out;
  EXPECT_NE(done.out.find("published the cloud's object"), std::string::npos) << done.out;
  auto ok = admin(dc, {"kerberos-server", "get", "--domain", dc.domain, "--json"});
  EXPECT_EQ(ok.exit_code, 0) << ok.out;
  EXPECT_TRUE(json_line(ok).at("Consistent").as_bool());
}

TEST_F(AdminCli, TokenFromEnvironmentNeverArgvAndTheDomainMustMatch) {
  const Dc& dc = *dcs_[0];
  auto env = admin(dc, {"kerberos-server", "get", "--domain", dc.domain}, "",
                   {{"KEYBRIDGE_ADMIN_TOKEN", token_}}, false);
  EXPECT_EQ(env.exit_code, 2) << env.out;  // reached the cloud; nothing set yet
  EXPECT_NE(env.out.find("CloudId"), std::string::npos) << env.out;
  auto none = admin(dc, {"kerberos-server", "get", "--domain", dc.domain}, "", {}, false);
  EXPECT_EQ(none.exit_code, 1) << none.out;
  EXPECT_NE(none.out.find("KEYBRIDGE_ADMIN_TOKEN"), std::string::npos) << none.out;
  auto wrong = admin(dc, {"kerberos-server", "get", "--domain", dc.domain}, "",
                     {{"KEYBRIDGE_ADMIN_TOKEN", "kbat_wrong"}}, false);
  EXPECT_EQ(wrong.exit_code, 1) << wrong.out;
  EXPECT_NE(wrong.out.find("unauthorized"), std::string::npos) << wrong.out;
  auto other = admin(dc, {"kerberos-server", "set", "--domain", "fabrikam.test"});
  EXPECT_EQ(other.exit_code, 1) << other.out;
  EXPECT_NE(other.out.find("not fabrikam.test"), std::string::npos) << other.out;
  auto bad_age = admin(
      dc, {"kerberos-server", "set", "--domain", dc.domain, "--rotate-if-older-than", "soon"});
  EXPECT_EQ(bad_age.exit_code, 1) << bad_age.out;
  auto force_alone = admin(dc, {"kerberos-server", "set", "--domain", dc.domain, "--force"});
  EXPECT_NE(force_alone.exit_code, 0) << force_alone.out;
  auto untouched = admin(dc, {"kerberos-server", "get", "--domain", dc.domain, "--json"});
  EXPECT_FALSE(json_line(untouched).at("InDirectory").as_bool());  // neither created anything
  auto dry = admin(dc, {"sync", "--domain", dc.domain, "--dry-run"});
  ASSERT_EQ(dry.exit_code, 0) << dry.out;
  EXPECT_NE(dry.out.find("would upsert alice@contoso.test"), std::string::npos) << dry.out;
  auto after = admin(dc, {"sync", "--domain", dc.domain, "--json"});
  EXPECT_GE(json_line(after).at("Added").to_number<std::int64_t>(),
            2);  // the dry run stored nothing
  // The token never shows in the cloud's log.
  EXPECT_EQ(read_all(dir_.path() / "cloud.log").find(token_.substr(5)), std::string::npos);
}

}  // namespace
}  // namespace kb
