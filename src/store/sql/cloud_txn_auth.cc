// Credentials, challenges, temporary access passes, devices and PRTs. The operations
// that must be atomic under concurrency (take a challenge, consume a pass, move a sign
// counter) are each one conditional statement: the engine's row lock makes a second,
// concurrent statement re-check its WHERE clause against the first one's result (SQLite
// serialises writers outright), so exactly one of them matches.
#include "store/sql/cloud_txn_impl.h"

namespace kb::store::sql {
namespace {

constexpr const char kInsertCredential[] =
    "INSERT INTO webauthn_credential (tenant_id, credential_id, user_id, public_key_cose, alg, "
    "sign_count, aaguid, att_format, att_type, x5c, be, bs, uv_initialized, transports, "
    "friendly_name, created, last_used, possibly_cloned) "
    "VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, ?16, ?17, ?18)";
#define KB_CRED_COLUMNS                                                                     \
  "SELECT tenant_id, credential_id, user_id, public_key_cose, alg, sign_count, aaguid, "    \
  "att_format, att_type, x5c, be, bs, uv_initialized, transports, friendly_name, created, " \
  "last_used, possibly_cloned FROM webauthn_credential "
constexpr const char kCredentialsByUser[] =
    KB_CRED_COLUMNS "WHERE tenant_id = ?1 AND user_id = ?2 ORDER BY created, credential_id";
constexpr const char kCredentialById[] =
    KB_CRED_COLUMNS "WHERE tenant_id = ?1 AND credential_id = ?2";
#undef KB_CRED_COLUMNS
// Compare-and-set: applies only while the counter is what the verifier saw and no
// concurrent refusal marked the credential possibly cloned.
constexpr const char kRecordUse[] =
    "UPDATE webauthn_credential SET sign_count = ?4, bs = ?5, "
    "uv_initialized = CASE WHEN ?6 <> 0 THEN 1 ELSE uv_initialized END, last_used = ?7 "
    "WHERE tenant_id = ?1 AND credential_id = ?2 AND sign_count = ?3 AND possibly_cloned = 0";
constexpr const char kSetPossiblyCloned[] =
    "UPDATE webauthn_credential SET possibly_cloned = ?3 "
    "WHERE tenant_id = ?1 AND credential_id = ?2";
constexpr const char kCredentialExists[] =
    "SELECT 1 FROM webauthn_credential WHERE tenant_id = ?1 AND credential_id = ?2";
constexpr const char kRenameCredential[] =
    "UPDATE webauthn_credential SET friendly_name = ?3 WHERE tenant_id = ?1 AND credential_id = ?2";
constexpr const char kDeleteCredential[] =
    "DELETE FROM webauthn_credential WHERE tenant_id = ?1 AND credential_id = ?2";

constexpr const char kInsertChallenge[] =
    "INSERT INTO challenge (tenant_id, id, purpose, user_id, challenge, expires_at, "
    "ceremony_json) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)";
constexpr const char kTakeChallenge[] =
    "DELETE FROM challenge WHERE tenant_id = ?1 AND id = ?2 AND purpose = ?3 AND expires_at > ?4 "
    "RETURNING tenant_id, id, purpose, user_id, challenge, expires_at, ceremony_json";
constexpr const char kPurgeChallenges[] = "DELETE FROM challenge WHERE expires_at <= ?1";

constexpr const char kInsertPass[] =
    "INSERT INTO access_pass (tenant_id, id, user_id, secret_hash, one_time, starts_at, "
    "expires_at, used_at, created) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)";
constexpr const char kConsumePass[] =
    "UPDATE access_pass SET used_at = ?3 WHERE tenant_id = ?1 AND secret_hash = ?2 "
    "AND starts_at <= ?3 AND expires_at > ?3 AND (one_time = 0 OR used_at IS NULL) "
    "RETURNING tenant_id, user_id, id, secret_hash, one_time, starts_at, expires_at, used_at, "
    "created";
constexpr const char kPassesByUser[] =
    "SELECT tenant_id, user_id, id, secret_hash, one_time, starts_at, expires_at, used_at, "
    "created FROM access_pass WHERE tenant_id = ?1 AND user_id = ?2 ORDER BY created, id";
constexpr const char kDeletePass[] = "DELETE FROM access_pass WHERE tenant_id = ?1 AND id = ?2";

constexpr const char kInsertDevice[] =
    "INSERT INTO device (tenant_id, id, registered_by, display_name, join_type, device_key, "
    "transport_key, enabled, created, last_seen) "
    "VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10)";
#define KB_DEVICE_COLUMNS                                                      \
  "SELECT tenant_id, id, registered_by, display_name, join_type, device_key, " \
  "transport_key, enabled, created, last_seen FROM device "
constexpr const char kDeviceById[] = KB_DEVICE_COLUMNS "WHERE tenant_id = ?1 AND id = ?2";
constexpr const char kDevicesByUser[] =
    KB_DEVICE_COLUMNS "WHERE tenant_id = ?1 AND registered_by = ?2 ORDER BY created, id";
#undef KB_DEVICE_COLUMNS
constexpr const char kSetDeviceEnabled[] =
    "UPDATE device SET enabled = ?3 WHERE tenant_id = ?1 AND id = ?2";
constexpr const char kTouchDevice[] =
    "UPDATE device SET last_seen = ?3 WHERE tenant_id = ?1 AND id = ?2";
constexpr const char kDeleteDevice[] = "DELETE FROM device WHERE tenant_id = ?1 AND id = ?2";

constexpr const char kInsertPrt[] =
    "INSERT INTO prt (tenant_id, id, user_id, device_id, session_key, issued_at, expires_at, "
    "revoked) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)";
constexpr const char kSelectPrt[] =
    "SELECT tenant_id, id, user_id, device_id, session_key, issued_at, expires_at, revoked "
    "FROM prt WHERE tenant_id = ?1 AND id = ?2";
constexpr const char kRevokePrt[] =
    "UPDATE prt SET revoked = 1 WHERE tenant_id = ?1 AND id = ?2 AND revoked = 0";
constexpr const char kRevokeUserPrts[] =
    "UPDATE prt SET revoked = 1 WHERE tenant_id = ?1 AND user_id = ?2 AND revoked = 0";
constexpr const char kRevokeDevicePrts[] =
    "UPDATE prt SET revoked = 1 WHERE tenant_id = ?1 AND device_id = ?2 AND revoked = 0";
constexpr const char kPurgePrts[] = "DELETE FROM prt WHERE expires_at <= ?1";
constexpr const char kPurgeRevokedPrts[] = "DELETE FROM prt WHERE revoked = 1";

// Insert-if-absent: a concurrent second insert waits for the first and then does nothing.
constexpr const char kInsertDeviceCa[] =
    "INSERT INTO device_ca (tenant_id, certificate, wrapped_key, created) "
    "VALUES (?1, ?2, ?3, ?4) ON CONFLICT (tenant_id) DO NOTHING";
constexpr const char kSelectDeviceCa[] =
    "SELECT tenant_id, certificate, wrapped_key, created FROM device_ca WHERE tenant_id = ?1";

Result<WebAuthnCredential> credential_of(const Row& r) {
  WebAuthnCredential c;
  c.tenant_id = r.text(0);
  c.credential_id = r.blob(1);
  c.user_id = r.text(2);
  c.public_key_cose = r.blob(3);
  c.alg = static_cast<std::int32_t>(r.i64(4));
  c.sign_count = static_cast<std::uint32_t>(r.i64(5));
  c.aaguid = r.blob(6);
  c.attestation_format = r.text(7);
  c.attestation_type = r.text(8);
  c.x5c = KB_TRY(decode_blob_list(r.blob(9)));
  c.backup_eligible = r.flag(10);
  c.backup_state = r.flag(11);
  c.uv_initialized = r.flag(12);
  c.transports = split_tokens(r.text(13));
  c.friendly_name = r.text(14);
  c.created = from_us(r.i64(15));
  c.last_used = opt_time_col(r, 16);
  c.possibly_cloned = r.flag(17);
  return c;
}

Challenge challenge_of(const Row& r) {
  Challenge c;
  c.tenant_id = r.text(0);
  c.id = r.text(1);
  c.purpose = static_cast<ChallengePurpose>(r.i64(2));
  c.user_id = r.text(3);
  c.challenge = r.blob(4);
  c.expires_at = from_us(r.i64(5));
  c.ceremony_json = r.text(6);
  return c;
}

TemporaryAccessPass pass_of(const Row& r) {
  TemporaryAccessPass p;
  p.tenant_id = r.text(0);
  p.user_id = r.text(1);
  p.id = r.text(2);
  p.secret_hash = r.blob(3);
  p.one_time = r.flag(4);
  p.starts_at = from_us(r.i64(5));
  p.expires_at = from_us(r.i64(6));
  p.used_at = opt_time_col(r, 7);
  p.created = from_us(r.i64(8));
  return p;
}

Device device_of(const Row& r) {
  Device d;
  d.tenant_id = r.text(0);
  d.id = r.text(1);
  d.registered_by = r.text(2);
  d.display_name = r.text(3);
  d.join_type = static_cast<JoinType>(r.i64(4));
  d.device_key = r.blob(5);
  d.transport_key = r.blob(6);
  d.enabled = r.flag(7);
  d.created = from_us(r.i64(8));
  d.last_seen = opt_time_col(r, 9);
  return d;
}

PrimaryRefreshToken prt_of(const Row& r) {
  PrimaryRefreshToken p;
  p.tenant_id = r.text(0);
  p.id = r.blob(1);
  p.user_id = r.text(2);
  p.device_id = r.text(3);
  p.session_key_wrapped = r.blob(4);
  p.issued_at = from_us(r.i64(5));
  p.expires_at = from_us(r.i64(6));
  p.revoked = r.flag(7);
  return p;
}

// A foreign-key failure on insert means the row it points at does not exist: say which.
Error missing_parent(Error e, std::string what) {
  if (e.is(Errc::kNotFound)) return not_found(std::move(what));
  return e;
}

}  // namespace

// --- WebAuthn credentials.

Result<void> SqlCloudTxn::add_credential(const WebAuthnCredential& c) {
  if (c.credential_id.empty() || c.public_key_cose.empty()) {
    return invalid("a credential needs an id and a public key");
  }
  if (!c.aaguid.empty() && c.aaguid.size() != 16) return invalid("an AAGUID is 16 bytes");
  Bytes x5c = encode_blob_list(c.x5c);
  std::string transports = join_tokens(c.transports);
  auto r = c_.query(
      kInsertCredential,
      {c.tenant_id, ByteView(c.credential_id), c.user_id, ByteView(c.public_key_cose),
       std::int64_t{c.alg}, std::int64_t{c.sign_count}, ByteView(c.aaguid), c.attestation_format,
       c.attestation_type, ByteView(x5c), std::int64_t{c.backup_eligible},
       std::int64_t{c.backup_state}, std::int64_t{c.uv_initialized}, transports, c.friendly_name,
       to_us(c.created), opt_time(c.last_used), std::int64_t{c.possibly_cloned}});
  if (!r) {
    if (r.error().is(Errc::kConflict)) {
      return Error(Errc::kConflict, "credential id already registered");
    }
    return missing_parent(std::move(r).error(), "no such user");
  }
  return ok();
}

Result<std::vector<WebAuthnCredential>> SqlCloudTxn::load_credentials(
    const char* sql, std::initializer_list<Param> p) {
  auto r = KB_TRY(c_.query(sql, p));
  std::vector<WebAuthnCredential> out;
  for (const auto& row : r.rows) out.push_back(KB_TRY(credential_of(row)));
  return out;
}

Result<std::vector<WebAuthnCredential>> SqlCloudTxn::credentials_by_user(std::string_view tenant_id,
                                                                         std::string_view user_id) {
  return load_credentials(kCredentialsByUser, {tenant_id, user_id});
}

Result<std::optional<WebAuthnCredential>> SqlCloudTxn::credential(std::string_view tenant_id,
                                                                  ByteView credential_id) {
  auto v = KB_TRY(load_credentials(kCredentialById, {tenant_id, credential_id}));
  if (v.empty()) return std::optional<WebAuthnCredential>();
  return std::optional<WebAuthnCredential>(std::move(v[0]));
}

Result<void> SqlCloudTxn::record_credential_use(std::string_view tenant_id, ByteView credential_id,
                                                const CredentialUse& use) {
  auto r =
      KB_TRY(c_.query(kRecordUse, {tenant_id, credential_id, std::int64_t{use.seen_sign_count},
                                   std::int64_t{use.new_sign_count}, std::int64_t{use.backup_state},
                                   std::int64_t{use.uv}, to_us(use.used_at)}));
  if (r.affected == 1) return ok();
  auto exists = KB_TRY(c_.query(kCredentialExists, {tenant_id, credential_id}));
  if (exists.rows.empty()) return not_found("no such credential");
  return Error(Errc::kConflict, "the sign counter moved since it was read");
}

Result<void> SqlCloudTxn::set_credential_possibly_cloned(std::string_view tenant_id,
                                                         ByteView credential_id, bool cloned) {
  return change_one(kSetPossiblyCloned, {tenant_id, credential_id, std::int64_t{cloned}},
                    "no such credential");
}

Result<void> SqlCloudTxn::rename_credential(std::string_view tenant_id, ByteView credential_id,
                                            std::string_view friendly_name) {
  return change_one(kRenameCredential, {tenant_id, credential_id, friendly_name},
                    "no such credential");
}

Result<void> SqlCloudTxn::delete_credential(std::string_view tenant_id, ByteView credential_id) {
  return change_one(kDeleteCredential, {tenant_id, credential_id}, "no such credential");
}

// --- Challenges.

Result<void> SqlCloudTxn::put_challenge(const Challenge& c) {
  if (c.id.empty() || c.challenge.empty()) return invalid("a challenge needs an id and bytes");
  auto r =
      c_.query(kInsertChallenge,
               {c.tenant_id, c.id, std::int64_t{static_cast<std::uint8_t>(c.purpose)},
                opt_text(c.user_id), ByteView(c.challenge), to_us(c.expires_at), c.ceremony_json});
  if (!r) return missing_parent(std::move(r).error(), "no such tenant or user");
  return ok();
}

Result<std::optional<Challenge>> SqlCloudTxn::take_challenge(std::string_view tenant_id,
                                                             std::string_view id,
                                                             ChallengePurpose purpose,
                                                             SysTime now) {
  auto r = KB_TRY(
      c_.query(kTakeChallenge,
               {tenant_id, id, std::int64_t{static_cast<std::uint8_t>(purpose)}, to_us(now)}));
  if (r.rows.empty()) return std::optional<Challenge>();
  return std::optional<Challenge>(challenge_of(r.rows[0]));
}

Result<std::size_t> SqlCloudTxn::purge_expired_challenges(SysTime now) {
  auto r = KB_TRY(c_.query(kPurgeChallenges, {to_us(now)}));
  return static_cast<std::size_t>(r.affected);
}

// --- Temporary access passes.

Result<void> SqlCloudTxn::create_access_pass(const TemporaryAccessPass& p) {
  if (p.id.empty() || p.secret_hash.size() != 32) {
    return invalid("a pass needs an id and a 32-byte SHA-256 hash");
  }
  if (p.expires_at <= p.starts_at) return invalid("a pass must expire after it starts");
  auto r = c_.query(kInsertPass, {p.tenant_id, p.id, p.user_id, ByteView(p.secret_hash),
                                  std::int64_t{p.one_time}, to_us(p.starts_at), to_us(p.expires_at),
                                  opt_time(p.used_at), to_us(p.created)});
  if (!r) {
    if (r.error().is(Errc::kConflict)) return Error(Errc::kConflict, "duplicate pass");
    return missing_parent(std::move(r).error(), "no such user");
  }
  return ok();
}

Result<std::optional<TemporaryAccessPass>> SqlCloudTxn::consume_access_pass(
    std::string_view tenant_id, ByteView secret_hash, SysTime now) {
  auto r = KB_TRY(c_.query(kConsumePass, {tenant_id, secret_hash, to_us(now)}));
  if (r.rows.empty()) return std::optional<TemporaryAccessPass>();
  return std::optional<TemporaryAccessPass>(pass_of(r.rows[0]));
}

Result<std::vector<TemporaryAccessPass>> SqlCloudTxn::access_passes(std::string_view tenant_id,
                                                                    std::string_view user_id) {
  auto r = KB_TRY(c_.query(kPassesByUser, {tenant_id, user_id}));
  std::vector<TemporaryAccessPass> out;
  for (const auto& row : r.rows) {
    out.push_back(pass_of(row));
    out.back().secret_hash.clear();  // shown once at creation, never listed
  }
  return out;
}

Result<void> SqlCloudTxn::delete_access_pass(std::string_view tenant_id, std::string_view id) {
  return change_one(kDeletePass, {tenant_id, id}, "no such pass");
}

// --- Devices.

Result<void> SqlCloudTxn::register_device(const Device& d) {
  if (d.id.empty() || d.device_key.empty() || d.transport_key.empty()) {
    return invalid("a device needs an id, a device key and a transport key");
  }
  auto r =
      c_.query(kInsertDevice, {d.tenant_id, d.id, d.registered_by, d.display_name,
                               std::int64_t{static_cast<std::uint8_t>(d.join_type)},
                               ByteView(d.device_key), ByteView(d.transport_key),
                               std::int64_t{d.enabled}, to_us(d.created), opt_time(d.last_seen)});
  if (!r) {
    if (r.error().is(Errc::kConflict)) return Error(Errc::kConflict, "device id in use");
    return missing_parent(std::move(r).error(), "no such tenant");
  }
  return ok();
}

Result<std::vector<Device>> SqlCloudTxn::load_devices(const char* sql,
                                                      std::initializer_list<Param> p) {
  auto r = KB_TRY(c_.query(sql, p));
  std::vector<Device> out;
  for (const auto& row : r.rows) out.push_back(device_of(row));
  return out;
}

Result<std::optional<Device>> SqlCloudTxn::device(std::string_view tenant_id,
                                                  std::string_view device_id) {
  auto v = KB_TRY(load_devices(kDeviceById, {tenant_id, device_id}));
  if (v.empty()) return std::optional<Device>();
  return std::optional<Device>(std::move(v[0]));
}

Result<std::vector<Device>> SqlCloudTxn::devices_by_user(std::string_view tenant_id,
                                                         std::string_view user_id) {
  if (user_id.empty()) return std::vector<Device>();
  return load_devices(kDevicesByUser, {tenant_id, user_id});
}

Result<void> SqlCloudTxn::set_device_enabled(std::string_view tenant_id, std::string_view device_id,
                                             bool enabled) {
  return change_one(kSetDeviceEnabled, {tenant_id, device_id, std::int64_t{enabled}},
                    "no such device");
}

Result<void> SqlCloudTxn::touch_device(std::string_view tenant_id, std::string_view device_id,
                                       SysTime seen) {
  return change_one(kTouchDevice, {tenant_id, device_id, to_us(seen)}, "no such device");
}

Result<void> SqlCloudTxn::delete_device(std::string_view tenant_id, std::string_view device_id) {
  return change_one(kDeleteDevice, {tenant_id, device_id}, "no such device");
}

// --- Primary Refresh Tokens.

Result<void> SqlCloudTxn::put_prt(const PrimaryRefreshToken& p) {
  if (p.id.size() != 32 || p.session_key_wrapped.empty()) {
    return invalid("a PRT needs a 32-byte hash and a wrapped session key");
  }
  auto r = c_.query(kInsertPrt, {p.tenant_id, ByteView(p.id), p.user_id, p.device_id,
                                 ByteView(p.session_key_wrapped), to_us(p.issued_at),
                                 to_us(p.expires_at), std::int64_t{p.revoked}});
  if (!r) {
    if (r.error().is(Errc::kConflict)) return Error(Errc::kConflict, "duplicate PRT");
    return missing_parent(std::move(r).error(), "no such user or device");
  }
  return ok();
}

Result<std::optional<PrimaryRefreshToken>> SqlCloudTxn::prt(std::string_view tenant_id,
                                                            ByteView prt_hash) {
  auto r = KB_TRY(c_.query(kSelectPrt, {tenant_id, prt_hash}));
  if (r.rows.empty()) return std::optional<PrimaryRefreshToken>();
  return std::optional<PrimaryRefreshToken>(prt_of(r.rows[0]));
}

Result<void> SqlCloudTxn::revoke_prt(std::string_view tenant_id, ByteView prt_hash) {
  return change_one(kRevokePrt, {tenant_id, prt_hash}, "no such live PRT");
}

Result<std::size_t> SqlCloudTxn::revoke_prts_for_user(std::string_view tenant_id,
                                                      std::string_view user_id) {
  auto r = KB_TRY(c_.query(kRevokeUserPrts, {tenant_id, user_id}));
  return static_cast<std::size_t>(r.affected);
}

Result<std::size_t> SqlCloudTxn::revoke_prts_for_device(std::string_view tenant_id,
                                                        std::string_view device_id) {
  auto r = KB_TRY(c_.query(kRevokeDevicePrts, {tenant_id, device_id}));
  return static_cast<std::size_t>(r.affected);
}

Result<std::size_t> SqlCloudTxn::purge_expired_prts(SysTime now) {
  auto r = KB_TRY(c_.query(kPurgePrts, {to_us(now)}));
  return static_cast<std::size_t>(r.affected);
}

Result<std::size_t> SqlCloudTxn::purge_revoked_prts() {
  auto r = KB_TRY(c_.query(kPurgeRevokedPrts, {}));
  return static_cast<std::size_t>(r.affected);
}

Result<bool> SqlCloudTxn::put_device_ca_if_absent(const DeviceCa& ca) {
  if (ca.certificate.empty() || ca.wrapped_key.empty()) {
    return invalid("a device CA needs a certificate and a wrapped key");
  }
  auto r = KB_TRY(c_.query(kInsertDeviceCa, {ca.tenant_id, ByteView(ca.certificate),
                                             ByteView(ca.wrapped_key), to_us(ca.created)}));
  return r.affected == 1;
}

Result<std::optional<DeviceCa>> SqlCloudTxn::device_ca(std::string_view tenant_id) {
  auto r = KB_TRY(c_.query(kSelectDeviceCa, {tenant_id}));
  if (r.rows.empty()) return std::optional<DeviceCa>();
  const Row& row = r.rows[0];
  return std::optional<DeviceCa>(
      DeviceCa{row.text(0), row.blob(1), row.blob(2), from_us(row.i64(3))});
}

}  // namespace kb::store::sql
