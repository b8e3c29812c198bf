// `keybridge signin` into KCM credential caches served by a real KCM daemon (Heimdal's
// `kcm`, package heimdal-kcm), read back with MIT klist, kvno and kinit (docs/signin.md).
//
// heimdal-kcm 7.8 always binds /var/run/.heim_org.h5l.kcm-socket (it ignores
// --socket-path), so the test process first enters a private mount namespace and
// bind-mounts a directory of its temp dir over /var/run there: the daemon it starts and every
// program it runs (keybridge, klist, kvno, kinit) inherit that namespace and meet on a socket
// nobody else sees; the machine's /run is untouched. As root only the mount namespace is
// needed; otherwise the test also enters a user namespace (uid 0 inside mapped to the real
// uid) and skips, with the reason, when the kernel refuses one.
#include <errno.h>
#include <gtest/gtest.h>
#include <sched.h>
#include <sys/mount.h>
#include <unistd.h>

#include <boost/json.hpp>
#include <cstring>
#include <fstream>
#include <functional>
#include <thread>

#include "base/json.h"
#include "formats/keytab.h"
#include "net/https_client.h"
#include "process.h"

namespace kb {
namespace {

using kb::testing::run;
namespace fs = std::filesystem;

// Where heimdal-kcm binds and MIT's KCM client looks by default (also set in krb5.conf).
const fs::path kVarRun = "/var/run";
const std::string kSocketName = ".heim_org.h5l.kcm-socket";
const std::string kTgt = "krbtgt/CONTOSO.TEST@CONTOSO.TEST";
const std::string kWeb = "HTTP/web.contoso.test@CONTOSO.TEST";

std::string slurp(const fs::path& p) {
  std::ifstream in(p);
  return std::string((std::istreambuf_iterator<char>(in)), {});
}

bool write_text(const fs::path& p, const std::string& text) {
  std::ofstream out(p);
  out << text;
  return static_cast<bool>(out.flush());
}

std::string errno_text(const std::string& what) {
  return what + ": " + std::strerror(errno);
}

// Enters a new mount namespace (and a user namespace when not root) whose /var/run is
// `private_run`. Returns "" on success, else what failed.
std::string enter_private_var_run(const fs::path& private_run) {
  const uid_t uid = ::geteuid();
  const gid_t gid = ::getegid();
  const int flags = uid == 0 ? CLONE_NEWNS : (CLONE_NEWUSER | CLONE_NEWNS);
  if (::unshare(flags) != 0) {
    return errno_text(uid == 0 ? "unshare(CLONE_NEWNS)" : "unshare(CLONE_NEWUSER|CLONE_NEWNS)");
  }
  if (uid != 0) {
    // user_namespaces(7): setgroups must be denied before an unprivileged gid_map is written.
    if (!write_text("/proc/self/setgroups", "deny") ||
        !write_text("/proc/self/uid_map", "0 " + std::to_string(uid) + " 1\n") ||
        !write_text("/proc/self/gid_map", "0 " + std::to_string(gid) + " 1\n")) {
      return "writing the user namespace's uid/gid maps failed";
    }
  }
  // Nothing mounted here may propagate back to the machine's namespace.
  if (::mount(nullptr, "/", nullptr, MS_REC | MS_PRIVATE, nullptr) != 0) {
    return errno_text("making / private");
  }
  std::error_code ec;
  const fs::path target = fs::canonical(kVarRun, ec);  // /run on Debian (/var/run -> /run)
  if (ec) return "resolving /var/run: " + ec.message();
  if (::mount(private_run.c_str(), target.c_str(), nullptr, MS_BIND, nullptr) != 0) {
    return errno_text("bind-mounting over " + target.string());
  }
  return "";
}

class SigninKcm : public ::testing::Test {
 protected:
  void SetUp() override {
    for (const char* tool : {"klist", "kvno", "kinit", "kswitch"}) {
      ASSERT_FALSE(find_program(tool).empty()) << tool << " (krb5-user) is missing";
    }
    kcm_bin_ = find_program("kcm");
    ASSERT_FALSE(kcm_bin_.empty()) << "kcm (package heimdal-kcm) is missing";
    fs::create_directories(path("run"));
    const std::string failed = enter_private_var_run(path("run"));
    if (!failed.empty()) {
      ASSERT_NE(::geteuid(), 0u) << "as root the private mount namespace must work: " << failed;
      GTEST_SKIP() << "needs a private mount namespace for the KCM socket (heimdal-kcm binds "
                   << (kVarRun / kSocketName).string()
                   << " only); unprivileged user namespaces are unavailable: " << failed;
    }
    in_namespace_ = true;
    dc_port_ = ::kb::free_loopback_port();
    for (int i = 0; i < 10 && (cloud_port_ == 0 || cloud_port_ == dc_port_); ++i) {
      cloud_port_ = ::kb::free_loopback_port();  // picked now: the origin names it
    }
    ASSERT_NE(dc_port_, 0);
    ASSERT_NE(cloud_port_, dc_port_);
    ASSERT_NE(cloud_port_, 0);
    const std::string conf =
        "[libdefaults]\n default_realm = CONTOSO.TEST\n dns_lookup_kdc = false\n"
        " dns_lookup_realm = false\n rdns = false\n dns_canonicalize_hostname = false\n"
        " kcm_socket = " +
        (kVarRun / kSocketName).string() + "\n[realms]\n CONTOSO.TEST = {\n  kdc = " + dc() +
        "\n }\n[domain_realm]\n .contoso.test = CONTOSO.TEST\n";
    ASSERT_TRUE(formats::write_private_file(path("krb5.conf"), as_bytes(conf)));
    ASSERT_TRUE(formats::write_private_file(path("pin"), as_bytes("24680\n")));
    start_kcm();
  }
  void TearDown() override {
    cloud_.stop();
    dc_.stop();
    kcm_.stop();
    std::error_code ec;
    const fs::path run_dir = fs::canonical(kVarRun, ec);
    if (in_namespace_ && !ec) ::umount2(run_dir.c_str(), MNT_DETACH);
  }

