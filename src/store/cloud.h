// The cloud identity service's data: tenants and their admin tokens, policy, users synced
// from on-prem domains, Kerberos server objects, WebAuthn credentials, ceremony
// challenges, temporary access passes, devices and Primary Refresh Tokens. Pure data plus
// the CloudStore interface; backends live in store/sqlite/ and store/postgres/.
//
// Every row belongs to one tenant and every operation names the tenant it acts for, so a
// tenant never reads or changes another's rows (the only exceptions, marked below, are
// the admin-token lookup that *finds* the tenant and the expiry purges).
//
// Secrets are never stored in the clear: tokens, passes and PRTs by their SHA-256 hash,
// keys (Kerberos server keys, PRT session keys) as blobs the caller wrapped with
// crypto::MasterKey. The store never sees a plaintext key.
#pragma once

#include <cstdint>
#include <functional>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "base/bytes.h"
#include "base/clock.h"
#include "base/result.h"
#include "store/directory.h"  // Errc: the store's error codes, shared with the directory

namespace kb::store {

// Errors of the cloud store: Errc::kNotFound, kConflict (a uniqueness rule, or a
// compare-and-set that lost), kInvalidArgument, kSchemaVersion (the database was written
// by a newer Keybridge), kBackend (SQLite/libpq failure; detail for logs only).
using StoreErrc = Errc;

struct Tenant {
  std::string id;  // random UUID text (new_uuid)
  std::string name;
  SysTime created{};
  friend bool operator==(const Tenant&, const Tenant&) = default;
};

// An admin API token. The token secret is >= 256 bits of randomness, so a plain SHA-256
// of it is a safe verifier (no salt or slow hash needed: there is nothing to guess).
struct AdminToken {
  std::string tenant_id;
  std::string token_id;
  Bytes secret_hash;  // SHA-256(token secret), 32 bytes
  SysTime created{};
  std::string description;  // empty when none
  friend bool operator==(const AdminToken&, const AdminToken&) = default;
};

struct TenantPolicy {
  bool require_attestation = false;
  bool require_user_verification = true;  // UV for sign-in
  std::vector<Bytes> aaguid_allow;        // 16-byte AAGUIDs; empty = any
  std::vector<Bytes> aaguid_block;        // 16-byte AAGUIDs
  std::int64_t tap_default_lifetime_s = 3600;
  bool tap_default_one_time = true;
  std::int64_t prt_lifetime_s = 14 * 86400;
  friend bool operator==(const TenantPolicy&, const TenantPolicy&) = default;
};

// A user synced from an on-prem domain.
struct CloudUser {
  std::string tenant_id;
  std::string id;             // cloud user id (UUID); kept across renames
  std::string source_anchor;  // immutable on-prem identity (objectGUID text); unique per tenant
  std::string upn;            // unique per tenant, compared case-insensitively (ASCII)
  std::string domain;         // on-prem domain DNS name; stored lower-case
  std::string sam_account_name;
  std::string object_sid;  // S-1-5-21-...
  bool enabled = true;
  std::optional<SysTime> password_expires_at;
  std::string display_name;
  SysTime updated_at{};
  std::int64_t change_seq = 0;  // per-tenant counter, set by the store on every upsert
  friend bool operator==(const CloudUser&, const CloudUser&) = default;
};

struct KerberosServerKey {
  std::int32_t enctype = 18;
  std::uint16_t kvno = 0;  // key version: the low 16 bits of the ticket kvno
  Bytes wrapped_key;       // crypto::MasterKey::wrap output
  friend bool operator==(const KerberosServerKey&, const KerberosServerKey&) = default;
};

// A Kerberos server object as read by the admin API: it cannot carry key material.
struct KerberosServer {
  std::string tenant_id;
  std::string domain;           // lower-case DNS name; unique per tenant
  std::uint16_t branch_id = 0;  // 1..65535 (msDS-SecondaryKrbTgtNumber)
  std::int32_t enctype = 18;
  std::uint16_t key_version = 0;
  std::optional<std::uint16_t> previous_key_version;
  SysTime key_updated_on{};
  std::string key_updated_from;  // host or client that set the key
  SysTime created{};
  friend bool operator==(const KerberosServer&, const KerberosServer&) = default;
};

// The wrapped keys, for the code that mints partial TGTs.
struct KerberosServerKeys {
  std::uint16_t branch_id = 0;
  KerberosServerKey current;
  std::optional<KerberosServerKey> previous;
  friend bool operator==(const KerberosServerKeys&, const KerberosServerKeys&) = default;
};

// What `admin kerberos-server set` publishes.
struct KerberosServerRecord {
  std::string domain;
  std::uint16_t branch_id = 0;
  KerberosServerKey current;
  std::optional<KerberosServerKey> previous;
  SysTime key_updated_on{};
  std::string key_updated_from;
};

struct WebAuthnCredential {
  std::string tenant_id;
  std::string user_id;
  Bytes credential_id;  // unique per tenant
  Bytes public_key_cose;
  std::int32_t alg = -7;  // COSE algorithm
  std::uint32_t sign_count = 0;
  Bytes aaguid;                    // 16 bytes
  std::string attestation_format;  // none, packed, fido-u2f, tpm
  std::string attestation_type;    // none, self, basic, attca
  std::vector<Bytes> x5c;          // attestation chain, leaf first (DER)
  bool backup_eligible = false;    // BE
  bool backup_state = false;       // BS
  bool uv_initialized = false;
  std::vector<std::string> transports;  // usb, nfc, ble, internal, hybrid
  std::string friendly_name;
  SysTime created{};
  std::optional<SysTime> last_used;
  // Set when an authentic assertion's counter failed to increase (WebAuthn 6.1.1, 7.2 step
  // 24): the key may have been cloned. A marked credential signs in no more until an admin
  // clears the flag (schema version 3).
  bool possibly_cloned = false;
  friend bool operator==(const WebAuthnCredential&, const WebAuthnCredential&) = default;
};

// One successful assertion, applied with compare-and-set on the counter.
struct CredentialUse {
  std::uint32_t seen_sign_count = 0;  // the stored value the verifier checked against
  std::uint32_t new_sign_count = 0;   // the authenticator's counter in this assertion
  bool backup_state = false;
  bool uv = false;  // UV was set: marks the credential uv_initialized
  SysTime used_at{};
};

enum class ChallengePurpose : std::uint8_t {
  kRegistration = 1,
  kAuthentication = 2,
  kPrtNonce = 3
};

struct Challenge {
  std::string tenant_id;
  std::string id;  // random, chosen by the caller
  ChallengePurpose purpose = ChallengePurpose::kAuthentication;
  std::string user_id;  // empty when the ceremony has no user yet
  Bytes challenge;
  SysTime expires_at{};
  std::string ceremony_json;  // small JSON text the finishing front end needs
  friend bool operator==(const Challenge&, const Challenge&) = default;
};

struct TemporaryAccessPass {
  std::string tenant_id;
  std::string user_id;
  std::string id;
  // SHA-256 of the pass; empty in list results. A plain hash is only as strong as the
  // pass: issue passes with >= 100 bits of randomness (docs/cloud-store.md).
  Bytes secret_hash;
  bool one_time = true;
  SysTime starts_at{};
  SysTime expires_at{};
  std::optional<SysTime> used_at;  // the last use
  SysTime created{};
  friend bool operator==(const TemporaryAccessPass&, const TemporaryAccessPass&) = default;
};

enum class JoinType : std::uint8_t { kCloud = 1, kHybrid = 2 };

struct Device {
  std::string tenant_id;
  std::string id;             // device id (UUID)
  std::string registered_by;  // user id; empty for admin (hybrid) registrations
  std::string display_name;
  JoinType join_type = JoinType::kCloud;
  Bytes device_key;     // DER certificate or SubjectPublicKeyInfo: signs requests
  Bytes transport_key;  // DER SubjectPublicKeyInfo (RSA-2048): session keys are wrapped to it
  bool enabled = true;
  SysTime created{};
  std::optional<SysTime> last_seen;
  friend bool operator==(const Device&, const Device&) = default;
};

struct PrimaryRefreshToken {
  std::string tenant_id;
  Bytes id;  // SHA-256 of the PRT string
  std::string user_id;
  std::string device_id;
  Bytes session_key_wrapped;  // crypto::MasterKey::wrap output
  SysTime issued_at{};
  SysTime expires_at{};
  bool revoked = false;
  friend bool operator==(const PrimaryRefreshToken&, const PrimaryRefreshToken&) = default;
};

// A tenant's device CA (crypto/device_cert.h): its self-signed certificate and its private
// key as PKCS#8 wrapped by the caller with crypto::MasterKey. One per tenant.
struct DeviceCa {
  std::string tenant_id;
  Bytes certificate;  // DER
  Bytes wrapped_key;  // crypto::MasterKey::wrap output
  SysTime created{};
  friend bool operator==(const DeviceCa&, const DeviceCa&) = default;
};

// The operations of one transaction. Lookups return an empty optional when nothing
// matches; changes to something that does not exist return kNotFound.
class CloudTxn {
 public:
  virtual ~CloudTxn() = default;

