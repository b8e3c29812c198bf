// The security-info page in a real browser (issue 4): Debian's headless Chromium, driven
// over the W3C WebDriver HTTP API by chromedriver, with Chromium's virtual CTAP2
// authenticator (WebAuthn Level 2 §11, "WebDriver Extension"). What the server verifies
// is what the browser produced: navigator.credentials.create/get, toJSON, clientDataJSON
// with the page's origin, and the virtual device's packed attestation.
//
// Everything runs on loopback in a temporary directory: the cloud service in process
// (net::HttpsServer over make_router, SQLite store) with a certificate for `localhost`
// that Chromium trusts through an NSS database in a temporary HOME (WebAuthn refuses pages
// with certificate errors), chromedriver on a free port, Chromium with its own profile.
// Both are stopped by PID.
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <signal.h>
#include <sys/socket.h>
#include <unistd.h>

#include <boost/json.hpp>
#include <chrono>
#include <fstream>
#include <optional>
#include <thread>

#include "base/base64.h"
#include "base/json.h"
#include "base/subprocess.h"
#include "cloud/service/access_pass.h"
#include "cloud/service/admin_parse.h"
#include "cloud/service/context.h"
#include "crypto/crypto.h"
#include "crypto/master_key.h"
#include "crypto/x509.h"
#include "net/https_server.h"
#include "store/sqlite/cloud_sqlite.h"

namespace kb::cloud::test {
namespace {

namespace bj = boost::json;
namespace fs = std::filesystem;
using namespace std::chrono_literals;

// Chromium's virtual CTAP2 device reports this AAGUID (device/fido/virtual_ctap2_device.cc
// kDeviceAaguid) in a packed attestation; with attestation "none" Chromium zeroes it, so
// the tenant policy below allows exactly this AAGUID, which makes the service ask for
// direct attestation.
constexpr std::string_view kVirtualAaguid = "01020304-0506-0708-0102-030405060708";
constexpr std::string_view kElementKey = "element-6066-11e4-a52e-4f735466cecf";  // W3C 12.1
const std::string kUser = "alice@contoso.test";
const std::string kPass = "ABCDEFGHJKLMNPQRSTUV";

// PIDs of processes whose command line holds `needle` (our unique temporary directory).
std::vector<pid_t> pids_with_arg(const std::string& needle) {
  std::vector<pid_t> out;
  std::error_code ec;
  for (const auto& e : fs::directory_iterator("/proc", ec)) {
    const std::string name = e.path().filename();
    if (name.find_first_not_of("0123456789") != std::string::npos) continue;
    std::ifstream f(e.path() / "cmdline", std::ios::binary);
    const std::string cmd((std::istreambuf_iterator<char>(f)), std::istreambuf_iterator<char>());
    if (cmd.find(needle) != std::string::npos) out.push_back(static_cast<pid_t>(std::stoi(name)));
  }
  return out;
}

// A W3C WebDriver client over curl: one JSON request, the "value" of the answer.
class WebDriver {
 public:
  void set_base(std::string base) { base_ = std::move(base); }
  void set_session(std::string id) { session_ = std::move(id); }
  [[nodiscard]] const std::string& session() const { return session_; }

  // The answer's "value"; nullopt (and the reason in `last_error`) when curl failed or
  // the driver answered with an error object.
  std::optional<bj::value> call(const std::string& method, const std::string& path,
                                const std::optional<bj::value>& body = std::nullopt) {
    std::vector<std::string> argv = {
        "curl", "-sS",  "--max-time", "150",
        "-X",   method, "-H",         "Content-Type: application/json; charset=utf-8"};
    std::string in;
    if (body) {
      in = json::serialize(*body);
      argv.insert(argv.end(), {"--data-binary", "@-"});
    }
    argv.push_back(base_ + path);
    const RunResult r = run_program(argv, {}, in, 160);
    if (r.exit_code != 0) {
      last_error = "curl: " + r.out;
      return std::nullopt;
    }
    auto v = json::parse(r.out, {.max_bytes = 4 * 1024 * 1024, .max_depth = 32});
    if (!v || !v->is_object() || !v->as_object().contains("value")) {
      last_error = "not a WebDriver answer: " + r.out.substr(0, 500);
      return std::nullopt;
    }
    const bj::value& value = v->as_object().at("value");
    if (value.is_object() && value.as_object().contains("error")) {
      last_error = json::serialize(value).substr(0, 1000);
      return std::nullopt;
    }
    return value;
  }
  std::optional<bj::value> in_session(const std::string& method, const std::string& path,
                                      const std::optional<bj::value>& body = std::nullopt) {
    return call(method, "/session/" + session_ + path, body);
  }

