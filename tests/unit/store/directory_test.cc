#include <gtest/gtest.h>
#include <sqlite3.h>

#include <atomic>
#include <thread>

#include "process.h"
#include "store/sqlite/schema.h"
#include "store/sqlite/sqlite_directory.h"

namespace kb::store {
namespace {

using sqlite::SqliteDirectoryStore;

class Directory : public ::testing::Test {
 protected:
  void SetUp() override {
    path_ = (dir_.path() / "dir.db").string();
    auto s = SqliteDirectoryStore::open(path_);
    ASSERT_TRUE(s) << s.error().to_string();
    store_ = std::move(*s);
    ASSERT_TRUE(store_->transact([](DirectoryTxn& t) -> Result<void> {
      Domain d;
      d.dns_name = "contoso.test";
      d.realm = "CONTOSO.TEST";
      d.netbios_name = "CONTOSO";
      d.sid = "S-1-5-21-1-2-3";
      return t.put_domain(d);
    }));
  }

  static Account user(std::uint32_t rid, std::string sam) {
    Account a;
    a.rid = rid;
    a.sam_account_name = std::move(sam);
    a.user_principal_name = a.sam_account_name + "@contoso.test";
    a.pwd_last_set = 1700000000;
    a.keys.push_back({18, 2, Bytes{1, 2, 3}, "CONTOSO.TEST" + a.sam_account_name, {}});
    a.keys.push_back({18, 1, Bytes{4, 5, 6}, "CONTOSO.TEST" + a.sam_account_name, {0, 0, 16, 0}});
    return a;
  }

