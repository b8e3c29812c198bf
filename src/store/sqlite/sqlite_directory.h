// DirectoryStore on SQLite: the embedded default. WAL mode, one connection per concurrent
// transaction (kept in a pool, so every KDC thread reads in parallel), writes in
// BEGIN IMMEDIATE transactions, schema version in the `meta` table.
#pragma once

#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "store/directory.h"

namespace kb::store::sqlite {

class Db;
class DbPool;

class SqliteDirectoryStore final : public DirectoryStore {
 public:
  // Opens or creates the database and migrates it to the current schema. A database of a
  // newer schema version is refused (kSchemaVersion), never downgraded.
  static Result<std::unique_ptr<SqliteDirectoryStore>> open(const std::string& path);
  ~SqliteDirectoryStore() override;

  Result<void> transact(const std::function<Result<void>(DirectoryTxn&)>& fn) override;
  Result<void> read(const std::function<Result<void>(DirectoryTxn&)>& fn) override;
  // One prepared SELECT on a pooled read-only connection, outside any explicit transaction.
  Result<std::uint64_t> generation() override;

  static constexpr int kSchemaVersion = 4;

 private:
  explicit SqliteDirectoryStore(std::string path);
  Result<void> run(bool read_only, const std::function<Result<void>(DirectoryTxn&)>& fn);

  std::unique_ptr<DbPool> pool_;
};

}  // namespace kb::store::sqlite