  std::string last_error;

 private:
  std::string base_;
  std::string session_;
};

class ChromiumWeb : public ::testing::Test {
 protected:
  void SetUp() override {
    for (const char* p : {"chromium", "chromedriver", "certutil", "curl"}) {
      ASSERT_FALSE(find_program(p).empty())
          << p << " is missing: scripts/install-deps.sh installs chromium, chromium-driver, "
          << "libnss3-tools and curl";
    }
    ASSERT_NO_FATAL_FAILURE(seed_store());
    ASSERT_NO_FATAL_FAILURE(start_service());
    ASSERT_NO_FATAL_FAILURE(start_browser());
  }

  void TearDown() override {
    if (!wd_.session().empty()) wd_.in_session("DELETE", "");
    // Chromium quits with its session; whatever is left of it (the browser, its helpers
    // and crash handlers all name our temporary directory) is stopped by PID.
    if (browser_pid_ > 0 && ::kill(browser_pid_, 0) == 0) ::kill(browser_pid_, SIGKILL);
    for (pid_t p : pids_with_arg(dir_.path().string())) ::kill(p, SIGKILL);
    driver_.stop();
    if (server_) server_->stop();
    if (HasFailure()) dump_logs();
  }

  void seed_store() {
    auto s = store::sqlite::SqliteCloudStore::open((dir_.path() / "cloud.db").string());
    ASSERT_TRUE(s) << s.error().to_string();
    store_ = std::move(*s);
    store::CloudUser u;
    u.id = store::new_uuid(rng_);
    u.source_anchor = "anchor-alice";
    u.upn = kUser;
    u.domain = "contoso.test";
    u.sam_account_name = "alice";
    u.object_sid = "S-1-5-21-1-2-3-1105";
    u.display_name = "Alice";
    store::TenantPolicy policy;
    policy.aaguid_allow.push_back(*webauthn_aaguid(kVirtualAaguid));
    auto seeded = store_->transact([&](store::CloudTxn& t) -> Result<void> {
      KB_CHECK(t.create_tenant({tenant_, "Contoso", clock_.now()}));
      KB_CHECK(t.put_policy(tenant_, policy));
      std::vector<store::CloudUser> users{u};
      user_id_ = KB_TRY(t.upsert_users(tenant_, users, clock_.now())).at(0);
      store::TemporaryAccessPass p;
      p.tenant_id = tenant_;
      p.user_id = user_id_;
      p.id = store::new_uuid(rng_);
      p.secret_hash = access_pass_hash(kPass);
      p.one_time = true;
      p.starts_at = clock_.now() - 1min;
      p.expires_at = clock_.now() + 1h;
      p.created = p.starts_at;
      return t.create_access_pass(p);
    });
    ASSERT_TRUE(seeded) << seeded.error().to_string();
  }

  static Result<Bytes> webauthn_aaguid(std::string_view text) { return admin::parse_aaguid(text); }

  void start_service() {
    crypto::SelfSignedOptions so;
    so.common_name = "localhost";
    so.dns_names = {"localhost"};
    so.ip_addresses = {"127.0.0.1"};
    auto id = crypto::generate_self_signed(so, clock_.now());
    ASSERT_TRUE(id) << id.error().to_string();
    const fs::path cert = dir_.path() / "cert.pem";
    std::ofstream(cert) << id->cert_pem;

    // Chromium (NSS) trusts exactly this certificate as a peer, in a HOME of its own.
    const fs::path nssdb = home_ / ".pki" / "nssdb";
    fs::create_directories(nssdb);
    const std::string db = "sql:" + nssdb.string();
    auto init = run_program({"certutil", "-d", db, "-N", "--empty-password"}, {});
    ASSERT_EQ(init.exit_code, 0) << init.out;
    auto add = run_program(
        {"certutil", "-d", db, "-A", "-t", "P,,", "-n", "keybridge-test", "-i", cert.string()}, {});
    ASSERT_EQ(add.exit_code, 0) << add.out;

    port_ = ::kb::free_loopback_port();
    ASSERT_NE(port_, 0);
    origin_ = "https://localhost:" + std::to_string(port_);
    CloudConfig config;
    config.rp_id = "localhost";  // an IP address is not a valid RP ID
    config.allowed_origins = {origin_};
    ctx_ = std::make_unique<ServiceContext>(ServiceContext{*store_, master_, clock_, rng_, config});
    router_ = std::make_unique<http::Router>(make_router(*ctx_));
    net::HttpsServerConfig sc;
    sc.listen = {"127.0.0.1:" + std::to_string(port_)};
    sc.threads = 2;
    sc.identity = std::move(*id);
    auto server = net::HttpsServer::start(std::move(sc), router_->as_handler());
    ASSERT_TRUE(server) << server.error().to_string();
    server_ = std::move(*server);
  }

