// CloudTxn written once over sql::Conn, and the schema-version bookkeeping both backends
// share. Internal to src/store.
#pragma once

#include <memory>
#include <span>

#include "store/cloud.h"
#include "store/sql/conn.h"

namespace kb::store::sql {

// A CloudTxn issuing its statements on `conn`; the caller owns the transaction around it.
std::unique_ptr<CloudTxn> make_cloud_txn(Conn& conn);

// Brings the schema to the last of `migrations` (index i takes version i to i+1) inside
// the caller's transaction. `run_script` executes one multi-statement DDL text;
// `has_version_table` says whether schema_version exists yet. kSchemaVersion when the
// database is newer than this program.
Result<void> migrate(Conn& conn, std::span<const char* const> migrations,
                     const std::function<Result<void>(const char*)>& run_script,
                     bool has_version_table);

}  // namespace kb::store::sql
