// Sign-ins per second on one core, through the cloud service's Router in process (SQLite
// store), beside the cost of the same cryptographic operations alone, in the same run.
//
// "router/first_sign_in" times one POST /{tenant}/oauth2/token with a device-signed request
// carrying a WebAuthn assertion and tgt=true: the device certificate checked against the
// tenant CA, the device JWT (RS256) verified, the nonce taken, the assertion (ES256)
// verified and its counter recorded, the session key wrapped at rest and RSA-OAEP'd to the
// transport key, the Kerberos server key unwrapped, the partial TGT minted (PAC signed,
// ticket and enc-part encrypted) and its client key JWE'd under the session key. What the
// client does (nonce request, authenticator signature, device JWT) is prepared with the
// timer paused.
//
// "crypto/*" time those operations alone; their sum is the crypto bound of one sign-in.
//
//   ./build/bench/kb_bench_signin
// prints Google Benchmark's table, then the bound, the Router's rate and their ratio.
#include <benchmark/benchmark.h>

#include <cstdio>
#include <cstdlib>
#include <map>
#include <memory>

#include "base/base64.h"
#include "base/http_form.h"
#include "base/json.h"
#include "base/subprocess.h"
#include "client/prt_client.h"
#include "client/soft_authenticator.h"
#include "client/webauthn_client.h"
#include "cloud/service/access_pass.h"
#include "cloud/service/context.h"
#include "cloud/service/device_ca.h"
#include "cloud/service/device_registration.h"
#include "crypto/cose_key.h"
#include "crypto/crypto.h"
#include "crypto/certificate.h"
#include "crypto/device_cert.h"
#include "crypto/master_key.h"
#include "jose/jws.h"
#include "jose/oapxbc.h"
#include "store/sqlite/cloud_sqlite.h"

namespace kb::bench {
namespace {

const std::string kTenant = "aaaaaaaa-1111-4111-8111-111111111111";
const std::string kUpn = "alice@contoso.test";
const std::string kOrigin = "https://localhost";
constexpr std::uint16_t kBranch = 4711;
constexpr std::uint16_t kKvno = 3;

[[noreturn]] void die(const char* what, const Error& e) {
  std::fprintf(stderr, "signin_bench: %s: %s\n", what, e.to_string().c_str());
  std::abort();
}

template <typename T>
T must(Result<T> r, const char* what) {
  if (!r) die(what, r.error());
  return std::move(*r);
}
void must(const Result<void>& r, const char* what) {
  if (!r) die(what, r.error());
}

// A tenant with alice, her security key and an RSA device, as after enrollment.
struct World {
  World() {
    store =
        must(store::sqlite::SqliteCloudStore::open((dir.path() / "cloud.db").string()), "store");
    ctx = std::make_unique<cloud::ServiceContext>(
        cloud::ServiceContext{*store, master, clock, rng, {}});
    cloud::add_signin_routes(router, *ctx);
    seed();
    register_key();
    device_key = must(crypto::PrivateKey::generate_rsa(2048), "device key");
    transport_key = must(crypto::PrivateKey::generate_rsa(2048), "transport key");
    auto dk = must(device_key.public_key(), "device public");
    auto tk = must(transport_key.public_key(), "transport public");
    cloud::DeviceKeys keys{must(dk.to_spki_der(), "spki"), std::move(dk),
                           must(tk.to_spki_der(), "spki")};
    auto d = must(cloud::create_device(*ctx, kTenant, user_id, "bench", std::move(keys),
                                       store::JoinType::kCloud),
                  "device");
    device_id = d.device.id;
    device_cert = d.certificate;
    ca_cert = must(cloud::ensure_device_ca(*ctx, kTenant), "ca").certificate;
  }

