// The cloud schema on SQLite, one migration per version. Version N's text takes a
// database at version N-1 to N; released texts never change. postgres/cloud_schema.h
// holds the same tables in PostgreSQL's types: keep the two in step.
//
// Times are integer microseconds since the Unix epoch; flags are 0/1 integers; every
// table is keyed by tenant first, and rows that belong to a user or device reference it
// with ON DELETE CASCADE, so deleting a user removes their credentials, passes, PRTs and
// pending challenges.
#pragma once

namespace kb::store::sqlite {

inline constexpr const char* kCloudMigrations[] = {
    // Version 1.
    R"sql(
CREATE TABLE schema_version (version INTEGER NOT NULL);
CREATE TABLE tenant (
  id TEXT PRIMARY KEY, name TEXT NOT NULL, created INTEGER NOT NULL,
  user_seq INTEGER NOT NULL DEFAULT 0);
CREATE TABLE admin_token (
  tenant_id TEXT NOT NULL REFERENCES tenant(id) ON DELETE CASCADE,
  token_id TEXT NOT NULL, secret_hash BLOB NOT NULL UNIQUE,
  created INTEGER NOT NULL, description TEXT NOT NULL,
  PRIMARY KEY (tenant_id, token_id));
CREATE TABLE tenant_policy (
  tenant_id TEXT PRIMARY KEY REFERENCES tenant(id) ON DELETE CASCADE,
  require_attestation INTEGER NOT NULL, require_uv INTEGER NOT NULL,
  aaguid_allow BLOB NOT NULL, aaguid_block BLOB NOT NULL,
  tap_lifetime_s INTEGER NOT NULL, tap_one_time INTEGER NOT NULL,
  prt_lifetime_s INTEGER NOT NULL);
CREATE TABLE cloud_user (
  tenant_id TEXT NOT NULL REFERENCES tenant(id) ON DELETE CASCADE,
  id TEXT NOT NULL, source_anchor TEXT NOT NULL,
  upn TEXT NOT NULL, upn_key TEXT NOT NULL, domain TEXT NOT NULL,
  sam TEXT NOT NULL, object_sid TEXT NOT NULL, enabled INTEGER NOT NULL,
  password_expires_at INTEGER, display_name TEXT NOT NULL,
  updated_at INTEGER NOT NULL, change_seq INTEGER NOT NULL,
  PRIMARY KEY (tenant_id, id),
  UNIQUE (tenant_id, source_anchor),
  UNIQUE (tenant_id, upn_key));
CREATE INDEX cloud_user_by_domain ON cloud_user (tenant_id, domain, upn_key);
CREATE INDEX cloud_user_by_change ON cloud_user (tenant_id, change_seq);
CREATE TABLE kerberos_server (
  tenant_id TEXT NOT NULL REFERENCES tenant(id) ON DELETE CASCADE,
  domain TEXT NOT NULL,
  branch_id INTEGER NOT NULL CHECK (branch_id BETWEEN 1 AND 65535),
  enctype INTEGER NOT NULL, kvno INTEGER NOT NULL, wrapped_key BLOB NOT NULL,
  prev_enctype INTEGER, prev_kvno INTEGER, prev_wrapped_key BLOB,
  key_updated_on INTEGER NOT NULL, key_updated_from TEXT NOT NULL,
  created INTEGER NOT NULL,
  PRIMARY KEY (tenant_id, domain));
CREATE TABLE webauthn_credential (
  tenant_id TEXT NOT NULL REFERENCES tenant(id) ON DELETE CASCADE,
  credential_id BLOB NOT NULL, user_id TEXT NOT NULL,
  public_key_cose BLOB NOT NULL, alg INTEGER NOT NULL, sign_count INTEGER NOT NULL,
  aaguid BLOB NOT NULL, att_format TEXT NOT NULL, att_type TEXT NOT NULL, x5c BLOB NOT NULL,
  be INTEGER NOT NULL, bs INTEGER NOT NULL, uv_initialized INTEGER NOT NULL,
  transports TEXT NOT NULL, friendly_name TEXT NOT NULL,
  created INTEGER NOT NULL, last_used INTEGER,
  PRIMARY KEY (tenant_id, credential_id),
  FOREIGN KEY (tenant_id, user_id) REFERENCES cloud_user(tenant_id, id) ON DELETE CASCADE);
CREATE INDEX webauthn_credential_by_user ON webauthn_credential (tenant_id, user_id);
CREATE TABLE challenge (
  tenant_id TEXT NOT NULL REFERENCES tenant(id) ON DELETE CASCADE,
  id TEXT NOT NULL, purpose INTEGER NOT NULL, user_id TEXT,
  challenge BLOB NOT NULL, expires_at INTEGER NOT NULL, ceremony_json TEXT NOT NULL,
  PRIMARY KEY (tenant_id, id),
  FOREIGN KEY (tenant_id, user_id) REFERENCES cloud_user(tenant_id, id) ON DELETE CASCADE);
CREATE INDEX challenge_by_expiry ON challenge (expires_at);
CREATE INDEX challenge_by_user ON challenge (tenant_id, user_id);
CREATE TABLE access_pass (
  tenant_id TEXT NOT NULL REFERENCES tenant(id) ON DELETE CASCADE,
  id TEXT NOT NULL, user_id TEXT NOT NULL, secret_hash BLOB NOT NULL,
  one_time INTEGER NOT NULL, starts_at INTEGER NOT NULL, expires_at INTEGER NOT NULL,
  used_at INTEGER, created INTEGER NOT NULL,
  PRIMARY KEY (tenant_id, id),
  UNIQUE (tenant_id, secret_hash),
  FOREIGN KEY (tenant_id, user_id) REFERENCES cloud_user(tenant_id, id) ON DELETE CASCADE);
CREATE INDEX access_pass_by_user ON access_pass (tenant_id, user_id);
CREATE TABLE device (
  tenant_id TEXT NOT NULL REFERENCES tenant(id) ON DELETE CASCADE,
  id TEXT NOT NULL, registered_by TEXT NOT NULL, display_name TEXT NOT NULL,
  join_type INTEGER NOT NULL, device_key BLOB NOT NULL, transport_key BLOB NOT NULL,
  enabled INTEGER NOT NULL, created INTEGER NOT NULL, last_seen INTEGER,
  PRIMARY KEY (tenant_id, id));
CREATE INDEX device_by_user ON device (tenant_id, registered_by);
CREATE TABLE prt (
  tenant_id TEXT NOT NULL REFERENCES tenant(id) ON DELETE CASCADE,
  id BLOB NOT NULL, user_id TEXT NOT NULL, device_id TEXT NOT NULL,
  session_key BLOB NOT NULL, issued_at INTEGER NOT NULL, expires_at INTEGER NOT NULL,
  revoked INTEGER NOT NULL,
  PRIMARY KEY (tenant_id, id),
  FOREIGN KEY (tenant_id, user_id) REFERENCES cloud_user(tenant_id, id) ON DELETE CASCADE,
  FOREIGN KEY (tenant_id, device_id) REFERENCES device(tenant_id, id) ON DELETE CASCADE);
CREATE INDEX prt_by_user ON prt (tenant_id, user_id);
CREATE INDEX prt_by_device ON prt (tenant_id, device_id);
CREATE INDEX prt_by_expiry ON prt (expires_at);
)sql",
    // Version 2: each tenant's device CA (certificate and wrapped private key).
    R"sql(
CREATE TABLE device_ca (
  tenant_id TEXT PRIMARY KEY REFERENCES tenant(id) ON DELETE CASCADE,
  certificate BLOB NOT NULL, wrapped_key BLOB NOT NULL, created INTEGER NOT NULL);
)sql",
    // Version 3: the possibly-cloned mark of a credential (docs/cloud-signin.md), and an
    // index for the housekeeping purge of revoked PRTs.
    R"sql(
ALTER TABLE webauthn_credential ADD COLUMN possibly_cloned INTEGER NOT NULL DEFAULT 0;
CREATE INDEX prt_revoked ON prt (tenant_id) WHERE revoked = 1;
)sql",
};

}  // namespace kb::store::sqlite
