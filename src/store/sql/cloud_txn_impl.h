// The SQL implementation of CloudTxn, split over cloud_txn.cc (tenants, policy, users,
// Kerberos server objects) and cloud_txn_auth.cc (credentials, challenges, passes,
// devices, PRTs). Internal to src/store/sql.
#pragma once

#include "store/cloud.h"
#include "store/sql/conn.h"

namespace kb::store::sql {

// Times are stored as integer microseconds since the Unix epoch.
inline std::int64_t to_us(SysTime t) {
  return t.time_since_epoch().count();
}
inline SysTime from_us(std::int64_t us) {
  return SysTime(std::chrono::microseconds(us));
}
inline Param opt_time(const std::optional<SysTime>& t) {
  if (!t) return nullptr;
  return to_us(*t);
}
inline std::optional<SysTime> opt_time_col(const Row& r, std::size_t c) {
  if (r.is_null(c)) return std::nullopt;
  return from_us(r.i64(c));
}
inline Param opt_text(std::string_view s) {
  if (s.empty()) return nullptr;
  return s;
}

// Length-prefixed list of blobs (u32be length, bytes), for x5c chains.
Bytes encode_blob_list(const std::vector<Bytes>& list);
Result<std::vector<Bytes>> decode_blob_list(ByteView b);
// Concatenated fixed 16-byte AAGUIDs.
Result<Bytes> encode_aaguid_list(const std::vector<Bytes>& list);
Result<std::vector<Bytes>> decode_aaguid_list(ByteView b);
// Comma-joined tokens (WebAuthn transports never contain commas).
std::string join_tokens(const std::vector<std::string>& v);
std::vector<std::string> split_tokens(std::string_view s);

Error not_found(std::string what);
Error invalid(std::string what);

class SqlCloudTxn final : public CloudTxn {
 public:
  explicit SqlCloudTxn(Conn& c) : c_(c) {}

  Result<void> create_tenant(const Tenant& t) override;
  Result<std::optional<Tenant>> tenant(std::string_view tenant_id) override;
  Result<std::vector<Tenant>> tenants() override;
  Result<void> delete_tenant(std::string_view tenant_id) override;
  Result<void> add_admin_token(const AdminToken& t) override;
  Result<std::optional<AdminToken>> admin_token_by_hash(ByteView secret_hash) override;
  Result<std::vector<AdminToken>> admin_tokens(std::string_view tenant_id) override;
  Result<void> delete_admin_token(std::string_view tenant_id, std::string_view token_id) override;

  Result<TenantPolicy> policy(std::string_view tenant_id) override;
  Result<void> put_policy(std::string_view tenant_id, const TenantPolicy& p) override;

  Result<std::vector<std::string>> upsert_users(std::string_view tenant_id,
                                                std::span<const CloudUser> users,
                                                SysTime now) override;
  Result<std::size_t> delete_users(std::string_view tenant_id,
                                   std::span<const std::string> source_anchors) override;
  Result<void> delete_user(std::string_view tenant_id, std::string_view user_id) override;
  Result<std::optional<CloudUser>> user_by_id(std::string_view tenant_id,
                                              std::string_view user_id) override;
  Result<std::optional<CloudUser>> user_by_upn(std::string_view tenant_id,
                                               std::string_view upn) override;
  Result<std::optional<CloudUser>> user_by_anchor(std::string_view tenant_id,
                                                  std::string_view source_anchor) override;
  Result<std::vector<CloudUser>> users_by_domain(std::string_view tenant_id,
                                                 std::string_view domain,
                                                 std::string_view after_upn,
                                                 std::size_t limit) override;
  Result<std::vector<CloudUser>> users_changed_since(std::string_view tenant_id,
                                                     std::int64_t after_seq,
                                                     std::size_t limit) override;

