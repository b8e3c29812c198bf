// The cloud schema on PostgreSQL, one migration per version. Version N's text takes a
// database at version N-1 to N; released texts never change. sqlite/cloud_schema.h holds
// the same tables in SQLite's types: keep the two in step (same names and columns, so the
// statements of sql/cloud_txn*.cc run on both). upn_key compares bytewise ("C"), as
// SQLite's BINARY does, so users_by_domain pages the same way whatever the database's
// default collation.
//
// Times are integer microseconds since the Unix epoch; flags are 0/1 integers; every
// table is keyed by tenant first, and rows that belong to a user or device reference it
// with ON DELETE CASCADE, so deleting a user removes their credentials, passes, PRTs and
// pending challenges.
#pragma once

namespace kb::store::postgres {

inline constexpr const char* kCloudMigrations[] = {
    // Version 1.
    R"sql(
CREATE TABLE schema_version (version BIGINT NOT NULL);
CREATE TABLE tenant (
  id TEXT PRIMARY KEY, name TEXT NOT NULL, created BIGINT NOT NULL,
  user_seq BIGINT NOT NULL DEFAULT 0);
CREATE TABLE admin_token (
  tenant_id TEXT NOT NULL REFERENCES tenant(id) ON DELETE CASCADE,
  token_id TEXT NOT NULL, secret_hash BYTEA NOT NULL UNIQUE,
  created BIGINT NOT NULL, description TEXT NOT NULL,
  PRIMARY KEY (tenant_id, token_id));
CREATE TABLE tenant_policy (
  tenant_id TEXT PRIMARY KEY REFERENCES tenant(id) ON DELETE CASCADE,
  require_attestation BIGINT NOT NULL, require_uv BIGINT NOT NULL,
  aaguid_allow BYTEA NOT NULL, aaguid_block BYTEA NOT NULL,
  tap_lifetime_s BIGINT NOT NULL, tap_one_time BIGINT NOT NULL,
  prt_lifetime_s BIGINT NOT NULL);
CREATE TABLE cloud_user (
  tenant_id TEXT NOT NULL REFERENCES tenant(id) ON DELETE CASCADE,
  id TEXT NOT NULL, source_anchor TEXT NOT NULL,
  upn TEXT NOT NULL, upn_key TEXT COLLATE "C" NOT NULL, domain TEXT NOT NULL,
  sam TEXT NOT NULL, object_sid TEXT NOT NULL, enabled BIGINT NOT NULL,
  password_expires_at BIGINT, display_name TEXT NOT NULL,
  updated_at BIGINT NOT NULL, change_seq BIGINT NOT NULL,
  PRIMARY KEY (tenant_id, id),
  UNIQUE (tenant_id, source_anchor),
  UNIQUE (tenant_id, upn_key));
CREATE INDEX cloud_user_by_domain ON cloud_user (tenant_id, domain, upn_key);
CREATE INDEX cloud_user_by_change ON cloud_user (tenant_id, change_seq);
CREATE TABLE kerberos_server (
  tenant_id TEXT NOT NULL REFERENCES tenant(id) ON DELETE CASCADE,
  domain TEXT NOT NULL,
  branch_id BIGINT NOT NULL CHECK (branch_id BETWEEN 1 AND 65535),
  enctype BIGINT NOT NULL, kvno BIGINT NOT NULL, wrapped_key BYTEA NOT NULL,
  prev_enctype BIGINT, prev_kvno BIGINT, prev_wrapped_key BYTEA,
  key_updated_on BIGINT NOT NULL, key_updated_from TEXT NOT NULL,
  created BIGINT NOT NULL,
  PRIMARY KEY (tenant_id, domain));
CREATE TABLE webauthn_credential (
  tenant_id TEXT NOT NULL REFERENCES tenant(id) ON DELETE CASCADE,
  credential_id BYTEA NOT NULL, user_id TEXT NOT NULL,
  public_key_cose BYTEA NOT NULL, alg BIGINT NOT NULL, sign_count BIGINT NOT NULL,
  aaguid BYTEA NOT NULL, att_format TEXT NOT NULL, att_type TEXT NOT NULL, x5c BYTEA NOT NULL,
  be BIGINT NOT NULL, bs BIGINT NOT NULL, uv_initialized BIGINT NOT NULL,
  transports TEXT NOT NULL, friendly_name TEXT NOT NULL,
  created BIGINT NOT NULL, last_used BIGINT,
  PRIMARY KEY (tenant_id, credential_id),
  FOREIGN KEY (tenant_id, user_id) REFERENCES cloud_user(tenant_id, id) ON DELETE CASCADE);
CREATE INDEX webauthn_credential_by_user ON webauthn_credential (tenant_id, user_id);
CREATE TABLE challenge (
  tenant_id TEXT NOT NULL REFERENCES tenant(id) ON DELETE CASCADE,
  id TEXT NOT NULL, purpose BIGINT NOT NULL, user_id TEXT,
  challenge BYTEA NOT NULL, expires_at BIGINT NOT NULL, ceremony_json TEXT NOT NULL,
  PRIMARY KEY (tenant_id, id),
  FOREIGN KEY (tenant_id, user_id) REFERENCES cloud_user(tenant_id, id) ON DELETE CASCADE);
CREATE INDEX challenge_by_expiry ON challenge (expires_at);
CREATE INDEX challenge_by_user ON challenge (tenant_id, user_id);
CREATE TABLE access_pass (
  tenant_id TEXT NOT NULL REFERENCES tenant(id) ON DELETE CASCADE,
  id TEXT NOT NULL, user_id TEXT NOT NULL, secret_hash BYTEA NOT NULL,
  one_time BIGINT NOT NULL, starts_at BIGINT NOT NULL, expires_at BIGINT NOT NULL,
  used_at BIGINT, created BIGINT NOT NULL,
  PRIMARY KEY (tenant_id, id),
  UNIQUE (tenant_id, secret_hash),
  FOREIGN KEY (tenant_id, user_id) REFERENCES cloud_user(tenant_id, id) ON DELETE CASCADE);
CREATE INDEX access_pass_by_user ON access_pass (tenant_id, user_id);
CREATE TABLE device (
  tenant_id TEXT NOT NULL REFERENCES tenant(id) ON DELETE CASCADE,
  id TEXT NOT NULL, registered_by TEXT NOT NULL, display_name TEXT NOT NULL,
  join_type BIGINT NOT NULL, device_key BYTEA NOT NULL, transport_key BYTEA NOT NULL,
  enabled BIGINT NOT NULL, created BIGINT NOT NULL, last_seen BIGINT,
  PRIMARY KEY (tenant_id, id));
CREATE INDEX device_by_user ON device (tenant_id, registered_by);
CREATE TABLE prt (
  tenant_id TEXT NOT NULL REFERENCES tenant(id) ON DELETE CASCADE,
  id BYTEA NOT NULL, user_id TEXT NOT NULL, device_id TEXT NOT NULL,
  session_key BYTEA NOT NULL, issued_at BIGINT NOT NULL, expires_at BIGINT NOT NULL,
  revoked BIGINT NOT NULL,
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
  certificate BYTEA NOT NULL, wrapped_key BYTEA NOT NULL, created BIGINT NOT NULL);
)sql",
    // Version 3: the possibly-cloned mark of a credential (docs/cloud-signin.md), and an
    // index for the housekeeping purge of revoked PRTs.
    R"sql(
ALTER TABLE webauthn_credential ADD COLUMN possibly_cloned BIGINT NOT NULL DEFAULT 0;
CREATE INDEX prt_revoked ON prt (tenant_id) WHERE revoked = 1;
)sql",
};

}  // namespace kb::store::postgres