  void seed() {
    server_key = Bytes(32);
    rng.fill(server_key);
    must(store->transact([&](store::CloudTxn& t) -> Result<void> {
      KB_CHECK(t.create_tenant({kTenant, "Contoso", clock.now()}));
      store::CloudUser u;
      u.id = store::new_uuid(rng);
      u.source_anchor = "anchor-alice";
      u.upn = kUpn;
      u.domain = "contoso.test";
      u.sam_account_name = "alice";
      u.object_sid = "S-1-5-21-1-2-3-1104";
      std::vector<store::CloudUser> v{u};
      user_id = KB_TRY(t.upsert_users(kTenant, v, clock.now())).at(0);
      store::KerberosServerRecord r;
      r.domain = "contoso.test";
      r.branch_id = kBranch;
      r.current = {
          18, kKvno,
          KB_TRY(master.wrap(
              server_key,
              crypto::key_binding("kerberos-server:" + kTenant + "/contoso.test", kKvno, 18),
              rng))};
      r.key_updated_on = clock.now();
      r.key_updated_from = "dc1";
      KB_CHECK(t.put_kerberos_server(kTenant, r, clock.now()));
      store::TemporaryAccessPass p{kTenant,
                                   user_id,
                                   store::new_uuid(rng),
                                   cloud::access_pass_hash("BENCHPASS0123456789AB"),
                                   true,
                                   clock.now() - std::chrono::hours(1),
                                   clock.now() + std::chrono::hours(1),
                                   std::nullopt,
                                   clock.now()};
      return t.create_access_pass(p);
    }),
         "seed");
  }

  http::Response post(const std::string& path, const std::string& type, std::string body) {
    http::Request req;
    req.method = "POST";
    req.target = path;
    req.headers.add("Content-Type", type);
    req.body = std::move(body);
    return router.handle(req);
  }

  void register_key() {
    auto opts = post("/" + kTenant + "/webauthn/registration/options", "application/json",
                     R"({"username":")" + kUpn + R"(","access_pass":"BENCHPASS0123456789AB"})");
    if (opts.status != 200)
      die("registration options", Error(BaseErrc::kInvalidArgument, opts.body));
    auto o = must(json::parse_object(opts.body), "options json");
    auto cred = must(webauthn.create(json::serialize(o.at("publicKey")), &pin), "create");
    auto reg = post("/" + kTenant + "/webauthn/registration", "application/json",
                    json::serialize(boost::json::object{{"challenge_id", o.at("challenge_id")},
                                                        {"credential", *json::parse(cred)}}));
    if (reg.status != 200) die("registration", Error(BaseErrc::kInvalidArgument, reg.body));
  }

  // The client half of one first sign-in: a nonce, an assertion over it, the device JWT.
  http::Request next_request() {
    auto n = post("/" + kTenant + "/oauth2/token", "application/x-www-form-urlencoded",
                  "grant_type=srv_challenge");
    const std::string nonce = must(client::read_nonce_response(n.body), "nonce");
    const boost::json::object opts{{"challenge", nonce},
                                   {"rpId", "localhost"},
                                   {"allowCredentials", boost::json::array{}},
                                   {"userVerification", "required"},
                                   {"timeout", 300000}};
    const std::string assertion = must(webauthn.get(json::serialize(opts), &pin), "get");
    http::Request req;
    req.method = "POST";
    req.target = "/" + kTenant + "/oauth2/token";
    req.headers.add("Content-Type", "application/x-www-form-urlencoded");
    req.body = must(client::make_device_prt_request(device_key, device_cert, kUpn, nonce, assertion,
                                                    true, clock, rng),
                    "prt request");
    return req;
  }

