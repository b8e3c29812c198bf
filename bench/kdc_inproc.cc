// The KDC's request handler driven in-process, without sockets: a deterministic measure of
// what one AS or TGS request costs our KDC (kdc::Kdc::handle, the directory cache, crypto,
// DER, PAC, the replay cache and the log line), free of the load generator and the kernel.
//
//   kb_kdc_inproc [--mode tgs|as] [--requests 2000] [--warmup 200]
// prints CPU time per request. Under callgrind, instructions per request:
//   valgrind --tool=callgrind --toggle-collect=kb_bench_timed_phase
//       build/bench/kb_kdc_inproc --requests 500     (one command line)
//   (the "Collected" Ir total divided by --requests)
//
// The directory is what bench/kdc_compare.sh sets up: realm CONTOSO.TEST in a SQLite store
// in a temporary directory, user alice (password), service account websvc with SPN
// HTTP/web.contoso.test; the log sink and the random source are those `keybridge dc serve`
// installs (admin::BufferedLog to /dev/null, crypto::BufferedSystemRng).
#include <time.h>

#include <CLI/CLI.hpp>
#include <cstdio>
#include <fstream>

#include "admin/dc_server.h"
#include "base/subprocess.h"
#include "crypto/master_key.h"
#include "crypto/random.h"
#include "kdc/accounts.h"
#include "kdc/kdc.h"
#include "krb_requests.h"
#include "store/sqlite/sqlite_directory.h"

namespace {

using namespace kb;

double process_cpu_seconds() {
  timespec t{};
  ::clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &t);
  return static_cast<double>(t.tv_sec) + static_cast<double>(t.tv_nsec) * 1e-9;
}

Result<void> add_account(store::DirectoryStore& st, const store::Domain& d, store::Account a,
                         const SecretString* password, const crypto::MasterKey& mk,
                         const Clock& clock, Rng& rng) {
  if (password != nullptr) {
    KB_CHECK(kdc::set_password(a, d, *password, mk, clock, rng));
  } else {
    KB_CHECK(kdc::set_random_keys(a, d, mk, clock, rng));
  }
  return st.transact([&](store::DirectoryTxn& t) { return t.put_account(a); });
}

}  // namespace

// Not inlined and not in a namespace, so callgrind's --toggle-collect can name it.
extern "C" __attribute__((noinline)) std::size_t kb_bench_timed_phase(
    kb::kdc::Kdc& kdc, const std::vector<kb::Bytes>& reqs, std::uint8_t expected) {
  std::size_t good = 0;
  for (const auto& r : reqs) {
    kb::Bytes rep = kdc.handle(r, true, "127.0.0.1:40000");
    if (!rep.empty() && rep[0] == expected) ++good;
  }
  return good;
}

int main(int argc, char** argv) {
  std::string mode = "tgs";
  std::size_t requests = 2000;
  std::size_t warmup = 200;
  CLI::App app{"Drive the KDC's request handler in-process and report cost per request"};
  app.add_option("--mode", mode)->check(CLI::IsMember({"as", "tgs"}));
  app.add_option("--requests", requests, "Timed requests");
  app.add_option("--warmup", warmup, "Requests before the timed phase (caches, allocator)");
  CLI11_PARSE(app, argc, argv);

  SystemClock clock;
  crypto::BufferedSystemRng rng;
  TempDir dir("kb-kdc-inproc");
  auto mk = crypto::MasterKey::generate(rng);
  auto st = store::sqlite::SqliteDirectoryStore::open((dir.path() / "directory.db").string());
  if (!st) {
    std::fprintf(stderr, "store: %s\n", st.error().to_string().c_str());
    return 1;
  }
  auto& store = **st;
  auto domain = kdc::provision_domain(store, {"contoso.test", "", "", SecretString("Admin-Pw-1")},
                                      mk, clock, rng);
  if (!domain) {
    std::fprintf(stderr, "provision: %s\n", domain.error().to_string().c_str());
    return 1;
  }
  const SecretString password("Bench-Pw-1");
  store::Account alice;
  alice.rid = 1105;
  alice.sam_account_name = "alice";
  store::Account websvc;
  websvc.rid = 1106;
  websvc.sam_account_name = "websvc";
  websvc.service_principal_names = {"HTTP/web.contoso.test"};
  for (auto r : {add_account(store, *domain, alice, &password, mk, clock, rng),
                 add_account(store, *domain, websvc, nullptr, mk, clock, rng)}) {
    if (!r) {
      std::fprintf(stderr, "account: %s\n", r.error().to_string().c_str());
      return 1;
    }
  }

  // The sink `keybridge dc serve` installs, writing to /dev/null.
  std::ofstream log_file("/dev/null");
  admin::BufferedLog log(log_file);
  kdc::KdcDirectory directory(store, mk);
  kdc::Kdc kdc(directory, clock, rng, kdc::KdcPolicy{},
               [&](const kdc::RequestLog& l, std::chrono::microseconds d, std::string_view peer) {
                 log.write(kdc::format_log_line(l, d, peer));
               });
  bench::KrbRequests client({domain->realm, "alice", "HTTP/web.contoso.test"});
  auto signed_in = client.sign_in([&](const Bytes& req) { return kdc.handle(req, true, "setup"); },
                                  password, clock.now());
  if (!signed_in) {
    std::fprintf(stderr, "%s\n", signed_in.error().to_string().c_str());
    return 1;
  }
  const bool tgs = mode == "tgs";
  const std::uint8_t expected =
      bench::reply_tag(tgs ? krb5::msg_type::kTgsRep : krb5::msg_type::kAsRep);
  auto build = [&](std::size_t n) {
    std::vector<Bytes> out;
    out.reserve(n);
    for (std::size_t i = 0; i < n; ++i)
      out.push_back(tgs ? client.tgs_req(clock.now()) : client.as_req(clock.now()));
    return out;
  };
  const auto warm = build(warmup);
  const auto timed = build(requests);
  if (kb_bench_timed_phase(kdc, warm, expected) != warm.size()) {
    std::fprintf(stderr, "warm-up requests were refused\n");
    return 1;
  }
  const double cpu0 = process_cpu_seconds();
  const std::size_t good = kb_bench_timed_phase(kdc, timed, expected);
  const double cpu = process_cpu_seconds() - cpu0;
  std::printf("mode=%s requests=%zu answered=%zu cpu_us_per_request=%.1f\n", mode.c_str(),
              timed.size(), good,
              timed.empty() ? 0.0 : cpu * 1e6 / static_cast<double>(timed.size()));
  return good == timed.size() ? 0 : 2;
}
