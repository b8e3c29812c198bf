#include "store/postgres/pg_conn.h"

#include <libpq-fe.h>

#include <charconv>
#include <cstring>

namespace kb::store::postgres {
namespace {

// pg_type.h OIDs of the column types the cloud schema uses.
constexpr Oid kByteaOid = 17;
constexpr Oid kInt8Oid = 20;
constexpr Oid kInt2Oid = 21;
constexpr Oid kInt4Oid = 23;

struct ResultDeleter {
  void operator()(PGresult* r) const { PQclear(r); }
};
using PgResult = std::unique_ptr<PGresult, ResultDeleter>;

sql::Value column(const PGresult* r, int row, int col) {
  if (PQgetisnull(r, row, col)) return nullptr;
  const char* v = PQgetvalue(r, row, col);
  const auto len = static_cast<std::size_t>(PQgetlength(r, row, col));
  switch (PQftype(r, col)) {
    case kInt8Oid:
    case kInt4Oid:
    case kInt2Oid: {
      std::int64_t out = 0;
      std::from_chars(v, v + len, out);
      return out;
    }
    case kByteaOid: {
      std::size_t n = 0;
      unsigned char* raw = PQunescapeBytea(reinterpret_cast<const unsigned char*>(v), &n);
      if (raw == nullptr) return nullptr;
      Bytes b(raw, raw + n);
      PQfreemem(raw);
      return b;
    }
    default:
      return std::string(v, len);
  }
}

}  // namespace

std::string to_dollar_placeholders(std::string_view sql) {
  std::string out(sql);
  for (auto& c : out) {
    if (c == '?') c = '$';
  }
  return out;
}

Result<std::unique_ptr<PgConn>> PgConn::connect(const std::string& conninfo,
                                                const std::string& schema) {
  PGconn* c = PQconnectdb(conninfo.c_str());
  if (c == nullptr) return Error(Errc::kBackend, "libpq: out of memory");
  std::unique_ptr<PgConn> conn(new PgConn(c));
  if (PQstatus(c) != CONNECTION_OK) {
    return Error(Errc::kBackend, std::string("connect: ") + PQerrorMessage(c));
  }
  // Server NOTICEs ("schema already exists, skipping") are not errors; libpq would print
  // them on stderr.
  PQsetNoticeProcessor(
      c, [](void*, const char*) {}, nullptr);
  if (!schema.empty()) {
    KB_CHECK(conn->query("SELECT set_config('search_path', ?1, false)", {schema}));
  }
  return conn;
}

PgConn::~PgConn() {
  PQfinish(c_);
}

bool PgConn::idle_and_healthy() const {
  return PQstatus(c_) == CONNECTION_OK && PQtransactionStatus(c_) == PQTRANS_IDLE;
}

Error PgConn::error_of(std::string_view what, const void* result) {
  const auto* r = static_cast<const PGresult*>(result);
  const char* state = r ? PQresultErrorField(r, PG_DIAG_SQLSTATE) : nullptr;
  std::string code = state ? state : "";
  std::string detail = std::string(what) + ": " + (code.empty() ? "" : "[" + code + "] ") +
                       (r ? PQresultErrorMessage(r) : PQerrorMessage(c_));
  while (!detail.empty() && (detail.back() == '\n' || detail.back() == ' ')) detail.pop_back();
  // SQLSTATE 40001 serialization_failure, 40P01 deadlock_detected: retry the transaction.
  if (code == "40001" || code == "40P01") retryable_ = true;
  if (code == "23503") return Error(Errc::kNotFound, detail);           // foreign_key_violation
  if (code.rfind("23", 0) == 0) return Error(Errc::kConflict, detail);  // integrity class
  // Class 22, data exception: input the column cannot hold (invalid UTF-8, a NUL in text).
  if (code.rfind("22", 0) == 0) return Error(Errc::kInvalidArgument, detail);
  return Error(Errc::kBackend, detail);
}

Result<void> PgConn::exec(const char* sql) {
  PgResult r(PQexec(c_, sql));
  auto st = r ? PQresultStatus(r.get()) : PGRES_FATAL_ERROR;
  if (st != PGRES_COMMAND_OK && st != PGRES_TUPLES_OK) return error_of("exec", r.get());
  return ok();
}

Result<sql::QueryResult> PgConn::run(const char* sql, std::initializer_list<sql::Param> params) {
  auto it = prepared_.find(sql);
  if (it == prepared_.end()) {
    std::string name = "kb" + std::to_string(prepared_.size());
    std::string text = to_dollar_placeholders(sql);
    PgResult r(PQprepare(c_, name.c_str(), text.c_str(), 0, nullptr));
    if (!r || PQresultStatus(r.get()) != PGRES_COMMAND_OK) return error_of("prepare", r.get());
    it = prepared_.emplace(sql, std::move(name)).first;
  }
  const std::size_t n = params.size();
  std::vector<std::string> ints;
  ints.reserve(n);  // values[] points into these strings: no reallocation allowed
  std::vector<const char*> values(n, nullptr);
  std::vector<int> lengths(n, 0);
  std::vector<int> formats(n, 0);
  std::size_t i = 0;
  for (const auto& p : params) {
    if (const auto* v = std::get_if<std::int64_t>(&p)) {
      ints.push_back(std::to_string(*v));
      values[i] = ints.back().c_str();
    } else if (const auto* t = std::get_if<std::string_view>(&p)) {
      // Text parameters go as binary too: exact bytes, no terminating NUL needed.
      values[i] = t->data() ? t->data() : "";
      lengths[i] = static_cast<int>(t->size());
      formats[i] = 1;
    } else if (const auto* b = std::get_if<ByteView>(&p)) {
      static const char kEmpty = 0;
      values[i] = b->empty() ? &kEmpty : reinterpret_cast<const char*>(b->data());
      lengths[i] = static_cast<int>(b->size());
      formats[i] = 1;
    }
    ++i;
  }
  PgResult r(PQexecPrepared(c_, it->second.c_str(), static_cast<int>(n), values.data(),
                            lengths.data(), formats.data(), 0));
  auto st = r ? PQresultStatus(r.get()) : PGRES_FATAL_ERROR;
  if (st != PGRES_COMMAND_OK && st != PGRES_TUPLES_OK) return error_of("query", r.get());
  sql::QueryResult out;
  const int rows = PQntuples(r.get());
  const int cols = PQnfields(r.get());
  out.rows.reserve(static_cast<std::size_t>(rows));
  for (int row = 0; row < rows; ++row) {
    std::vector<sql::Value> v;
    v.reserve(static_cast<std::size_t>(cols));
    for (int col = 0; col < cols; ++col) v.push_back(column(r.get(), row, col));
    out.rows.emplace_back(std::move(v));
  }
  const char* affected = PQcmdTuples(r.get());
  if (affected != nullptr && *affected != '\0') {
    std::from_chars(affected, affected + std::strlen(affected), out.affected);
  }
  return out;
}

}  // namespace kb::store::postgres