  // --- Tenants and admin tokens.
  virtual Result<void> create_tenant(const Tenant& t) = 0;  // kConflict on a duplicate id
  virtual Result<std::optional<Tenant>> tenant(std::string_view tenant_id) = 0;
  virtual Result<std::vector<Tenant>> tenants() = 0;
  // Deletes the tenant and every row it owns.
  virtual Result<void> delete_tenant(std::string_view tenant_id) = 0;
  virtual Result<void> add_admin_token(const AdminToken& t) = 0;
  // Authentication: finds the token (and so its tenant) by SHA-256(secret). The one
  // lookup not scoped by tenant: the hash is the credential that names the tenant.
  virtual Result<std::optional<AdminToken>> admin_token_by_hash(ByteView secret_hash) = 0;
  virtual Result<std::vector<AdminToken>> admin_tokens(std::string_view tenant_id) = 0;
  virtual Result<void> delete_admin_token(std::string_view tenant_id,
                                          std::string_view token_id) = 0;

  // --- Policy (defaults until one is put).
  virtual Result<TenantPolicy> policy(std::string_view tenant_id) = 0;
  virtual Result<void> put_policy(std::string_view tenant_id, const TenantPolicy& p) = 0;

  // --- Users. Upsert is keyed by source anchor: an existing anchor keeps its id and takes
  // the new UPN, name, SID and flags (a rename never duplicates); a new anchor is inserted
  // with the given id. Returns the stored ids in input order. kConflict when a UPN belongs
  // to another anchor (the whole transaction is then rolled back by transact()).
  virtual Result<std::vector<std::string>> upsert_users(std::string_view tenant_id,
                                                        std::span<const CloudUser> users,
                                                        SysTime now) = 0;
  // Deletes by source anchor; absent anchors are skipped. Returns how many were deleted.
  // Their credentials, passes, PRTs and pending challenges go with them.
  virtual Result<std::size_t> delete_users(std::string_view tenant_id,
                                           std::span<const std::string> source_anchors) = 0;
  virtual Result<void> delete_user(std::string_view tenant_id, std::string_view user_id) = 0;
  virtual Result<std::optional<CloudUser>> user_by_id(std::string_view tenant_id,
                                                      std::string_view user_id) = 0;
  virtual Result<std::optional<CloudUser>> user_by_upn(std::string_view tenant_id,
                                                       std::string_view upn) = 0;
  virtual Result<std::optional<CloudUser>> user_by_anchor(std::string_view tenant_id,
                                                          std::string_view source_anchor) = 0;
  // Users of one domain ordered by lower-case UPN, starting after `after_upn` (empty =
  // from the start), at most `limit`.
  virtual Result<std::vector<CloudUser>> users_by_domain(std::string_view tenant_id,
                                                         std::string_view domain,
                                                         std::string_view after_upn,
                                                         std::size_t limit) = 0;
  // Users whose change_seq > `after_seq`, in change order, at most `limit`.
  virtual Result<std::vector<CloudUser>> users_changed_since(std::string_view tenant_id,
                                                             std::int64_t after_seq,
                                                             std::size_t limit) = 0;