  kb::testing::TempDir dir_;
  std::string path_;
  std::unique_ptr<SqliteDirectoryStore> store_;
};

TEST_F(Directory, AccountRoundTripsWithKeysSpnsAndAttributes) {
  Account a = user(1105, "web$");
  a.object_class = ObjectClass::kComputer;
  a.user_principal_name.clear();
  a.user_account_control = uac::kWorkstationTrustAccount | uac::kPartialSecretsAccount;
  a.primary_group_id = kRidReadOnlyDomainControllers;
  a.service_principal_names = {"HTTP/web.contoso.test", "host/web"};
  a.attributes["msDS-RevealOnDemandGroup"] = {"S-1-5-21-1-2-3-513", "S-1-5-21-1-2-3-571"};
  a.attributes["msDS-SecondaryKrbTgtNumber"] = {"40001"};
  ASSERT_TRUE(store_->transact([&](DirectoryTxn& t) { return t.put_account(a); }));

  ASSERT_TRUE(store_->transact([&](DirectoryTxn& t) -> Result<void> {
    auto by_rid = KB_TRY(t.account_by_rid(1105));
    EXPECT_TRUE(by_rid.has_value());
    if (by_rid) {
      EXPECT_EQ(*by_rid, a);
    }
    auto by_spn = KB_TRY(t.account_by_spn("http/WEB.contoso.test"));  // case-insensitive
    EXPECT_TRUE(by_spn && by_spn->rid == 1105);
    auto by_sam = KB_TRY(t.account_by_sam("WEB$"));
    EXPECT_TRUE(by_sam && by_sam->rid == 1105);
    auto by_attr = KB_TRY(t.accounts_by_attribute("msDS-SecondaryKrbTgtNumber", "40001"));
    EXPECT_EQ(by_attr.size(), 1u);
    EXPECT_FALSE(KB_TRY(t.account_by_upn("")).has_value());
    return ok();
  }));
}

TEST_F(Directory, NamesAndSpnsAreUniqueAcrossAccounts) {
  ASSERT_TRUE(
      store_->transact([&](DirectoryTxn& t) { return t.put_account(user(1100, "alice")); }));
  Account dup = user(1101, "ALICE");
  auto r = store_->transact([&](DirectoryTxn& t) { return t.put_account(dup); });
  ASSERT_FALSE(r);
  EXPECT_TRUE(r.error().is(Errc::kConflict)) << r.error().to_string();

  Account s1 = user(1102, "svc1");
  s1.service_principal_names = {"HTTP/web"};
  Account s2 = user(1103, "svc2");
  s2.service_principal_names = {"http/WEB"};
  ASSERT_TRUE(store_->transact([&](DirectoryTxn& t) { return t.put_account(s1); }));
  r = store_->transact([&](DirectoryTxn& t) { return t.put_account(s2); });
  ASSERT_FALSE(r);
  EXPECT_TRUE(r.error().is(Errc::kConflict));
  // The failed transaction left nothing behind.
  ASSERT_TRUE(store_->transact([&](DirectoryTxn& t) -> Result<void> {
    EXPECT_FALSE(KB_TRY(t.account_by_rid(1103)).has_value());
    return ok();
  }));
}

TEST_F(Directory, ErrorInsideTransactionRollsBackEverything) {
  auto r = store_->transact([&](DirectoryTxn& t) -> Result<void> {
    KB_CHECK(t.put_account(user(1200, "bob")));
    return Error(Errc::kInvalidArgument, "caller changed its mind");
  });
  ASSERT_FALSE(r);
  ASSERT_TRUE(store_->transact([&](DirectoryTxn& t) -> Result<void> {
    EXPECT_FALSE(KB_TRY(t.account_by_sam("bob")).has_value());
    return ok();
  }));
}

TEST_F(Directory, NestedGroupsResolveTransitivelyAndSurviveCycles) {
  const std::string alice = "S-1-5-21-1-2-3-1100";
  ASSERT_TRUE(store_->transact([&](DirectoryTxn& t) -> Result<void> {
    KB_CHECK(t.put_group({"S-1-5-21-1-2-3-2000", "Engineers", {alice}}));
    KB_CHECK(t.put_group({"S-1-5-21-1-2-3-2001", "Staff", {"S-1-5-21-1-2-3-2000"}}));
    KB_CHECK(t.put_group({"S-1-5-21-1-2-3-2002", "Everyone-ish", {"S-1-5-21-1-2-3-2001"}}));
    // A cycle: Staff is also a member of Everyone-ish's member.
    KB_CHECK(t.put_group({"S-1-5-21-1-2-3-2000", "Engineers", {alice, "S-1-5-21-1-2-3-2002"}}));
    return ok();
  }));
  ASSERT_TRUE(store_->transact([&](DirectoryTxn& t) -> Result<void> {
    auto groups = KB_TRY(t.groups_containing(alice));
    EXPECT_EQ(groups, (std::vector<std::string>{"S-1-5-21-1-2-3-2000", "S-1-5-21-1-2-3-2001",
                                                "S-1-5-21-1-2-3-2002"}));
    return ok();
  }));
}

TEST_F(Directory, RidAllocationSkipsRidsInUse) {
  ASSERT_TRUE(
      store_->transact([&](DirectoryTxn& t) { return t.put_account(user(1000, "taken")); }));
  ASSERT_TRUE(store_->transact([&](DirectoryTxn& t) -> Result<void> {
    EXPECT_EQ(KB_TRY(t.allocate_rid()), 1001u);
    EXPECT_EQ(KB_TRY(t.allocate_rid()), 1002u);
    return ok();
  }));
}

TEST_F(Directory, NewerSchemaIsRefused) {
  store_.reset();
  sqlite3* h = nullptr;
  ASSERT_EQ(sqlite3_open(path_.c_str(), &h), SQLITE_OK);
  ASSERT_EQ(sqlite3_exec(h, "UPDATE meta SET value = '99' WHERE key = 'schema_version'", nullptr,
                         nullptr, nullptr),
            SQLITE_OK);
  sqlite3_close(h);
  auto s = SqliteDirectoryStore::open(path_);
  ASSERT_FALSE(s);
  EXPECT_TRUE(s.error().is(Errc::kSchemaVersion)) << s.error().to_string();
}

TEST_F(Directory, ReopenKeepsDataAndConcurrentReadersAgree) {
  ASSERT_TRUE(
      store_->transact([&](DirectoryTxn& t) { return t.put_account(user(1300, "carol")); }));
  store_.reset();
  auto s = SqliteDirectoryStore::open(path_);
  ASSERT_TRUE(s);
  store_ = std::move(*s);
  std::vector<std::thread> threads;
  std::atomic<int> found{0};
  for (int i = 0; i < 4; ++i) {
    threads.emplace_back([&] {
      for (int j = 0; j < 50; ++j) {
        auto r = store_->transact([&](DirectoryTxn& t) -> Result<void> {
          if (KB_TRY(t.account_by_sam("carol"))) ++found;
          return ok();
        });
        EXPECT_TRUE(r);
      }
    });
  }
  for (auto& t : threads) t.join();
  EXPECT_EQ(found.load(), 200);
}

TEST_F(Directory, ReadsProceedWhileAWriterHoldsTheLockAndSeeOnlyCommittedData) {
  ASSERT_TRUE(
      store_->transact([&](DirectoryTxn& t) { return t.put_account(user(1400, "committed")); }));
  ASSERT_TRUE(store_->transact([&](DirectoryTxn& w) -> Result<void> {
    KB_CHECK(w.put_account(user(1401, "uncommitted")));
    // Another connection reads while this write transaction holds the write lock.
    auto r = store_->read([&](DirectoryTxn& t) -> Result<void> {
      EXPECT_TRUE(KB_TRY(t.account_by_sam("committed")).has_value());
      EXPECT_FALSE(KB_TRY(t.account_by_sam("uncommitted")).has_value());
      return ok();
    });
    EXPECT_TRUE(r) << r.error().to_string();
    return ok();
  }));
}

TEST_F(Directory, WritesInsideAReadAreRefusedAndLeaveNothing) {
  auto r = store_->read([&](DirectoryTxn& t) { return t.put_account(user(1500, "sneaky")); });
  ASSERT_FALSE(r);
  EXPECT_TRUE(r.error().is(Errc::kBackend)) << r.error().to_string();
  ASSERT_TRUE(store_->transact([&](DirectoryTxn& t) -> Result<void> {
    EXPECT_FALSE(KB_TRY(t.account_by_sam("sneaky")).has_value());
    return ok();
  }));
}

}  // namespace
}  // namespace kb::store

