// The little a cloud-store backend must provide so that one implementation of CloudTxn
// (sql/cloud_txn.cc) runs on both SQLite and PostgreSQL: run one parameterised statement
// and hand back its rows. Statements are written once with ?N placeholders (SQLite's
// syntax; the PostgreSQL backend turns them into $N) in the SQL both engines share.
//
// Internal to src/store: callers use store/cloud.h.
#pragma once

#include <cstddef>
#include <cstdint>
#include <initializer_list>
#include <optional>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

#include "base/bytes.h"
#include "base/result.h"
#include "store/directory.h"  // Errc

namespace kb::store::sql {

// A bound parameter: NULL, an integer, text or a blob. Views must outlive the call.
using Param = std::variant<std::nullptr_t, std::int64_t, std::string_view, ByteView>;

// A column value of a result row.
using Value = std::variant<std::nullptr_t, std::int64_t, std::string, Bytes>;

class Row {
 public:
  explicit Row(std::vector<Value> v) : v_(std::move(v)) {}
  [[nodiscard]] bool is_null(std::size_t c) const;
  // Integer columns; 0 for NULL.
  [[nodiscard]] std::int64_t i64(std::size_t c) const;
  [[nodiscard]] bool flag(std::size_t c) const { return i64(c) != 0; }
  [[nodiscard]] std::string text(std::size_t c) const;
  [[nodiscard]] Bytes blob(std::size_t c) const;
  [[nodiscard]] std::size_t size() const { return v_.size(); }

 private:
  std::vector<Value> v_;
};

struct QueryResult {
  std::vector<Row> rows;
  std::int64_t affected = 0;  // rows changed by INSERT/UPDATE/DELETE
};

class Conn {
 public:
  virtual ~Conn() = default;
  // Runs one statement. `sql` must be a string literal (backends cache prepared statements
  // by its address). A uniqueness violation is Errc::kConflict; a foreign-key violation
  // (the row an insert points at does not exist) is Errc::kNotFound; anything else the
  // engine reports is Errc::kBackend with the engine's message as detail (logs only).
  Result<QueryResult> query(const char* sql, std::initializer_list<Param> params) {
    auto r = run(sql, params);
    if (!r && !failure_) failure_ = r.error();
    return r;
  }

  // The first statement that failed since reset_failure(). PostgreSQL aborts a
  // transaction at its first failed statement; the stores refuse to commit such a
  // transaction on both engines, so they behave alike.
  [[nodiscard]] const std::optional<Error>& failure() const { return failure_; }
  void reset_failure() { failure_.reset(); }

 protected:
  virtual Result<QueryResult> run(const char* sql, std::initializer_list<Param> params) = 0;

 private:
  std::optional<Error> failure_;
};

}  // namespace kb::store::sql