  // --- Kerberos server objects, one per (tenant, domain).
  // Insert or replace, as `admin kerberos-server set` does. kInvalidArgument for branch
  // id 0, an empty domain or key.
  virtual Result<void> put_kerberos_server(std::string_view tenant_id,
                                           const KerberosServerRecord& r, SysTime now) = 0;
  virtual Result<std::optional<KerberosServer>> kerberos_server(std::string_view tenant_id,
                                                                std::string_view domain) = 0;
  virtual Result<std::vector<KerberosServer>> kerberos_servers(std::string_view tenant_id) = 0;
  virtual Result<std::optional<KerberosServerKeys>> kerberos_server_keys(
      std::string_view tenant_id, std::string_view domain) = 0;
  // Installs `key` as current and keeps the old current as previous, in one statement.
  // kConflict unless key.kvno is greater than the current version; kNotFound when the
  // domain has no object.
  virtual Result<void> rotate_kerberos_server_key(std::string_view tenant_id,
                                                  std::string_view domain,
                                                  const KerberosServerKey& key, SysTime now,
                                                  std::string_view updated_from) = 0;
  virtual Result<void> delete_kerberos_server(std::string_view tenant_id,
                                              std::string_view domain) = 0;

  // --- WebAuthn credentials.
  // kConflict when the credential id exists in the tenant; kNotFound for an unknown user.
  virtual Result<void> add_credential(const WebAuthnCredential& c) = 0;
  virtual Result<std::vector<WebAuthnCredential>> credentials_by_user(std::string_view tenant_id,
                                                                      std::string_view user_id) = 0;
  virtual Result<std::optional<WebAuthnCredential>> credential(std::string_view tenant_id,
                                                               ByteView credential_id) = 0;
  // Applies only while the stored counter still equals use.seen_sign_count and the
  // credential is not marked possibly cloned: kConflict otherwise (another front end moved
  // the counter first, so a cloned counter is accepted at most once).
  virtual Result<void> record_credential_use(std::string_view tenant_id, ByteView credential_id,
                                             const CredentialUse& use) = 0;
  // Sets or clears the possibly-cloned mark; kNotFound for an unknown credential.
  virtual Result<void> set_credential_possibly_cloned(std::string_view tenant_id,
                                                      ByteView credential_id, bool cloned) = 0;
  virtual Result<void> rename_credential(std::string_view tenant_id, ByteView credential_id,
                                         std::string_view friendly_name) = 0;
  virtual Result<void> delete_credential(std::string_view tenant_id, ByteView credential_id) = 0;

