#include "store/sqlite/cloud_sqlite.h"

#include <sqlite3.h>

#include "store/sql/cloud_txn.h"
#include "store/sqlite/cloud_schema.h"
#include "store/sqlite/sqlite_db.h"

namespace kb::store::sqlite {
namespace {

// sql::Conn over one SQLite connection and its statement cache.
class SqliteConn final : public sql::Conn {
 public:
  explicit SqliteConn(Db& db) : db_(db) {}

  Result<sql::QueryResult> run(const char* text,
                               std::initializer_list<sql::Param> params) override {
    auto s = KB_TRY(db_.prepare(text));
    int i = 1;
    for (const auto& p : params) bind(s, i++, p);
    sql::QueryResult out;
    for (;;) {
      auto more = s.step();
      if (!more) return classify(std::move(more).error());
      if (!*more) break;
      std::vector<sql::Value> row;
      const int n = s.column_count();
      row.reserve(static_cast<std::size_t>(n));
      for (int c = 0; c < n; ++c) row.push_back(value(s, c));
      out.rows.emplace_back(std::move(row));
    }
    out.affected = db_.changes();
    return out;
  }

 private:
  static void bind(Stmt& s, int i, const sql::Param& p) {
    if (const auto* v = std::get_if<std::int64_t>(&p)) {
      s.bind(i, *v);
    } else if (const auto* t = std::get_if<std::string_view>(&p)) {
      s.bind(i, *t);
    } else if (const auto* b = std::get_if<ByteView>(&p)) {
      s.bind(i, *b);
    } else {
      s.bind_null(i);
    }
  }

  static sql::Value value(const Stmt& s, int c) {
    switch (s.column_type(c)) {
      case SQLITE_INTEGER:
        return s.int64(c);
      case SQLITE_TEXT:
        return s.text(c);
      case SQLITE_BLOB:
        return s.blob(c);
      case SQLITE_NULL:
        return nullptr;
      default:
        return s.text(c);
    }
  }

  // Stmt reports every constraint failure as kConflict; a foreign key that points
  // nowhere is a missing parent instead.
  Error classify(Error e) const {
    if (e.is(Errc::kConflict) && db_.extended_errcode() == SQLITE_CONSTRAINT_FOREIGNKEY) {
      return Error(Errc::kNotFound, e.detail());
    }
    return e;
  }

  Db& db_;
};

Result<void> migrate(Db& db) {
  KB_CHECK(db.exec("BEGIN IMMEDIATE"));
  auto body = [&]() -> Result<void> {
    SqliteConn conn(db);
    auto has = KB_TRY(conn.query(
        "SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'schema_version'", {}));
    return sql::migrate(
        conn, kCloudMigrations, [&](const char* script) { return db.exec(script); },
        !has.rows.empty());
  };
  auto r = body();
  KB_CHECK(db.exec(r ? "COMMIT" : "ROLLBACK"));
  return r;
}

}  // namespace

int SqliteCloudStore::schema_version() {
  return static_cast<int>(std::size(kCloudMigrations));
}

Result<std::unique_ptr<SqliteCloudStore>> SqliteCloudStore::open(const std::string& path) {
  std::unique_ptr<SqliteCloudStore> store(new SqliteCloudStore(path));
  auto db = KB_TRY(Db::open(path));
  KB_CHECK(migrate(*db));
  store->pool_->release(std::move(db), false);
  return store;
}

SqliteCloudStore::SqliteCloudStore(std::string path)
    : pool_(std::make_unique<DbPool>(std::move(path))) {}
SqliteCloudStore::~SqliteCloudStore() = default;

Result<void> SqliteCloudStore::run(bool read_only,
                                   const std::function<Result<void>(CloudTxn&)>& fn) {
  auto db = KB_TRY(pool_->acquire(read_only));
  // Writers take the write lock up front: a deferred transaction that later writes can
  // fail with SQLITE_BUSY on the upgrade, which the busy timeout does not cover. That one
  // writer at a time is also what makes take/consume/compare-and-set atomic here.
  auto begin = db->exec(read_only ? "BEGIN DEFERRED" : "BEGIN IMMEDIATE");
  if (!begin) {
    pool_->release(std::move(db), read_only);
    return begin;
  }
  SqliteConn conn(*db);
  auto txn = sql::make_cloud_txn(conn);
  auto r = fn(*txn);
  // A statement that failed dooms the transaction even if fn carried on (PostgreSQL
  // would roll it back at COMMIT; do the same here).
  if (r && conn.failure()) r = *conn.failure();
  auto end = db->exec(r ? "COMMIT" : "ROLLBACK");
  if (!end) (void)db->exec("ROLLBACK");  // leave the pooled connection outside a transaction
  pool_->release(std::move(db), read_only);
  if (!r) return r;
  return end;
}

Result<void> SqliteCloudStore::transact(const std::function<Result<void>(CloudTxn&)>& fn) {
  return run(false, fn);
}

Result<void> SqliteCloudStore::read(const std::function<Result<void>(CloudTxn&)>& fn) {
  return run(true, fn);
}

}  // namespace kb::store::sqlite