  fs::path path(const std::string& name) const { return dir_.path() / name; }
  std::string dc() const { return "127.0.0.1:" + std::to_string(dc_port_); }
  std::string cloud_url() const { return "https://localhost:" + std::to_string(cloud_port_); }
  std::string ca_file() const { return (path("cloud") / "tls.crt").string(); }
  // KRB5CCNAME is always set (to collection_ unless told), so nothing lands in a FILE cache.
  std::map<std::string, std::string> env(const std::string& ccache = "") const {
    return {{"KRB5_CONFIG", path("krb5.conf").string()},
            {"KRB5CCNAME", ccache.empty() ? collection_ : ccache},
            {"LC_ALL", "C"},
            {"HOME", dir_.path().string()}};
  }
  RunResult kb(std::vector<std::string> args, const std::string& input = "",
               const std::string& ccache = "") {
    args.insert(args.begin(), KB_KEYBRIDGE_BIN);
    return run(args, env(ccache), input, 120);
  }
  RunResult dc_cmd(std::vector<std::string> args, const std::string& input = "") {
    args.insert(args.begin(), {"dc", "--data-dir", path("dc").string()});
    return kb(args, input);
  }

  void wait_for(const std::function<bool()>& ready, const std::string& what, const fs::path& log) {
    for (int i = 0; i < 200; ++i) {
      if (ready()) return;
      std::this_thread::sleep_for(std::chrono::milliseconds(50));
    }
    FAIL() << what << " did not start: " << slurp(log);
  }
  void start_kcm() {
    std::string error;
    // In the foreground (no --detach), so that stopping it by PID stops the daemon.
    ASSERT_TRUE(kcm_.start({kcm_bin_}, env(), path("kcm.log"), &error)) << error;
    wait_for([&] { return fs::exists(path("run") / kSocketName); }, "kcm", path("kcm.log"));
  }
  void start(BackgroundProcess& p, std::vector<std::string> args, const std::string& log,
             const std::string& marker) {
    args.insert(args.begin(), KB_KEYBRIDGE_BIN);
    std::string error;
    ASSERT_TRUE(p.start(args, env(), path(log), &error)) << error;
    wait_for(
        [&] {
          const std::string l = slurp(path(log));
          const auto at = l.find(marker);
          return at != std::string::npos && l.find('\n', at) != std::string::npos;
        },
        args[1], path(log));
  }

