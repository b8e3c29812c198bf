// Issue 7: "kvno, curl --negotiate, ssh -K and smbclient -k then use it with no further
// step". `keybridge signin` writes alice's full TGT into a FILE cache (the binaries on
// loopback, signin_fixture.h); the real clients then use that cache as it is:
// - curl --negotiate against Apache httpd + mod_auth_gssapi (apache_gssapi.h);
// - ssh with GSSAPI authentication and delegation against an OpenSSH sshd of the test's own;
// - smbclient -k against Samba's smbd as a member server (with winbindd) of the test's own.
#include <gtest/gtest.h>
#include <sys/stat.h>
#include <unistd.h>

#include "apache_gssapi.h"
#include "signin_fixture.h"

namespace kb {
namespace {

using e2e::slurp;
namespace fs = std::filesystem;
using kb::testing::run;

class SigninPeers : public e2e::SigninFixture {
 protected:
  // dc, cloud, alice's software key, then `keybridge signin` into a FILE cache.
  void sign_in_alice(const std::vector<Service>& extra = {}) {
    set_up_dc(extra);
    set_up_cloud();
    publish();
    enroll("alice@contoso.test", "alice.key", "alice.state");
    auto s = signin("alice@contoso.test", "alice.key", "alice.state", ccache());
    ASSERT_EQ(s.exit_code, 0) << s.out << slurp(path("cloud.log")) << slurp(path("dc.log"));
    ASSERT_NE(s.out.find("signed in: alice@CONTOSO.TEST"), std::string::npos) << s.out;
  }
  std::string ccache() const { return "FILE:" + path("alice.cc").string(); }

  // OpenSSH's sshd on 127.0.0.1:<free port>, its own sshd_config, host key and pid file in
  // the temp dir; GSSAPI only, keyed by KRB5_KTNAME = the keytab `dc keytab export` wrote for
  // host/ssh.contoso.test; it reads the realm's krb5.conf (k5login_directory). sshd re-execs
  // itself, hence the absolute path; /run/sshd is its privilege-separation directory.
  void start_sshd() {
    const std::string sshd = "/usr/sbin/sshd";
    ASSERT_EQ(::access(sshd.c_str(), X_OK), 0) << "sshd is missing (openssh-server)";
    ASSERT_FALSE(find_program("ssh-keygen").empty()) << "ssh-keygen is missing";
    if (::access("/run/sshd", F_OK) != 0) {
      ASSERT_EQ(::mkdir("/run/sshd", 0755), 0);
    }
    auto key = run({"ssh-keygen", "-q", "-t", "ed25519", "-N", "", "-f",
                    path("ssh_host_ed25519_key").string()},
                   {});
    ASSERT_EQ(key.exit_code, 0) << key.out;
    const std::map<std::string, std::string> server_env = {
        {"KRB5_CONFIG", path("krb5.conf").string()},
        {"KRB5_KTNAME", "FILE:" + path("ssh.keytab").string()},
        {"LC_ALL", "C"}};
    for (int tries = 0; tries < 3; ++tries) {  // the free port may be taken before sshd binds
      ssh_port_ = ::kb::free_loopback_port();
      ASSERT_NE(ssh_port_, 0);
      const std::string conf =
          "Port " + std::to_string(ssh_port_) +
          "\nListenAddress 127.0.0.1\n"
          "HostKey " +
          path("ssh_host_ed25519_key").string() + "\nPidFile " + path("sshd.pid").string() +
          "\n"
          "UsePAM no\nPasswordAuthentication no\nKbdInteractiveAuthentication no\n"
          "PubkeyAuthentication no\nAuthorizedKeysFile none\n"
          "GSSAPIAuthentication yes\nGSSAPIStrictAcceptorCheck no\nGSSAPICleanupCredentials yes\n"
          "PermitRootLogin prohibit-password\nPrintMotd no\nPrintLastLog no\n"
          "LogLevel VERBOSE\n";
      ASSERT_TRUE(formats::write_private_file(path("sshd_config"), as_bytes(conf)));
      std::string error;
      ASSERT_TRUE(sshd_.start({sshd, "-D", "-e", "-f", path("sshd_config").string()}, server_env,
                              path("sshd.log"), &error))
          << error;
      const std::string listening =
          "Server listening on 127.0.0.1 port " + std::to_string(ssh_port_) + ".";
      for (int i = 0; i < 100 && sshd_.running(); ++i) {
        if (slurp(path("sshd.log")).find(listening) != std::string::npos) return;
        ::usleep(50000);
      }
      sshd_.stop();
    }
    FAIL() << "sshd did not start: " << slurp(path("sshd.log"));
  }