  Result<void> put_kerberos_server(std::string_view tenant_id, const KerberosServerRecord& r,
                                   SysTime now) override;
  Result<std::optional<KerberosServer>> kerberos_server(std::string_view tenant_id,
                                                        std::string_view domain) override;
  Result<std::vector<KerberosServer>> kerberos_servers(std::string_view tenant_id) override;
  Result<std::optional<KerberosServerKeys>> kerberos_server_keys(std::string_view tenant_id,
                                                                 std::string_view domain) override;
  Result<void> rotate_kerberos_server_key(std::string_view tenant_id, std::string_view domain,
                                          const KerberosServerKey& key, SysTime now,
                                          std::string_view updated_from) override;
  Result<void> delete_kerberos_server(std::string_view tenant_id, std::string_view domain) override;

  Result<void> add_credential(const WebAuthnCredential& c) override;
  Result<std::vector<WebAuthnCredential>> credentials_by_user(std::string_view tenant_id,
                                                              std::string_view user_id) override;
  Result<std::optional<WebAuthnCredential>> credential(std::string_view tenant_id,
                                                       ByteView credential_id) override;
  Result<void> record_credential_use(std::string_view tenant_id, ByteView credential_id,
                                     const CredentialUse& use) override;
  Result<void> set_credential_possibly_cloned(std::string_view tenant_id, ByteView credential_id,
                                              bool cloned) override;
  Result<void> rename_credential(std::string_view tenant_id, ByteView credential_id,
                                 std::string_view friendly_name) override;
  Result<void> delete_credential(std::string_view tenant_id, ByteView credential_id) override;

  Result<void> put_challenge(const Challenge& c) override;
  Result<std::optional<Challenge>> take_challenge(std::string_view tenant_id, std::string_view id,
                                                  ChallengePurpose purpose, SysTime now) override;
  Result<std::size_t> purge_expired_challenges(SysTime now) override;

  Result<void> create_access_pass(const TemporaryAccessPass& p) override;
  Result<std::optional<TemporaryAccessPass>> consume_access_pass(std::string_view tenant_id,
                                                                 ByteView secret_hash,
                                                                 SysTime now) override;
  Result<std::vector<TemporaryAccessPass>> access_passes(std::string_view tenant_id,
                                                         std::string_view user_id) override;
  Result<void> delete_access_pass(std::string_view tenant_id, std::string_view id) override;

  Result<void> register_device(const Device& d) override;
  Result<std::optional<Device>> device(std::string_view tenant_id,
                                       std::string_view device_id) override;
  Result<std::vector<Device>> devices_by_user(std::string_view tenant_id,
                                              std::string_view user_id) override;
  Result<void> set_device_enabled(std::string_view tenant_id, std::string_view device_id,
                                  bool enabled) override;
  Result<void> touch_device(std::string_view tenant_id, std::string_view device_id,
                            SysTime seen) override;
  Result<void> delete_device(std::string_view tenant_id, std::string_view device_id) override;

  Result<void> put_prt(const PrimaryRefreshToken& p) override;
  Result<std::optional<PrimaryRefreshToken>> prt(std::string_view tenant_id,
                                                 ByteView prt_hash) override;
  Result<void> revoke_prt(std::string_view tenant_id, ByteView prt_hash) override;
  Result<std::size_t> revoke_prts_for_user(std::string_view tenant_id,
                                           std::string_view user_id) override;
  Result<std::size_t> revoke_prts_for_device(std::string_view tenant_id,
                                             std::string_view device_id) override;
  Result<std::size_t> purge_expired_prts(SysTime now) override;
  Result<std::size_t> purge_revoked_prts() override;

  Result<bool> put_device_ca_if_absent(const DeviceCa& ca) override;
  Result<std::optional<DeviceCa>> device_ca(std::string_view tenant_id) override;

 private:
  // Runs a statement that must change exactly one row; kNotFound (with `what`) otherwise.
  Result<void> change_one(const char* sql, std::initializer_list<Param> params,
                          std::string_view what);
  Result<std::vector<CloudUser>> load_users(const char* sql, std::initializer_list<Param> p);
  Result<std::vector<WebAuthnCredential>> load_credentials(const char* sql,
                                                           std::initializer_list<Param> p);
  Result<std::vector<Device>> load_devices(const char* sql, std::initializer_list<Param> p);

  Conn& c_;
};

}  // namespace kb::store::sql
