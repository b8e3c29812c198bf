#include "store/sqlite/sqlite_directory.h"

#include <sqlite3.h>

#include "store/sqlite/schema.h"
#include "store/sqlite/sqlite_db.h"

namespace kb::store::sqlite {
namespace {

// Statement texts are static so the per-connection cache can key on their address.
constexpr const char kSelectByRid[] =
    "SELECT rid, object_class, sam, upn, display_name, uac, primary_group_id, pwd_last_set, "
    "account_expires, lockout_time, bad_pwd_count, bad_password_time FROM account WHERE rid = ?1";
constexpr const char kSelectBySam[] = "SELECT rid FROM account WHERE sam = ?1";
constexpr const char kSelectByUpn[] = "SELECT rid FROM account WHERE upn = ?1";
constexpr const char kSelectBySpn[] = "SELECT rid FROM spn WHERE spn = ?1";
constexpr const char kSelectByAttr[] =
    "SELECT DISTINCT rid FROM account_attr WHERE name = ?1 AND value = ?2 ORDER BY rid";
constexpr const char kSelectAllRids[] = "SELECT rid FROM account ORDER BY rid";
constexpr const char kSelectSpns[] = "SELECT spn FROM spn WHERE rid = ?1 ORDER BY rowid";
constexpr const char kSelectKeys[] =
    "SELECT enctype, kvno, wrapped_key, salt, s2kparams FROM account_key WHERE rid = ?1 "
    "ORDER BY kvno DESC, rowid";
constexpr const char kSelectAttrs[] =
    "SELECT name, value FROM account_attr WHERE rid = ?1 ORDER BY name, seq";
constexpr const char kUpsertAccount[] =
    "INSERT INTO account (rid, object_class, sam, upn, display_name, uac, primary_group_id, "
    "pwd_last_set, account_expires, lockout_time, bad_pwd_count, bad_password_time) "
    "VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12) "
    "ON CONFLICT(rid) DO UPDATE SET object_class = ?2, sam = ?3, upn = ?4, display_name = ?5, "
    "uac = ?6, primary_group_id = ?7, pwd_last_set = ?8, account_expires = ?9, "
    "lockout_time = ?10, bad_pwd_count = ?11, bad_password_time = ?12";
constexpr const char kUpdateLogonState[] =
    "UPDATE account SET bad_pwd_count = ?2, bad_password_time = ?3, lockout_time = ?4 "
    "WHERE rid = ?1";
constexpr const char kDeleteSpns[] = "DELETE FROM spn WHERE rid = ?1";
constexpr const char kInsertSpn[] = "INSERT INTO spn (spn, rid) VALUES (?1, ?2)";
constexpr const char kDeleteKeys[] = "DELETE FROM account_key WHERE rid = ?1";
constexpr const char kInsertKey[] =
    "INSERT INTO account_key (rid, kvno, enctype, wrapped_key, salt, s2kparams) "
    "VALUES (?1, ?2, ?3, ?4, ?5, ?6)";
constexpr const char kDeleteAttrs[] = "DELETE FROM account_attr WHERE rid = ?1";
constexpr const char kInsertAttr[] =
    "INSERT INTO account_attr (rid, name, seq, value) VALUES (?1, ?2, ?3, ?4)";
constexpr const char kDeleteAccount[] = "DELETE FROM account WHERE rid = ?1";
constexpr const char kSelectDomain[] =
    "SELECT dns_name, realm, netbios_name, sid, max_password_age_s, max_ticket_lifetime_s, "
    "max_renew_lifetime_s, max_clock_skew_s, next_rid, lockout_threshold, lockout_duration_s, "
    "lockout_observation_window_s FROM domain WHERE id = 1";
constexpr const char kUpsertDomain[] =
    "INSERT INTO domain (id, dns_name, realm, netbios_name, sid, max_password_age_s, "
    "max_ticket_lifetime_s, max_renew_lifetime_s, max_clock_skew_s, next_rid, "
    "lockout_threshold, lockout_duration_s, lockout_observation_window_s) "
    "VALUES (1, ?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12) ON CONFLICT(id) DO UPDATE SET "
    "dns_name = ?1, realm = ?2, netbios_name = ?3, sid = ?4, max_password_age_s = ?5, "
    "max_ticket_lifetime_s = ?6, max_renew_lifetime_s = ?7, max_clock_skew_s = ?8, "
    "next_rid = ?9, lockout_threshold = ?10, lockout_duration_s = ?11, "
    "lockout_observation_window_s = ?12";
constexpr const char kBumpRid[] =
    "UPDATE domain SET next_rid = next_rid + 1 WHERE id = 1 RETURNING next_rid - 1";
constexpr const char kRidInUse[] = "SELECT 1 FROM account WHERE rid = ?1";
constexpr const char kSelectGroupBySid[] = "SELECT sid, sam FROM grp WHERE sid = ?1";
constexpr const char kSelectGroupBySam[] = "SELECT sid, sam FROM grp WHERE sam = ?1";
constexpr const char kSelectAllGroups[] = "SELECT sid, sam FROM grp ORDER BY sid";
constexpr const char kSelectMembers[] =
    "SELECT member_sid FROM grp_member WHERE group_sid = ?1 ORDER BY rowid";
constexpr const char kUpsertGroup[] =
    "INSERT INTO grp (sid, sam) VALUES (?1, ?2) ON CONFLICT(sid) DO UPDATE SET sam = ?2";
constexpr const char kDeleteMembers[] = "DELETE FROM grp_member WHERE group_sid = ?1";
constexpr const char kInsertMember[] =
    "INSERT OR IGNORE INTO grp_member (group_sid, member_sid) VALUES (?1, ?2)";
constexpr const char kDeleteGroup[] = "DELETE FROM grp WHERE sid = ?1";
// UNION (not UNION ALL) makes the recursion stop on membership cycles.
constexpr const char kGroupsContaining[] =
    "WITH RECURSIVE g(sid) AS ("
    "  SELECT group_sid FROM grp_member WHERE member_sid = ?1"
    "  UNION SELECT gm.group_sid FROM grp_member gm JOIN g ON gm.member_sid = g.sid)"
    " SELECT sid FROM g ORDER BY sid";

constexpr const char kSelectObject[] = "SELECT dn, object_class FROM object WHERE dn = ?1";
constexpr const char kSelectObjectAttrs[] =
    "SELECT name, value FROM object_attr WHERE dn = ?1 ORDER BY name, seq";
constexpr const char kUpsertObject[] =
    "INSERT INTO object (dn, object_class) VALUES (?1, ?2) "
    "ON CONFLICT(dn) DO UPDATE SET object_class = ?2";
constexpr const char kDeleteObjectAttrs[] = "DELETE FROM object_attr WHERE dn = ?1";
constexpr const char kInsertObjectAttr[] =
    "INSERT INTO object_attr (dn, name, seq, value) VALUES (?1, ?2, ?3, ?4)";
constexpr const char kDeleteObject[] = "DELETE FROM object WHERE dn = ?1";
constexpr const char kSelectGeneration[] = "SELECT n FROM generation WHERE id = 1";
// Transaction control as prepared statements: sqlite3_exec would parse them every time.
constexpr const char kBeginDeferred[] = "BEGIN DEFERRED";
constexpr const char kBeginImmediate[] = "BEGIN IMMEDIATE";
constexpr const char kCommit[] = "COMMIT";
constexpr const char kRollback[] = "ROLLBACK";

Result<std::uint64_t> read_generation(Db& db) {
  auto s = KB_TRY(db.prepare(kSelectGeneration));
  if (!KB_TRY(s.step())) return Error(Errc::kBackend, "the generation row is missing");
  return static_cast<std::uint64_t>(s.int64(0));
}

class Txn final : public DirectoryTxn {
 public:
  explicit Txn(Db& db) : db_(db) {}