  // ssh -K as root to the test's sshd, asking for host@ssh.contoso.test (GSSAPIServerIdentity:
  // the name the keytab holds, while the TCP connection goes to 127.0.0.1), with the cache
  // of `ccache_name`; no user or system ssh_config (-F /dev/null).
  RunResult ssh(const std::string& ccache_name, const std::string& command) {
    return run({"ssh",
                "-F",
                "/dev/null",
                "-o",
                "GSSAPIAuthentication=yes",
                "-o",
                "GSSAPIDelegateCredentials=yes",
                "-o",
                "GSSAPIServerIdentity=ssh.contoso.test",
                "-o",
                "PreferredAuthentications=gssapi-with-mic",
                "-o",
                "StrictHostKeyChecking=no",
                "-o",
                "UserKnownHostsFile=/dev/null",
                "-o",
                "BatchMode=yes",
                "-o",
                "ConnectTimeout=10",
                "-p",
                std::to_string(ssh_port_),
                "root@127.0.0.1",
                command},
               env(ccache_name), "", 60);
  }

  // smbd as a domain member of CONTOSO (security = ads) on 127.0.0.1:<free port>, all its
  // state in the temp dir. What it takes without a real join (docs/signin.md, "smbclient -k"):
  // the keytab for cifs/files.contoso.test (`kerberos method = dedicated keytab`), the
  // domain SID in its own secrets.tdb (`net setdomainsid`: no machine account, no LDAP,
  // no netlogon), and winbindd, which decodes the PAC for smbd and stays offline (it finds
  // no DC). winbindd's socket directory is a compile-time path (/run/samba/winbindd) unless
  // nss_wrapper is preloaded, which lets SELFTEST_WINBINDD_SOCKET_DIR move it into the temp
  // dir; its passwd/group files are copies of the system's. `username map` maps CONTOSO\alice
  // to root (`min domain uid = 0` allows a mapped uid below 1000).
  void start_smbd(const std::string& domain_sid, const std::string& netbios) {
    const std::string nss_wrapper = find_nss_wrapper();
    ASSERT_FALSE(nss_wrapper.empty()) << "libnss_wrapper.so is missing (libnss-wrapper)";
    for (const char* p : {"smbd", "winbindd", "net", "smbclient"}) {
      ASSERT_FALSE(find_program(p).empty()) << p << " is missing (samba, winbind, smbclient)";
    }
    const fs::path smb = path("smb");
    for (const char* d : {"private", "lock", "state", "cache", "pid", "ncalrpc", "wb", "share"}) {
      fs::create_directories(smb / d);
    }
    ASSERT_TRUE(
        formats::write_private_file(smb / "share" / "hello.txt", as_bytes("hello from smbd\n")));
    fs::copy_file("/etc/passwd", smb / "passwd");
    fs::copy_file("/etc/group", smb / "group");
    smb_env_ = {{"KRB5_CONFIG", path("krb5.conf").string()},
                {"LD_PRELOAD", nss_wrapper},
                {"NSS_WRAPPER_PASSWD", (smb / "passwd").string()},
                {"NSS_WRAPPER_GROUP", (smb / "group").string()},
                {"SELFTEST_WINBINDD_SOCKET_DIR", (smb / "wb").string()},
                {"LC_ALL", "C"}};
    write_usermap("root = " + netbios + "\\alice\n");
    for (int tries = 0; tries < 3; ++tries) {  // the free port may be taken before smbd binds
      smb_port_ = ::kb::free_loopback_port();
      ASSERT_NE(smb_port_, 0);
      const std::string d = smb.string();
      std::string conf = "[global]\n";
      for (const auto& [k, v] : std::vector<std::pair<std::string, std::string>>{
               {"server role", "member server"},
               {"security", "ads"},
               {"workgroup", netbios},
               {"realm", "CONTOSO.TEST"},
               {"netbios name", "FILES"},
               {"kerberos method", "dedicated keytab"},
               {"dedicated keytab file", "FILE:" + path("cifs.keytab").string()},
               {"username map", d + "/usermap"},
               {"min domain uid", "0"},
               {"winbindd socket directory", d + "/wb"},
               {"rpc start on demand helpers", "no"},  // no samba-dcerpcd left behind
               {"idmap config * : backend", "tdb"},
               {"idmap config * : range", "100000-199999"},
               {"private dir", d + "/private"},
               {"binddns dir", d + "/private"},
               {"lock directory", d + "/lock"},
               {"state directory", d + "/state"},
               {"cache directory", d + "/cache"},
               {"pid directory", d + "/pid"},
               {"ncalrpc dir", d + "/ncalrpc"},
               {"passdb backend", "tdbsam:" + d + "/private/passdb.tdb"},
               {"smb ports", std::to_string(smb_port_)},
               {"interfaces", "127.0.0.1"},
               {"bind interfaces only", "yes"},
               {"disable netbios", "yes"},
               {"disable spoolss", "yes"},
               {"load printers", "no"}}) {
        conf += "  " + k + " = " + v + "\n";
      }
      conf += "[share]\n  path = " + d + "/share\n  read only = yes\n";
      ASSERT_TRUE(formats::write_private_file(smb / "smb.conf", as_bytes(conf)));
      auto sid =
          run({"net", "-s", (smb / "smb.conf").string(), "setdomainsid", domain_sid}, smb_env_);
      ASSERT_EQ(sid.exit_code, 0) << sid.out;
      std::string error;  // winbindd at level 3 logs the account it read from the PAC
      ASSERT_TRUE(winbindd_.start({find_program("winbindd"), "-F", "--debug-stdout", "-d", "3",
                                   "-s", (smb / "smb.conf").string()},
                                  smb_env_, path("winbindd.log"), &error))
          << error;
      ASSERT_TRUE(smbd_.start({find_program("smbd"), "-F", "--debug-stdout", "-d", "2", "-s",
                               (smb / "smb.conf").string()},
                              smb_env_, path("smbd.log"), &error))
          << error;
      for (int i = 0; i < 200 && smbd_.running(); ++i) {
        if (slurp(path("smbd.log")).find("waiting for connections") != std::string::npos) return;
        ::usleep(50000);
      }
      smbd_.stop();
      winbindd_.stop();
    }
    FAIL() << "smbd did not start: " << slurp(path("smbd.log")) << slurp(path("winbindd.log"));
  }
  // libnss_wrapper.so in the multiarch library directory (/usr/lib/<triplet>/), or "".
  static std::string find_nss_wrapper() {
    std::error_code ec;
    for (const auto& e : fs::directory_iterator("/usr/lib", ec)) {
      const auto so = e.path() / "libnss_wrapper.so";
      if (::access(so.c_str(), R_OK) == 0) return so.string();
    }
    return "";
  }
  void write_usermap(const std::string& text) {
    ASSERT_TRUE(formats::write_private_file(path("smb") / "usermap", as_bytes(text)));
  }

