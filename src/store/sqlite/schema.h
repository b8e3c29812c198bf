// The directory schema, one migration per version. Version N's statements take a
// database at version N-1 to N; they never change once released.
#pragma once

namespace kb::store::sqlite {

inline constexpr const char* kDirectoryMigrations[] = {
    // Version 1.
    R"sql(
CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE domain (
  id INTEGER PRIMARY KEY CHECK (id = 1),
  dns_name TEXT NOT NULL, realm TEXT NOT NULL, netbios_name TEXT NOT NULL, sid TEXT NOT NULL,
  max_password_age_s INTEGER NOT NULL, max_ticket_lifetime_s INTEGER NOT NULL,
  max_renew_lifetime_s INTEGER NOT NULL, max_clock_skew_s INTEGER NOT NULL,
  next_rid INTEGER NOT NULL);
CREATE TABLE account (
  rid INTEGER PRIMARY KEY,
  object_class INTEGER NOT NULL,
  sam TEXT NOT NULL UNIQUE COLLATE NOCASE,
  upn TEXT UNIQUE COLLATE NOCASE,
  display_name TEXT NOT NULL,
  uac INTEGER NOT NULL, primary_group_id INTEGER NOT NULL,
  pwd_last_set INTEGER NOT NULL, account_expires INTEGER NOT NULL,
  lockout_time INTEGER NOT NULL, bad_pwd_count INTEGER NOT NULL);
CREATE TABLE spn (
  spn TEXT PRIMARY KEY COLLATE NOCASE,
  rid INTEGER NOT NULL REFERENCES account(rid) ON DELETE CASCADE);
CREATE INDEX spn_by_rid ON spn(rid);
CREATE TABLE account_key (
  rid INTEGER NOT NULL REFERENCES account(rid) ON DELETE CASCADE,
  kvno INTEGER NOT NULL, enctype INTEGER NOT NULL,
  wrapped_key BLOB NOT NULL, salt TEXT NOT NULL, s2kparams BLOB NOT NULL,
  PRIMARY KEY (rid, kvno, enctype));
CREATE TABLE account_attr (
  rid INTEGER NOT NULL REFERENCES account(rid) ON DELETE CASCADE,
  name TEXT NOT NULL COLLATE NOCASE, seq INTEGER NOT NULL, value TEXT NOT NULL,
  PRIMARY KEY (rid, name, seq));
CREATE INDEX account_attr_by_value ON account_attr(name, value);
CREATE TABLE grp (sid TEXT PRIMARY KEY, sam TEXT NOT NULL UNIQUE COLLATE NOCASE);
CREATE TABLE grp_member (
  group_sid TEXT NOT NULL REFERENCES grp(sid) ON DELETE CASCADE,
  member_sid TEXT NOT NULL,
  PRIMARY KEY (group_sid, member_sid));
CREATE INDEX grp_member_by_member ON grp_member(member_sid);
)sql",
    // Version 2: other directory objects (service connection points).
    R"sql(
CREATE TABLE object (dn TEXT PRIMARY KEY COLLATE NOCASE, object_class TEXT NOT NULL);
CREATE TABLE object_attr (
  dn TEXT NOT NULL COLLATE NOCASE REFERENCES object(dn) ON DELETE CASCADE,
  name TEXT NOT NULL COLLATE NOCASE, seq INTEGER NOT NULL, value TEXT NOT NULL,
  PRIMARY KEY (dn, name, seq));
)sql",
    // Version 3: account lockout policy on the domain (lockoutThreshold, lockoutDuration,
    // lockOutObservationWindow; AD's defaults) and badPasswordTime on accounts.
    R"sql(
ALTER TABLE domain ADD COLUMN lockout_threshold INTEGER NOT NULL DEFAULT 0;
ALTER TABLE domain ADD COLUMN lockout_duration_s INTEGER NOT NULL DEFAULT 1800;
ALTER TABLE domain ADD COLUMN lockout_observation_window_s INTEGER NOT NULL DEFAULT 1800;
ALTER TABLE account ADD COLUMN bad_password_time INTEGER NOT NULL DEFAULT 0;
)sql",
    // Version 4: a change counter that every write to the directory bumps (one trigger per
    // table and statement kind), so a running KDC can cache accounts and see, with one
    // cheap read per request, that another process (keybridge dc ...) changed something.
    R"sql(