  TempDir dir{"kb-signin-bench"};
  crypto::SystemRng rng;
  SystemClock clock;
  crypto::MasterKey master = crypto::MasterKey::generate(rng);
  std::unique_ptr<store::CloudStore> store;
  std::unique_ptr<cloud::ServiceContext> ctx;
  http::Router router;
  SecretString pin{"123456"};
  client::SoftAuthenticator auth =
      must(client::SoftAuthenticator::create(dir.path() / "key.json", rng, &pin), "authenticator");
  client::WebauthnClient webauthn{auth, kOrigin};
  std::string user_id;
  Bytes server_key;
  crypto::PrivateKey device_key, transport_key;
  std::string device_id;
  Bytes device_cert, ca_cert;
};

World& world() {
  static World w;
  return w;
}

void router_first_sign_in(benchmark::State& state) {
  World& w = world();
  for (auto _ : state) {
    state.PauseTiming();
    http::Request req = w.next_request();
    state.ResumeTiming();
    http::Response r = w.router.handle(req);
    if (r.status != 200) {
      state.SkipWithError(r.body.c_str());
      break;
    }
    benchmark::DoNotOptimize(r.body.data());
  }
}

// --- The same cryptography alone.

void crypto_assertion_es256_verify(benchmark::State& state) {
  auto key = must(crypto::cose::PrivateKey::generate(crypto::cose::Alg::kEs256), "es256");
  auto pub = must(key.public_key(), "es256 public");
  Bytes data(37 + 32, 0x5a);  // authenticatorData || SHA-256(clientDataJSON)
  const Bytes sig = must(key.sign(data), "sign");
  for (auto _ : state) {
    auto r = pub.verify(crypto::cose::Alg::kEs256, data, sig);
    if (!r) state.SkipWithError("verify");
  }
}

void crypto_device_certificate_verify(benchmark::State& state) {
  World& w = world();
  const SysTime now = w.clock.now();
  // Decoded once, as the Router keeps them (ServiceContext::certs, device_certs): what
  // remains is the chain check itself (signature, validity, constraints).
  const auto cert = must(crypto::Certificate::parse(w.device_cert), "device certificate");
  const auto ca = must(crypto::Certificate::parse(w.ca_cert), "CA certificate");
  for (auto _ : state) {
    auto r = cert.verify_issued_by(ca, now);
    if (!r) state.SkipWithError("certificate");
  }
}

void crypto_device_jws_rs256_verify(benchmark::State& state) {
  World& w = world();
  const Bytes payload(900, 0x41);  // claims with the assertion inside
  const std::string jws =
      must(jose::sign_jws({}, payload, jose::JwsAlg::kRs256, w.device_key), "sign jws");
  auto pub = must(w.device_key.public_key(), "public");
  for (auto _ : state) {
    auto r = jose::verify_jws(jws, jose::JwsAlg::kRs256, pub);
    if (!r) state.SkipWithError("jws");
  }
}

void crypto_session_key_jwe_rsa_oaep(benchmark::State& state) {
  World& w = world();
  auto pub = must(w.transport_key.public_key(), "public");
  SecretBytes session(32);
  w.rng.fill(session.reveal_mutable());
  for (auto _ : state) {
    auto r = jose::oapxbc::make_session_key_jwe(session, pub, w.rng);
    benchmark::DoNotOptimize(r);
  }
}

// The session key wrapped at rest, the Kerberos server key unwrapped.
void crypto_master_key_wrap_unwrap(benchmark::State& state) {
  World& w = world();
  const Bytes ad = crypto::key_binding("prt-session:x", 1, 0);
  const Bytes blob = must(w.master.wrap(w.server_key, ad, w.rng), "wrap");
  for (auto _ : state) {
    auto a = w.master.wrap(w.server_key, ad, w.rng);
    auto b = w.master.unwrap(blob, ad);
    benchmark::DoNotOptimize(a);
    benchmark::DoNotOptimize(b);
  }
}

// The partial TGT's Kerberos crypto: the server key as a Key (its derived keys computed),
// the PAC's server and KDC checksums, the ticket (ticket-sized, with the PAC) under the
// server key, and the AS-REP enc-part under a fresh session key.
void crypto_partial_tgt_kerberos(benchmark::State& state) {
  World& w = world();
  const Bytes ticket(1200, 0x5a), enc_part(300, 0x5b), pac(700, 0x5c);
  for (auto _ : state) {
    auto server =
        must(crypto::Key::from_bytes(crypto::EncType::kAes256CtsHmacSha196, w.server_key), "key");
    auto session = crypto::Key::random(crypto::EncType::kAes256CtsHmacSha196, w.rng);
    auto c1 = crypto::make_checksum(server, crypto::KeyUsage::kPacChecksum, pac);
    auto c2 = crypto::make_checksum(server, crypto::KeyUsage::kPacChecksum, *c1);
    auto t = crypto::encrypt(server, crypto::KeyUsage::kKdcRepTicket, ticket, w.rng);
    auto e = crypto::encrypt(session, crypto::KeyUsage::kAsRepEncPart, enc_part, w.rng);
    benchmark::DoNotOptimize(c2);
    benchmark::DoNotOptimize(t);
    benchmark::DoNotOptimize(e);
  }
}

void crypto_client_key_jwe(benchmark::State& state) {
  World& w = world();
  SecretBytes session(32);
  w.rng.fill(session.reveal_mutable());
  const Bytes client_key(32, 0x11);
  for (auto _ : state) {
    auto r = jose::oapxbc::encrypt_with_session_key(session, client_key, w.rng);
    benchmark::DoNotOptimize(r);
  }
}

BENCHMARK(router_first_sign_in)->Name("router/first_sign_in")->Unit(benchmark::kMicrosecond);
BENCHMARK(crypto_assertion_es256_verify)
    ->Name("crypto/assertion_es256_verify")
    ->Unit(benchmark::kMicrosecond);
BENCHMARK(crypto_device_certificate_verify)
    ->Name("crypto/device_certificate_verify")
    ->Unit(benchmark::kMicrosecond);
BENCHMARK(crypto_device_jws_rs256_verify)
    ->Name("crypto/device_jws_rs256_verify")
    ->Unit(benchmark::kMicrosecond);
BENCHMARK(crypto_session_key_jwe_rsa_oaep)
    ->Name("crypto/session_key_jwe_rsa_oaep")
    ->Unit(benchmark::kMicrosecond);
BENCHMARK(crypto_master_key_wrap_unwrap)
    ->Name("crypto/master_key_wrap_unwrap")
    ->Unit(benchmark::kMicrosecond);
BENCHMARK(crypto_partial_tgt_kerberos)
    ->Name("crypto/partial_tgt_kerberos")
    ->Unit(benchmark::kMicrosecond);
BENCHMARK(crypto_client_key_jwe)->Name("crypto/client_key_jwe")->Unit(benchmark::kMicrosecond);

// After the table: the crypto bound (sum of crypto/*), the Router's rate, their ratio.
class BoundReporter : public benchmark::ConsoleReporter {
 public:
  void ReportRuns(const std::vector<Run>& runs) override {
    for (const auto& r : runs) {
      if (r.run_type == Run::RT_Iteration && !r.error_occurred) {
        // Adjusted real time is in the benchmark's unit (microseconds here).
        us_[r.benchmark_name()] = r.GetAdjustedRealTime();
        cpu_us_[r.benchmark_name()] = r.GetAdjustedCPUTime();
      }
    }
    ConsoleReporter::ReportRuns(runs);
  }
  void Finalize() override {
    ConsoleReporter::Finalize();
    // Real time is what a dedicated core sees; CPU time is the fairer figure on a shared,
    // loaded machine (the thread's own time only).
    summary("real time", us_);
    summary("CPU time", cpu_us_);
  }

 private:
  static void summary(const char* what, const std::map<std::string, double>& us) {
    double bound_us = 0;
    for (const auto& [name, t] : us) {
      if (name.rfind("crypto/", 0) == 0) bound_us += t;
    }
    auto it = us.find("router/first_sign_in");
    if (bound_us <= 0 || it == us.end()) return;
    std::printf("\n%s:\n", what);
    std::printf("  crypto bound per sign-in  %10.1f us  %8.1f sign-ins/s\n", bound_us,
                1e6 / bound_us);
    std::printf("  router first sign-in      %10.1f us  %8.1f sign-ins/s\n", it->second,
                1e6 / it->second);
    std::printf("  router rate / crypto bound  %.2f (goal >= 0.50)\n", bound_us / it->second);
  }

  std::map<std::string, double> us_;
  std::map<std::string, double> cpu_us_;
};

}  // namespace
}  // namespace kb::bench

int main(int argc, char** argv) {
  benchmark::Initialize(&argc, argv);
  if (benchmark::ReportUnrecognizedArguments(argc, argv)) return 1;
  kb::bench::BoundReporter reporter;
  benchmark::RunSpecifiedBenchmarks(&reporter);
  benchmark::Shutdown();
  return 0;
}
