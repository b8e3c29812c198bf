// The fixture of the cloud store suite: every TEST_P runs on SQLite (instantiation
// "Sqlite") and on a throwaway PostgreSQL server (instantiation "Postgres": one server per
// test binary, a fresh schema per test). Shared by cloud_store_test.cc and
// cloud_store_isolation_test.cc.
#pragma once

#include <gtest/gtest.h>
#include <sqlite3.h>

#include <atomic>
#include <thread>

#include "crypto/crypto.h"
#include "crypto/master_key.h"
#include "postgres.h"
#include "process.h"
#include "store/cloud.h"
#include "store/postgres/cloud_postgres.h"
#include "store/sqlite/cloud_sqlite.h"

namespace kb::store::test {

using namespace std::chrono_literals;

enum class Backend { kSqlite, kPostgres };
inline void PrintTo(Backend b, std::ostream* os) {
  *os << (b == Backend::kSqlite ? "SQLite" : "PostgreSQL");
}

inline const SysTime kT0{std::chrono::seconds(1'700'000'000)};

#define ASSERT_OK(expr)                                              \
  do {                                                               \
    auto kb_assert_ok_ = (expr);                                     \
    ASSERT_TRUE(kb_assert_ok_) << kb_assert_ok_.error().to_string(); \
  } while (0)
#define EXPECT_ERRC(expr, code)                                                           \
  do {                                                                                    \
    auto kb_expect_errc_ = (expr);                                                        \
    ASSERT_FALSE(kb_expect_errc_) << "expected " #code;                                   \
    EXPECT_TRUE(kb_expect_errc_.error().is(code)) << kb_expect_errc_.error().to_string(); \
  } while (0)

class CloudStoreTest : public ::testing::TestWithParam<Backend> {
 protected:
  void SetUp() override {
    if (GetParam() == Backend::kPostgres) {
      std::string error;
      pg_ = kb::testing::PostgresServer::shared(&error);
      ASSERT_NE(pg_, nullptr) << error;
      schema_ = pg_->fresh_schema_name();
    }
    auto s = open_store();
    ASSERT_TRUE(s) << s.error().to_string();
    store_ = std::move(*s);
    ASSERT_OK(run([&](CloudTxn& t) -> Result<void> {
      KB_CHECK(t.create_tenant({kA, "Contoso", kT0}));
      return t.create_tenant({kB, "Fabrikam", kT0 + 1s});
    }));
  }

  Result<std::unique_ptr<CloudStore>> open_store() {
    if (GetParam() == Backend::kSqlite) {
      auto s = KB_TRY(sqlite::SqliteCloudStore::open((dir_.path() / "cloud.db").string()));
      return std::unique_ptr<CloudStore>(std::move(s));
    }
    postgres::PostgresOptions o;
    o.conninfo = pg_->tcp_conninfo();
    o.schema = schema_;
    o.pool_size = 16;
    auto s = KB_TRY(postgres::PostgresCloudStore::open(o));
    return std::unique_ptr<CloudStore>(std::move(s));
  }

  // Writes a schema version into the database behind the store's back.
  void set_stored_schema_version(int v) {
    if (GetParam() == Backend::kSqlite) {
      sqlite3* db = nullptr;
      ASSERT_EQ(sqlite3_open((dir_.path() / "cloud.db").c_str(), &db), SQLITE_OK);
      std::string sql = "UPDATE schema_version SET version = " + std::to_string(v);
      EXPECT_EQ(sqlite3_exec(db, sql.c_str(), nullptr, nullptr, nullptr), SQLITE_OK);
      sqlite3_close(db);
    } else {
      auto r =
          pg_->psql("UPDATE " + schema_ + ".schema_version SET version = " + std::to_string(v));
      ASSERT_EQ(r.exit_code, 0) << r.out;
    }
  }

  Result<void> run(const std::function<Result<void>(CloudTxn&)>& fn) {
    return store_->transact(fn);
  }

  // Runs one operation in its own transaction and hands back its result.
  template <typename F>
  auto one(F f) -> decltype(f(std::declval<CloudTxn&>())) {
    using R = decltype(f(std::declval<CloudTxn&>()));
    std::optional<R> out;
    auto r = store_->transact([&](CloudTxn& t) -> Result<void> {
      out.emplace(f(t));
      return ok();
    });
    // The operation's own error first: transact() repeats it when the statement failed.
    if (out && !out->has_value()) return std::move(*out);
    if (!r) return std::move(r).error();
    return std::move(*out);
  }

  static CloudUser user(std::string id, std::string anchor, std::string upn,
                        std::string domain = "contoso.test") {
    CloudUser u;
    u.id = std::move(id);
    u.source_anchor = std::move(anchor);
    u.upn = std::move(upn);
    u.domain = std::move(domain);
    u.sam_account_name = u.upn.substr(0, u.upn.find('@'));
    u.object_sid = "S-1-5-21-1-2-3-" + std::to_string(1000 + u.upn.size());
    u.display_name = "User " + u.sam_account_name;
    return u;
  }

  // Adds one user to `tenant` and returns its id.
  std::string add_user(const std::string& tenant, const std::string& id, const std::string& upn) {
    std::vector<CloudUser> v{user(id, "anchor-" + id, upn)};
    auto ids = one([&](CloudTxn& t) { return t.upsert_users(tenant, v, kT0); });
    EXPECT_TRUE(ids) << ids.error().to_string();
    return id;
  }

  static WebAuthnCredential credential(const std::string& tenant, const std::string& user_id,
                                       Bytes id) {
    WebAuthnCredential c;
    c.tenant_id = tenant;
    c.user_id = user_id;
    c.credential_id = std::move(id);
    c.public_key_cose = {0xa5, 0x01, 0x02, 0x03, 0x26};
    c.alg = -7;
    c.sign_count = 10;
    c.aaguid = Bytes(16, 0xab);
    c.attestation_format = "packed";
    c.attestation_type = "basic";
    c.x5c = {Bytes{0x30, 0x82, 0x01}, Bytes{}, Bytes{0x30, 0x03, 0x02, 0x01, 0x00}};
    c.backup_eligible = true;
    c.transports = {"usb", "nfc"};
    c.friendly_name = "YubiKey 5";
    c.created = kT0;
    return c;
  }

  static Device device(const std::string& tenant, const std::string& id,
                       const std::string& user_id) {
    Device d;
    d.tenant_id = tenant;
    d.id = id;
    d.registered_by = user_id;
    d.display_name = "laptop-" + id;
    d.join_type = JoinType::kHybrid;
    d.device_key = {0x30, 0x59, 0x01};
    d.transport_key = {0x30, 0x82, 0x01, 0x22};
    d.created = kT0;
    return d;
  }

  static PrimaryRefreshToken prt(const std::string& tenant, const std::string& user_id,
                                 const std::string& device_id, std::uint8_t tag) {
    PrimaryRefreshToken p;
    p.tenant_id = tenant;
    p.id = crypto::sha256(Bytes{tag});
    p.user_id = user_id;
    p.device_id = device_id;
    p.session_key_wrapped = Bytes(60, tag);
    p.issued_at = kT0;
    p.expires_at = kT0 + 14 * 24h;
    return p;
  }

  static TemporaryAccessPass pass(const std::string& tenant, const std::string& user_id,
                                  const std::string& id, bool one_time) {
    TemporaryAccessPass p;
    p.tenant_id = tenant;
    p.user_id = user_id;
    p.id = id;
    p.secret_hash = crypto::sha256(as_bytes("pass-" + id));
    p.one_time = one_time;
    p.starts_at = kT0;
    p.expires_at = kT0 + 1h;
    p.created = kT0;
    return p;
  }

  static Challenge challenge(const std::string& tenant, const std::string& id,
                             ChallengePurpose purpose) {
    Challenge c;
    c.tenant_id = tenant;
    c.id = id;
    c.purpose = purpose;
    c.challenge = Bytes(32, 0x5c);
    c.expires_at = kT0 + 5min;
    c.ceremony_json = R"({"rp":"contoso.test"})";
    return c;
  }

  const std::string kA = "11111111-1111-4111-8111-111111111111";
  const std::string kB = "22222222-2222-4222-8222-222222222222";
  kb::testing::TempDir dir_;
  kb::testing::PostgresServer* pg_ = nullptr;
  std::string schema_;
  std::unique_ptr<CloudStore> store_;
  crypto::SystemRng rng_;
};

}  // namespace kb::store::test
