#include "demo/signin_demo.h"

#include <chrono>
#include <fstream>
#include <sstream>
#include <thread>

#include "base/json.h"
#include "base/subprocess.h"
#include "demo/narrator.h"
#include "formats/keytab.h"
#include "net/https_client.h"

namespace kb::demo {
namespace {

namespace fs = std::filesystem;

constexpr const char* kDomain = "contoso.test";
constexpr const char* kUpn = "alice@contoso.test";
constexpr const char* kAdminUpn = "Administrator@contoso.test";

// A loopback port free for UDP and TCP at the time of asking (the KDC listens on both;
// gss-server has no "port 0").
Result<int> free_port() {
  const std::uint16_t port = free_loopback_port();
  if (port == 0) return Error(BaseErrc::kIo, "no free loopback port");
  return static_cast<int>(port);
}

std::string read_text(const fs::path& p) {
  std::ifstream in(p, std::ios::binary);
  return std::string((std::istreambuf_iterator<char>(in)), {});
}

// The word after `marker` up to the end of its line.
std::string after(const std::string& text, const std::string& marker) {
  const auto at = text.find(marker);
  if (at == std::string::npos) return "";
  const auto start = at + marker.size();
  return text.substr(start, text.find('\n', start) - start);
}

class SigninDemo {
 public:
  SigninDemo(std::ostream& out, fs::path exe)
      : out_(out), n_(out, ""), exe_(std::move(exe)), dir_("keybridge-demo") {}

  int run() {
    auto r = steps();
    // Stopped by PID before the directory goes.
    cloud_.stop();
    dc_.stop();
    if (!r) dump_logs();
    return n_.finish(r, dir_.path().string());
  }

 private:
  Result<void> steps() {
    KB_CHECK(domain_steps());
    KB_CHECK(cloud_steps());
    KB_CHECK(admin_steps());
    KB_CHECK(key_steps());
    KB_CHECK(signin_steps());
    KB_CHECK(use_steps());
    return refusal_steps();
  }

  // --- the on-premises side -------------------------------------------------------------

  Result<void> domain_steps() {
    step("An on-premises domain contoso.test in an embedded directory (keys under a master key)");
    KB_CHECK(kb({"dc", "--data-dir", dc_dir(), "init", "--domain", kDomain, "--password-stdin"},
                "Demo-Admin-1\n"));
    step("A user, alice, and a web service account with the SPN HTTP/web.contoso.test");
    KB_CHECK(kb({"dc", "--data-dir", dc_dir(), "user", "add", "alice", "--display-name", "Alice",
                 "--password-stdin"},
                "Demo-Alice-1\n"));
    KB_CHECK(kb({"dc", "--data-dir", dc_dir(), "user", "add", "websvc", "--random-password"}));
    KB_CHECK(kb({"dc", "--data-dir", dc_dir(), "spn", "add", "websvc", "HTTP/web.contoso.test"}));
    KB_CHECK(kb({"dc", "--data-dir", dc_dir(), "keytab", "export", "HTTP/web.contoso.test", "--out",
                 path("websvc.keytab")}));

    step("The domain controller's KDC serves the domain on loopback (UDP and TCP)");
    kdc_port_ = KB_TRY(free_port());
    const std::string listen = "127.0.0.1:" + std::to_string(kdc_port_);
    KB_CHECK(start(dc_, {"dc", "--data-dir", dc_dir(), "serve", "--listen", listen}, "dc.log",
                   "listening on " + listen));
    KB_CHECK(formats::write_private_file(dir_.path() / "krb5.conf", as_bytes(krb5_conf())));
    say("krb5.conf for the MIT tools: realm CONTOSO.TEST, kdc = " + listen);
    return ok();
  }

  // --- the cloud ------------------------------------------------------------------------