  Result<std::optional<Domain>> domain() override {
    auto s = KB_TRY(db_.prepare(kSelectDomain));
    if (!KB_TRY(s.step())) return std::optional<Domain>();
    Domain d;
    d.dns_name = s.text(0);
    d.realm = s.text(1);
    d.netbios_name = s.text(2);
    d.sid = s.text(3);
    d.max_password_age_s = s.int64(4);
    d.max_ticket_lifetime_s = s.int64(5);
    d.max_renew_lifetime_s = s.int64(6);
    d.max_clock_skew_s = s.int64(7);
    d.next_rid = static_cast<std::uint32_t>(s.int64(8));
    d.lockout_threshold = static_cast<std::uint32_t>(s.int64(9));
    d.lockout_duration_s = s.int64(10);
    d.lockout_observation_window_s = s.int64(11);
    return std::optional<Domain>(std::move(d));
  }

  Result<void> put_domain(const Domain& d) override {
    auto s = KB_TRY(db_.prepare(kUpsertDomain));
    s.bind(1, d.dns_name).bind(2, d.realm).bind(3, d.netbios_name).bind(4, d.sid);
    s.bind(5, d.max_password_age_s).bind(6, d.max_ticket_lifetime_s);
    s.bind(7, d.max_renew_lifetime_s).bind(8, d.max_clock_skew_s);
    s.bind(9, std::int64_t{d.next_rid}).bind(10, std::int64_t{d.lockout_threshold});
    s.bind(11, d.lockout_duration_s).bind(12, d.lockout_observation_window_s);
    return s.run();
  }