  // smbclient -k (Kerberos only) to //files.contoso.test/share, the TCP connection to
  // 127.0.0.1 (-I), with the cache of `ccache_name`; no smb.conf of the machine's.
  RunResult smbclient(const std::string& ccache_name, const std::string& command) {
    return run({"smbclient", "//files.contoso.test/share", "-I", "127.0.0.1", "-p",
                std::to_string(smb_port_), "--use-kerberos=required", "-N", "-s", "/dev/null", "-c",
                command},
               env(ccache_name), "", 60);
  }

  BackgroundProcess sshd_;
  int ssh_port_ = 0;
  BackgroundProcess winbindd_;
  BackgroundProcess smbd_;
  std::map<std::string, std::string> smb_env_;
  int smb_port_ = 0;
};

TEST_F(SigninPeers, CurlNegotiateToApacheWithTheSigninCache) {
  sign_in_alice();
  std::string error;
  auto apache = kb::testing::ApacheGssapi::start({path("web.keytab"), path("krb5.conf")}, &error);
  ASSERT_TRUE(apache) << error;

  // curl asks for HTTP@web.contoso.test (the name in the URL, --resolve'd to 127.0.0.1); the
  // service ticket comes from our DC with the TGT `keybridge signin` stored.
  auto reply = apache->curl_negotiate(env(ccache()));
  EXPECT_EQ(reply.out, "200") << apache->logs() << slurp(path("dc.log"));
  // REMOTE_USER (%u in the access log) is alice's principal.
  EXPECT_TRUE(apache->wait_for_access_log("alice@CONTOSO.TEST 200 GET /index.html"))
      << apache->logs();
  // The service ticket is now in the same cache, next to the TGT.
  auto k = run({"klist"}, env(ccache()));
  EXPECT_NE(k.out.find("HTTP/web.contoso.test@CONTOSO.TEST"), std::string::npos) << k.out;

  // Without the cache there is nothing to negotiate with: 401.
  EXPECT_EQ(apache->curl_negotiate(env("FILE:" + path("empty.cc").string())).out, "401");
  ASSERT_EQ(run({"kdestroy"}, env(ccache())).exit_code, 0);
  EXPECT_EQ(apache->curl_negotiate(env(ccache())).out, "401");
}

// ssh -K: GSSAPI authentication with the signin cache and delegation of alice's TGT. The
// test runs as root (CI does) and logs in as root: a k5login (k5login_directory in the
// realm's krb5.conf) maps alice@CONTOSO.TEST to root, so no account is created.
TEST_F(SigninPeers, SshWithGssapiAndDelegationWithTheSigninCache) {
  if (::geteuid() != 0) {
    GTEST_SKIP() << "sshd needs root (privilege separation, logging in as root); CI runs as root";
  }
  ASSERT_FALSE(find_program("ssh").empty()) << "ssh is missing (openssh-client)";
  const auto k5login = path("k5login");
  fs::create_directories(k5login);
  ASSERT_TRUE(formats::write_private_file(k5login / "root", as_bytes("alice@CONTOSO.TEST\n")));
  write_krb5_conf(" k5login_directory = " + k5login.string() + "\n");
  sign_in_alice({{"sshhost", "host/ssh.contoso.test", "ssh.keytab"}});
  start_sshd();

  auto r = ssh(ccache(), "echo ok; klist -f");
  ASSERT_EQ(r.exit_code, 0) << r.out << slurp(path("sshd.log"));
  EXPECT_NE(r.out.find("ok\n"), std::string::npos) << r.out;
  // The remote klist reads the cache sshd made from the delegated credentials (not ours):
  // alice's TGT, flagged forwarded (f).
  EXPECT_NE(r.out.find("Ticket cache: FILE:"), std::string::npos) << r.out;
  EXPECT_EQ(r.out.find("Ticket cache: " + ccache()), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("Default principal: alice@CONTOSO.TEST"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("krbtgt/CONTOSO.TEST@CONTOSO.TEST"), std::string::npos) << r.out;
  const auto flags_at = r.out.find("Flags: ");
  ASSERT_NE(flags_at, std::string::npos) << r.out;
  const std::string flags = r.out.substr(flags_at + 7, r.out.find('\n', flags_at) - flags_at - 7);
  EXPECT_NE(flags.find('f'), std::string::npos) << r.out;
  const std::string log = slurp(path("sshd.log"));
  EXPECT_NE(log.find("Authorized to root, krb5 principal alice@CONTOSO.TEST"), std::string::npos)
      << log;
  EXPECT_NE(log.find("Accepted gssapi-with-mic for root from 127.0.0.1"), std::string::npos) << log;
  // The client got a service ticket for the host with the same TGT.
  auto k = run({"klist"}, env(ccache()));
  EXPECT_NE(k.out.find("host/ssh.contoso.test@CONTOSO.TEST"), std::string::npos) << k.out;

  // Negative: with alice gone from the k5login she may not be root; without a ticket there is
  // nothing to authenticate with.
  ASSERT_TRUE(formats::write_private_file(k5login / "root", as_bytes("bob@CONTOSO.TEST\n")));
  auto refused = ssh(ccache(), "echo ok");
  EXPECT_EQ(refused.exit_code, 255) << refused.out;
  EXPECT_EQ(refused.out.find("ok\n"), std::string::npos) << refused.out;
  EXPECT_NE(slurp(path("sshd.log")).find("Failed gssapi-with-mic for root"), std::string::npos)
      << slurp(path("sshd.log"));
  ASSERT_TRUE(formats::write_private_file(k5login / "root", as_bytes("alice@CONTOSO.TEST\n")));
  auto no_ticket = ssh("FILE:" + path("empty.cc").string(), "echo ok");
  EXPECT_EQ(no_ticket.exit_code, 255) << no_ticket.out;
  EXPECT_NE(no_ticket.out.find("Permission denied"), std::string::npos) << no_ticket.out;
  sshd_.stop();
}

// smbclient -k: smbd accepts the service ticket got with the signin cache (Samba's own
// Heimdal reads the FILE cache MIT libkrb5 wrote), winbindd reads alice from the PAC our DC
// put in it, and the username map makes her root for the share.
TEST_F(SigninPeers, SmbclientKerberosWithTheSigninCache) {
  if (::geteuid() != 0) {
    GTEST_SKIP() << "smbd needs root (it switches to the mapped user); CI runs as root";
  }
  sign_in_alice({{"smbsvc", "cifs/files.contoso.test", "cifs.keytab"}});
  auto dc = admin::open_dc({path("dc")});
  ASSERT_TRUE(dc) << dc.error().to_string();
  start_smbd(dc->domain.sid, dc->domain.netbios_name);

  auto r = smbclient(ccache(), "get hello.txt -");
  ASSERT_EQ(r.exit_code, 0) << r.out << slurp(path("smbd.log")) << slurp(path("winbindd.log"));
  EXPECT_NE(r.out.find("hello from smbd"), std::string::npos) << r.out;
  EXPECT_NE(slurp(path("smbd.log")).find("connect to service share initially as user root"),
            std::string::npos)
      << slurp(path("smbd.log"));
  EXPECT_NE(slurp(path("winbindd.log")).find("Found account name from PAC: alice"),
            std::string::npos)
      << slurp(path("winbindd.log"));
  auto k = run({"klist"}, env(ccache()));
  EXPECT_NE(k.out.find("cifs/files.contoso.test@CONTOSO.TEST"), std::string::npos) << k.out;

  // Negative: alice mapped to no local user; no ticket at all.
  write_usermap("root = " + dc->domain.netbios_name + "\\bob\n");
  auto unmapped = smbclient(ccache(), "get hello.txt -");
  EXPECT_NE(unmapped.exit_code, 0) << unmapped.out;
  EXPECT_NE(unmapped.out.find("NT_STATUS_LOGON_FAILURE"), std::string::npos) << unmapped.out;
  EXPECT_EQ(unmapped.out.find("hello from smbd"), std::string::npos) << unmapped.out;
  auto no_ticket = smbclient("FILE:" + path("empty.cc").string(), "get hello.txt -");
  EXPECT_NE(no_ticket.exit_code, 0) << no_ticket.out;
  EXPECT_NE(no_ticket.out.find("session setup failed"), std::string::npos) << no_ticket.out;
  EXPECT_EQ(no_ticket.out.find("hello from smbd"), std::string::npos) << no_ticket.out;
  smbd_.stop();
  winbindd_.stop();
}

}  // namespace
}  // namespace kb