  Result<void> cloud_steps() {
    step("The cloud identity service: a tenant, its admin token, a TLS certificate for localhost");
    cloud_port_ = KB_TRY(free_port());
    cloud_url_ = "https://localhost:" + std::to_string(cloud_port_);
    // The security key's origin is the cloud's URL; the relying party id is its host name.
    const std::vector<std::string> init = {"cloud",         "--data-dir", cloud_dir(), "init",
                                           "--tenant-name", "Contoso",    "--rp-id",   "localhost",
                                           "--origin",      cloud_url_};
    echo(init);
    const RunResult r = run_program(with_exe(init), {}, "", 120);
    // The admin token is the last line (stdout); it is a secret, so the demo keeps it in a
    // 0600 file and does not print it.
    std::string token;
    std::istringstream lines(r.out);
    for (std::string line; std::getline(lines, line);) {
      if (line.rfind("kbat_", 0) == 0) {
        token = line;
      } else {
        out_ << "    " << line << "\n";
      }
    }
    if (r.exit_code != 0 || token.empty()) {
      return Error(BaseErrc::kIo, "keybridge cloud init failed: " + r.out);
    }
    tenant_ = after(r.out, "tenant id: ");
    KB_CHECK(formats::write_private_file(dir_.path() / "admin.token", as_bytes(token + "\n")));
    admin_token_ = SecretString(token);
    say("(the admin token went to admin.token, mode 0600)");

    step("The cloud service listens on " + cloud_url_ + " (HTTPS, JSON)");
    const std::string listen = "127.0.0.1:" + std::to_string(cloud_port_);
    KB_CHECK(start(
        cloud_, {"cloud", "--data-dir", cloud_dir(), "serve", "--listen", listen, "--threads", "2"},
        "cloud.log", "listening on " + listen));
    say("tenant " + tenant_);
    return ok();
  }

  // --- the admin tool: Kerberos server object and sync ------------------------------------

  Result<void> admin_steps() {
    step(
        "keybridge admin creates the Kerberos server object: AzureADKerberos (an RODC-style "
        "computer) and krbtgt_AzureAD in the directory, its key published to the cloud");
    KB_CHECK(kb(admin({"kerberos-server", "set", "--domain", kDomain})));
    step("Both sides agree: Id, DomainDnsName, KeyVersion and KeyUpdatedOn match");
    KB_CHECK(kb(admin({"kerberos-server", "get", "--domain", kDomain})));
    step("keybridge admin sync puts the domain's users in the cloud tenant");
    KB_CHECK(kb(admin({"sync", "--domain", kDomain})));
    return ok();
  }

  // --- the security key -------------------------------------------------------------------

  Result<void> key_steps() {
    step("The admin gives alice a one-time temporary access pass (admin API)");
    const std::string pass = KB_TRY(create_access_pass(kUpn));
    KB_CHECK(formats::write_private_file(dir_.path() / "alice.pass", as_bytes(pass + "\n")));
    say("POST /api/v1/users/alice@contoso.test/access-passes -> a pass for alice (in alice.pass)");

    step("A software FIDO2 security key with a PIN stands in for the USB key");
    KB_CHECK(formats::write_private_file(dir_.path() / "pin", as_bytes(std::string("2468\n"))));
    KB_CHECK(
        kb({"signin", "soft-key", "create", path("security-key.json"), "--pin-file", path("pin")}));
    step("alice registers the key with the pass (a WebAuthn registration with the cloud)");
    KB_CHECK(kb(signin({"register-key", "--user", kUpn, "--access-pass-file", path("alice.pass"),
                        "--name", "demo key"})));
    return ok();
  }

  Result<void> signin_steps() {
    step(
        "alice signs in with the key: the device signs a PRT request carrying the key's "
        "assertion, the cloud answers with a PRT and a partial TGT, the DC trades that for a "
        "full TGT, which lands in her credential cache");
    KB_CHECK(kb(signin(
        {"--user", kUpn, "--ccache", ccache(), "--dc", "127.0.0.1:" + std::to_string(kdc_port_)})));
    step("MIT klist shows the full TGT for alice@CONTOSO.TEST");
    KB_CHECK(show({"klist", "-e", "-f"}));
    step("keybridge signin status: the device, the PRT and the tickets");
    KB_CHECK(kb({"signin", "status", "--state", path("device.json")}));
    return ok();
  }

  // --- single sign-on -------------------------------------------------------------------------

