#include "cloud/service/admin_server.h"

#include <signal.h>
#include <sys/stat.h>

#include <boost/json.hpp>
#include <mutex>
#include <system_error>

#include "base/json.h"
#include "crypto/crypto.h"
#include "crypto/x509.h"
#include "formats/keytab.h"
#include "net/https_server.h"
#include "net/tls_files.h"
#include "store/postgres/cloud_postgres.h"
#include "store/sqlite/cloud_sqlite.h"

namespace kb::cloud {
namespace {

namespace bj = boost::json;
namespace fs = std::filesystem;

constexpr std::size_t kMaxConfigBytes = 64 * 1024;
constexpr const char* kDefaultListen = "127.0.0.1:8443";

Error io_error(const std::string& what, const std::error_code& ec) {
  return Error(BaseErrc::kIo, what + ": " + ec.message());
}

bool is_ip_literal(const std::string& h) {
  return h.find(':') != std::string::npos ||
         h.find_first_not_of("0123456789.") == std::string::npos;
}

Result<std::unique_ptr<store::CloudStore>> open_store(const fs::path& dir, const bj::object& s) {
  const std::string kind = KB_TRY(json::get_string(s, "kind"));
  if (kind == "sqlite") {
    const std::string file = KB_TRY(json::get_string(s, "path"));
    auto st = KB_TRY(store::sqlite::SqliteCloudStore::open((dir / file).string()));
    return std::unique_ptr<store::CloudStore>(std::move(st));
  }
  if (kind == "postgres") {
    store::postgres::PostgresOptions o;
    o.conninfo = KB_TRY(json::get_string(s, "conninfo"));
    o.schema = json::get_optional_string(s, "schema").value_or("");
    auto st = KB_TRY(store::postgres::PostgresCloudStore::open(o));
    return std::unique_ptr<store::CloudStore>(std::move(st));
  }
  return Error(BaseErrc::kInvalidArgument, "cloud.json: unknown store kind " + kind);
}

Result<crypto::TlsIdentity> make_identity(const CloudInitOptions& o, SysTime now) {
  if (!o.cert_file.empty() || !o.key_file.empty()) {
    if (o.cert_file.empty() || o.key_file.empty()) {
      return Error(BaseErrc::kInvalidArgument, "--cert and --key go together");
    }
    return net::load_tls_identity(o.cert_file, o.key_file);
  }
  crypto::SelfSignedOptions so;
  so.common_name = o.rp_id;
  so.dns_names.clear();
  so.ip_addresses.clear();
  std::vector<std::string> names = o.hostnames;
  if (names.empty()) names = {o.rp_id, "127.0.0.1", "::1"};
  for (const auto& h : names) (is_ip_literal(h) ? so.ip_addresses : so.dns_names).push_back(h);
  return crypto::generate_self_signed(so, now);
}

Result<CloudInitResult> init_in(const CloudInitOptions& o, const Clock& clock, Rng& rng) {
  const fs::path& dir = o.data_dir;
  CloudInitResult out;
  auto mk = KB_TRY(crypto::MasterKey::create_stash(dir / "master.stash", rng));
  (void)mk;  // the store holds no wrapped key yet; `serve` loads the stash

  bj::object store_cfg;
  std::unique_ptr<store::CloudStore> st;
  if (o.postgres_conninfo.empty()) {
    store_cfg = bj::object{{"kind", "sqlite"}, {"path", "cloud.db"}};
  } else {
    store_cfg = bj::object{{"kind", "postgres"}, {"conninfo", o.postgres_conninfo}};
    if (!o.postgres_schema.empty()) store_cfg["schema"] = o.postgres_schema;
  }
  st = KB_TRY(open_store(dir, store_cfg));
  if (o.postgres_conninfo.empty()) {
    std::error_code ec;
    fs::permissions(dir / "cloud.db", fs::perms::owner_read | fs::perms::owner_write, ec);
    if (ec) return io_error("chmod cloud.db", ec);
  }
  NewTenant t = KB_TRY(create_tenant_with_token(*st, o.tenant_name, clock, rng));

  const crypto::TlsIdentity id = KB_TRY(make_identity(o, clock.now()));
  const crypto::CertificateInfo info = KB_TRY(crypto::check_tls_identity(id));
  KB_CHECK(net::save_tls_identity(id, dir / "tls.crt", dir / "tls.key"));
  std::error_code ec;
  fs::permissions(dir / "tls.crt", fs::perms::owner_read | fs::perms::owner_write, ec);
  if (ec) return io_error("chmod tls.crt", ec);

  bj::array origins;
  if (o.origins.empty()) origins.push_back(bj::string("https://" + o.rp_id + ":8443"));
  for (const auto& x : o.origins) origins.push_back(bj::string(x));
  const bj::object cfg{{"version", 1},
                       {"rp_id", o.rp_id},
                       {"rp_name", "Keybridge"},
                       {"origins", std::move(origins)},
                       {"listen", bj::array{kDefaultListen}},
                       {"tenant_id", t.tenant_id},
                       {"store", std::move(store_cfg)},
                       {"tls", bj::object{{"cert", "tls.crt"}, {"key", "tls.key"}}}};
  KB_CHECK(formats::write_private_file(dir / "cloud.json", as_bytes(json::serialize(cfg) + "\n")));

  out.tenant_id = t.tenant_id;
  out.admin_token = std::move(t.admin_token);
  out.cert_sha256 = info.sha256_fingerprint;
  out.cert_file = dir / "tls.crt";
  return out;
}

}  // namespace

Result<CloudInitResult> init_cloud(const CloudInitOptions& o, const Clock& clock, Rng& rng) {
  const fs::path& dir = o.data_dir;
  if (dir.empty()) return Error(BaseErrc::kInvalidArgument, "no data directory");
  std::error_code ec;
  if (fs::exists(dir, ec) || ec) {
    return Error(BaseErrc::kInvalidArgument, dir.string() + " exists; refusing to overwrite");
  }
  if (dir.has_parent_path()) fs::create_directories(dir.parent_path(), ec);
  if (ec) return io_error("create " + dir.parent_path().string(), ec);
  if (::mkdir(dir.c_str(), 0700) != 0) {
    return io_error("mkdir " + dir.string(), std::error_code(errno, std::generic_category()));
  }
  auto r = init_in(o, clock, rng);
  if (!r) fs::remove_all(dir, ec);  // we created it: leave nothing half-made behind
  return r;
}

Result<CloudDir> open_cloud_dir(const fs::path& dir) {
  const Bytes raw = KB_TRY(formats::read_file(dir / "cloud.json", kMaxConfigBytes));
  const bj::object cfg = KB_TRY(json::parse_object(as_chars(raw)));
  if (KB_TRY(json::get_int(cfg, "version")) != 1) {
    return Error(BaseErrc::kInvalidArgument, "cloud.json: unsupported version");
  }
  CloudDir d;
  d.config.rp_id = KB_TRY(json::get_string(cfg, "rp_id"));
  d.config.rp_name = json::get_optional_string(cfg, "rp_name").value_or("Keybridge");
  d.config.allowed_origins.clear();
  for (const bj::value& v : *KB_TRY(json::get_array(cfg, "origins"))) {
    if (!v.is_string()) return Error(BaseErrc::kBadJson, "cloud.json: origins");
    d.config.allowed_origins.emplace_back(v.as_string());
  }
  for (const bj::value& v : *KB_TRY(json::get_array(cfg, "listen"))) {
    if (!v.is_string()) return Error(BaseErrc::kBadJson, "cloud.json: listen");
    d.listen.emplace_back(v.as_string());
  }
  d.tenant_id = KB_TRY(json::get_string(cfg, "tenant_id"));
  d.store = KB_TRY(open_store(dir, *KB_TRY(json::get_object(cfg, "store"))));
  d.master_key = std::make_unique<crypto::MasterKey>(
      KB_TRY(crypto::MasterKey::load_stash(dir / "master.stash")));
  return d;
}

Result<NewTenant> add_cloud_tenant(const fs::path& dir, std::string_view name, const Clock& clock,
                                   Rng& rng) {
  CloudDir d = KB_TRY(open_cloud_dir(dir));
  return create_tenant_with_token(*d.store, name, clock, rng);
}

int serve_cloud(const fs::path& dir, const CloudServeOptions& opts, std::ostream& log) {
  // Block the stop signals in every thread (the server's threads inherit the mask), then
  // wait for them here.
  sigset_t stop;
  sigemptyset(&stop);
  sigaddset(&stop, SIGINT);
  sigaddset(&stop, SIGTERM);
  pthread_sigmask(SIG_BLOCK, &stop, nullptr);

  auto d = open_cloud_dir(dir);
  if (!d) {
    log << "keybridge cloud serve: " << d.error().to_string() << std::endl;
    return 1;
  }
  auto identity = net::load_tls_identity(dir / "tls.crt", dir / "tls.key");
  if (!identity) {
    log << "keybridge cloud serve: " << identity.error().to_string() << std::endl;
    return 1;
  }
  SystemClock clock;
  crypto::SystemRng rng;
  ServiceContext ctx{*d->store, *d->master_key, clock, rng, d->config};
  const http::Router router = make_router(ctx);
  std::mutex log_mu;

  net::HttpsServerConfig sc;
  sc.listen = opts.listen.empty() ? d->listen : opts.listen;
  sc.threads = opts.threads;
  sc.identity = std::move(*identity);
  sc.log = [&](const net::AccessLog& l) {
    const std::string line = net::format_access_log(l);
    std::lock_guard lock(log_mu);
    log << line << std::endl;
  };
  auto server = net::HttpsServer::start(std::move(sc), router.as_handler());
  if (!server) {
    log << "keybridge cloud serve: " << server.error().to_string() << std::endl;
    return 1;
  }
  {
    std::lock_guard lock(log_mu);
    log << "keybridge cloud serve: rp id " << d->config.rp_id << "\n";
    for (const auto& b : (*server)->bound()) {
      log << "listening on "
          << (b.host.find(':') != std::string::npos ? "[" + b.host + "]" : b.host) << ":" << b.port
          << std::endl;
    }
  }
  Housekeeper housekeeper(
      *d->store, clock, opts.housekeeping_interval, [&](const Result<PurgeCounts>& r) {
        if (r && r->total() == 0) return;
        std::lock_guard lock(log_mu);
        if (!r) {
          log << "housekeeping: " << r.error().to_string() << std::endl;
          return;
        }
        log << "housekeeping: purged " << r->challenges << " challenges, " << r->expired_prts
            << " expired PRTs, " << r->revoked_prts << " revoked PRTs" << std::endl;
      });
  int sig = 0;
  sigwait(&stop, &sig);
  housekeeper.stop();
  (*server)->stop();
  std::lock_guard lock(log_mu);
  log << "keybridge cloud serve: stopped by signal " << sig << std::endl;
  return 0;
}

}  // namespace kb::cloud