namespace kb::store {
namespace {

TEST_F(Directory, ObjectsRoundTripByCaseInsensitiveDnAndDelete) {
  DirectoryObject o;
  o.dn = "CN=900274c4-b7d2-43c8-90ee-00a9f650e335,CN=AzureAD,CN=System,DC=contoso,DC=test";
  o.object_class = "serviceConnectionPoint";
  o.attributes["keywords"] = {"branch=4711", "computer=AzureADKerberos$"};
  ASSERT_TRUE(store_->transact([&](DirectoryTxn& t) { return t.put_object(o); }));
  std::optional<DirectoryObject> got;
  ASSERT_TRUE(store_->read([&](DirectoryTxn& t) -> Result<void> {
    got =
        KB_TRY(t.object_by_dn("cn=900274C4-B7D2-43C8-90EE-00A9F650E335,cn=azuread,"
                              "cn=system,dc=contoso,dc=test"));
    return ok();
  }));
  ASSERT_TRUE(got);
  EXPECT_EQ(*got, o);
  o.attributes.erase("keywords");
  o.attributes["description"] = {"replaced"};
  ASSERT_TRUE(store_->transact([&](DirectoryTxn& t) { return t.put_object(o); }));
  ASSERT_TRUE(store_->transact([&](DirectoryTxn& t) -> Result<void> {
    got = KB_TRY(t.object_by_dn(o.dn));
    KB_CHECK(t.delete_object(o.dn));
    auto again = t.delete_object(o.dn);
    if (again || !again.error().is(Errc::kNotFound)) return Error(Errc::kBackend, "deleted twice");
    return ok();
  }));
  EXPECT_EQ(*got, o);
}

TEST_F(Directory, VersionOneDatabaseIsMigratedKeepingItsAccounts) {
  store_.reset();
  const std::string old_path = (dir_.path() / "v1.db").string();
  sqlite3* h = nullptr;
  ASSERT_EQ(sqlite3_open(old_path.c_str(), &h), SQLITE_OK);
  ASSERT_EQ(sqlite3_exec(h, sqlite::kDirectoryMigrations[0], nullptr, nullptr, nullptr), SQLITE_OK);
  ASSERT_EQ(sqlite3_exec(h,
                         "INSERT INTO meta VALUES ('schema_version', '1');"
                         "INSERT INTO account VALUES (1200, 1, 'old', NULL, '', 512, 513, 1, 0, "
                         "0, 0);",
                         nullptr, nullptr, nullptr),
            SQLITE_OK);
  sqlite3_close(h);
  auto s = SqliteDirectoryStore::open(old_path);
  ASSERT_TRUE(s) << s.error().to_string();
  ASSERT_TRUE((*s)->transact([](DirectoryTxn& t) -> Result<void> {
    auto a = KB_TRY(t.account_by_sam("old"));
    if (!a) return Error(Errc::kNotFound, "account lost in migration");
    return t.put_object({"CN=x,DC=contoso,DC=test", "container", {}});
  }));
}

TEST_F(Directory, VersionTwoDatabaseGetsAdLockoutDefaults) {
  store_.reset();
  const std::string old_path = (dir_.path() / "v2.db").string();
  sqlite3* h = nullptr;
  ASSERT_EQ(sqlite3_open(old_path.c_str(), &h), SQLITE_OK);
  for (int v = 0; v < 2; ++v) {
    ASSERT_EQ(sqlite3_exec(h, sqlite::kDirectoryMigrations[v], nullptr, nullptr, nullptr),
              SQLITE_OK);
  }
  ASSERT_EQ(sqlite3_exec(h,
                         "INSERT INTO meta VALUES ('schema_version', '2');"
                         "INSERT INTO domain VALUES (1, 'contoso.test', 'CONTOSO.TEST', "
                         "'CONTOSO', 'S-1-5-21-1-2-3', 0, 36000, 604800, 300, 1000);"
                         "INSERT INTO account VALUES (1200, 1, 'old', NULL, '', 512, 513, 1, 0, "
                         "0, 2);",
                         nullptr, nullptr, nullptr),
            SQLITE_OK);
  sqlite3_close(h);
  auto s = SqliteDirectoryStore::open(old_path);
  ASSERT_TRUE(s) << s.error().to_string();
  std::optional<Domain> d;
  std::optional<Account> a;
  ASSERT_TRUE((*s)->read([&](DirectoryTxn& t) -> Result<void> {
    d = KB_TRY(t.domain());
    a = KB_TRY(t.account_by_sam("old"));
    return ok();
  }));
  ASSERT_TRUE(d && a);
  EXPECT_EQ(d->lockout_threshold, 0u);  // AD's default: never lock
  EXPECT_EQ(d->lockout_duration_s, 1800);
  EXPECT_EQ(d->lockout_observation_window_s, 1800);
  EXPECT_EQ(a->bad_pwd_count, 2u);
  EXPECT_EQ(a->bad_password_time, 0);
}

TEST_F(Directory, LockoutPolicyAndLogonStateRoundTrip) {
  ASSERT_TRUE(store_->transact([](DirectoryTxn& t) -> Result<void> {
    auto d = KB_TRY(t.domain());
    d->lockout_threshold = 5;
    d->lockout_duration_s = 0;
    d->lockout_observation_window_s = 600;
    KB_CHECK(t.put_domain(*d));
    return t.put_account(user(1105, "alice"));
  }));
  Account changed = user(1105, "alice");
  changed.bad_pwd_count = 3;
  changed.bad_password_time = 1700000123;
  changed.lockout_time = 1700000124;
  changed.keys.clear();  // put_logon_state must not touch keys
  changed.display_name = "ignored";
  ASSERT_TRUE(store_->transact([&](DirectoryTxn& t) { return t.put_logon_state(changed); }));
  ASSERT_TRUE(store_->read([&](DirectoryTxn& t) -> Result<void> {
    auto d = KB_TRY(t.domain());
    EXPECT_EQ(d->lockout_threshold, 5u);
    EXPECT_EQ(d->lockout_duration_s, 0);
    EXPECT_EQ(d->lockout_observation_window_s, 600);
    auto a = KB_TRY(t.account_by_rid(1105));
    EXPECT_EQ(a->bad_pwd_count, 3u);
    EXPECT_EQ(a->bad_password_time, 1700000123);
    EXPECT_EQ(a->lockout_time, 1700000124);
    EXPECT_EQ(a->keys, user(1105, "alice").keys);
    EXPECT_EQ(a->display_name, "");
    return ok();
  }));
  Account ghost = user(4242, "ghost");
  auto r = store_->transact([&](DirectoryTxn& t) { return t.put_logon_state(ghost); });
  ASSERT_FALSE(r);
  EXPECT_TRUE(r.error().is(Errc::kNotFound));
}

TEST(DomainDn, FollowsTheDnsLabels) {
  Domain d;
  d.dns_name = "corp.contoso.test";
  EXPECT_EQ(domain_dn(d), "DC=corp,DC=contoso,DC=test");
}

}  // namespace
}  // namespace kb::store