  // --- Challenges: single use.
  virtual Result<void> put_challenge(const Challenge& c) = 0;
  // Deletes and returns the challenge only if it exists, has `purpose` and expires after
  // `now`. Of concurrent takers exactly one gets it.
  virtual Result<std::optional<Challenge>> take_challenge(std::string_view tenant_id,
                                                          std::string_view id,
                                                          ChallengePurpose purpose,
                                                          SysTime now) = 0;
  // Maintenance across tenants: removes challenges that expired at or before `now`.
  virtual Result<std::size_t> purge_expired_challenges(SysTime now) = 0;

  // --- Temporary access passes.
  virtual Result<void> create_access_pass(const TemporaryAccessPass& p) = 0;
  // Accepts the pass with SHA-256 `secret_hash` when starts_at <= now < expires_at and it
  // is not a used one-time pass; records the use and returns it. Concurrent consumers of
  // a one-time pass: exactly one succeeds. Empty optional when nothing is accepted.
  virtual Result<std::optional<TemporaryAccessPass>> consume_access_pass(std::string_view tenant_id,
                                                                         ByteView secret_hash,
                                                                         SysTime now) = 0;
  // The user's passes, without their hashes.
  virtual Result<std::vector<TemporaryAccessPass>> access_passes(std::string_view tenant_id,
                                                                 std::string_view user_id) = 0;
  virtual Result<void> delete_access_pass(std::string_view tenant_id, std::string_view id) = 0;

