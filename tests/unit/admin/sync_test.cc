// The sync plan: only changes travel, renames and SID changes update by anchor, deletions
// follow, and a second run has nothing to do.
#include "admin/sync.h"

#include <gtest/gtest.h>

#include "base/subprocess.h"
#include "kdc/accounts.h"
#include "kdc/kerberos_server.h"
#include "store/sqlite/sqlite_directory.h"

namespace kb::admin {
namespace {

SyncUser user(std::string anchor, std::string sam) {
  SyncUser u;
  u.source_anchor = std::move(anchor);
  u.upn = sam + "@contoso.test";
  u.domain = "contoso.test";
  u.sam_account_name = sam;
  u.object_sid = "S-1-5-21-1-2-3-1105";
  return u;
}

TEST(PlanSync, SendsOnlyNewAndChangedUsersAndDeletesTheRest) {
  SyncUser same = user("a", "alice");
  SyncUser renamed = user("b", "bob");
  SyncUser renamed_now = renamed;
  renamed_now.sam_account_name = "robert";
  renamed_now.upn = "robert@contoso.test";
  SyncUser fresh = user("c", "carol");
  const auto plan = plan_sync({same, renamed_now, fresh}, {same, renamed, user("d", "dave")});
  EXPECT_EQ(plan.unchanged, 1u);
  ASSERT_EQ(plan.upserts.size(), 2u);
  EXPECT_EQ(plan.upserts[0], renamed_now);  // same anchor: an update, never a new user
  EXPECT_EQ(plan.upserts[1], fresh);
  EXPECT_EQ(plan.deletes, std::vector<std::string>{"d"});
  const auto again = plan_sync({same, renamed_now, fresh}, {same, renamed_now, fresh});
  EXPECT_TRUE(again.upserts.empty() && again.deletes.empty());
  EXPECT_EQ(again.unchanged, 3u);
}

TEST(DirectoryUsers, UsersWithStableAnchorsAndTheirStateButNoKrbtgts) {
  crypto::SystemRng rng;
  FixedClock clock(SysTime(std::chrono::seconds(1800000000)));
  auto mk = crypto::MasterKey::generate(rng);
  TempDir dir;
  auto store =
      std::move(*store::sqlite::SqliteDirectoryStore::open((dir.path() / "d.db").string()));
  auto d = *kdc::provision_domain(*store, {"contoso.test", "", "S-1-5-21-1-2-3", SecretString("x")},
                                  mk, clock, rng);
  for (auto [rid, sam, uac, pls] :
       {std::tuple{1105u, "alice", 0u, std::int64_t{1800000000}},
        std::tuple{1106u, "bob", store::uac::kAccountDisable, std::int64_t{1800000000}},
        std::tuple{1107u, "carol", 0u, std::int64_t{0}}}) {
    store::Account a;
    a.rid = rid;
    a.sam_account_name = sam;
    a.user_account_control = store::uac::kNormalAccount | uac;
    ASSERT_TRUE(kdc::set_password(a, d, SecretString("pw"), mk, clock, rng));
    a.pwd_last_set = pls;
    ASSERT_TRUE(store->transact([&](store::DirectoryTxn& t) { return t.put_account(a); }));
  }
  ASSERT_TRUE(kdc::create_kerberos_server(*store, {}, mk, clock, rng));
  auto first = directory_users(*store, clock, rng);
  ASSERT_TRUE(first) << first.error().to_string();
  std::map<std::string, SyncUser> by_sam;
  for (const auto& u : *first) by_sam[u.sam_account_name] = u;
  EXPECT_EQ(by_sam.count("krbtgt"), 0u);
  EXPECT_EQ(by_sam.count("krbtgt_AzureAD"), 0u);
  EXPECT_EQ(by_sam.count("AzureADKerberos$"), 0u);
  ASSERT_EQ(by_sam.count("alice"), 1u);
  EXPECT_EQ(by_sam["alice"].object_sid, "S-1-5-21-1-2-3-1105");
  EXPECT_EQ(by_sam["alice"].password_expires_at, 1800000000 + d.max_password_age_s);
  EXPECT_FALSE(by_sam["bob"].enabled);
  EXPECT_EQ(by_sam["carol"].password_expires_at, 1800000000);  // must change: expired now
  EXPECT_EQ(by_sam["Administrator"].password_expires_at, std::nullopt);
  // Anchors are written back: a second read gives the same ones.
  auto second = *directory_users(*store, clock, rng);
  EXPECT_EQ(second, *first);
}

}  // namespace
}  // namespace kb::admin