  void start_browser() {
    const std::uint16_t wd_port = ::kb::free_loopback_port();
    ASSERT_NE(wd_port, 0);
    std::string err;
    ASSERT_TRUE(driver_.start({"chromedriver", "--port=" + std::to_string(wd_port)},
                              {{"HOME", home_.string()}}, dir_.path() / "chromedriver.log", &err))
        << err;
    wd_.set_base("http://127.0.0.1:" + std::to_string(wd_port));
    bool ready = false;
    for (int i = 0; i < 200 && !ready; ++i) {
      auto st = wd_.call("GET", "/status");
      ready = st && st->is_object() && st->as_object().contains("ready") &&
              st->at("ready").is_bool() && st->at("ready").as_bool();
      if (!ready) std::this_thread::sleep_for(100ms);
    }
    ASSERT_TRUE(ready) << "chromedriver did not come up: " << wd_.last_error;

    bj::array args{"--headless=new",     "--no-sandbox",
                   "--disable-gpu",      "--disable-dev-shm-usage",
                   "--no-first-run",     "--password-store=basic",
                   "--disable-breakpad", "--user-data-dir=" + profile_.string()};
    bj::object caps{{"browserName", "chrome"},
                    {"goog:chromeOptions",
                     bj::object{{"binary", find_program("chromium")}, {"args", std::move(args)}}}};
    auto s = wd_.call("POST", "/session",
                      bj::object{{"capabilities", bj::object{{"alwaysMatch", std::move(caps)}}}});
    ASSERT_TRUE(s) << wd_.last_error;
    wd_.set_session(std::string(s->at("sessionId").as_string()));
    const bj::object& got = s->at("capabilities").as_object();
    if (got.contains("goog:processID"))
      browser_pid_ = static_cast<pid_t>(got.at("goog:processID").to_number<std::int64_t>());

    // WebAuthn WebDriver extension: a CTAP2 USB key with resident keys and UV that
    // verifies the user without a prompt.
    auto a = wd_.in_session("POST", "/webauthn/authenticator",
                            bj::object{{"protocol", "ctap2"},
                                       {"transport", "usb"},
                                       {"hasResidentKey", true},
                                       {"hasUserVerification", true},
                                       {"isUserVerified", true}});
    ASSERT_TRUE(a) << wd_.last_error;
    authenticator_ = std::string(a->as_string());
  }

  void dump_logs() {
    std::ifstream f(dir_.path() / "chromedriver.log");
    std::string line;
    std::vector<std::string> tail;
    while (std::getline(f, line)) {
      tail.push_back(line);
      if (tail.size() > 40) tail.erase(tail.begin());
    }
    for (const auto& l : tail) std::cerr << "chromedriver: " << l << "\n";
  }

  // --- The page, as a user drives it.

  void open_page() {
    ASSERT_TRUE(wd_.in_session("POST", "/url",
                               bj::object{{"url", origin_ + "/" + tenant_ + "/security-info"}}))
        << wd_.last_error;
    for (int i = 0; i < 100; ++i) {
      if (script("return document.body.dataset.ready || ''") == "1") return;
      std::this_thread::sleep_for(100ms);
    }
    FAIL() << "the page's script did not run";
  }

  std::string script(const std::string& body) {
    auto v = wd_.in_session("POST", "/execute/sync",
                            bj::object{{"script", body}, {"args", bj::array{}}});
    EXPECT_TRUE(v) << wd_.last_error;
    if (!v) return "";
    return v->is_string() ? std::string(v->as_string()) : json::serialize(*v);
  }

  std::string element(const std::string& css) {
    auto v =
        wd_.in_session("POST", "/element", bj::object{{"using", "css selector"}, {"value", css}});
    EXPECT_TRUE(v) << css << ": " << wd_.last_error;
    if (!v || !v->is_object() || !v->as_object().contains(kElementKey)) return "";
    return std::string(v->at(kElementKey).as_string());
  }

  void type(const std::string& css, const std::string& text) {
    const std::string e = element(css);
    ASSERT_FALSE(e.empty());
    ASSERT_TRUE(wd_.in_session("POST", "/element/" + e + "/clear", bj::object{})) << wd_.last_error;
    ASSERT_TRUE(wd_.in_session("POST", "/element/" + e + "/value", bj::object{{"text", text}}))
        << wd_.last_error;
  }