  Result<std::optional<Account>> account_by_rid(std::uint32_t rid) override {
    return load_account(rid);
  }
  Result<std::optional<Account>> account_by_sam(std::string_view sam) override {
    return by_key(kSelectBySam, sam);
  }
  Result<std::optional<Account>> account_by_upn(std::string_view upn) override {
    if (upn.empty()) return std::optional<Account>();
    return by_key(kSelectByUpn, upn);
  }
  Result<std::optional<Account>> account_by_spn(std::string_view spn) override {
    return by_key(kSelectBySpn, spn);
  }

  Result<std::vector<Account>> accounts_by_attribute(std::string_view name,
                                                     std::string_view value) override {
    auto s = KB_TRY(db_.prepare(kSelectByAttr));
    s.bind(1, name).bind(2, value);
    return load_many(s);
  }

  Result<std::vector<Account>> all_accounts() override {
    auto s = KB_TRY(db_.prepare(kSelectAllRids));
    return load_many(s);
  }

  Result<void> put_account(const Account& a) override {
    if (a.sam_account_name.empty()) {
      return Error(Errc::kInvalidArgument, "sAMAccountName is required");
    }
    {
      auto s = KB_TRY(db_.prepare(kUpsertAccount));
      s.bind(1, std::int64_t{a.rid}).bind(2, static_cast<std::int64_t>(a.object_class));
      s.bind(3, a.sam_account_name).bind_text_or_null(4, a.user_principal_name);
      s.bind(5, a.display_name).bind(6, std::int64_t{a.user_account_control});
      s.bind(7, std::int64_t{a.primary_group_id}).bind(8, a.pwd_last_set);
      s.bind(9, a.account_expires).bind(10, a.lockout_time);
      s.bind(11, std::int64_t{a.bad_pwd_count}).bind(12, a.bad_password_time);
      auto r = s.run();
      if (!r) return conflict_or(std::move(r).error(), "sAMAccountName or UPN already in use");
    }
    KB_CHECK(replace_children(a));
    return ok();
  }

  Result<void> put_logon_state(const Account& a) override {
    auto s = KB_TRY(db_.prepare(kUpdateLogonState));
    s.bind(1, std::int64_t{a.rid}).bind(2, std::int64_t{a.bad_pwd_count});
    s.bind(3, a.bad_password_time).bind(4, a.lockout_time);
    KB_CHECK(s.run());
    if (db_.changes() == 0) return Error(Errc::kNotFound, "no account with that RID");
    return ok();
  }

  Result<void> delete_account(std::uint32_t rid) override {
    auto s = KB_TRY(db_.prepare(kDeleteAccount));
    s.bind(1, std::int64_t{rid});
    KB_CHECK(s.run());
    if (db_.changes() == 0) return Error(Errc::kNotFound, "no account with that RID");
    return ok();
  }

  Result<std::uint32_t> allocate_rid() override {
    for (int tries = 0; tries < 1000; ++tries) {
      auto s = KB_TRY(db_.prepare(kBumpRid));
      if (!KB_TRY(s.step())) return Error(Errc::kNotFound, "the domain is not initialised");
      auto rid = static_cast<std::uint32_t>(s.int64(0));
      KB_CHECK(s.run());
      auto used = KB_TRY(db_.prepare(kRidInUse));
      used.bind(1, std::int64_t{rid});
      if (!KB_TRY(used.step())) return rid;
    }
    return Error(Errc::kConflict, "no free RID found");
  }