  // --- Devices.
  virtual Result<void> register_device(const Device& d) = 0;  // kConflict on a duplicate id
  virtual Result<std::optional<Device>> device(std::string_view tenant_id,
                                               std::string_view device_id) = 0;
  virtual Result<std::vector<Device>> devices_by_user(std::string_view tenant_id,
                                                      std::string_view user_id) = 0;
  virtual Result<void> set_device_enabled(std::string_view tenant_id, std::string_view device_id,
                                          bool enabled) = 0;
  virtual Result<void> touch_device(std::string_view tenant_id, std::string_view device_id,
                                    SysTime seen) = 0;
  // Deletes the device and the PRTs bound to it.
  virtual Result<void> delete_device(std::string_view tenant_id, std::string_view device_id) = 0;

  // --- Primary Refresh Tokens.
  // kNotFound when the user or device does not exist in the tenant.
  virtual Result<void> put_prt(const PrimaryRefreshToken& p) = 0;
  virtual Result<std::optional<PrimaryRefreshToken>> prt(std::string_view tenant_id,
                                                         ByteView prt_hash) = 0;
  // Revokes a PRT that is not revoked yet; kNotFound when there is no such PRT in the tenant
  // or it is already revoked (so of two refreshes racing on one PRT, one loses).
  virtual Result<void> revoke_prt(std::string_view tenant_id, ByteView prt_hash) = 0;
  virtual Result<std::size_t> revoke_prts_for_user(std::string_view tenant_id,
                                                   std::string_view user_id) = 0;
  virtual Result<std::size_t> revoke_prts_for_device(std::string_view tenant_id,
                                                     std::string_view device_id) = 0;
  // Maintenance across tenants: removes PRTs that expired at or before `now`.
  virtual Result<std::size_t> purge_expired_prts(SysTime now) = 0;
  // Maintenance across tenants: removes revoked PRTs (a revoked row refuses exactly as a
  // missing one does, so nothing is lost).
  virtual Result<std::size_t> purge_revoked_prts() = 0;

  // --- The tenant's device CA.
  // Inserts `ca` unless the tenant has one already (insert-if-absent: of concurrent
  // creators exactly one inserts, the others change nothing and fail nothing). True when
  // this call inserted it. Callers re-read with device_ca() and use what is stored.
  // kNotFound for an unknown tenant; kInvalidArgument for an empty certificate or key.
  virtual Result<bool> put_device_ca_if_absent(const DeviceCa& ca) = 0;
  virtual Result<std::optional<DeviceCa>> device_ca(std::string_view tenant_id) = 0;
};

class CloudStore {
 public:
  virtual ~CloudStore() = default;
  // Runs `fn` in one transaction: committed when fn returns ok, rolled back otherwise (the
  // error is returned). A statement that failed inside the engine (a uniqueness or
  // foreign-key violation, a backend error) dooms the transaction on both backends: it is
  // rolled back and that first error returned even if fn ignored it and returned ok.
  // `fn` may run more than once (PostgreSQL retries a transaction that lost a
  // serialization or deadlock race), so it must have no effects outside `txn`.
  virtual Result<void> transact(const std::function<Result<void>(CloudTxn&)>& fn) = 0;
  // Runs `fn` in a read-only snapshot that takes no write lock. Writes inside fail.
  virtual Result<void> read(const std::function<Result<void>(CloudTxn&)>& fn) = 0;
};

// A random (version 4) UUID in lower-case text: tenant, user, device and pass ids.
std::string new_uuid(Rng& rng);
// ASCII lower-casing: UPNs and DNS names compare this way.
std::string ascii_lower(std::string_view s);

}  // namespace kb::store