  // The directory (alice, bob with a password, a web service) served on loopback; the cloud
  // tenant; the Kerberos server object and the users published with `keybridge admin`.
  void set_up_domain_and_cloud() {
    ASSERT_EQ(
        dc_cmd({"init", "--domain", "contoso.test", "--password-stdin"}, "Adm1n!pw\n").exit_code,
        0);
    ASSERT_EQ(dc_cmd({"user", "add", "alice", "--password-stdin"}, "Al1ce-pw\n").exit_code, 0);
    ASSERT_EQ(dc_cmd({"user", "add", "bob", "--password-stdin"}, "B0b-pass\n").exit_code, 0);
    ASSERT_EQ(dc_cmd({"user", "add", "websvc", "--random-password"}).exit_code, 0);
    ASSERT_EQ(dc_cmd({"spn", "add", "websvc", "HTTP/web.contoso.test"}).exit_code, 0);
    start(dc_, {"dc", "--data-dir", path("dc").string(), "serve", "--listen", dc()}, "dc.log",
          "listening on " + dc());

    auto init = kb({"cloud", "--data-dir", path("cloud").string(), "init", "--rp-id", "localhost",
                    "--origin", cloud_url()});
    ASSERT_EQ(init.exit_code, 0) << init.out;
    const auto at = init.out.find("kbat_");
    ASSERT_NE(at, std::string::npos) << init.out;
    token_ = init.out.substr(at, init.out.find('\n', at) - at);
    ASSERT_TRUE(formats::write_private_file(path("admin.token"), as_bytes(token_ + "\n")));
    const auto t = init.out.find("tenant id: ");
    ASSERT_NE(t, std::string::npos) << init.out;
    tenant_ = init.out.substr(t + 11, init.out.find('\n', t) - t - 11);
    const std::string listen = "127.0.0.1:" + std::to_string(cloud_port_);
    start(cloud_,
          {"cloud", "--data-dir", path("cloud").string(), "serve", "--listen", listen, "--threads",
           "2"},
          "cloud.log", "listening on " + listen);

    const std::vector<std::string> admin = {
        "admin", "--dc-data-dir", path("dc").string(), "--cloud",   cloud_url(), "--tenant",
        tenant_, "--token-file",  path("admin.token"), "--ca-file", ca_file()};
    auto with = [&](std::vector<std::string> extra) {
      std::vector<std::string> a = admin;
      a.insert(a.end(), extra.begin(), extra.end());
      return a;
    };
    auto set = kb(with({"kerberos-server", "set", "--domain", "contoso.test"}));
    ASSERT_EQ(set.exit_code, 0) << set.out;
    auto sync = kb(with({"sync", "--domain", "contoso.test"}));
    ASSERT_EQ(sync.exit_code, 0) << sync.out;
  }

  // A software key for alice, registered with a one-time access pass.
  void enroll_alice() {
    net::HttpsClientConfig cc;
    cc.ca_file = ca_file();
    auto client = net::HttpsClient::create(cc);
    ASSERT_TRUE(client) << client.error().to_string();
    http::Headers auth;
    auth.add("Authorization", "Bearer " + token_);
    auto resp = client->post(cloud_url() + "/api/v1/users/alice@contoso.test/access-passes", "{}",
                             "application/json", auth);
    ASSERT_TRUE(resp) << resp.error().to_string();
    ASSERT_EQ(resp->status, 201) << resp->body;
    auto o = json::parse_object(resp->body);
    ASSERT_TRUE(o);
    auto pass = json::get_string(*o, "pass");
    ASSERT_TRUE(pass);
    ASSERT_TRUE(formats::write_private_file(path("alice.pass"), as_bytes(*pass + "\n")));
    auto created = kb({"signin", "soft-key", "create", path("alice.key").string(), "--pin-file",
                       path("pin").string()});
    ASSERT_EQ(created.exit_code, 0) << created.out;
    auto reg = kb(with_device({"register-key", "--user", "alice@contoso.test", "--access-pass-file",
                               path("alice.pass").string()}));
    ASSERT_EQ(reg.exit_code, 0) << reg.out;
  }