  Result<std::optional<Group>> group_by_sid(std::string_view sid) override {
    return load_group(kSelectGroupBySid, sid);
  }
  Result<std::optional<Group>> group_by_sam(std::string_view sam) override {
    return load_group(kSelectGroupBySam, sam);
  }

  Result<std::vector<Group>> all_groups() override {
    std::vector<std::string> sids;
    {
      auto s = KB_TRY(db_.prepare(kSelectAllGroups));
      while (KB_TRY(s.step())) sids.push_back(s.text(0));
    }
    std::vector<Group> out;
    for (const auto& sid : sids) {
      auto g = KB_TRY(load_group(kSelectGroupBySid, sid));
      if (g) out.push_back(std::move(*g));
    }
    return out;
  }

  Result<void> put_group(const Group& g) override {
    if (g.sid.empty() || g.sam_account_name.empty()) {
      return Error(Errc::kInvalidArgument, "a group needs a SID and a name");
    }
    {
      auto s = KB_TRY(db_.prepare(kUpsertGroup));
      s.bind(1, g.sid).bind(2, g.sam_account_name);
      auto r = s.run();
      if (!r) return conflict_or(std::move(r).error(), "group name already in use");
    }
    auto del = KB_TRY(db_.prepare(kDeleteMembers));
    del.bind(1, g.sid);
    KB_CHECK(del.run());
    for (const auto& m : g.member_sids) {
      auto s = KB_TRY(db_.prepare(kInsertMember));
      s.bind(1, g.sid).bind(2, m);
      KB_CHECK(s.run());
    }
    return ok();
  }

  Result<void> delete_group(std::string_view sid) override {
    auto s = KB_TRY(db_.prepare(kDeleteGroup));
    s.bind(1, sid);
    KB_CHECK(s.run());
    if (db_.changes() == 0) return Error(Errc::kNotFound, "no group with that SID");
    return ok();
  }

  Result<std::vector<std::string>> groups_containing(std::string_view member_sid) override {
    auto s = KB_TRY(db_.prepare(kGroupsContaining));
    s.bind(1, member_sid);
    std::vector<std::string> out;
    while (KB_TRY(s.step())) out.push_back(s.text(0));
    return out;
  }

  Result<std::optional<DirectoryObject>> object_by_dn(std::string_view dn) override {
    DirectoryObject o;
    {
      auto s = KB_TRY(db_.prepare(kSelectObject));
      s.bind(1, dn);
      if (!KB_TRY(s.step())) return std::optional<DirectoryObject>();
      o.dn = s.text(0);
      o.object_class = s.text(1);
    }
    auto s = KB_TRY(db_.prepare(kSelectObjectAttrs));
    s.bind(1, o.dn);
    while (KB_TRY(s.step())) o.attributes[s.text(0)].push_back(s.text(1));
    return std::optional<DirectoryObject>(std::move(o));
  }

  Result<void> put_object(const DirectoryObject& o) override {
    if (o.dn.empty() || o.object_class.empty()) {
      return Error(Errc::kInvalidArgument, "an object needs a DN and an objectClass");
    }
    {
      auto s = KB_TRY(db_.prepare(kUpsertObject));
      s.bind(1, o.dn).bind(2, o.object_class);
      KB_CHECK(s.run());
    }
    auto del = KB_TRY(db_.prepare(kDeleteObjectAttrs));
    del.bind(1, o.dn);
    KB_CHECK(del.run());
    for (const auto& [name, values] : o.attributes) {
      std::int64_t seq = 0;
      for (const auto& v : values) {
        auto s = KB_TRY(db_.prepare(kInsertObjectAttr));
        s.bind(1, o.dn).bind(2, name).bind(3, seq++).bind(4, v);
        KB_CHECK(s.run());
      }
    }
    return ok();
  }

  Result<void> delete_object(std::string_view dn) override {
    auto s = KB_TRY(db_.prepare(kDeleteObject));
    s.bind(1, dn);
    KB_CHECK(s.run());
    if (db_.changes() == 0) return Error(Errc::kNotFound, "no object with that DN");
    return ok();
  }

  Result<std::uint64_t> generation() override { return read_generation(db_); }