CREATE TABLE generation (id INTEGER PRIMARY KEY CHECK (id = 1), n INTEGER NOT NULL);
INSERT INTO generation (id, n) VALUES (1, 0);
CREATE TRIGGER domain_insert_gen AFTER INSERT ON domain BEGIN UPDATE generation SET n = n + 1; END;
CREATE TRIGGER domain_update_gen AFTER UPDATE ON domain BEGIN UPDATE generation SET n = n + 1; END;
CREATE TRIGGER domain_delete_gen AFTER DELETE ON domain BEGIN UPDATE generation SET n = n + 1; END;
CREATE TRIGGER account_insert_gen AFTER INSERT ON account BEGIN UPDATE generation SET n = n + 1; END;
CREATE TRIGGER account_update_gen AFTER UPDATE ON account BEGIN UPDATE generation SET n = n + 1; END;
CREATE TRIGGER account_delete_gen AFTER DELETE ON account BEGIN UPDATE generation SET n = n + 1; END;
CREATE TRIGGER spn_insert_gen AFTER INSERT ON spn BEGIN UPDATE generation SET n = n + 1; END;
CREATE TRIGGER spn_update_gen AFTER UPDATE ON spn BEGIN UPDATE generation SET n = n + 1; END;
CREATE TRIGGER spn_delete_gen AFTER DELETE ON spn BEGIN UPDATE generation SET n = n + 1; END;
CREATE TRIGGER account_key_insert_gen AFTER INSERT ON account_key BEGIN UPDATE generation SET n = n + 1; END;
CREATE TRIGGER account_key_update_gen AFTER UPDATE ON account_key BEGIN UPDATE generation SET n = n + 1; END;
CREATE TRIGGER account_key_delete_gen AFTER DELETE ON account_key BEGIN UPDATE generation SET n = n + 1; END;
CREATE TRIGGER account_attr_insert_gen AFTER INSERT ON account_attr BEGIN UPDATE generation SET n = n + 1; END;
CREATE TRIGGER account_attr_update_gen AFTER UPDATE ON account_attr BEGIN UPDATE generation SET n = n + 1; END;
CREATE TRIGGER account_attr_delete_gen AFTER DELETE ON account_attr BEGIN UPDATE generation SET n = n + 1; END;
CREATE TRIGGER grp_insert_gen AFTER INSERT ON grp BEGIN UPDATE generation SET n = n + 1; END;
CREATE TRIGGER grp_update_gen AFTER UPDATE ON grp BEGIN UPDATE generation SET n = n + 1; END;
CREATE TRIGGER grp_delete_gen AFTER DELETE ON grp BEGIN UPDATE generation SET n = n + 1; END;
CREATE TRIGGER grp_member_insert_gen AFTER INSERT ON grp_member BEGIN UPDATE generation SET n = n + 1; END;
CREATE TRIGGER grp_member_update_gen AFTER UPDATE ON grp_member BEGIN UPDATE generation SET n = n + 1; END;
CREATE TRIGGER grp_member_delete_gen AFTER DELETE ON grp_member BEGIN UPDATE generation SET n = n + 1; END;
CREATE TRIGGER object_insert_gen AFTER INSERT ON object BEGIN UPDATE generation SET n = n + 1; END;
CREATE TRIGGER object_update_gen AFTER UPDATE ON object BEGIN UPDATE generation SET n = n + 1; END;
CREATE TRIGGER object_delete_gen AFTER DELETE ON object BEGIN UPDATE generation SET n = n + 1; END;
CREATE TRIGGER object_attr_insert_gen AFTER INSERT ON object_attr BEGIN UPDATE generation SET n = n + 1; END;
CREATE TRIGGER object_attr_update_gen AFTER UPDATE ON object_attr BEGIN UPDATE generation SET n = n + 1; END;
CREATE TRIGGER object_attr_delete_gen AFTER DELETE ON object_attr BEGIN UPDATE generation SET n = n + 1; END;
)sql",
};

}  // namespace kb::store::sqlite
