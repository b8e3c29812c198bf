// A thin RAII layer over one SQLite connection: prepared-statement cache, typed binds and
// column reads, and errors as kb::Error. Only store/sqlite/ includes sqlite3.h.
#pragma once

#include <cstdint>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "base/bytes.h"
#include "base/result.h"
#include "store/directory.h"

struct sqlite3;
struct sqlite3_stmt;

namespace kb::store::sqlite {

class Db;

// A statement borrowed from the connection's cache; reset and unbound when it goes away.
class Stmt {
 public:
  Stmt(Db& db, sqlite3_stmt* s) : db_(&db), s_(s) {}
  ~Stmt();
  Stmt(Stmt&& o) noexcept : db_(o.db_), s_(o.s_) { o.s_ = nullptr; }
  Stmt(const Stmt&) = delete;
  Stmt& operator=(const Stmt&) = delete;
  Stmt& operator=(Stmt&&) = delete;

  Stmt& bind(int i, std::int64_t v);
  Stmt& bind(int i, std::string_view v);
  Stmt& bind(int i, ByteView v);
  Stmt& bind_null(int i);
  Stmt& bind_text_or_null(int i, std::string_view v) {
    return v.empty() ? bind_null(i) : bind(i, v);
  }

  // Steps once: true when a row is available, false when done.
  Result<bool> step();
  // Steps to completion (for statements that return no rows).
  Result<void> run();

  [[nodiscard]] std::int64_t int64(int col) const;
  [[nodiscard]] std::string text(int col) const;
  [[nodiscard]] Bytes blob(int col) const;
  [[nodiscard]] bool is_null(int col) const;
  [[nodiscard]] int column_count() const;
  // SQLITE_INTEGER, SQLITE_FLOAT, SQLITE_TEXT, SQLITE_BLOB or SQLITE_NULL.
  [[nodiscard]] int column_type(int col) const;

 private:
  Db* db_;
  sqlite3_stmt* s_;
};

class Db {
 public:
  // Opens (creating if needed) the database file; sets WAL, foreign keys, busy timeout.
  // A read-only connection cannot write, whatever statement it is given.
  static Result<std::unique_ptr<Db>> open(const std::string& path, bool read_only = false);
  ~Db();
  Db(const Db&) = delete;
  Db& operator=(const Db&) = delete;

  // `sql` must be a string literal or otherwise outlive the connection: the cache is
  // keyed by its address.
  Result<Stmt> prepare(const char* sql);
  Result<void> exec(const char* sql);  // for schema and transaction control
  [[nodiscard]] int changes() const;
  // The extended result code of the last failure (SQLITE_CONSTRAINT_FOREIGNKEY, ...).
  [[nodiscard]] int extended_errcode() const;
  Error error(std::string_view what) const;

 private:
  explicit Db(sqlite3* h) : h_(h) {}
  sqlite3* h_;
  std::map<const char*, sqlite3_stmt*> cache_;
};

// Idle connections to one database file, kept for reuse by the store that owns it;
// read-write and read-only connections apart. A connection in use belongs to one caller.
class DbPool {
 public:
  explicit DbPool(std::string path) : path_(std::move(path)) {}
  // An idle connection of that kind, or a new one.
  Result<std::unique_ptr<Db>> acquire(bool read_only);
  void release(std::unique_ptr<Db> db, bool read_only);

 private:
  std::string path_;
  std::mutex mu_;
  std::vector<std::unique_ptr<Db>> idle_;          // read-write connections
  std::vector<std::unique_ptr<Db>> idle_readers_;  // read-only connections
};

}  // namespace kb::store::sqlite