 private:
  static Error conflict_or(Error e, std::string_view what) {
    if (e.is(Errc::kConflict)) return Error(Errc::kConflict, std::string(what));
    return e;
  }

  Result<std::optional<Account>> by_key(const char* sql, std::string_view key) {
    std::int64_t rid = 0;
    {
      auto s = KB_TRY(db_.prepare(sql));
      s.bind(1, key);
      if (!KB_TRY(s.step())) return std::optional<Account>();
      rid = s.int64(0);
    }
    return load_account(static_cast<std::uint32_t>(rid));
  }

  Result<std::vector<Account>> load_many(Stmt& s) {
    std::vector<std::uint32_t> rids;
    while (KB_TRY(s.step())) rids.push_back(static_cast<std::uint32_t>(s.int64(0)));
    std::vector<Account> out;
    for (auto rid : rids) {
      auto a = KB_TRY(load_account(rid));
      if (a) out.push_back(std::move(*a));
    }
    return out;
  }

  Result<std::optional<Account>> load_account(std::uint32_t rid) {
    Account a;
    {
      auto s = KB_TRY(db_.prepare(kSelectByRid));
      s.bind(1, std::int64_t{rid});
      if (!KB_TRY(s.step())) return std::optional<Account>();
      a.rid = static_cast<std::uint32_t>(s.int64(0));
      a.object_class = static_cast<ObjectClass>(s.int64(1));
      a.sam_account_name = s.text(2);
      a.user_principal_name = s.text(3);
      a.display_name = s.text(4);
      a.user_account_control = static_cast<std::uint32_t>(s.int64(5));
      a.primary_group_id = static_cast<std::uint32_t>(s.int64(6));
      a.pwd_last_set = s.int64(7);
      a.account_expires = s.int64(8);
      a.lockout_time = s.int64(9);
      a.bad_pwd_count = static_cast<std::uint32_t>(s.int64(10));
      a.bad_password_time = s.int64(11);
    }
    {
      auto s = KB_TRY(db_.prepare(kSelectSpns));
      s.bind(1, std::int64_t{rid});
      while (KB_TRY(s.step())) a.service_principal_names.push_back(s.text(0));
    }
    {
      auto s = KB_TRY(db_.prepare(kSelectKeys));
      s.bind(1, std::int64_t{rid});
      while (KB_TRY(s.step())) {
        StoredKey k;
        k.enctype = static_cast<std::int32_t>(s.int64(0));
        k.kvno = static_cast<std::uint32_t>(s.int64(1));
        k.wrapped_key = s.blob(2);
        k.salt = s.text(3);
        k.s2kparams = s.blob(4);
        a.keys.push_back(std::move(k));
      }
    }
    {
      auto s = KB_TRY(db_.prepare(kSelectAttrs));
      s.bind(1, std::int64_t{rid});
      while (KB_TRY(s.step())) a.attributes[s.text(0)].push_back(s.text(1));
    }
    return std::optional<Account>(std::move(a));
  }

  Result<void> replace_children(const Account& a) {
    auto rid = std::int64_t{a.rid};
    for (const char* del : {kDeleteSpns, kDeleteKeys, kDeleteAttrs}) {
      auto s = KB_TRY(db_.prepare(del));
      s.bind(1, rid);
      KB_CHECK(s.run());
    }
    for (const auto& spn : a.service_principal_names) {
      auto s = KB_TRY(db_.prepare(kInsertSpn));
      s.bind(1, spn).bind(2, rid);
      auto r = s.run();
      if (!r) return conflict_or(std::move(r).error(), "SPN " + spn + " already in use");
    }
    for (const auto& k : a.keys) {
      auto s = KB_TRY(db_.prepare(kInsertKey));
      s.bind(1, rid).bind(2, std::int64_t{k.kvno}).bind(3, std::int64_t{k.enctype});
      s.bind(4, ByteView(k.wrapped_key)).bind(5, k.salt).bind(6, ByteView(k.s2kparams));
      auto r = s.run();
      if (!r) return conflict_or(std::move(r).error(), "duplicate (kvno, enctype) key");
    }
    for (const auto& [name, values] : a.attributes) {
      std::int64_t seq = 0;
      for (const auto& v : values) {
        auto s = KB_TRY(db_.prepare(kInsertAttr));
        s.bind(1, rid).bind(2, name).bind(3, seq++).bind(4, v);
        KB_CHECK(s.run());
      }
    }
    return ok();
  }

