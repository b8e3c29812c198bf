#include "store/postgres/cloud_postgres.h"

#include <chrono>
#include <thread>

#include "store/postgres/cloud_schema.h"
#include "store/postgres/pg_conn.h"
#include "store/sql/cloud_txn.h"

namespace kb::store::postgres {
namespace {

// pg_advisory_xact_lock key for migrations: "KBCS".
constexpr std::int64_t kMigrationLock = 0x4b424353;

Result<void> migrate(PgConn& c, const std::string& schema) {
  KB_CHECK(c.exec("BEGIN"));
  auto body = [&]() -> Result<void> {
    KB_CHECK(c.query("SELECT pg_advisory_xact_lock(?1)", {kMigrationLock}));
    if (!schema.empty()) {
      // An identifier cannot be a parameter; valid_schema_name admitted only [a-z0-9_].
      std::string create = "CREATE SCHEMA IF NOT EXISTS " + schema;
      KB_CHECK(c.exec(create.c_str()));
    }
    auto has =
        KB_TRY(c.query("SELECT 1 FROM pg_catalog.pg_tables WHERE schemaname = current_schema() "
                       "AND tablename = 'schema_version'",
                       {}));
    return sql::migrate(
        c, kCloudMigrations, [&](const char* script) { return c.exec(script); }, !has.rows.empty());
  };
  auto r = body();
  auto end = c.exec(r ? "COMMIT" : "ROLLBACK");
  if (!r) return r;
  return end;
}

}  // namespace

bool valid_schema_name(std::string_view name) {
  if (name.empty() || name.size() > 63) return false;
  if (name[0] >= '0' && name[0] <= '9') return false;
  for (char ch : name) {
    bool okc = (ch >= 'a' && ch <= 'z') || (ch >= '0' && ch <= '9') || ch == '_';
    if (!okc) return false;
  }
  return true;
}

int PostgresCloudStore::schema_version() {
  return static_cast<int>(std::size(kCloudMigrations));
}

Result<std::unique_ptr<PostgresCloudStore>> PostgresCloudStore::open(
    const PostgresOptions& options) {
  if (!options.schema.empty() && !valid_schema_name(options.schema)) {
    return Error(Errc::kInvalidArgument, "schema names are [a-z_][a-z0-9_]*");
  }
  if (options.pool_size == 0 || options.max_attempts < 1) {
    return Error(Errc::kInvalidArgument, "pool size and attempts must be positive");
  }
  std::unique_ptr<PostgresCloudStore> store(new PostgresCloudStore(options));
  auto c = KB_TRY(store->acquire());
  auto r = migrate(*c, options.schema);
  store->release(std::move(c));
  KB_CHECK(r);
  return store;
}

PostgresCloudStore::PostgresCloudStore(PostgresOptions o) : options_(std::move(o)) {}
PostgresCloudStore::~PostgresCloudStore() = default;

Result<std::unique_ptr<PgConn>> PostgresCloudStore::acquire() {
  {
    std::unique_lock lock(mu_);
    cv_.wait(lock, [&] { return !idle_.empty() || open_ < options_.pool_size; });
    if (!idle_.empty()) {
      auto c = std::move(idle_.back());
      idle_.pop_back();
      return c;
    }
    ++open_;
  }
  auto c = PgConn::connect(options_.conninfo, options_.schema);
  if (!c) {
    std::lock_guard lock(mu_);
    --open_;
    cv_.notify_one();
  }
  return c;
}

void PostgresCloudStore::release(std::unique_ptr<PgConn> c) {
  std::lock_guard lock(mu_);
  if (c->idle_and_healthy()) {
    idle_.push_back(std::move(c));
  } else {
    c.reset();  // broken, or stuck in a transaction: a new one replaces it
    --open_;
  }
  cv_.notify_one();
}

Result<void> PostgresCloudStore::attempt(PgConn& c, bool read_only,
                                         const std::function<Result<void>(CloudTxn&)>& fn,
                                         bool* retry) {
  c.clear_retryable();
  c.reset_failure();
  KB_CHECK(c.exec(read_only ? "BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY"
                            : "BEGIN ISOLATION LEVEL READ COMMITTED"));
  auto txn = sql::make_cloud_txn(c);
  auto r = fn(*txn);
  // After a failed statement PostgreSQL only rolls back: report that, not a COMMIT.
  if (r && c.failure()) r = *c.failure();
  // Whether the statement that ended fn (or the COMMIT) lost a serialization or deadlock
  // race; read before ROLLBACK, which would reset it.
  *retry = c.retryable();
  if (!r) {
    (void)c.exec("ROLLBACK");
    return r;
  }
  auto end = c.exec("COMMIT");
  if (!end) {
    *retry = c.retryable();
    (void)c.exec("ROLLBACK");
  }
  return end;
}

Result<void> PostgresCloudStore::run(bool read_only,
                                     const std::function<Result<void>(CloudTxn&)>& fn) {
  Result<void> last;
  for (int n = 0; n < options_.max_attempts; ++n) {
    if (n > 0) std::this_thread::sleep_for(std::chrono::milliseconds(1 << n));
    auto c = KB_TRY(acquire());
    bool retry = false;
    last = attempt(*c, read_only, fn, &retry);
    release(std::move(c));
    if (last || !retry) return last;
  }
  return last;
}

Result<void> PostgresCloudStore::transact(const std::function<Result<void>(CloudTxn&)>& fn) {
  return run(false, fn);
}

Result<void> PostgresCloudStore::read(const std::function<Result<void>(CloudTxn&)>& fn) {
  return run(true, fn);
}

}  // namespace kb::store::postgres
