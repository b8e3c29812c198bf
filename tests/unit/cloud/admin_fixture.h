// The fixture of the admin API tests: a ServiceContext over a fresh store (SQLite, or a
// throwaway PostgreSQL server's fresh schema for the "Postgres" instantiations), a master
// key, a fixed clock, and two tenants A and B with their admin tokens.
#pragma once

#include <gtest/gtest.h>

#include <memory>
#include <optional>
#include <string>

#include "cloud/service/admin_tenants.h"
#include "cloud/service/context.h"
#include "crypto/crypto.h"
#include "crypto/master_key.h"
#include "postgres.h"
#include "process.h"
#include "store/postgres/cloud_postgres.h"
#include "store/sqlite/cloud_sqlite.h"

namespace kb::cloud::test {

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

class AdminTest : public ::testing::TestWithParam<Backend> {
 protected:
  void SetUp() override {
    if (GetParam() == Backend::kSqlite) {
      auto s = store::sqlite::SqliteCloudStore::open((dir_.path() / "cloud.db").string());
      ASSERT_TRUE(s) << s.error().to_string();
      store_ = std::move(*s);
    } else {
      std::string error;
      auto* pg = kb::testing::PostgresServer::shared(&error);
      ASSERT_NE(pg, nullptr) << error;
      store::postgres::PostgresOptions o;
      o.conninfo = pg->tcp_conninfo();
      o.schema = pg->fresh_schema_name();
      o.pool_size = 4;
      auto s = store::postgres::PostgresCloudStore::open(o);
      ASSERT_TRUE(s) << s.error().to_string();
      store_ = std::move(*s);
    }
    ctx_.emplace(ServiceContext{*store_, master_, clock_, rng_, CloudConfig{}});
    auto a = create_tenant_with_token(*store_, "Contoso", clock_, rng_);
    ASSERT_TRUE(a) << a.error().to_string();
    auto b = create_tenant_with_token(*store_, "Fabrikam", clock_, rng_);
    ASSERT_TRUE(b) << b.error().to_string();
    tenant_a_ = std::move(*a);
    tenant_b_ = std::move(*b);
  }

  ServiceContext& ctx() { return *ctx_; }

  kb::testing::TempDir dir_{"kb-admin-test"};
  crypto::SystemRng rng_;
  crypto::MasterKey master_ = crypto::MasterKey::generate(rng_);
  FixedClock clock_{kT0};
  std::unique_ptr<store::CloudStore> store_;
  std::optional<ServiceContext> ctx_;
  NewTenant tenant_a_;
  NewTenant tenant_b_;
};

}  // namespace kb::cloud::test