  Result<std::optional<Group>> load_group(const char* sql, std::string_view key) {
    Group g;
    {
      auto s = KB_TRY(db_.prepare(sql));
      s.bind(1, key);
      if (!KB_TRY(s.step())) return std::optional<Group>();
      g.sid = s.text(0);
      g.sam_account_name = s.text(1);
    }
    auto s = KB_TRY(db_.prepare(kSelectMembers));
    s.bind(1, g.sid);
    while (KB_TRY(s.step())) g.member_sids.push_back(s.text(0));
    return std::optional<Group>(std::move(g));
  }

  Db& db_;
};

Result<int> schema_version(Db& db) {
  auto has_meta =
      KB_TRY(db.prepare("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'meta'"));
  if (!KB_TRY(has_meta.step())) return 0;
  auto s = KB_TRY(db.prepare("SELECT value FROM meta WHERE key = 'schema_version'"));
  if (!KB_TRY(s.step())) return 0;
  return std::stoi(s.text(0));
}

Result<void> migrate(Db& db) {
  KB_CHECK(db.exec("BEGIN IMMEDIATE"));
  auto body = [&]() -> Result<void> {
    int v = KB_TRY(schema_version(db));
    constexpr int kLatest = static_cast<int>(std::size(kDirectoryMigrations));
    if (v > kLatest) {
      return Error(Errc::kSchemaVersion, "directory schema " + std::to_string(v) +
                                             " is newer than this program's " +
                                             std::to_string(kLatest));
    }
    for (int next = v + 1; next <= kLatest; ++next) {
      KB_CHECK(db.exec(kDirectoryMigrations[next - 1]));
      auto s =
          KB_TRY(db.prepare("INSERT INTO meta (key, value) VALUES ('schema_version', ?1) "
                            "ON CONFLICT(key) DO UPDATE SET value = ?1"));
      s.bind(1, std::to_string(next));
      KB_CHECK(s.run());
    }
    return ok();
  };
  auto r = body();
  KB_CHECK(db.exec(r ? "COMMIT" : "ROLLBACK"));
  return r;
}

}  // namespace

Result<std::unique_ptr<SqliteDirectoryStore>> SqliteDirectoryStore::open(const std::string& path) {
  std::unique_ptr<SqliteDirectoryStore> store(new SqliteDirectoryStore(path));
  auto db = KB_TRY(Db::open(path));
  KB_CHECK(migrate(*db));
  store->pool_->release(std::move(db), false);
  return store;
}

SqliteDirectoryStore::SqliteDirectoryStore(std::string path)
    : pool_(std::make_unique<DbPool>(std::move(path))) {}
SqliteDirectoryStore::~SqliteDirectoryStore() = default;

Result<void> SqliteDirectoryStore::run(bool read_only,
                                       const std::function<Result<void>(DirectoryTxn&)>& fn) {
  auto db = KB_TRY(pool_->acquire(read_only));
  // Writers take the lock up front: a deferred transaction that later writes can fail with
  // SQLITE_BUSY on the upgrade, which the busy timeout does not cover. In WAL mode a
  // deferred read transaction sees one snapshot and blocks no one.
  {
    auto begin = KB_TRY(db->prepare(read_only ? kBeginDeferred : kBeginImmediate));
    KB_CHECK(begin.run());
  }
  Txn txn(*db);
  auto r = fn(txn);
  Result<void> end = ok();
  {
    auto stmt = db->prepare(r ? kCommit : kRollback);
    end = stmt ? stmt->run() : Result<void>(std::move(stmt).error());
  }
  pool_->release(std::move(db), read_only);
  if (!r) return r;
  return end;
}

Result<void> SqliteDirectoryStore::transact(const std::function<Result<void>(DirectoryTxn&)>& fn) {
  return run(false, fn);
}

Result<std::uint64_t> SqliteDirectoryStore::generation() {
  auto db = KB_TRY(pool_->acquire(true));
  auto g = read_generation(*db);  // autocommit: one statement, one WAL read snapshot
  pool_->release(std::move(db), true);
  return g;
}

Result<void> SqliteDirectoryStore::read(const std::function<Result<void>(DirectoryTxn&)>& fn) {
  return run(true, fn);
}

}  // namespace kb::store::sqlite