  std::vector<std::string> with_device(std::vector<std::string> args) const {
    args.insert(args.begin(), "signin");
    for (const std::string& a :
         {std::string("--cloud"), cloud_url(), std::string("--tenant"), tenant_,
          std::string("--ca-file"), ca_file(), std::string("--authenticator"),
          "soft:" + path("alice.key").string(), std::string("--pin-file"), path("pin").string(),
          std::string("--state"), path("alice.state").string()}) {
      args.push_back(a);
    }
    return args;
  }
  // `keybridge signin` for alice; `ccache_opt` empty = no --ccache (the default cache).
  RunResult signin_alice(const std::string& ccache_opt) {
    std::vector<std::string> a = {"--user", "alice@contoso.test", "--dc", dc()};
    if (!ccache_opt.empty()) a.insert(a.end(), {"--ccache", ccache_opt});
    return kb(with_device(a));
  }
  RunResult refresh_alice(const std::string& ccache_opt) {
    std::vector<std::string> a = {"signin", "refresh", "--state",   path("alice.state").string(),
                                  "--dc",   dc(),      "--ca-file", ca_file()};
    if (!ccache_opt.empty()) a.insert(a.end(), {"--ccache", ccache_opt});
    return kb(a);
  }

  // The cache name keybridge printed ("  credential cache  : KCM:0").
  static std::string cache_written(const RunResult& r) {
    const std::string label = "credential cache  : ";
    const auto at = r.out.find(label);
    if (at == std::string::npos) return "";
    return r.out.substr(at + label.size(), r.out.find('\n', at) - at - label.size());
  }
  // The end time (Unix seconds) of the TGT in a `signin status --json` "ccache" object, 0 if none.
  static std::int64_t tgt_endtime(const boost::json::object& ccache) {
    for (const auto& c : ccache.at("credentials").as_array()) {
      const auto& o = c.as_object();
      if (o.at("server").as_string() == kTgt) return o.at("endtime").to_number<std::int64_t>();
    }
    return 0;
  }
  void default_collection();

  // The "valid starting  expires  service" line of klist for `service`.
  static std::string klist_line(const std::string& klist_out, const std::string& service) {
    const auto at = klist_out.find(service);
    if (at == std::string::npos) return "";
    const auto begin = klist_out.rfind('\n', at);
    return klist_out.substr(begin == std::string::npos ? 0 : begin + 1,
                            at + service.size() - (begin == std::string::npos ? 0 : begin + 1));
  }

