// One libpq connection as an sql::Conn: statements prepared once per connection (keyed by
// the address of their text, ?N placeholders turned into $N), parameters sent as text or,
// for blobs, binary; results read as text. Only store/postgres/ includes libpq-fe.h.
#pragma once

#include <map>
#include <memory>
#include <string>

#include "store/sql/conn.h"

struct pg_conn;

namespace kb::store::postgres {

class PgConn final : public sql::Conn {
 public:
  // Connects with a libpq connection string; when `schema` is not empty it becomes the
  // connection's search_path.
  static Result<std::unique_ptr<PgConn>> connect(const std::string& conninfo,
                                                 const std::string& schema);
  ~PgConn() override;
  PgConn(const PgConn&) = delete;
  PgConn& operator=(const PgConn&) = delete;

  // Runs a statement or script without parameters (transaction control, DDL).
  Result<void> exec(const char* sql);

  // True when a failure since clear_retryable() was a serialization failure or a
  // deadlock: the transaction may be run again from the start.
  [[nodiscard]] bool retryable() const { return retryable_; }
  void clear_retryable() { retryable_ = false; }
  // True when the connection is usable and outside any transaction.
  [[nodiscard]] bool idle_and_healthy() const;

 protected:
  Result<sql::QueryResult> run(const char* sql, std::initializer_list<sql::Param> params) override;

 private:
  explicit PgConn(pg_conn* c) : c_(c) {}
  // The typed error of a failed call; notes whether it is worth a retry.
  Error error_of(std::string_view what, const void* result);

  pg_conn* c_;
  std::map<const char*, std::string> prepared_;  // statement text address -> name
  bool retryable_ = false;
};

// "?1 ... ?12" -> "$1 ... $12" (statements never contain '?' otherwise).
std::string to_dollar_placeholders(std::string_view sql);

}  // namespace kb::store::postgres
