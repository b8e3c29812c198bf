#include "cloud_commands.h"

#include <iostream>
#include <memory>

#include "cloud/service/admin_server.h"
#include "crypto/crypto.h"

namespace kb::app {
namespace {

struct CloudCommon {
  std::string data_dir = "/var/lib/keybridge/cloud";
};

int fail(const Error& e) {
  std::cerr << "keybridge: " << e.to_string() << "\n";
  return 1;
}

}  // namespace

void add_cloud_commands(CLI::App& app, int& exit_code) {
  auto c = std::make_shared<CloudCommon>();
  auto* cloud = app.add_subcommand("cloud", "The cloud identity service: admin API and sign-in");
  cloud->require_subcommand(1);
  cloud->add_option("--data-dir", c->data_dir, "Directory holding cloud.json, keys and the store")
      ->capture_default_str();

  // cloud init
  auto* init = cloud->add_subcommand(
      "init",
      "Create the data directory, master key, store, tenant, first admin token and TLS "
      "certificate");
  auto io = std::make_shared<cloud::CloudInitOptions>();
  init->add_option("--tenant-name", io->tenant_name, "Name of the first tenant")
      ->capture_default_str();
  init->add_option("--rp-id", io->rp_id, "WebAuthn relying party id (a DNS name)")
      ->capture_default_str();
  init->add_option("--origin", io->origins,
                   "Allowed WebAuthn origin; repeatable (default https://<rp-id>:8443)");
  init->add_option("--hostname", io->hostnames,
                   "Name or IP for the self-signed certificate; repeatable "
                   "(default <rp-id>, 127.0.0.1, ::1)");
  init->add_option("--cert", io->cert_file, "PEM certificate to use instead of a self-signed one");
  init->add_option("--key", io->key_file, "PEM private key of --cert");
  init->add_option("--postgres", io->postgres_conninfo,
                   "libpq connection string: store in PostgreSQL instead of SQLite");
  init->add_option("--postgres-schema", io->postgres_schema, "PostgreSQL schema for the tables");
  init->callback([c, io, &exit_code] {
    io->data_dir = c->data_dir;
    SystemClock clock;
    crypto::SystemRng rng;
    auto r = cloud::init_cloud(*io, clock, rng);
    if (!r) {
      exit_code = fail(r.error());
      return;
    }
    std::cerr << "cloud service initialized in " << c->data_dir << "\n"
              << "tenant id: " << r->tenant_id << "\n"
              << "TLS certificate: " << r->cert_file.string() << " (SHA-256 " << r->cert_sha256
              << ")\n"
              << "the admin token follows on stdout; it is shown only this once\n";
    std::cout << r->admin_token.reveal() << std::endl;
    exit_code = 0;
  });

  // cloud serve
  auto* serve = cloud->add_subcommand("serve", "Run the HTTPS service until SIGINT or SIGTERM");
  auto so = std::make_shared<cloud::CloudServeOptions>();
  serve->add_option("--listen", so->listen,
                    "host:port to listen on; repeatable (default: cloud.json's)");
  serve->add_option("--threads", so->threads, "Worker threads (default: one per core)");
  auto purge_s = std::make_shared<std::int64_t>(cloud::kDefaultHousekeepingInterval.count());
  serve
      ->add_option("--housekeeping-interval", *purge_s,
                   "Seconds between purges of expired challenges and expired or revoked PRTs")
      ->check(CLI::Range(std::int64_t{1}, std::int64_t{86400}));
  serve->callback([c, so, purge_s, &exit_code] {
    so->housekeeping_interval = std::chrono::seconds(*purge_s);
    exit_code = cloud::serve_cloud(c->data_dir, *so, std::cerr);
  });

  // cloud tenant add
  auto* tenant = cloud->add_subcommand("tenant", "Tenants of a multi-tenant service");
  tenant->require_subcommand(1);
  auto* add = tenant->add_subcommand("add", "Add a tenant and print its id and first admin token");
  auto name = std::make_shared<std::string>();
  add->add_option("name", *name, "Tenant name")->required();
  add->callback([c, name, &exit_code] {
    SystemClock clock;
    crypto::SystemRng rng;
    auto r = cloud::add_cloud_tenant(c->data_dir, *name, clock, rng);
    if (!r) {
      exit_code = fail(r.error());
      return;
    }
    std::cout << "tenant " << r->tenant_id << "\n" << r->admin_token.reveal() << std::endl;
    exit_code = 0;
  });
}

}  // namespace kb::app