  void click(const std::string& css) {
    const std::string e = element(css);
    ASSERT_FALSE(e.empty());
    ASSERT_TRUE(wd_.in_session("POST", "/element/" + e + "/click", bj::object{})) << wd_.last_error;
  }

  struct PageState {
    std::string state;   // body data-state: signed-out, busy, signed-in, registered, deleted, error
    std::string error;   // body data-error: the problem code or DOMException name
    std::string status;  // the status line a user reads
  };

  PageState page_state() {
    auto v = wd_.in_session(
        "POST", "/execute/sync",
        bj::object{{"script",
                    "return [document.body.dataset.state || '', document.body.dataset.error || '',"
                    " document.getElementById('status').textContent];"},
                   {"args", bj::array{}}});
    if (!v || !v->is_array() || v->as_array().size() != 3) return {"?", wd_.last_error, ""};
    const auto& a = v->as_array();
    return {std::string(a[0].as_string()), std::string(a[1].as_string()),
            std::string(a[2].as_string())};
  }

  // Waits until the page reaches `want` (or fails into "error").
  PageState wait_for(const std::string& want) {
    PageState s;
    for (int i = 0; i < 600; ++i) {
      s = page_state();
      if (s.state == want || (s.state == "error" && want != "error")) return s;
      std::this_thread::sleep_for(100ms);
    }
    return s;
  }

  // --- The server's and the authenticator's side.

  std::vector<store::WebAuthnCredential> stored_keys() {
    std::vector<store::WebAuthnCredential> out;
    EXPECT_TRUE(store_->read([&](store::CloudTxn& t) -> Result<void> {
      out = KB_TRY(t.credentials_by_user(tenant_, user_id_));
      return ok();
    }));
    return out;
  }

  bj::array authenticator_credentials() {
    auto v = wd_.in_session("GET", "/webauthn/authenticator/" + authenticator_ + "/credentials");
    EXPECT_TRUE(v && v->is_array()) << wd_.last_error;
    return v && v->is_array() ? v->as_array() : bj::array{};
  }

  std::optional<store::TemporaryAccessPass> the_pass() {
    std::vector<store::TemporaryAccessPass> passes;
    EXPECT_TRUE(store_->read([&](store::CloudTxn& t) -> Result<void> {
      passes = KB_TRY(t.access_passes(tenant_, user_id_));
      return ok();
    }));
    if (passes.size() != 1) return std::nullopt;
    return passes[0];
  }

