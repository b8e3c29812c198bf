#include "store/sqlite/sqlite_db.h"

#include <sqlite3.h>

namespace kb::store::sqlite {

Stmt::~Stmt() {
  if (s_ != nullptr) {
    sqlite3_reset(s_);
    sqlite3_clear_bindings(s_);
  }
}

Stmt& Stmt::bind(int i, std::int64_t v) {
  sqlite3_bind_int64(s_, i, v);
  return *this;
}
Stmt& Stmt::bind(int i, std::string_view v) {
  sqlite3_bind_text64(s_, i, v.data(), v.size(), SQLITE_TRANSIENT, SQLITE_UTF8);
  return *this;
}
Stmt& Stmt::bind(int i, ByteView v) {
  // A zero-length blob must still be a blob, not NULL.
  static const std::uint8_t kEmpty = 0;
  sqlite3_bind_blob64(s_, i, v.empty() ? &kEmpty : v.data(), v.size(), SQLITE_TRANSIENT);
  return *this;
}
Stmt& Stmt::bind_null(int i) {
  sqlite3_bind_null(s_, i);
  return *this;
}

Result<bool> Stmt::step() {
  int rc = sqlite3_step(s_);
  if (rc == SQLITE_ROW) return true;
  if (rc == SQLITE_DONE) return false;
  if (rc == SQLITE_CONSTRAINT || (rc & 0xff) == SQLITE_CONSTRAINT) {
    return Error(Errc::kConflict, db_->error("constraint").detail());
  }
  return db_->error("step");
}

Result<void> Stmt::run() {
  while (KB_TRY(step())) {
  }
  return ok();
}

std::int64_t Stmt::int64(int col) const {
  return sqlite3_column_int64(s_, col);
}
std::string Stmt::text(int col) const {
  const auto* p = sqlite3_column_text(s_, col);
  int n = sqlite3_column_bytes(s_, col);
  return p ? std::string(reinterpret_cast<const char*>(p), static_cast<std::size_t>(n))
           : std::string();
}
Bytes Stmt::blob(int col) const {
  const auto* p = static_cast<const std::uint8_t*>(sqlite3_column_blob(s_, col));
  int n = sqlite3_column_bytes(s_, col);
  return p ? Bytes(p, p + n) : Bytes();
}
bool Stmt::is_null(int col) const {
  return sqlite3_column_type(s_, col) == SQLITE_NULL;
}
int Stmt::column_count() const {
  return sqlite3_column_count(s_);
}
int Stmt::column_type(int col) const {
  return sqlite3_column_type(s_, col);
}

Result<std::unique_ptr<Db>> Db::open(const std::string& path, bool read_only) {
  sqlite3* h = nullptr;
  const int flags =
      (read_only ? SQLITE_OPEN_READONLY : SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE) |
      SQLITE_OPEN_NOMUTEX;
  int rc = sqlite3_open_v2(path.c_str(), &h, flags, nullptr);
  std::unique_ptr<Db> db(new Db(h));
  if (rc != SQLITE_OK) return db->error("open " + path);
  sqlite3_busy_timeout(h, 5000);
  if (!read_only) {
    KB_CHECK(db->exec("PRAGMA journal_mode=WAL"));
    KB_CHECK(db->exec("PRAGMA synchronous=NORMAL"));
  }
  KB_CHECK(db->exec("PRAGMA foreign_keys=ON"));
  return db;
}

Db::~Db() {
  for (auto& [sql, s] : cache_) sqlite3_finalize(s);
  sqlite3_close_v2(h_);
}

Result<Stmt> Db::prepare(const char* sql) {
  auto it = cache_.find(sql);
  if (it != cache_.end()) return Stmt(*this, it->second);
  sqlite3_stmt* s = nullptr;
  if (sqlite3_prepare_v3(h_, sql, -1, SQLITE_PREPARE_PERSISTENT, &s, nullptr) != SQLITE_OK) {
    return error("prepare");
  }
  cache_.emplace(sql, s);
  return Stmt(*this, s);
}

Result<void> Db::exec(const char* sql) {
  char* msg = nullptr;
  if (sqlite3_exec(h_, sql, nullptr, nullptr, &msg) != SQLITE_OK) {
    std::string m = msg ? msg : "unknown";
    sqlite3_free(msg);
    return Error(Errc::kBackend, m);
  }
  return ok();
}

int Db::changes() const {
  return sqlite3_changes(h_);
}

int Db::extended_errcode() const {
  return sqlite3_extended_errcode(h_);
}

Error Db::error(std::string_view what) const {
  return Error(Errc::kBackend, std::string(what) + ": " + (h_ ? sqlite3_errmsg(h_) : "no handle"));
}

Result<std::unique_ptr<Db>> DbPool::acquire(bool read_only) {
  {
    std::lock_guard lock(mu_);
    auto& pool = read_only ? idle_readers_ : idle_;
    if (!pool.empty()) {
      auto db = std::move(pool.back());
      pool.pop_back();
      return db;
    }
  }
  return Db::open(path_, read_only);
}

void DbPool::release(std::unique_ptr<Db> db, bool read_only) {
  std::lock_guard lock(mu_);
  (read_only ? idle_readers_ : idle_).push_back(std::move(db));
}

}  // namespace kb::store::sqlite