  Result<void> use_steps() {
    step("MIT kvno gets a service ticket for HTTP/web.contoso.test with that TGT");
    KB_CHECK(show({"kvno", "HTTP/web.contoso.test"}));
    step("A real GSSAPI service (gss-server, keytab from the DC) accepts alice's ticket");
    const int port = KB_TRY(free_port());
    BackgroundProcess server;
    std::string error;
    const std::vector<std::string> server_argv = {"gss-server",
                                                  "-port",
                                                  std::to_string(port),
                                                  "-once",
                                                  "-keytab",
                                                  path("websvc.keytab"),
                                                  "HTTP@web.contoso.test"};
    echo(server_argv, " &");
    if (!server.start(server_argv, env(), dir_.path() / "gss-server.log", &error)) {
      return Error(BaseErrc::kIo, "gss-server: " + error + " (krb5-gss-samples installed?)");
    }
    const std::vector<std::string> client_argv = {
        "gss-client",      "-port", std::to_string(port), "127.0.0.1", "HTTP@web.contoso.test",
        "hello from alice"};
    RunResult client;
    for (int i = 0; i < 50; ++i) {  // until the server listens
      client = run_program(client_argv, env(), "", 20);
      if (client.exit_code == 0 || client.out.find("connecting") == std::string::npos) break;
      std::this_thread::sleep_for(std::chrono::milliseconds(100));
    }
    echo(client_argv);
    indent(client.out);
    server.wait(5000);
    server.stop();
    const std::string server_log = read_text(dir_.path() / "gss-server.log");
    say("gss-server's log (its PAC dump left out):");
    std::istringstream server_lines(server_log);
    for (std::string line; std::getline(server_lines, line);) {
      if (line.find("Accepted connection") != std::string::npos ||
          line.find("Received message") != std::string::npos) {
        say("  " + line);
      }
    }
    if (client.exit_code != 0 || server_log.find("alice@CONTOSO.TEST") == std::string::npos) {
      return Error(BaseErrc::kIo, "the GSSAPI service did not accept alice's ticket");
    }
    return ok();
  }

  Result<void> refusal_steps() {
    step(
        "The Administrator registers a key too and signs in: the cloud issues a PRT and a "
        "partial TGT, but the DC's password replication policy denies privileged accounts, so "
        "there is no full TGT (reference 002)");
    KB_CHECK(formats::write_private_file(dir_.path() / "admin.pass",
                                         as_bytes(KB_TRY(create_access_pass(kAdminUpn)) + "\n")));
    KB_CHECK(kb(signin({"register-key", "--user", kAdminUpn, "--access-pass-file",
                        path("admin.pass"), "--name", "admin key"},
                       "admin.json")));
    const auto args = signin({"--user", kAdminUpn, "--ccache", "FILE:" + path("admin.ccache"),
                              "--dc", "127.0.0.1:" + std::to_string(kdc_port_)},
                             "admin.json");
    echo(args);
    const RunResult r = run_program(with_exe(args), env(), "", 120);
    indent(r.out);
    if (r.exit_code == 0) {
      return Error(BaseErrc::kInvalidArgument, "the DC traded a Domain Admin's partial TGT");
    }
    say("(exit code " + std::to_string(r.exit_code) + ": refused, as it should be)");
    return ok();
  }

  // --- plumbing ----------------------------------------------------------------------------

  Result<std::string> create_access_pass(const std::string& upn) {
    net::HttpsClientConfig cc;
    cc.ca_file = fs::path(cloud_dir()) / "tls.crt";
    const auto client = KB_TRY(net::HttpsClient::create(cc));
    http::Headers auth;
    auth.add("Authorization", "Bearer " + std::string(admin_token_.reveal()));
    const auto resp = KB_TRY(client.post(cloud_url_ + "/api/v1/users/" + upn + "/access-passes",
                                         R"({"lifetime_seconds":900,"one_time":true})",
                                         "application/json", auth));
    if (resp.status != 201) {
      return Error(BaseErrc::kIo,
                   "access pass: HTTP " + std::to_string(resp.status) + " " + resp.body);
    }
    const auto o = KB_TRY(json::parse_object(resp.body));
    return json::get_string(o, "pass");
  }

  std::vector<std::string> admin(std::vector<std::string> args) const {
    std::vector<std::string> a = {"admin",
                                  "--dc-data-dir",
                                  dc_dir(),
                                  "--cloud",
                                  cloud_url_,
                                  "--tenant",
                                  tenant_,
                                  "--token-file",
                                  path("admin.token"),
                                  "--ca-file",
                                  (fs::path(cloud_dir()) / "tls.crt").string()};
    a.insert(a.end(), args.begin(), args.end());
    return a;
  }
  std::vector<std::string> signin(std::vector<std::string> args,
                                  const std::string& state = "device.json") const {
    std::vector<std::string> a = {"signin"};
    a.insert(a.end(), args.begin(), args.end());
    const std::vector<std::string> common = {
        "--cloud",         cloud_url_,
        "--tenant",        tenant_,
        "--ca-file",       (fs::path(cloud_dir()) / "tls.crt").string(),
        "--authenticator", "soft:" + path("security-key.json"),
        "--pin-file",      path("pin"),
        "--state",         path(state)};
    a.insert(a.end(), common.begin(), common.end());
    return a;
  }