  TempDir dir_{"kb-web-chromium"};
  fs::path home_ = dir_.path() / "home";
  fs::path profile_ = dir_.path() / "chromium-profile";
  crypto::SystemRng rng_;
  SystemClock clock_;
  crypto::MasterKey master_ = crypto::MasterKey::generate(rng_);
  std::unique_ptr<store::CloudStore> store_;
  std::string tenant_ = "cccccccc-3333-4333-8333-333333333333";
  std::string user_id_;
  std::uint16_t port_ = 0;
  std::string origin_;
  std::unique_ptr<ServiceContext> ctx_;
  std::unique_ptr<http::Router> router_;
  std::unique_ptr<net::HttpsServer> server_;
  BackgroundProcess driver_;
  WebDriver wd_;
  pid_t browser_pid_ = -1;
  std::string authenticator_;
};

TEST_F(ChromiumWeb, PassRegistersKeyThenKeySignsInAndDeletedKeySignsInNoMore) {
  ASSERT_NO_FATAL_FAILURE(open_page());
  ASSERT_NO_FATAL_FAILURE(type("#username", kUser));
  ASSERT_NO_FATAL_FAILURE(type("#access-pass", kPass));
  ASSERT_NO_FATAL_FAILURE(click("#signin-pass"));
  PageState s = wait_for("signed-in");
  ASSERT_EQ(s.state, "signed-in") << s.error << " / " << s.status;
  EXPECT_EQ(script("return document.getElementById('who').textContent"), kUser);
  ASSERT_TRUE(the_pass() && the_pass()->used_at) << "the pass was not consumed";

  // navigator.credentials.create with the virtual authenticator; the server verifies the
  // browser's RegistrationResponseJSON and the device's packed attestation.
  ASSERT_NO_FATAL_FAILURE(type("#key-name", "Chromium virtual key"));
  ASSERT_NO_FATAL_FAILURE(click("#add-key"));
  s = wait_for("registered");
  ASSERT_EQ(s.state, "registered") << s.error << " / " << s.status;

  auto keys = stored_keys();
  ASSERT_EQ(keys.size(), 1u);
  const store::WebAuthnCredential key = keys[0];  // a copy: `keys` is read again below
  EXPECT_EQ(admin::format_aaguid(key.aaguid), kVirtualAaguid);
  EXPECT_EQ(key.attestation_format, "packed");
  EXPECT_FALSE(key.x5c.empty());
  EXPECT_EQ(key.friendly_name, "Chromium virtual key");
  EXPECT_EQ(key.transports, std::vector<std::string>{"usb"});
  // The very credential the virtual authenticator holds.
  auto held = authenticator_credentials();
  ASSERT_EQ(held.size(), 1u);
  EXPECT_EQ(held[0].at("credentialId").as_string(), base64url_encode(key.credential_id));
  EXPECT_EQ(held[0].at("rpId").as_string(), "localhost");
  // ... and the page lists it with that AAGUID.
  EXPECT_EQ(script("return Array.from(document.querySelectorAll('#key-list tr'))"
                   ".map((r) => r.dataset.aaguid).join(',')"),
            kVirtualAaguid);
  EXPECT_EQ(script("return document.querySelector('#key-list td.name').textContent"),
            "Chromium virtual key");

  // Sign out, then sign in with the key (navigator.credentials.get through the page).
  ASSERT_NO_FATAL_FAILURE(click("#signout"));
  ASSERT_EQ(wait_for("signed-out").state, "signed-out");
  ASSERT_NO_FATAL_FAILURE(type("#username", kUser));
  ASSERT_NO_FATAL_FAILURE(click("#signin-key"));
  s = wait_for("signed-in");
  ASSERT_EQ(s.state, "signed-in") << s.error << " / " << s.status;
  keys = stored_keys();
  ASSERT_EQ(keys.size(), 1u);
  EXPECT_TRUE(keys[0].last_used.has_value());
  EXPECT_GT(keys[0].sign_count, key.sign_count);
  EXPECT_NE(script("return document.querySelector('#key-list td.last-used').textContent"), "never");

  // Delete it through the page: it is gone from the store, and the session it opened
  // ends with it.
  ASSERT_NO_FATAL_FAILURE(click("#key-list button.delete"));
  s = wait_for("deleted");
  ASSERT_EQ(s.state, "deleted") << s.error << " / " << s.status;
  EXPECT_TRUE(stored_keys().empty());
  EXPECT_EQ(script("return String(document.getElementById('keys-section').hidden)"), "true");

  // The authenticator still holds the key and still answers, but it signs in no more.
  ASSERT_EQ(authenticator_credentials().size(), 1u);
  ASSERT_NO_FATAL_FAILURE(click("#signin-key"));
  s = wait_for("error");
  EXPECT_EQ(s.state, "error");
  EXPECT_EQ(s.error, "invalid_grant") << s.status;
  EXPECT_EQ(script("return String(document.getElementById('keys-section').hidden)"), "true");
}

TEST_F(ChromiumWeb, WrongPassIsRefusedAndTheRightOneWorksOnce) {
  ASSERT_NO_FATAL_FAILURE(open_page());
  ASSERT_NO_FATAL_FAILURE(type("#username", kUser));
  ASSERT_NO_FATAL_FAILURE(type("#access-pass", "WRONGPASSWRONGPASS23"));
  ASSERT_NO_FATAL_FAILURE(click("#signin-pass"));
  PageState s = wait_for("error");
  EXPECT_EQ(s.state, "error");
  EXPECT_EQ(s.error, "invalid_grant");
  EXPECT_NE(s.status.find("refused"), std::string::npos) << s.status;
  EXPECT_EQ(script("return String(document.getElementById('keys-section').hidden)"), "true");
  // The refusal did not spend the real pass.
  ASSERT_TRUE(the_pass());
  EXPECT_FALSE(the_pass()->used_at);

  // Typed in lower case with dashes, it is the same pass; it works once.
  ASSERT_NO_FATAL_FAILURE(type("#access-pass", "abcde-fghjk-lmnpq-rstuv"));
  ASSERT_NO_FATAL_FAILURE(click("#signin-pass"));
  s = wait_for("signed-in");
  ASSERT_EQ(s.state, "signed-in") << s.error << " / " << s.status;
  ASSERT_NO_FATAL_FAILURE(click("#signout"));
  ASSERT_EQ(wait_for("signed-out").state, "signed-out");
  ASSERT_NO_FATAL_FAILURE(type("#access-pass", kPass));
  ASSERT_NO_FATAL_FAILURE(click("#signin-pass"));
  s = wait_for("error");
  EXPECT_EQ(s.error, "invalid_grant") << s.status;
}

}  // namespace
}  // namespace kb::cloud::test
