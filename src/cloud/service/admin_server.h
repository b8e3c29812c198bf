// The cloud service's data directory and process: `keybridge cloud init`, `serve` and
// `tenant add` (apps/keybridge/cloud_commands.cc holds only their flags).
//
// DIR (mode 0700) holds master.stash (0600), cloud.db (SQLite, unless PostgreSQL is
// chosen), tls.crt and tls.key (0600) and cloud.json (0600): the relying party, allowed
// origins, default listen addresses, the first tenant's id and the store's kind and
// location. docs/cloud.md describes the layout.
#pragma once

#include <filesystem>
#include <memory>
#include <ostream>
#include <string>
#include <vector>

#include "base/result.h"
#include "base/secret.h"
#include "cloud/service/admin_tenants.h"
#include "cloud/service/context.h"
#include "cloud/service/housekeeping.h"

namespace kb::cloud {

struct CloudInitOptions {
  std::filesystem::path data_dir;
  std::string tenant_name = "Default";
  std::string rp_id = "localhost";
  std::vector<std::string> origins;    // default: https://<rp_id>:8443
  std::vector<std::string> hostnames;  // certificate names; default: rp_id, 127.0.0.1, ::1
  std::string cert_file, key_file;     // an existing identity instead of a self-signed one
  std::string postgres_conninfo;       // empty: SQLite DIR/cloud.db
  std::string postgres_schema;         // empty: the server's search_path
};

struct CloudInitResult {
  std::string tenant_id;
  SecretString admin_token;         // printed once by the CLI; stored only as SHA-256
  std::string cert_sha256;          // fingerprint of the certificate in use
  std::filesystem::path cert_file;  // inside DIR
};

// Refuses an existing DIR; removes what it created when a later step fails.
Result<CloudInitResult> init_cloud(const CloudInitOptions& opts, const Clock& clock, Rng& rng);

// What `serve` and `tenant add` read back from DIR.
struct CloudDir {
  CloudConfig config;
  std::vector<std::string> listen;
  std::string tenant_id;
  std::unique_ptr<store::CloudStore> store;
  std::unique_ptr<crypto::MasterKey> master_key;
};
Result<CloudDir> open_cloud_dir(const std::filesystem::path& data_dir);

// Adds a tenant and its first admin token to an initialized DIR.
Result<NewTenant> add_cloud_tenant(const std::filesystem::path& data_dir, std::string_view name,
                                   const Clock& clock, Rng& rng);

struct CloudServeOptions {
  std::vector<std::string> listen;  // empty: cloud.json's
  unsigned threads = 0;
  // How often expired challenges and expired or revoked PRTs are purged (housekeeping.h).
  std::chrono::seconds housekeeping_interval = kDefaultHousekeepingInterval;
};
// Serves make_router() over HTTPS until SIGINT or SIGTERM, one log line per request on
// `log` ("listening on HOST:PORT" first), and purges the store every
// housekeeping_interval (a "housekeeping: ..." line when it removed something or failed).
// Exit code.
int serve_cloud(const std::filesystem::path& data_dir, const CloudServeOptions& opts,
                std::ostream& log);

}  // namespace kb::cloud