  Result<void> start(BackgroundProcess& p, const std::vector<std::string>& args,
                     const std::string& log, const std::string& ready) {
    echo(args, " &");
    std::string error;
    if (!p.start(with_exe(args), {}, dir_.path() / log, &error)) {
      return Error(BaseErrc::kIo, "cannot start keybridge: " + error);
    }
    for (int i = 0; i < 400; ++i) {
      if (read_text(dir_.path() / log).find(ready) != std::string::npos) return ok();
      if (!p.running()) break;
      std::this_thread::sleep_for(std::chrono::milliseconds(50));
    }
    return Error(BaseErrc::kIo, args[0] + " serve did not start: " + read_text(dir_.path() / log));
  }

  Result<void> kb(const std::vector<std::string>& args, const std::string& input = "") {
    echo(args);
    const RunResult r = run_program(with_exe(args), env(), input, 120);
    indent(r.out);
    if (r.exit_code != 0) {
      return Error(BaseErrc::kIo,
                   "keybridge " + args[0] + " failed (exit " + std::to_string(r.exit_code) + ")");
    }
    return ok();
  }
  Result<void> show(const std::vector<std::string>& argv) { return n_.show(argv, env()); }

  std::vector<std::string> with_exe(const std::vector<std::string>& args) const {
    std::vector<std::string> a = {exe_.string()};
    a.insert(a.end(), args.begin(), args.end());
    return a;
  }
  void echo(const std::vector<std::string>& args, const std::string& suffix = "") {
    std::string cmd = args.empty() || args[0].find('/') != std::string::npos ||
                              args[0] == "klist" || args[0].rfind("gss-", 0) == 0
                          ? ""
                          : "keybridge";
    for (const auto& a : args) {
      const bool quote = a.find(' ') != std::string::npos;
      cmd += (cmd.empty() ? "" : " ") + (quote ? "'" + a + "'" : a);
    }
    out_ << "  $ " << cmd << suffix << "\n";
  }
  void indent(const std::string& text) {
    std::istringstream lines(text);
    for (std::string line; std::getline(lines, line);) out_ << "    " << line << "\n";
  }
  void dump_logs() {
    for (const char* log : {"dc.log", "cloud.log"}) {
      const std::string text = read_text(dir_.path() / log);
      if (text.empty()) continue;
      out_ << "\n--- " << log << " ---\n" << text;
    }
  }

  std::string krb5_conf() const {
    return "[libdefaults]\n default_realm = CONTOSO.TEST\n dns_lookup_kdc = false\n"
           " dns_lookup_realm = false\n rdns = false\n dns_canonicalize_hostname = false\n"
           "[realms]\n CONTOSO.TEST = {\n  kdc = 127.0.0.1:" +
           std::to_string(kdc_port_) + "\n }\n[domain_realm]\n .contoso.test = CONTOSO.TEST\n";
  }
  std::map<std::string, std::string> env() const {
    return {{"KRB5_CONFIG", path("krb5.conf")}, {"KRB5CCNAME", ccache()}, {"LC_ALL", "C"}};
  }
  std::string ccache() const { return "FILE:" + path("alice.ccache"); }
  std::string path(const std::string& name) const { return (dir_.path() / name).string(); }
  std::string dc_dir() const { return path("dc"); }
  std::string cloud_dir() const { return path("cloud"); }
  void step(const std::string& what) { n_.step(what); }
  void say(const std::string& what) { n_.say(what); }

  std::ostream& out_;
  Narrator n_;
  fs::path exe_;
  TempDir dir_;
  BackgroundProcess dc_;
  BackgroundProcess cloud_;
  int kdc_port_ = 0;
  int cloud_port_ = 0;
  std::string tenant_;
  std::string cloud_url_;
  SecretString admin_token_;
};

}  // namespace

int run_signin_demo(std::ostream& out, const std::filesystem::path& keybridge) {
  return SigninDemo(out, keybridge).run();
}

}  // namespace kb::demo
