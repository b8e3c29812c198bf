// CloudStore on SQLite: the embedded default. WAL mode, a pool of connections (read-only
// ones for read(), so readers on every core proceed in parallel), writes in BEGIN
// IMMEDIATE transactions, so one writer at a time and no lock upgrade can fail; the
// schema version lives in the schema_version table.
#pragma once

#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "store/cloud.h"

namespace kb::store::sqlite {

class Db;
class DbPool;

class SqliteCloudStore final : public CloudStore {
 public:
  // Opens or creates the database file and migrates it to the current schema. A database
  // of a newer schema version is refused (kSchemaVersion), never downgraded.
  static Result<std::unique_ptr<SqliteCloudStore>> open(const std::string& path);
  ~SqliteCloudStore() override;

  Result<void> transact(const std::function<Result<void>(CloudTxn&)>& fn) override;
  Result<void> read(const std::function<Result<void>(CloudTxn&)>& fn) override;

  static int schema_version();

 private:
  explicit SqliteCloudStore(std::string path);
  Result<void> run(bool read_only, const std::function<Result<void>(CloudTxn&)>& fn);

  std::unique_ptr<DbPool> pool_;
};

}  // namespace kb::store::sqlite
