// `admin sync` through the real HTTP client (CloudAdminClient) against the cloud's Router
// in-process: incremental, deletions, disables, renames and SID changes (updated, never
// duplicated), --dry-run, re-runs, and more users than one page or one batch.
#include "admin/sync.h"
#include "admin_fixture.h"

namespace kb::admin::test {
namespace {

class SyncOverHttp : public ::testing::Test {
 protected:
  SyncOverHttp()
      : clock_(kT0), domain_("contoso.test", "S-1-5-21-7-8-9", clock_, rng_), cloud_(rng_) {
    client_ = cloud_.client();
  }

  SyncSummary sync(bool dry_run = false) {
    auto s = sync_users(domain_.store(), *client_, dry_run, clock_, rng_);
    EXPECT_TRUE(s) << s.error().to_string();
    return s ? *s : SyncSummary{};
  }
  std::vector<SyncUser> cloud_users() {
    auto l = client_->list("contoso.test");
    EXPECT_TRUE(l) << l.error().to_string();
    return l ? *l : std::vector<SyncUser>{};
  }
  std::optional<store::CloudUser> cloud_user(const std::string& upn) {
    std::optional<store::CloudUser> u;
    EXPECT_TRUE(cloud_.store().read([&](store::CloudTxn& t) -> Result<void> {
      u = KB_TRY(t.user_by_upn(cloud_.tenant_id(), upn));
      return ok();
    }));
    return u;
  }
  // Users without keys (sync does not need them), many in one transaction.
  void add_plain_users(std::uint32_t first_rid, std::size_t n) {
    ASSERT_OK(domain_.raw().transact([&](store::DirectoryTxn& t) -> Result<void> {
      for (std::size_t i = 0; i < n; ++i) {
        store::Account a;
        a.rid = first_rid + static_cast<std::uint32_t>(i);
        a.sam_account_name = "u" + std::to_string(a.rid);
        a.user_principal_name = a.sam_account_name + "@contoso.test";
        a.pwd_last_set = 1'799'000'000;
        KB_CHECK(t.put_account(a));
      }
      return ok();
    }));
  }

