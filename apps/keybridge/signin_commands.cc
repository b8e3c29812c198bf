#include "signin_commands.h"

#include <sys/stat.h>
#include <termios.h>
#include <unistd.h>

#include <cstdlib>
#include <fstream>
#include <iostream>
#include <memory>

#include "client/open_authenticator.h"
#include "client/signin_flow.h"
#include "client/signin_status.h"
#include "client/soft_authenticator.h"
#include "crypto/crypto.h"
#include "net/dns_resolver.h"
#include "net/https_client.h"
#include "net/kdc_client.h"

namespace kb::app {
namespace {

namespace fs = std::filesystem;

// ---------------------------------------------------------------- errors a person can act on

struct Outcome {
  int code;
  const char* message;
};

// One message and exit code per SigninErrc (issue 7 "Errors a person can act on").
Outcome outcome_of(client::SigninErrc e) {
  using E = client::SigninErrc;
  switch (e) {
    case E::kCloudUnreachable:
      return {10,
              "the cloud service cannot be reached, and this device has nothing cached "
              "to sign in offline with"};
    case E::kKeyNotRegistered:
      return {11,
              "this security key is not registered for this user (or the account is "
              "disabled): register it with `keybridge signin register-key`"};
    case E::kAccessPassRefused:
      return {12,
              "the temporary access pass was refused (wrong, used, expired or another "
              "user's): ask your administrator for a new one"};
    case E::kCloudRefused:
      return {13, "the cloud service refused the request"};
    case E::kPasswordExpired:
      return {14, "your password has expired on-premises: reset it first"};
    case E::kNoKerberosServer:
      return {15,
              "there is no Kerberos server object for your domain in the cloud: your "
              "administrator must create it (keybridge admin kerberos-server set)"};
    case E::kNoDcReachable:
      return {16,
              "no domain controller of your domain could be reached (or none could "
              "trade the cloud's ticket)"};
    case E::kDcPolicy:
      return {17,
              "the domain controller refused this account by policy: privileged accounts "
              "(Domain Admins and the like) and accounts outside the allowed groups such "
              "as Domain Users get no Kerberos ticket from a security-key sign-in"};
    case E::kAccountRevoked:
      return {18, "the domain controller says this account is disabled, locked out or expired"};
    case E::kNotSignedIn:
      return {19, "not signed in on this device: run `keybridge signin` with your security key"};
    case E::kPrtExpired:
      return {20, "the sign-in has expired: run `keybridge signin` with your security key"};
    case E::kCachedUnavailable:
      return {21, "the cloud service cannot be reached and the cached sign-in cannot be used"};
    case E::kCachedKeyRefused:
      return {22,
              "the cloud service cannot be reached, and this security key is not the one "
              "this device knows: use the key you last signed in with"};
    case E::kStateMismatch:
      return {23, "the device state belongs to another user or tenant: pass another --state"};
    case E::kBadReply:
      return {24, "the cloud service answered something this program does not understand"};
  }
  return {1, "sign-in failed"};
}

// The one place an Error of `keybridge signin` becomes a message and an exit code.
int report(const Error& e) {
  if (e.domain() == ErrorDomain::kClient) {
    if (e.code() >= static_cast<int>(client::SigninErrc::kCloudUnreachable) &&
        e.code() <= static_cast<int>(client::SigninErrc::kBadReply)) {
      const Outcome o = outcome_of(static_cast<client::SigninErrc>(e.code()));
      std::cerr << "keybridge: " << o.message << "\n  (" << e.detail() << ")\n";
      return o.code;
    }
    if (e.is(client::AuthenticatorErrc::kPinInvalid)) {
      std::cerr << "keybridge: wrong PIN for the security key\n";
      return 30;
    }
    if (e.is(client::AuthenticatorErrc::kPinBlocked)) {
      std::cerr << "keybridge: the security key's PIN is blocked: reset the key\n";
      return 31;
    }
    if (e.is(client::AuthenticatorErrc::kPinRequired) ||
        e.is(client::AuthenticatorErrc::kUvUnavailable)) {
      std::cerr << "keybridge: the security key needs a PIN (--pin-file or KEYBRIDGE_PIN)\n";
      return 32;
    }
    if (e.is(client::AuthenticatorErrc::kNoCredentials)) {
      std::cerr << "keybridge: this security key holds no credential for this service\n";
      return 33;
    }
  }
  std::cerr << "keybridge: " << e.to_string() << "\n";
  return 1;
}

// ---------------------------------------------------------------- secrets and paths

// A secret from a file (first line), else an environment variable, else a prompt on the
// terminal without echo. Never from argv (visible in ps).
Result<SecretString> read_secret(const std::string& file, const char* env, const char* prompt) {
  if (!file.empty()) {
    std::ifstream in(file);
    if (!in) return Error(BaseErrc::kIo, "cannot read " + file);
    std::string line;
    std::getline(in, line);
    if (!line.empty() && line.back() == '\r') line.pop_back();
    return SecretString::adopt(std::move(line));
  }
  if (const char* v = std::getenv(env); v && *v) return SecretString(v);
  if (!::isatty(STDIN_FILENO)) {
    return Error(BaseErrc::kIo,
                 std::string(prompt) + " needed: no file, no " + env + ", no terminal");
  }
  termios old{};
  ::tcgetattr(STDIN_FILENO, &old);
  termios quiet = old;
  quiet.c_lflag &= ~static_cast<tcflag_t>(ECHO);
  ::tcsetattr(STDIN_FILENO, TCSANOW, &quiet);
  std::cerr << prompt << ": " << std::flush;
  std::string line;
  std::getline(std::cin, line);
  ::tcsetattr(STDIN_FILENO, TCSANOW, &old);
  std::cerr << "\n";
  return SecretString::adopt(std::move(line));
}

// $XDG_STATE_HOME/keybridge/device.json, else ~/.local/state/keybridge/device.json.
fs::path default_state_path() {
  fs::path base;
  if (const char* x = std::getenv("XDG_STATE_HOME"); x && *x) {
    base = x;
  } else if (const char* h = std::getenv("HOME"); h && *h) {
    base = fs::path(h) / ".local" / "state";
  } else {
    base = ".";
  }
  return base / "keybridge" / "device.json";
}

Result<fs::path> state_path(const std::string& given) {
  fs::path p = given.empty() ? default_state_path() : fs::path(given);
  if (p.has_parent_path() && !fs::exists(p.parent_path())) {
    std::error_code ec;
    fs::create_directories(p.parent_path(), ec);
    if (ec) return Error(BaseErrc::kIo, "cannot create " + p.parent_path().string());
    fs::permissions(p.parent_path(), fs::perms::owner_all, ec);
  }
  return p;
}

// "https://host:port" of a URL, the WebAuthn origin a client at that URL claims.
Result<std::string> origin_of(const std::string& url) {
  auto u = KB_TRY(net::parse_https_url(url));
  const bool v6 = u.host.find(':') != std::string::npos;
  std::string host = v6 ? "[" + u.host + "]" : u.host;
  return "https://" + host + (u.port == 443 ? "" : ":" + std::to_string(u.port));
}

// ---------------------------------------------------------------- transports

Result<client::CloudTransport> cloud_transport(std::string url, const std::string& ca_file) {
  net::HttpsClientConfig cfg;
  cfg.ca_file = ca_file;
  auto http = std::make_shared<net::HttpsClient>(KB_TRY(net::HttpsClient::create(cfg)));
  while (!url.empty() && url.back() == '/') url.pop_back();
  return client::CloudTransport([http, url](const http::Request& r) -> Result<http::Response> {
    net::ClientRequest req;
    req.method = r.method;
    req.url = url + r.target;
    req.headers = r.headers;
    req.body = r.body;
    return http->request(req);
  });
}

client::KdcTransport kdc_transport() {
  return [](const std::string& address, ByteView request) -> Result<Bytes> {
    auto r = KB_TRY(net::send_to_kdc(address, request));
    return std::move(r.bytes);
  };
}

client::SrvLookup srv_lookup() {
  return [](const std::string& q) -> Result<std::vector<client::SrvEntry>> {
    auto r = KB_TRY(net::lookup_srv(q));
    std::vector<client::SrvEntry> out;
    for (auto& e : r) out.push_back({e.priority, e.weight, e.port, std::move(e.target)});
    return out;
  };
}

// Configured DCs apply to the user's realm (the UPN's domain upper-cased, which is what
// the cloud names the partial TGT's realm for a synced user).
client::LocatorConfig locator_for(const std::string& realm, const std::vector<std::string>& dcs) {
  client::LocatorConfig cfg;
  std::string upper = realm;
  for (char& ch : upper) ch = static_cast<char>(std::toupper(static_cast<unsigned char>(ch)));
  if (!dcs.empty()) cfg.realm_dcs[upper] = dcs;
  return cfg;
}

std::string realm_of_upn(const std::string& upn) {
  const auto at = upn.rfind('@');
  return at == std::string::npos ? "" : upn.substr(at + 1);
}

// ---------------------------------------------------------------- commands

struct SigninFlags {
  std::string user, cloud, tenant, authenticator, state, ccache, ca_file, pin_file, origin;
  std::string device_key = "rsa";
  std::vector<std::string> dcs;
  bool ntlm = false;
  bool no_cached = false;
};

struct Prepared {
  client::CloudOptions cloud;
  client::CloudTransport transport;
  std::unique_ptr<client::Authenticator> authenticator;
  std::unique_ptr<SecretString> pin;  // heap: cloud.pin points at it across moves
};

Result<Prepared> prepare(const SigninFlags& f, Rng& rng) {
  Prepared p;
  p.cloud.tenant = f.tenant;
  p.cloud.cloud_url = f.cloud;
  p.cloud.user = f.user;
  p.cloud.origin = f.origin.empty() ? KB_TRY(origin_of(f.cloud)) : f.origin;
  p.cloud.state_path = KB_TRY(state_path(f.state));
  p.cloud.device_key_type =
      f.device_key == "p256" ? crypto::KeyType::kEcP256 : crypto::KeyType::kRsa;
  p.transport = KB_TRY(cloud_transport(f.cloud, f.ca_file));
  p.authenticator = KB_TRY(client::open_authenticator(f.authenticator, rng));
  p.pin = std::make_unique<SecretString>(
      KB_TRY(read_secret(f.pin_file, "KEYBRIDGE_PIN", "Security key PIN")));
  p.cloud.pin = p.pin.get();
  return p;
}

void print_result(const client::SigninResult& r) {
  const char* how = r.mode == client::SigninResult::Mode::kCached      ? "cached sign-in (offline)"
                    : r.mode == client::SigninResult::Mode::kRefreshed ? "refreshed"
                                                                       : "signed in";
  std::cout << how << ": " << r.principal << "\n";
  if (r.device_registered) std::cout << "  device registered : " << r.device_id << "\n";
  std::cout << "  credential cache  : " << r.ccache << "\n";
  const std::time_t t = std::chrono::system_clock::to_time_t(r.tgt_expiry);
  char buf[64];
  std::tm tm{};
  ::gmtime_r(&t, &tm);
  std::strftime(buf, sizeof buf, "%Y-%m-%d %H:%M:%S UTC", &tm);
  std::cout << "  TGT valid until   : " << buf << "\n";
  if (!r.dc.empty()) std::cout << "  domain controller : " << r.dc << "\n";
  for (const auto& f : r.dc_failures) std::cout << "  passed over       : " << f << "\n";
  if (r.nt_hash) std::cout << "  NTLM              : NT hash obtained through the key list\n";
}

int run_signin(const SigninFlags& f) {
  SystemClock clock;
  crypto::SystemRng rng;
  auto p = prepare(f, rng);
  if (!p) return report(p.error());
  client::SigninOptions o;
  o.cloud = std::move(p->cloud);
  if (!f.ccache.empty()) o.ccache = f.ccache;
  o.ntlm = f.ntlm;
  o.locator = locator_for(realm_of_upn(f.user), f.dcs);
  o.allow_cached = !f.no_cached;
  auto r = client::sign_in(o, *p->authenticator, p->transport, kdc_transport(), srv_lookup(), clock,
                           rng);
  if (!r) return report(r.error());
  print_result(*r);
  return 0;
}

int run_register_key(const SigninFlags& f, const std::string& pass_file, const std::string& name) {
  SystemClock clock;
  crypto::SystemRng rng;
  auto p = prepare(f, rng);
  if (!p) return report(p.error());
  auto pass = read_secret(pass_file, "KEYBRIDGE_ACCESS_PASS", "Temporary access pass");
  if (!pass) return report(pass.error());
  auto r = client::register_key(p->cloud, *pass, name, *p->authenticator, p->transport, clock, rng);
  if (!r) return report(r.error());
  std::cout << "security key registered for " << f.user
            << "\n  credential id : " << r->credential_id << "\n  name          : " << r->name
            << "\n";
  if (r->device_registered) std::cout << "  device        : " << r->device_id << " (registered)\n";
  return 0;
}

int run_refresh(const std::string& state, const std::string& ccache, const std::string& ca_file,
                const std::vector<std::string>& dcs, bool ntlm) {
  SystemClock clock;
  crypto::SystemRng rng;
  auto path = state_path(state);
  if (!path) return report(path.error());
  auto st = client::signin_status(*path, std::nullopt);
  if (!st) return report(st.error());
  if (!st->joined) return report(Error(client::SigninErrc::kNotSignedIn, path->string()));
  auto transport = cloud_transport(st->cloud_url, ca_file);
  if (!transport) return report(transport.error());
  client::RefreshOptions o;
  o.state_path = *path;
  if (!ccache.empty()) o.ccache = ccache;
  o.ntlm = ntlm;
  o.locator = locator_for(st->realm.empty() ? realm_of_upn(st->user) : st->realm, dcs);
  auto r = client::refresh(o, *transport, kdc_transport(), srv_lookup(), clock, rng);
  if (!r) return report(r.error());
  print_result(*r);
  return 0;
}

int run_status(const std::string& state, const std::string& ccache, bool json) {
  auto path = state_path(state);
  if (!path) return report(path.error());
  auto s = client::signin_status(
      *path, ccache.empty() ? std::nullopt : std::optional<std::string>(ccache));
  if (!s) return report(s.error());
  const SysTime now = SystemClock().now();
  std::cout << (json ? client::format_status_json(*s, now) + "\n"
                     : client::format_status_text(*s, now));
  return 0;
}

int run_soft_create(const std::string& path, const std::string& pin_file) {
  crypto::SystemRng rng;
  auto pin = read_secret(pin_file, "KEYBRIDGE_PIN", "New PIN for the software key");
  if (!pin) return report(pin.error());
  auto a = client::SoftAuthenticator::create(path, rng, pin->empty() ? nullptr : &*pin);
  if (!a) return report(a.error());
  std::cout << "software security key created: soft:" << path << "\n";
  return 0;
}

void add_device_key_option(CLI::App* cmd, SigninFlags& f) {
  cmd->add_option("--device-key", f.device_key,
                  "Device key made when this device registers (first use): rsa (RS256, "
                  "default) or p256 (ES256)")
      ->check(CLI::IsMember({"rsa", "p256"}));
}

void add_common(CLI::App* cmd, SigninFlags& f) {
  cmd->add_option("--user", f.user, "Your user principal name, e.g. alice@contoso.test")
      ->required();
  cmd->add_option("--cloud", f.cloud, "URL of the cloud service, https://host[:port]")->required();
  cmd->add_option("--tenant", f.tenant, "Tenant id")->required();
  cmd->add_option("--authenticator", f.authenticator,
                  "fido2 (the first security key), fido2:DEVICE, or soft:PATH (software key)")
      ->required();
  cmd->add_option("--state", f.state,
                  "Device state file (default $XDG_STATE_HOME/keybridge/device.json)");
  cmd->add_option("--ca-file", f.ca_file, "PEM file trusted for the cloud's certificate");
  cmd->add_option("--pin-file", f.pin_file, "File holding the security key PIN (or KEYBRIDGE_PIN)");
  cmd->add_option("--origin", f.origin, "WebAuthn origin to claim (default: the cloud URL's)");
  add_device_key_option(cmd, f);
}

}  // namespace

void add_signin_commands(CLI::App& app, int& exit_code) {
  auto f = std::make_shared<SigninFlags>();
  auto* signin = app.add_subcommand(
      "signin",
      "Sign in with a security key: PRT from the cloud, full TGT from a DC, in your "
      "credential cache");
  signin->require_subcommand(0, 1);
  signin->add_option("--user", f->user, "Your user principal name, e.g. alice@contoso.test");
  signin->add_option("--cloud", f->cloud, "URL of the cloud service, https://host[:port]");
  signin->add_option("--tenant", f->tenant, "Tenant id");
  signin->add_option("--authenticator", f->authenticator,
                     "fido2 (the first security key), fido2:DEVICE, or soft:PATH (software key)");
  signin->add_option("--state", f->state,
                     "Device state file (default $XDG_STATE_HOME/keybridge/device.json)");
  signin->add_option("--ccache", f->ccache, "Credential cache (default: your default cache)");
  signin->add_option("--dc", f->dcs, "Domain controller host[:port]; repeatable (default DNS SRV)");
  signin->add_option("--ca-file", f->ca_file, "PEM file trusted for the cloud's certificate");
  signin->add_option("--pin-file", f->pin_file,
                     "File holding the security key PIN (or KEYBRIDGE_PIN)");
  signin->add_option("--origin", f->origin, "WebAuthn origin to claim (default: the cloud URL's)");
  signin->add_flag("--ntlm", f->ntlm, "Also get the NT hash (key list) for NTLM single sign-on");
  signin->add_flag("--no-cached", f->no_cached, "Do not fall back to the cached sign-in offline");
  add_device_key_option(signin, *f);

  auto rf = std::make_shared<SigninFlags>();
  auto pass_file = std::make_shared<std::string>();
  auto key_name = std::make_shared<std::string>();
  auto* reg = signin->add_subcommand(
      "register-key", "Register your first security key with a temporary access pass");
  add_common(reg, *rf);
  reg->add_option("--access-pass-file", *pass_file,
                  "File holding the temporary access pass (or KEYBRIDGE_ACCESS_PASS, or prompt)");
  reg->add_option("--name", *key_name, "A name for the key");
  reg->callback([rf, pass_file, key_name, &exit_code] {
    exit_code = run_register_key(*rf, *pass_file, *key_name);
  });

  auto ref = std::make_shared<SigninFlags>();
  auto* refresh = signin->add_subcommand(
      "refresh", "Renew the PRT and the TGT without the security key (for a systemd timer)");
  refresh->add_option("--state", ref->state, "Device state file");
  refresh->add_option("--ccache", ref->ccache, "Credential cache (default: your default cache)");
  refresh->add_option("--ca-file", ref->ca_file, "PEM file trusted for the cloud's certificate");
  refresh->add_option("--dc", ref->dcs, "Domain controller host[:port]; repeatable");
  refresh->add_flag("--ntlm", ref->ntlm, "Also get the NT hash (key list)");
  refresh->callback([ref, &exit_code] {
    exit_code = run_refresh(ref->state, ref->ccache, ref->ca_file, ref->dcs, ref->ntlm);
  });

  auto st = std::make_shared<SigninFlags>();
  auto json = std::make_shared<bool>(false);
  auto* status =
      signin->add_subcommand("status", "Device and sign-in state, like dsregcmd /status");
  status->add_option("--state", st->state, "Device state file");
  status->add_option("--ccache", st->ccache, "Credential cache (default: your default cache)");
  status->add_flag("--json", *json, "JSON instead of text");
  status->callback(
      [st, json, &exit_code] { exit_code = run_status(st->state, st->ccache, *json); });

  auto soft_path = std::make_shared<std::string>();
  auto soft_pin = std::make_shared<std::string>();
  auto* soft = signin->add_subcommand("soft-key", "The software security key (tests, demo)");
  soft->require_subcommand(1);
  auto* create = soft->add_subcommand("create", "Create a software security key");
  create->add_option("path", *soft_path, "State file of the key (use as soft:PATH)")->required();
  create->add_option("--pin-file", *soft_pin, "File holding the PIN (or KEYBRIDGE_PIN, or prompt)");
  create->callback(
      [soft_path, soft_pin, &exit_code] { exit_code = run_soft_create(*soft_path, *soft_pin); });

  signin->callback([signin, f, &exit_code] {
    if (!signin->get_subcommands().empty()) return;
    if (f->user.empty() || f->cloud.empty() || f->tenant.empty() || f->authenticator.empty()) {
      std::cerr << "keybridge signin: --user, --cloud, --tenant and --authenticator are required\n";
      exit_code = 2;
      return;
    }
    exit_code = run_signin(*f);
  });
}

}  // namespace kb::app
