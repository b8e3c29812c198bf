#include "store/sql/cloud_txn.h"

#include <charconv>

#include "store/sql/cloud_txn_impl.h"

namespace kb::store::sql {

// --- Row.

bool Row::is_null(std::size_t c) const {
  return c >= v_.size() || std::holds_alternative<std::nullptr_t>(v_[c]);
}

std::int64_t Row::i64(std::size_t c) const {
  if (c >= v_.size()) return 0;
  if (const auto* i = std::get_if<std::int64_t>(&v_[c])) return *i;
  if (const auto* s = std::get_if<std::string>(&v_[c])) {
    std::int64_t out = 0;
    std::from_chars(s->data(), s->data() + s->size(), out);
    return out;
  }
  return 0;
}

std::string Row::text(std::size_t c) const {
  if (c >= v_.size()) return {};
  if (const auto* s = std::get_if<std::string>(&v_[c])) return *s;
  if (const auto* b = std::get_if<Bytes>(&v_[c])) return std::string(as_chars(*b));
  if (const auto* i = std::get_if<std::int64_t>(&v_[c])) return std::to_string(*i);
  return {};
}

Bytes Row::blob(std::size_t c) const {
  if (c >= v_.size()) return {};
  if (const auto* b = std::get_if<Bytes>(&v_[c])) return *b;
  if (const auto* s = std::get_if<std::string>(&v_[c])) return to_bytes(*s);
  return {};
}

// --- Codecs for the few list-valued columns.

Bytes encode_blob_list(const std::vector<Bytes>& list) {
  Bytes out;
  for (const auto& b : list) {
    put_u32be(out, static_cast<std::uint32_t>(b.size()));
    append(out, b);
  }
  return out;
}

Result<std::vector<Bytes>> decode_blob_list(ByteView b) {
  std::vector<Bytes> out;
  std::size_t i = 0;
  while (i < b.size()) {
    if (b.size() - i < 4) return Error(Errc::kBackend, "truncated blob list length");
    std::size_t n = (std::size_t{b[i]} << 24) | (std::size_t{b[i + 1]} << 16) |
                    (std::size_t{b[i + 2]} << 8) | std::size_t{b[i + 3]};
    i += 4;
    if (b.size() - i < n) return Error(Errc::kBackend, "truncated blob list entry");
    out.emplace_back(b.begin() + static_cast<std::ptrdiff_t>(i),
                     b.begin() + static_cast<std::ptrdiff_t>(i + n));
    i += n;
  }
  return out;
}

Result<Bytes> encode_aaguid_list(const std::vector<Bytes>& list) {
  Bytes out;
  for (const auto& a : list) {
    if (a.size() != 16) return invalid("an AAGUID is 16 bytes");
    append(out, a);
  }
  return out;
}

Result<std::vector<Bytes>> decode_aaguid_list(ByteView b) {
  if (b.size() % 16 != 0) return Error(Errc::kBackend, "AAGUID list is not a multiple of 16");
  std::vector<Bytes> out;
  for (std::size_t i = 0; i < b.size(); i += 16) out.push_back(to_bytes(b.subspan(i, 16)));
  return out;
}

std::string join_tokens(const std::vector<std::string>& v) {
  std::string out;
  for (const auto& t : v) {
    if (!out.empty()) out += ',';
    out += t;
  }
  return out;
}

std::vector<std::string> split_tokens(std::string_view s) {
  std::vector<std::string> out;
  while (!s.empty()) {
    auto comma = s.find(',');
    out.emplace_back(s.substr(0, comma));
    if (comma == std::string_view::npos) break;
    s.remove_prefix(comma + 1);
  }
  return out;
}

Error not_found(std::string what) {
  return Error(Errc::kNotFound, std::move(what));
}
Error invalid(std::string what) {
  return Error(Errc::kInvalidArgument, std::move(what));
}

Result<void> SqlCloudTxn::change_one(const char* sql, std::initializer_list<Param> params,
                                     std::string_view what) {
  auto r = KB_TRY(c_.query(sql, params));
  if (r.affected == 0) return not_found(std::string(what));
  return ok();
}

namespace {

// Statement texts are static: backends cache prepared statements by their address.
constexpr const char kInsertTenant[] = "INSERT INTO tenant (id, name, created) VALUES (?1, ?2, ?3)";
constexpr const char kSelectTenant[] = "SELECT id, name, created FROM tenant WHERE id = ?1";
constexpr const char kSelectTenants[] = "SELECT id, name, created FROM tenant ORDER BY id";
constexpr const char kDeleteTenant[] = "DELETE FROM tenant WHERE id = ?1";
constexpr const char kInsertToken[] =
    "INSERT INTO admin_token (tenant_id, token_id, secret_hash, created, description) "
    "VALUES (?1, ?2, ?3, ?4, ?5)";
constexpr const char kSelectTokenByHash[] =
    "SELECT tenant_id, token_id, secret_hash, created, description FROM admin_token "
    "WHERE secret_hash = ?1";
constexpr const char kSelectTokens[] =
    "SELECT tenant_id, token_id, secret_hash, created, description FROM admin_token "
    "WHERE tenant_id = ?1 ORDER BY token_id";
constexpr const char kDeleteToken[] =
    "DELETE FROM admin_token WHERE tenant_id = ?1 AND token_id = ?2";
constexpr const char kSelectPolicy[] =
    "SELECT require_attestation, require_uv, aaguid_allow, aaguid_block, tap_lifetime_s, "
    "tap_one_time, prt_lifetime_s FROM tenant_policy WHERE tenant_id = ?1";
constexpr const char kUpsertPolicy[] =
    "INSERT INTO tenant_policy (tenant_id, require_attestation, require_uv, aaguid_allow, "
    "aaguid_block, tap_lifetime_s, tap_one_time, prt_lifetime_s) "
    "VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8) ON CONFLICT (tenant_id) DO UPDATE SET "
    "require_attestation = excluded.require_attestation, require_uv = excluded.require_uv, "
    "aaguid_allow = excluded.aaguid_allow, aaguid_block = excluded.aaguid_block, "
    "tap_lifetime_s = excluded.tap_lifetime_s, tap_one_time = excluded.tap_one_time, "
    "prt_lifetime_s = excluded.prt_lifetime_s";

constexpr const char kBumpUserSeq[] =
    "UPDATE tenant SET user_seq = user_seq + ?2 WHERE id = ?1 RETURNING user_seq";
constexpr const char kUpsertUser[] =
    "INSERT INTO cloud_user (tenant_id, id, source_anchor, upn, upn_key, domain, sam, "
    "object_sid, enabled, password_expires_at, display_name, updated_at, change_seq) "
    "VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13) "
    "ON CONFLICT (tenant_id, source_anchor) DO UPDATE SET upn = excluded.upn, "
    "upn_key = excluded.upn_key, domain = excluded.domain, sam = excluded.sam, "
    "object_sid = excluded.object_sid, enabled = excluded.enabled, "
    "password_expires_at = excluded.password_expires_at, display_name = excluded.display_name, "
    "updated_at = excluded.updated_at, change_seq = excluded.change_seq RETURNING id";
constexpr const char kDeleteUserByAnchor[] =
    "DELETE FROM cloud_user WHERE tenant_id = ?1 AND source_anchor = ?2";
constexpr const char kDeleteUser[] = "DELETE FROM cloud_user WHERE tenant_id = ?1 AND id = ?2";
#define KB_USER_COLUMNS                                                          \
  "SELECT tenant_id, id, source_anchor, upn, domain, sam, object_sid, enabled, " \
  "password_expires_at, display_name, updated_at, change_seq FROM cloud_user "
constexpr const char kUserById[] = KB_USER_COLUMNS "WHERE tenant_id = ?1 AND id = ?2";
constexpr const char kUserByUpn[] = KB_USER_COLUMNS "WHERE tenant_id = ?1 AND upn_key = ?2";
constexpr const char kUserByAnchor[] =
    KB_USER_COLUMNS "WHERE tenant_id = ?1 AND source_anchor = ?2";
constexpr const char kUsersByDomain[] = KB_USER_COLUMNS
    "WHERE tenant_id = ?1 AND domain = ?2 AND upn_key > ?3 ORDER BY upn_key LIMIT ?4";
constexpr const char kUsersChanged[] =
    KB_USER_COLUMNS "WHERE tenant_id = ?1 AND change_seq > ?2 ORDER BY change_seq LIMIT ?3";
#undef KB_USER_COLUMNS

constexpr const char kUpsertKerberosServer[] =
    "INSERT INTO kerberos_server (tenant_id, domain, branch_id, enctype, kvno, wrapped_key, "
    "prev_enctype, prev_kvno, prev_wrapped_key, key_updated_on, key_updated_from, created) "
    "VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12) "
    "ON CONFLICT (tenant_id, domain) DO UPDATE SET branch_id = excluded.branch_id, "
    "enctype = excluded.enctype, kvno = excluded.kvno, wrapped_key = excluded.wrapped_key, "
    "prev_enctype = excluded.prev_enctype, prev_kvno = excluded.prev_kvno, "
    "prev_wrapped_key = excluded.prev_wrapped_key, key_updated_on = excluded.key_updated_on, "
    "key_updated_from = excluded.key_updated_from";
#define KB_KS_COLUMNS                                                               \
  "SELECT tenant_id, domain, branch_id, enctype, kvno, prev_kvno, key_updated_on, " \
  "key_updated_from, created FROM kerberos_server "
constexpr const char kSelectKerberosServer[] = KB_KS_COLUMNS "WHERE tenant_id = ?1 AND domain = ?2";
constexpr const char kSelectKerberosServers[] =
    KB_KS_COLUMNS "WHERE tenant_id = ?1 ORDER BY domain";
#undef KB_KS_COLUMNS
constexpr const char kSelectKerberosKeys[] =
    "SELECT branch_id, enctype, kvno, wrapped_key, prev_enctype, prev_kvno, prev_wrapped_key "
    "FROM kerberos_server WHERE tenant_id = ?1 AND domain = ?2";
// SET's right-hand sides all read the row as it was, so current moves to previous in the
// same statement that installs the new key: no reader ever sees a half-rotated object.
constexpr const char kRotateKerberosKey[] =
    "UPDATE kerberos_server SET prev_enctype = enctype, prev_kvno = kvno, "
    "prev_wrapped_key = wrapped_key, enctype = ?3, kvno = ?4, wrapped_key = ?5, "
    "key_updated_on = ?6, key_updated_from = ?7 "
    "WHERE tenant_id = ?1 AND domain = ?2 AND kvno < ?4";
constexpr const char kDeleteKerberosServer[] =
    "DELETE FROM kerberos_server WHERE tenant_id = ?1 AND domain = ?2";

Tenant tenant_of(const Row& r) {
  return Tenant{r.text(0), r.text(1), from_us(r.i64(2))};
}

AdminToken token_of(const Row& r) {
  return AdminToken{r.text(0), r.text(1), r.blob(2), from_us(r.i64(3)), r.text(4)};
}

CloudUser user_of(const Row& r) {
  CloudUser u;
  u.tenant_id = r.text(0);
  u.id = r.text(1);
  u.source_anchor = r.text(2);
  u.upn = r.text(3);
  u.domain = r.text(4);
  u.sam_account_name = r.text(5);
  u.object_sid = r.text(6);
  u.enabled = r.flag(7);
  u.password_expires_at = opt_time_col(r, 8);
  u.display_name = r.text(9);
  u.updated_at = from_us(r.i64(10));
  u.change_seq = r.i64(11);
  return u;
}

KerberosServer kerberos_server_of(const Row& r) {
  KerberosServer k;
  k.tenant_id = r.text(0);
  k.domain = r.text(1);
  k.branch_id = static_cast<std::uint16_t>(r.i64(2));
  k.enctype = static_cast<std::int32_t>(r.i64(3));
  k.key_version = static_cast<std::uint16_t>(r.i64(4));
  if (!r.is_null(5)) k.previous_key_version = static_cast<std::uint16_t>(r.i64(5));
  k.key_updated_on = from_us(r.i64(6));
  k.key_updated_from = r.text(7);
  k.created = from_us(r.i64(8));
  return k;
}

std::int64_t page_limit(std::size_t limit) {
  constexpr std::size_t kMax = 10000;
  return static_cast<std::int64_t>(limit == 0 || limit > kMax ? kMax : limit);
}

}  // namespace

// --- Tenants and admin tokens.

Result<void> SqlCloudTxn::create_tenant(const Tenant& t) {
  if (t.id.empty()) return invalid("a tenant needs an id");
  KB_CHECK(c_.query(kInsertTenant, {t.id, t.name, to_us(t.created)}));
  return ok();
}

Result<std::optional<Tenant>> SqlCloudTxn::tenant(std::string_view tenant_id) {
  auto r = KB_TRY(c_.query(kSelectTenant, {tenant_id}));
  if (r.rows.empty()) return std::optional<Tenant>();
  return std::optional<Tenant>(tenant_of(r.rows[0]));
}

Result<std::vector<Tenant>> SqlCloudTxn::tenants() {
  auto r = KB_TRY(c_.query(kSelectTenants, {}));
  std::vector<Tenant> out;
  for (const auto& row : r.rows) out.push_back(tenant_of(row));
  return out;
}

Result<void> SqlCloudTxn::delete_tenant(std::string_view tenant_id) {
  return change_one(kDeleteTenant, {tenant_id}, "no such tenant");
}

Result<void> SqlCloudTxn::add_admin_token(const AdminToken& t) {
  if (t.token_id.empty() || t.secret_hash.size() != 32) {
    return invalid("an admin token needs an id and a 32-byte SHA-256 hash");
  }
  KB_CHECK(c_.query(kInsertToken, {t.tenant_id, t.token_id, ByteView(t.secret_hash),
                                   to_us(t.created), t.description}));
  return ok();
}

Result<std::optional<AdminToken>> SqlCloudTxn::admin_token_by_hash(ByteView secret_hash) {
  auto r = KB_TRY(c_.query(kSelectTokenByHash, {secret_hash}));
  if (r.rows.empty()) return std::optional<AdminToken>();
  return std::optional<AdminToken>(token_of(r.rows[0]));
}

Result<std::vector<AdminToken>> SqlCloudTxn::admin_tokens(std::string_view tenant_id) {
  auto r = KB_TRY(c_.query(kSelectTokens, {tenant_id}));
  std::vector<AdminToken> out;
  for (const auto& row : r.rows) out.push_back(token_of(row));
  return out;
}

Result<void> SqlCloudTxn::delete_admin_token(std::string_view tenant_id,
                                             std::string_view token_id) {
  return change_one(kDeleteToken, {tenant_id, token_id}, "no such admin token");
}

// --- Policy.

Result<TenantPolicy> SqlCloudTxn::policy(std::string_view tenant_id) {
  auto r = KB_TRY(c_.query(kSelectPolicy, {tenant_id}));
  TenantPolicy p;
  if (r.rows.empty()) return p;
  const Row& row = r.rows[0];
  p.require_attestation = row.flag(0);
  p.require_user_verification = row.flag(1);
  p.aaguid_allow = KB_TRY(decode_aaguid_list(row.blob(2)));
  p.aaguid_block = KB_TRY(decode_aaguid_list(row.blob(3)));
  p.tap_default_lifetime_s = row.i64(4);
  p.tap_default_one_time = row.flag(5);
  p.prt_lifetime_s = row.i64(6);
  return p;
}

Result<void> SqlCloudTxn::put_policy(std::string_view tenant_id, const TenantPolicy& p) {
  if (p.tap_default_lifetime_s <= 0 || p.prt_lifetime_s <= 0) {
    return invalid("lifetimes must be positive");
  }
  Bytes allow = KB_TRY(encode_aaguid_list(p.aaguid_allow));
  Bytes block = KB_TRY(encode_aaguid_list(p.aaguid_block));
  KB_CHECK(c_.query(kUpsertPolicy, {tenant_id, std::int64_t{p.require_attestation},
                                    std::int64_t{p.require_user_verification}, ByteView(allow),
                                    ByteView(block), p.tap_default_lifetime_s,
                                    std::int64_t{p.tap_default_one_time}, p.prt_lifetime_s}));
  return ok();
}

// --- Users.

Result<std::vector<CloudUser>> SqlCloudTxn::load_users(const char* sql,
                                                       std::initializer_list<Param> p) {
  auto r = KB_TRY(c_.query(sql, p));
  std::vector<CloudUser> out;
  for (const auto& row : r.rows) out.push_back(user_of(row));
  return out;
}

Result<std::vector<std::string>> SqlCloudTxn::upsert_users(std::string_view tenant_id,
                                                           std::span<const CloudUser> users,
                                                           SysTime now) {
  std::vector<std::string> ids;
  if (users.empty()) return ids;
  for (const auto& u : users) {
    if (u.id.empty() || u.source_anchor.empty() || u.upn.empty()) {
      return invalid("a user needs an id, a source anchor and a UPN");
    }
  }
  // One counter step per row, so users_changed_since pages without ties.
  auto seq = KB_TRY(c_.query(kBumpUserSeq, {tenant_id, static_cast<std::int64_t>(users.size())}));
  if (seq.rows.empty()) return not_found("no such tenant");
  std::int64_t next = seq.rows[0].i64(0) - static_cast<std::int64_t>(users.size());
  for (const auto& u : users) {
    std::string upn_key = ascii_lower(u.upn);
    std::string domain = ascii_lower(u.domain);
    auto r = c_.query(kUpsertUser,
                      {tenant_id, u.id, u.source_anchor, u.upn, upn_key, domain, u.sam_account_name,
                       u.object_sid, std::int64_t{u.enabled}, opt_time(u.password_expires_at),
                       u.display_name, to_us(now), ++next});
    if (!r) {
      if (r.error().is(Errc::kConflict)) {
        return Error(Errc::kConflict, "UPN " + u.upn + " or id belongs to another user");
      }
      return std::move(r).error();
    }
    ids.push_back(r->rows.empty() ? u.id : r->rows[0].text(0));
  }
  return ids;
}

Result<std::size_t> SqlCloudTxn::delete_users(std::string_view tenant_id,
                                              std::span<const std::string> source_anchors) {
  std::size_t n = 0;
  for (const auto& a : source_anchors) {
    auto r = KB_TRY(c_.query(kDeleteUserByAnchor, {tenant_id, a}));
    n += static_cast<std::size_t>(r.affected);
  }
  return n;
}

Result<void> SqlCloudTxn::delete_user(std::string_view tenant_id, std::string_view user_id) {
  return change_one(kDeleteUser, {tenant_id, user_id}, "no such user");
}

Result<std::optional<CloudUser>> SqlCloudTxn::user_by_id(std::string_view tenant_id,
                                                         std::string_view user_id) {
  auto v = KB_TRY(load_users(kUserById, {tenant_id, user_id}));
  if (v.empty()) return std::optional<CloudUser>();
  return std::optional<CloudUser>(std::move(v[0]));
}

Result<std::optional<CloudUser>> SqlCloudTxn::user_by_upn(std::string_view tenant_id,
                                                          std::string_view upn) {
  std::string key = ascii_lower(upn);
  auto v = KB_TRY(load_users(kUserByUpn, {tenant_id, key}));
  if (v.empty()) return std::optional<CloudUser>();
  return std::optional<CloudUser>(std::move(v[0]));
}

Result<std::optional<CloudUser>> SqlCloudTxn::user_by_anchor(std::string_view tenant_id,
                                                             std::string_view source_anchor) {
  auto v = KB_TRY(load_users(kUserByAnchor, {tenant_id, source_anchor}));
  if (v.empty()) return std::optional<CloudUser>();
  return std::optional<CloudUser>(std::move(v[0]));
}

Result<std::vector<CloudUser>> SqlCloudTxn::users_by_domain(std::string_view tenant_id,
                                                            std::string_view domain,
                                                            std::string_view after_upn,
                                                            std::size_t limit) {
  std::string d = ascii_lower(domain);
  std::string after = ascii_lower(after_upn);
  return load_users(kUsersByDomain, {tenant_id, d, after, page_limit(limit)});
}

Result<std::vector<CloudUser>> SqlCloudTxn::users_changed_since(std::string_view tenant_id,
                                                                std::int64_t after_seq,
                                                                std::size_t limit) {
  return load_users(kUsersChanged, {tenant_id, after_seq, page_limit(limit)});
}

// --- Kerberos server objects.

Result<void> SqlCloudTxn::put_kerberos_server(std::string_view tenant_id,
                                              const KerberosServerRecord& r, SysTime now) {
  if (r.domain.empty() || r.branch_id == 0 || r.current.wrapped_key.empty()) {
    return invalid("a Kerberos server object needs a domain, a branch id and a key");
  }
  if (r.previous && r.previous->kvno >= r.current.kvno) {
    return invalid("the previous key version must be older than the current one");
  }
  std::string domain = ascii_lower(r.domain);
  const auto* prev = r.previous ? &*r.previous : nullptr;
  Param prev_enctype = prev ? Param(std::int64_t{prev->enctype}) : Param(nullptr);
  Param prev_kvno = prev ? Param(std::int64_t{prev->kvno}) : Param(nullptr);
  Param prev_key = prev ? Param(ByteView(prev->wrapped_key)) : Param(nullptr);
  KB_CHECK(
      c_.query(kUpsertKerberosServer,
               {tenant_id, domain, std::int64_t{r.branch_id}, std::int64_t{r.current.enctype},
                std::int64_t{r.current.kvno}, ByteView(r.current.wrapped_key), prev_enctype,
                prev_kvno, prev_key, to_us(r.key_updated_on), r.key_updated_from, to_us(now)}));
  return ok();
}

Result<std::optional<KerberosServer>> SqlCloudTxn::kerberos_server(std::string_view tenant_id,
                                                                   std::string_view domain) {
  std::string d = ascii_lower(domain);
  auto r = KB_TRY(c_.query(kSelectKerberosServer, {tenant_id, d}));
  if (r.rows.empty()) return std::optional<KerberosServer>();
  return std::optional<KerberosServer>(kerberos_server_of(r.rows[0]));
}

Result<std::vector<KerberosServer>> SqlCloudTxn::kerberos_servers(std::string_view tenant_id) {
  auto r = KB_TRY(c_.query(kSelectKerberosServers, {tenant_id}));
  std::vector<KerberosServer> out;
  for (const auto& row : r.rows) out.push_back(kerberos_server_of(row));
  return out;
}

Result<std::optional<KerberosServerKeys>> SqlCloudTxn::kerberos_server_keys(
    std::string_view tenant_id, std::string_view domain) {
  std::string d = ascii_lower(domain);
  auto r = KB_TRY(c_.query(kSelectKerberosKeys, {tenant_id, d}));
  if (r.rows.empty()) return std::optional<KerberosServerKeys>();
  const Row& row = r.rows[0];
  KerberosServerKeys k;
  k.branch_id = static_cast<std::uint16_t>(row.i64(0));
  k.current = {static_cast<std::int32_t>(row.i64(1)), static_cast<std::uint16_t>(row.i64(2)),
               row.blob(3)};
  if (!row.is_null(5)) {
    k.previous = KerberosServerKey{static_cast<std::int32_t>(row.i64(4)),
                                   static_cast<std::uint16_t>(row.i64(5)), row.blob(6)};
  }
  return std::optional<KerberosServerKeys>(std::move(k));
}

Result<void> SqlCloudTxn::rotate_kerberos_server_key(std::string_view tenant_id,
                                                     std::string_view domain,
                                                     const KerberosServerKey& key, SysTime now,
                                                     std::string_view updated_from) {
  if (key.wrapped_key.empty()) return invalid("no key");
  std::string d = ascii_lower(domain);
  auto r = KB_TRY(
      c_.query(kRotateKerberosKey, {tenant_id, d, std::int64_t{key.enctype}, std::int64_t{key.kvno},
                                    ByteView(key.wrapped_key), to_us(now), updated_from}));
  if (r.affected == 1) return ok();
  auto exists = KB_TRY(c_.query(kSelectKerberosServer, {tenant_id, d}));
  if (exists.rows.empty()) return not_found("no Kerberos server object for that domain");
  return Error(Errc::kConflict, "the new key version must be greater than the current one");
}

Result<void> SqlCloudTxn::delete_kerberos_server(std::string_view tenant_id,
                                                 std::string_view domain) {
  std::string d = ascii_lower(domain);
  return change_one(kDeleteKerberosServer, {tenant_id, d},
                    "no Kerberos server object for that domain");
}

// --- Schema versions.

Result<void> migrate(Conn& conn, std::span<const char* const> migrations,
                     const std::function<Result<void>(const char*)>& run_script,
                     bool has_version_table) {
  std::int64_t version = 0;
  if (has_version_table) {
    auto r = KB_TRY(conn.query("SELECT version FROM schema_version", {}));
    if (!r.rows.empty()) version = r.rows[0].i64(0);
  }
  const auto latest = static_cast<std::int64_t>(migrations.size());
  if (version > latest) {
    return Error(Errc::kSchemaVersion, "cloud schema " + std::to_string(version) +
                                           " is newer than this program's " +
                                           std::to_string(latest));
  }
  for (std::int64_t next = version + 1; next <= latest; ++next) {
    KB_CHECK(run_script(migrations[static_cast<std::size_t>(next - 1)]));
    KB_CHECK(conn.query("DELETE FROM schema_version", {}));
    KB_CHECK(conn.query("INSERT INTO schema_version (version) VALUES (?1)", {next}));
  }
  return ok();
}

std::unique_ptr<CloudTxn> make_cloud_txn(Conn& conn) {
  return std::make_unique<SqlCloudTxn>(conn);
}

}  // namespace kb::store::sql