  kb::testing::TempDir dir_{"kb-signin-kcm"};
  std::string collection_ = "KCM:";  // the default cache (KRB5CCNAME) of every program run
  std::string kcm_bin_;
  bool in_namespace_ = false;
  BackgroundProcess kcm_;
  BackgroundProcess dc_;
  BackgroundProcess cloud_;
  int dc_port_ = 0;
  int cloud_port_ = 0;
  std::string token_;
  std::string tenant_;
};

TEST_F(SigninKcm, SignInStatusAndRefreshThroughAKcmDaemon) {
  set_up_domain_and_cloud();
  enroll_alice();

  // The daemon serves an empty collection to begin with.
  auto empty = run({"klist"}, env());
  EXPECT_NE(empty.exit_code, 0) << empty.out;

  // --ccache KCM: names the collection's primary cache.
  auto s = signin_alice("KCM:");
  ASSERT_EQ(s.exit_code, 0) << s.out << slurp(path("dc.log")) << slurp(path("kcm.log"));
  EXPECT_NE(s.out.find("signed in: alice@CONTOSO.TEST"), std::string::npos) << s.out;
  const std::string primary = cache_written(s);
  EXPECT_EQ(primary.rfind("KCM:", 0), 0u) << s.out;
  auto k = run({"klist"}, env());
  ASSERT_EQ(k.exit_code, 0) << k.out;
  EXPECT_NE(k.out.find("Ticket cache: " + primary), std::string::npos) << k.out;
  EXPECT_NE(k.out.find("Default principal: alice@CONTOSO.TEST"), std::string::npos) << k.out;
  EXPECT_NE(k.out.find(kTgt), std::string::npos) << k.out;
  // kvno gets a service ticket with that TGT and libkrb5 stores it in the same KCM cache.
  auto v = run({"kvno", "HTTP/web.contoso.test"}, env());
  ASSERT_EQ(v.exit_code, 0) << v.out << slurp(path("dc.log"));
  EXPECT_NE(v.out.find(kWeb + ": kvno = "), std::string::npos) << v.out;
  auto k2 = run({"klist"}, env());
  EXPECT_NE(k2.out.find(kWeb), std::string::npos) << k2.out;

  // `signin status` reads the KCM cache.
  auto js = kb(
      {"signin", "status", "--state", path("alice.state").string(), "--ccache", "KCM:", "--json"});
  ASSERT_EQ(js.exit_code, 0) << js.out;
  auto j = json::parse_object(js.out);
  ASSERT_TRUE(j) << js.out;
  EXPECT_TRUE(j->at("full_tgt_present").as_bool());
  ASSERT_TRUE(j->at("ccache").is_object()) << js.out;
  const auto& cc = j->at("ccache").as_object();
  EXPECT_EQ(cc.at("name").as_string(), primary);
  EXPECT_EQ(cc.at("default_principal").as_string(), "alice@CONTOSO.TEST");
  ASSERT_EQ(cc.at("credentials").as_array().size(), 2u) << js.out;  // the TGT and HTTP/web
  const std::int64_t tgt_end = tgt_endtime(cc);
  ASSERT_GT(tgt_end, 0) << js.out;
  auto text = kb({"signin", "status", "--state", path("alice.state").string(), "--ccache", "KCM:"});
  EXPECT_NE(text.out.find(primary), std::string::npos) << text.out;

  // refresh (no security key) replaces the TGT in that cache: the service ticket is gone
  // (the cache was initialized again) and the new TGT starts later.
  std::this_thread::sleep_for(std::chrono::milliseconds(2100));
  auto r = refresh_alice("KCM:");
  ASSERT_EQ(r.exit_code, 0) << r.out << slurp(path("dc.log"));
  EXPECT_NE(r.out.find("refreshed: alice@CONTOSO.TEST"), std::string::npos) << r.out;
  EXPECT_EQ(cache_written(r), primary) << r.out;
  auto k3 = run({"klist"}, env());
  ASSERT_EQ(k3.exit_code, 0) << k3.out;
  EXPECT_EQ(k3.out.find(kWeb), std::string::npos) << k3.out;
  const std::string before = klist_line(k.out, kTgt);
  const std::string after = klist_line(k3.out, kTgt);
  ASSERT_FALSE(after.empty()) << k3.out;
  EXPECT_NE(before, after) << k.out << k3.out;
  auto v2 = run({"kvno", "HTTP/web.contoso.test"}, env());
  EXPECT_EQ(v2.exit_code, 0) << v2.out;
  // The replaced TGT expires later than the first one.
  auto js2 = kb(
      {"signin", "status", "--state", path("alice.state").string(), "--ccache", "KCM:", "--json"});
  auto j2 = json::parse_object(js2.out);
  ASSERT_TRUE(j2) << js2.out;
  ASSERT_TRUE(j2->at("ccache").is_object()) << js2.out;
  EXPECT_GT(tgt_endtime(j2->at("ccache").as_object()), tgt_end) << js.out << js2.out;
}

// KRB5CCNAME=collection_ (KCM: or DIR:...) holding bob's cache from kinit; alice signs in
// with no --ccache, refreshes, then signs in into bob's cache by name.
void SigninKcm::default_collection() {
  set_up_domain_and_cloud();
  enroll_alice();
  const std::string type = collection_.substr(0, collection_.find(':') + 1);  // "KCM:"

  // bob signs in with his password (MIT kinit): the primary cache is his.
  auto kin = run({"kinit", "bob@CONTOSO.TEST"}, env(), "B0b-pass\n", 30);
  ASSERT_EQ(kin.exit_code, 0) << kin.out << slurp(path("dc.log"));
  auto kb0 = run({"klist"}, env());
  ASSERT_NE(kb0.out.find("Default principal: bob@CONTOSO.TEST"), std::string::npos) << kb0.out;
  const auto cache_line = kb0.out.find("Ticket cache: ");
  ASSERT_NE(cache_line, std::string::npos) << kb0.out;
  const std::string bobs =
      kb0.out.substr(cache_line + 14, kb0.out.find('\n', cache_line) - cache_line - 14);

  // No --ccache: alice gets a cache of her own in the collection, which
  // becomes the primary one; bob's cache keeps his TGT (kinit does the same).
  auto s = signin_alice("");
  ASSERT_EQ(s.exit_code, 0) << s.out << slurp(path("dc.log"));
  const std::string alices = cache_written(s);
  EXPECT_EQ(alices.rfind(type, 0), 0u) << s.out;
  EXPECT_NE(alices, bobs) << s.out;
  auto k = run({"klist"}, env());
  ASSERT_EQ(k.exit_code, 0) << k.out;
  EXPECT_NE(k.out.find("Default principal: alice@CONTOSO.TEST"), std::string::npos) << k.out;
  EXPECT_NE(k.out.find(kTgt), std::string::npos) << k.out;
  auto bob = run({"klist"}, env(bobs));
  ASSERT_EQ(bob.exit_code, 0) << bob.out;
  EXPECT_NE(bob.out.find("Default principal: bob@CONTOSO.TEST"), std::string::npos) << bob.out;
  EXPECT_NE(bob.out.find(kTgt), std::string::npos) << bob.out;
  auto l = run({"klist", "-l"}, env());
  EXPECT_NE(l.out.find("alice@CONTOSO.TEST"), std::string::npos) << l.out;
  EXPECT_NE(l.out.find("bob@CONTOSO.TEST"), std::string::npos) << l.out;
  auto v = run({"kvno", "HTTP/web.contoso.test"}, env());
  ASSERT_EQ(v.exit_code, 0) << v.out;
  EXPECT_NE(v.out.find(kWeb + ": kvno = "), std::string::npos) << v.out;

  // `signin status` with no --ccache reads the primary cache: alice's.
  auto js = kb({"signin", "status", "--state", path("alice.state").string(), "--json"});
  ASSERT_EQ(js.exit_code, 0) << js.out;
  auto j = json::parse_object(js.out);
  ASSERT_TRUE(j) << js.out;
  ASSERT_TRUE(j->at("ccache").is_object()) << js.out;
  EXPECT_EQ(j->at("ccache").as_object().at("name").as_string(), alices);

  // bob becomes primary again; alice's refresh finds her own cache (no third one), replaces
  // its contents and makes it primary.
  auto sw = run({"kswitch", "-p", "bob@CONTOSO.TEST"}, env());
  ASSERT_EQ(sw.exit_code, 0) << sw.out;
  auto r = refresh_alice("");
  ASSERT_EQ(r.exit_code, 0) << r.out << slurp(path("dc.log"));
  EXPECT_EQ(cache_written(r), alices) << r.out;
  auto k2 = run({"klist"}, env());
  EXPECT_NE(k2.out.find("Default principal: alice@CONTOSO.TEST"), std::string::npos) << k2.out;
  EXPECT_EQ(k2.out.find(kWeb), std::string::npos) << k2.out;
  auto l2 = run({"klist", "-l"}, env());
  std::size_t caches = 0;
  for (auto at = l2.out.find(type); at != std::string::npos; at = l2.out.find(type, at + 1)) {
    ++caches;
  }
  EXPECT_EQ(caches, 2u) << l2.out;
  auto bob2 = run({"klist"}, env(bobs));
  EXPECT_NE(bob2.out.find("Default principal: bob@CONTOSO.TEST"), std::string::npos) << bob2.out;

  // An explicit --ccache names one cache and writes exactly that one, as kinit -c does.
  auto explicit_bobs = signin_alice(bobs);
  ASSERT_EQ(explicit_bobs.exit_code, 0) << explicit_bobs.out;
  EXPECT_EQ(cache_written(explicit_bobs), bobs) << explicit_bobs.out;
  auto bob3 = run({"klist"}, env(bobs));
  EXPECT_NE(bob3.out.find("Default principal: alice@CONTOSO.TEST"), std::string::npos) << bob3.out;
}

TEST_F(SigninKcm, DefaultKcmCacheKeepsAnotherPrincipalsCacheAndSwitchesToAlice) {
  default_collection();
}

// The same choice in a DIR: collection (no daemon involved; the namespace is harmless).
TEST_F(SigninKcm, DefaultDirCacheKeepsAnotherPrincipalsCacheAndSwitchesToAlice) {
  fs::create_directories(path("ccdir"));
  collection_ = "DIR:" + path("ccdir").string();
  default_collection();
}

}  // namespace
}  // namespace kb
