// CloudStore on PostgreSQL through libpq: the scale-out backend, so any number of
// stateless cloud front ends share tenants, credentials, challenges and PRTs.
//
// A small pool of connections; transact() runs at READ COMMITTED, where each atomic
// operation (take a challenge, consume a pass, compare-and-set a sign counter, rotate a
// key) is one conditional statement whose row lock makes concurrent callers re-check the
// condition, so exactly one wins. A transaction that loses a serialization or deadlock
// race (SQLSTATE 40001, 40P01) is rolled back and run again, a few times at most. read()
// runs at REPEATABLE READ READ ONLY: one snapshot, no locks.
#pragma once

#include <condition_variable>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "store/cloud.h"

namespace kb::store::postgres {

class PgConn;

struct PostgresOptions {
  std::string conninfo;  // libpq connection string or URI
  // Tables live in this schema (created if missing); empty = the server's search_path.
  // Lower-case letters, digits and '_' only, starting with a letter or '_'.
  std::string schema;
  std::size_t pool_size = 8;  // connections at most
  int max_attempts = 5;       // of one transaction, on serialization failure or deadlock
};

class PostgresCloudStore final : public CloudStore {
 public:
  // Connects, creates the schema if needed and migrates it (under an advisory lock, so
  // front ends starting together migrate once). kSchemaVersion when the database is
  // newer than this program.
  static Result<std::unique_ptr<PostgresCloudStore>> open(const PostgresOptions& options);
  ~PostgresCloudStore() override;

  Result<void> transact(const std::function<Result<void>(CloudTxn&)>& fn) override;
  Result<void> read(const std::function<Result<void>(CloudTxn&)>& fn) override;

  static int schema_version();

 private:
  explicit PostgresCloudStore(PostgresOptions o);
  Result<std::unique_ptr<PgConn>> acquire();
  void release(std::unique_ptr<PgConn> c);
  Result<void> run(bool read_only, const std::function<Result<void>(CloudTxn&)>& fn);
  // One try; *retry says whether a failure was a lost race worth running again.
  Result<void> attempt(PgConn& c, bool read_only, const std::function<Result<void>(CloudTxn&)>& fn,
                       bool* retry);

  PostgresOptions options_;
  std::mutex mu_;
  std::condition_variable cv_;
  std::vector<std::unique_ptr<PgConn>> idle_;
  std::size_t open_ = 0;  // connections in use or idle
};

// Whether `name` is acceptable as PostgresOptions::schema.
bool valid_schema_name(std::string_view name);

}  // namespace kb::store::postgres
