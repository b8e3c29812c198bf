// `keybridge dc ...` end to end: a domain created and managed through the CLI, served by
// `dc serve` (started and stopped by PID), used by MIT kinit, kvno and klist.
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <fstream>
#include <thread>

#include "formats/keytab.h"
#include "process.h"

namespace kb {
namespace {

using kb::testing::run;

class DcCli : public ::testing::Test {
 protected:
  void SetUp() override {
    data_ = (dir_.path() / "dc").string();
    port_ = ::kb::free_loopback_port();
    ASSERT_NE(port_, 0);
    std::string conf =
        "[libdefaults]\n default_realm = CONTOSO.TEST\n dns_lookup_kdc = false\n rdns = false\n"
        " dns_canonicalize_hostname = false\n[realms]\n CONTOSO.TEST = {\n  kdc = 127.0.0.1:" +
        std::to_string(port_) + "\n }\n[domain_realm]\n .contoso.test = CONTOSO.TEST\n";
    ASSERT_TRUE(formats::write_private_file(dir_.path() / "krb5.conf", as_bytes(conf)));
  }
  void TearDown() override { server_.stop(); }

  RunResult kb(std::vector<std::string> args, const std::string& input = "") {
    std::vector<std::string> argv = {KB_KEYBRIDGE_BIN, "dc", "--data-dir", data_};
    argv.insert(argv.end(), args.begin(), args.end());
    return run(argv, {}, input, 60);
  }
  std::map<std::string, std::string> env() const {
    return {{"KRB5_CONFIG", (dir_.path() / "krb5.conf").string()},
            {"KRB5CCNAME", "FILE:" + (dir_.path() / "cc").string()},
            {"LC_ALL", "C"}};
  }
  RunResult kinit(const std::string& who, const std::string& pw) {
    return run({"kinit", who}, env(), pw + "\n", 30);
  }

  void start_server() {
    std::string error;
    ASSERT_TRUE(server_.start({KB_KEYBRIDGE_BIN, "dc", "--data-dir", data_, "serve", "--listen",
                               "127.0.0.1:" + std::to_string(port_), "--threads", "2"},
                              {}, dir_.path() / "serve.log", &error))
        << error;
    for (int i = 0; i < 100; ++i) {
      if (log().find("listening on 127.0.0.1:" + std::to_string(port_)) != std::string::npos)
        return;
      std::this_thread::sleep_for(std::chrono::milliseconds(50));
    }
    FAIL() << "dc serve did not start: " << log();
  }
  std::string log() const {
    std::ifstream in(dir_.path() / "serve.log");
    return std::string((std::istreambuf_iterator<char>(in)), {});
  }