  crypto::SystemRng rng_;
  FixedClock clock_;
  Domain domain_;
  Cloud cloud_;
  std::unique_ptr<CloudAdminClient> client_;
};

TEST_F(SyncOverHttp, IncrementalDeletesDisablesRenamesAndSidChanges) {
  domain_.add_user(1105, "alice");
  domain_.add_user(1106, "bob");
  domain_.add_user(1107, "carol");
  const SyncSummary first = sync();
  EXPECT_TRUE(first.applied);
  const std::size_t n0 = first.plan.added;
  EXPECT_GE(n0, 4u);  // Administrator and the three
  EXPECT_EQ(first.plan.upserts.size(), n0);
  EXPECT_EQ(cloud_users().size(), n0);
  const auto alice = cloud_user("alice@contoso.test");
  ASSERT_TRUE(alice);
  EXPECT_EQ(alice->object_sid, "S-1-5-21-7-8-9-1105");
  EXPECT_EQ(alice->sam_account_name, "alice");
  EXPECT_TRUE(alice->enabled);
  ASSERT_TRUE(alice->password_expires_at);  // pwdLastSet + maxPwdAge

  // Re-run: nothing to do.
  SyncSummary again = sync();
  EXPECT_TRUE(again.plan.upserts.empty());
  EXPECT_TRUE(again.plan.deletes.empty());
  EXPECT_EQ(again.plan.unchanged, n0);

  // Disable: one update, counted as a disable.
  domain_.edit_user(
      "bob", [](store::Account& a) { a.user_account_control |= store::uac::kAccountDisable; });
  SyncSummary disabled = sync();
  EXPECT_EQ(disabled.plan.upserts.size(), 1u);
  EXPECT_EQ(disabled.plan.added, 0u);
  EXPECT_EQ(disabled.plan.disabled, 1u);
  EXPECT_FALSE(cloud_user("bob@contoso.test")->enabled);

  // Rename: same cloud user (same id), new names, no duplicate.
  domain_.edit_user("alice", [](store::Account& a) {
    a.sam_account_name = "alice2";
    a.user_principal_name = "alice.two@contoso.test";
  });
  SyncSummary renamed = sync();
  EXPECT_EQ(renamed.plan.upserts.size(), 1u);
  EXPECT_EQ(renamed.plan.added, 0u);
  EXPECT_FALSE(cloud_user("alice@contoso.test"));
  const auto alice2 = cloud_user("alice.two@contoso.test");
  ASSERT_TRUE(alice2);
  EXPECT_EQ(alice2->id, alice->id);
  EXPECT_EQ(alice2->sam_account_name, "alice2");
  EXPECT_EQ(cloud_users().size(), n0);

  // SID change (the account moved to another RID, objectGUID kept): updated, not doubled.
  ASSERT_OK(domain_.raw().transact([&](store::DirectoryTxn& t) -> Result<void> {
    auto a = KB_TRY(t.account_by_sam("carol"));
    if (!a) return Error(store::Errc::kNotFound, "carol");
    KB_CHECK(t.delete_account(a->rid));
    a->rid = 1300;
    return t.put_account(*a);
  }));
  const auto carol_before = cloud_user("carol@contoso.test");
  SyncSummary resid = sync();
  EXPECT_EQ(resid.plan.upserts.size(), 1u);
  EXPECT_EQ(resid.plan.added, 0u);
  const auto carol = cloud_user("carol@contoso.test");
  ASSERT_TRUE(carol);
  EXPECT_EQ(carol->object_sid, "S-1-5-21-7-8-9-1300");
  EXPECT_EQ(carol->id, carol_before->id);
  EXPECT_EQ(cloud_users().size(), n0);

  // Deletion follows.
  ASSERT_OK(domain_.raw().transact(
      [&](store::DirectoryTxn& t) -> Result<void> { return t.delete_account(1106); }));
  SyncSummary deleted = sync();
  EXPECT_EQ(deleted.plan.deletes.size(), 1u);
  EXPECT_FALSE(cloud_user("bob@contoso.test"));
  EXPECT_EQ(cloud_users().size(), n0 - 1);
  EXPECT_TRUE(sync().plan.upserts.empty());
}

TEST_F(SyncOverHttp, DryRunChangesNothing) {
  domain_.add_user(1105, "alice");
  sync();
  domain_.add_user(1106, "dave");
  domain_.edit_user("alice", [](store::Account& a) { a.display_name = "Alice A."; });
  const auto before = cloud_users();
  SyncSummary dry = sync(true);
  EXPECT_FALSE(dry.applied);
  EXPECT_EQ(dry.plan.added, 1u);
  EXPECT_EQ(dry.plan.upserts.size(), 2u);
  EXPECT_EQ(cloud_users(), before);
  EXPECT_FALSE(cloud_user("dave@contoso.test"));
  // The dry run's plan is what the real run then does.
  SyncSummary real = sync();
  EXPECT_EQ(real.plan.upserts, dry.plan.upserts);
  EXPECT_TRUE(cloud_user("dave@contoso.test"));
  EXPECT_EQ(cloud_user("alice@contoso.test")->display_name, "Alice A.");
}

TEST_F(SyncOverHttp, MoreUsersThanOnePageAndOneBatch) {
  add_plain_users(2000, 1205);
  SyncSummary first = sync();
  EXPECT_GE(first.plan.added, 1205u);
  const auto all = cloud_users();  // two pages of 1000
  EXPECT_EQ(all.size(), first.plan.added);
  SyncSummary again = sync();
  EXPECT_TRUE(again.plan.upserts.empty()) << again.plan.upserts.size();
  EXPECT_EQ(again.plan.unchanged, first.plan.added);
  // Deleting more than one batch.
  ASSERT_OK(domain_.raw().transact([&](store::DirectoryTxn& t) -> Result<void> {
    for (std::uint32_t rid = 2000; rid < 3100; ++rid) KB_CHECK(t.delete_account(rid));
    return ok();
  }));
  SyncSummary deleted = sync();
  EXPECT_EQ(deleted.plan.deletes.size(), 1100u);
  EXPECT_EQ(cloud_users().size(), first.plan.added - 1100);
}

TEST_F(SyncOverHttp, ACloudFailureMidwayIsFinishedByTheRerun) {
  domain_.add_user(1105, "alice");
  domain_.add_user(1106, "bob");
  sync();
  domain_.add_user(1107, "carol");
  ASSERT_OK(domain_.raw().transact(
      [&](store::DirectoryTxn& t) -> Result<void> { return t.delete_account(1106); }));
  cloud_.arm(3);  // list, upsert, then the delete fails
  auto s = sync_users(domain_.store(), *client_, false, clock_, rng_);
  ASSERT_FALSE(s);
  cloud_.arm(0);
  EXPECT_TRUE(cloud_user("carol@contoso.test"));
  EXPECT_TRUE(cloud_user("bob@contoso.test"));
  SyncSummary rerun = sync();
  EXPECT_TRUE(rerun.plan.upserts.empty());
  EXPECT_EQ(rerun.plan.deletes.size(), 1u);
  EXPECT_FALSE(cloud_user("bob@contoso.test"));
}

}  // namespace
}  // namespace kb::admin::test