  kb::testing::TempDir dir_;
  std::string data_;
  int port_ = 0;
  BackgroundProcess server_;
};

TEST_F(DcCli, DomainManagedFromTheCliServesMitClients) {
  auto init = kb({"init", "--domain", "contoso.test", "--password-stdin"}, "Adm1n!pw\n");
  ASSERT_EQ(init.exit_code, 0) << init.out;
  EXPECT_NE(init.out.find("realm CONTOSO.TEST"), std::string::npos) << init.out;
  auto again = kb({"init", "--domain", "contoso.test", "--password-stdin"}, "x\n");
  EXPECT_NE(again.exit_code, 0);
  EXPECT_NE(again.out.find("already exists"), std::string::npos) << again.out;

  ASSERT_EQ(kb({"user", "add", "alice", "--password-stdin"}, "Al1ce-pw\n").exit_code, 0);
  ASSERT_EQ(kb({"user", "add", "websvc", "--random-password"}).exit_code, 0);
  ASSERT_EQ(kb({"spn", "add", "websvc", "HTTP/web.contoso.test"}).exit_code, 0);
  ASSERT_EQ(kb({"group", "add", "Engineers"}).exit_code, 0);
  ASSERT_EQ(kb({"group", "member", "add", "Engineers", "alice"}).exit_code, 0);
  std::string kt = (dir_.path() / "web.keytab").string();
  auto exp = kb({"keytab", "export", "HTTP/web.contoso.test", "--out", kt});
  ASSERT_EQ(exp.exit_code, 0) << exp.out;
  auto kl = run({"klist", "-k", "-e", kt}, env());
  EXPECT_NE(kl.out.find("HTTP/web.contoso.test@CONTOSO.TEST (aes256-cts-hmac-sha1-96)"),
            std::string::npos)
      << kl.out;

  start_server();
  auto k = kinit("alice", "Al1ce-pw");
  ASSERT_EQ(k.exit_code, 0) << k.out << log();
  auto v = run({"kvno", "-k", kt, "HTTP/web.contoso.test"}, env());
  EXPECT_NE(v.out.find("keytab entry valid"), std::string::npos) << v.out;

  // userAccountControl flags: a PAC-less service ticket still validates with the keytab.
  auto na = kb({"user", "flags", "websvc", "--set", "no-auth-data-required"});
  ASSERT_EQ(na.exit_code, 0) << na.out;
  EXPECT_NE(na.out.find("no-auth-data-required"), std::string::npos) << na.out;
  ASSERT_EQ(run({"kdestroy"}, env()).exit_code, 0);
  ASSERT_EQ(kinit("alice", "Al1ce-pw").exit_code, 0);
  auto v2 = run({"kvno", "-k", kt, "HTTP/web.contoso.test"}, env());
  EXPECT_NE(v2.out.find("keytab entry valid"), std::string::npos) << v2.out;
  auto cleared = kb({"user", "flags", "websvc", "--clear", "no-auth-data-required"});
  ASSERT_EQ(cleared.exit_code, 0) << cleared.out;
  EXPECT_EQ(cleared.out.find("no-auth-data-required"), std::string::npos) << cleared.out;
  auto bogus = kb({"user", "flags", "alice", "--set", "bogus"});
  EXPECT_NE(bogus.exit_code, 0);
  EXPECT_NE(bogus.out.find("unknown account flag 'bogus'"), std::string::npos) << bogus.out;
  auto list = kb({"user", "flags", "--list"});
  EXPECT_NE(list.out.find("not-delegated"), std::string::npos) << list.out;

  // Changes made while the server runs take effect on the next request.
  ASSERT_EQ(kb({"user", "disable", "alice"}).exit_code, 0);
  EXPECT_NE(kinit("alice", "Al1ce-pw").out.find("revoked"), std::string::npos);
  ASSERT_EQ(kb({"user", "enable", "alice"}).exit_code, 0);
  ASSERT_EQ(kb({"user", "expire", "alice"}).exit_code, 0);
  EXPECT_NE(kinit("alice", "Al1ce-pw").out.find("Password expired"), std::string::npos);
  ASSERT_EQ(kb({"user", "set-password", "alice", "--password-stdin"}, "N3w-pw\n").exit_code, 0);
  EXPECT_NE(kinit("alice", "Al1ce-pw").exit_code, 0);
  EXPECT_EQ(kinit("alice", "N3w-pw").exit_code, 0);

  // One structured line per request, no passwords.
  std::string l = log();
  EXPECT_NE(l.find("kdc AS client=alice service=krbtgt/CONTOSO.TEST result=ok code=0"),
            std::string::npos)
      << l;
  EXPECT_NE(l.find("result=refused code=18"), std::string::npos) << l;
  EXPECT_EQ(l.find("Al1ce-pw"), std::string::npos);
  EXPECT_EQ(server_.stop(), 0);  // SIGTERM: a clean exit
  EXPECT_NE(log().find("stopped by signal"), std::string::npos);
}

TEST_F(DcCli, BadInputGetsAClearMessageAndNonZeroExit) {
  auto none = kb({"user", "add", "bob", "--password-stdin"}, "pw\n");
  EXPECT_NE(none.exit_code, 0);
  EXPECT_NE(none.out.find("run dc init"), std::string::npos) << none.out;
  ASSERT_EQ(kb({"init", "--domain", "contoso.test", "--password-stdin"}, "Adm1n!pw\n").exit_code,
            0);
  auto bad_name = kb({"user", "add", "bad name", "--password-stdin"}, "pw\n");
  EXPECT_NE(bad_name.exit_code, 0);
  EXPECT_NE(bad_name.out.find("invalid sAMAccountName"), std::string::npos) << bad_name.out;
  auto empty_pw = kb({"user", "add", "bob", "--password-stdin"}, "\n");
  EXPECT_NE(empty_pw.exit_code, 0);
  EXPECT_NE(empty_pw.out.find("empty password"), std::string::npos) << empty_pw.out;
  auto no_user = kb({"user", "disable", "nobody"});
  EXPECT_NE(no_user.exit_code, 0);
  EXPECT_NE(no_user.out.find("no account named nobody"), std::string::npos) << no_user.out;
  auto bad_spn = kb({"spn", "add", "Administrator", "HTTP/web@CONTOSO.TEST"});
  EXPECT_NE(bad_spn.exit_code, 0);
  auto bad_listen = kb({"serve", "--listen", "nonsense"});
  EXPECT_NE(bad_listen.exit_code, 0);
  EXPECT_NE(bad_listen.out.find("bad_address"), std::string::npos) << bad_listen.out;
  // The stash must stay private: a loosened one is refused.
  ::chmod((dir_.path() / "dc" / "master.stash").c_str(), 0644);
  auto loose = kb({"user", "unlock", "Administrator"});
  EXPECT_NE(loose.exit_code, 0);
  EXPECT_NE(loose.out.find("0600"), std::string::npos) << loose.out;
}

// Issue 5: the Kerberos server object's directory side and its policy, from the CLI.
TEST_F(DcCli, KerberosServerObjectAndItsPolicyFromTheCli) {
  ASSERT_EQ(kb({"init", "--domain", "contoso.test", "--password-stdin"}, "Adm1n!pw\n").exit_code,
            0);
  auto missing = kb({"kerberos-server", "show"});
  EXPECT_NE(missing.exit_code, 0);
  EXPECT_NE(missing.out.find("no Kerberos server object"), std::string::npos) << missing.out;

  auto created = kb({"kerberos-server", "create", "--branch", "40000", "--from", "admin01"});
  ASSERT_EQ(created.exit_code, 0) << created.out;
  EXPECT_NE(created.out.find("Id                     : 40000"), std::string::npos) << created.out;
  EXPECT_NE(created.out.find("CN=AzureADKerberos,OU=Domain Controllers,DC=contoso,DC=test"),
            std::string::npos)
      << created.out;
  EXPECT_NE(created.out.find("Domain Admins (S-1-5-21-"), std::string::npos) << created.out;
  EXPECT_NE(kb({"kerberos-server", "create"}).exit_code, 0);  // one per domain

  auto rotated = kb({"kerberos-server", "rotate"});
  ASSERT_EQ(rotated.exit_code, 0) << rotated.out;
  EXPECT_NE(rotated.out.find("KeyVersion             : 2"), std::string::npos) << rotated.out;

  auto allow = kb({"prp", "allow", "Domain Admins"});
  ASSERT_EQ(allow.exit_code, 0) << allow.out;
  EXPECT_NE(allow.out.find("warning: allowing Domain Admins"), std::string::npos) << allow.out;
  ASSERT_EQ(kb({"prp", "remove-deny", "Backup Operators"}).exit_code, 0);
  auto json = kb({"prp", "show", "--json"});
  ASSERT_EQ(json.exit_code, 0) << json.out;
  EXPECT_NE(json.out.find("\"KeyVersion\":2"), std::string::npos) << json.out;
  EXPECT_EQ(json.out.find("S-1-5-32-551"), std::string::npos) << json.out;
  EXPECT_NE(kb({"prp", "deny", "No Such Group"}).exit_code, 0);

  ASSERT_EQ(kb({"kerberos-server", "remove"}).exit_code, 0);
  EXPECT_NE(kb({"kerberos-server", "show"}).exit_code, 0);
}

// Issue 5: `keybridge admin dc-check` against a running `dc serve` and a dead address.
TEST_F(DcCli, DcCheckShowsWhichDcsTradeAndAnswerTheKeyList) {
  ASSERT_EQ(kb({"init", "--domain", "contoso.test", "--password-stdin"}, "Adm1n!pw\n").exit_code,
            0);
  ASSERT_EQ(kb({"user", "add", "alice", "--password-stdin"}, "Al1ce-pw\n").exit_code, 0);
  ASSERT_EQ(kb({"kerberos-server", "create"}).exit_code, 0);
  start_server();
  const std::string live = "127.0.0.1:" + std::to_string(port_);
  const std::string dead = "127.0.0.1:" + std::to_string(::kb::free_loopback_port());
  auto check = [&](std::vector<std::string> extra) {
    std::vector<std::string> argv = {KB_KEYBRIDGE_BIN, "admin", "--dc-data-dir", data_, "dc-check",
                                     "--dc",           live,    "--dc",          dead};
    argv.insert(argv.end(), extra.begin(), extra.end());
    return run(argv, {}, "", 60);
  };
  auto allowed = check({"--user", "alice", "--json"});
  ASSERT_EQ(allowed.exit_code, 0) << allowed.out << log();
  EXPECT_NE(allowed.out.find("\"dc\":\"" + live +
                             "\",\"reachable\":true,\"trade\":\"yes\","
                             "\"key_list\":\"yes\""),
            std::string::npos)
      << allowed.out;
  EXPECT_NE(allowed.out.find("\"dc\":\"" + dead + "\",\"reachable\":false"), std::string::npos)
      << allowed.out;
  auto denied = check({});  // Administrator: the DC trades, the policy refuses the probe
  ASSERT_EQ(denied.exit_code, 0) << denied.out;
  EXPECT_NE(denied.out.find("trade     : yes"), std::string::npos) << denied.out;
  EXPECT_NE(denied.out.find("key list  : unknown"), std::string::npos) << denied.out;
  EXPECT_NE(log().find("result=refused code=20"), std::string::npos) << log();
  auto other = run({KB_KEYBRIDGE_BIN, "admin", "--dc-data-dir", data_, "dc-check", "--domain",
                    "fabrikam.test", "--dc", live},
                   {}, "", 60);
  EXPECT_NE(other.exit_code, 0);
  EXPECT_NE(other.out.find("not fabrikam.test"), std::string::npos) << other.out;
}

}  // namespace
}  // namespace kb
