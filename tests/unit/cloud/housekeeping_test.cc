// `keybridge cloud serve` housekeeping (cloud/service/housekeeping.h) on both backends: one
// pass purges expired challenges and expired or revoked PRTs of every tenant and keeps the
// rest; the Housekeeper runs passes on its timer and stops at once.
#include "cloud/service/housekeeping.h"

#include <atomic>
#include <thread>

#include "admin_fixture.h"

namespace kb::cloud::test {
namespace {

using namespace std::chrono_literals;

class HousekeepingTest : public AdminTest {
 protected:
  // One user and device per tenant, a live, an expired and a revoked PRT each, and an
  // expired and a live challenge each.
  void seed() {
    for (const auto* t : {&tenant_a_, &tenant_b_}) {
      const std::string& tenant = t->tenant_id;
      ASSERT_OK(store_->transact([&](store::CloudTxn& x) -> Result<void> {
        store::CloudUser u;
        u.id = "u-" + tenant;
        u.source_anchor = "anchor";
        u.upn = "alice@contoso.test";
        u.domain = "contoso.test";
        u.sam_account_name = "alice";
        u.object_sid = "S-1-5-21-1-2-3-1104";
        std::vector<store::CloudUser> v{u};
        KB_CHECK(x.upsert_users(tenant, v, kT0));
        store::Device d;
        d.tenant_id = tenant;
        d.id = "d-" + tenant;
        d.registered_by = u.id;
        d.device_key = {1};
        d.transport_key = {2};
        d.created = kT0;
        KB_CHECK(x.register_device(d));
        for (std::uint8_t tag = 1; tag <= 3; ++tag) {
          store::PrimaryRefreshToken p;
          p.tenant_id = tenant;
          p.id = crypto::sha256(as_bytes(tenant + std::to_string(tag)));
          p.user_id = u.id;
          p.device_id = d.id;
          p.session_key_wrapped = Bytes(40, tag);
          p.issued_at = kT0;
          p.expires_at = tag == 2 ? kT0 + 1min : kT0 + 1h;
          p.revoked = tag == 3;
          KB_CHECK(x.put_prt(p));
        }
        for (int i : {0, 1}) {
          store::Challenge c;
          c.tenant_id = tenant;
          c.id = "c" + std::to_string(i);
          c.purpose = store::ChallengePurpose::kPrtNonce;
          c.challenge = Bytes(32, 9);
          c.expires_at = i == 0 ? kT0 + 1min : kT0 + 1h;
          c.ceremony_json = "{}";
          KB_CHECK(x.put_challenge(c));
        }
        return ok();
      }));
    }
  }

  bool prt_exists(const std::string& tenant, std::uint8_t tag) {
    bool found = false;
    EXPECT_TRUE(store_->read([&](store::CloudTxn& x) -> Result<void> {
      found =
          KB_TRY(x.prt(tenant, crypto::sha256(as_bytes(tenant + std::to_string(tag))))).has_value();
      return ok();
    }));
    return found;
  }
};

TEST_P(HousekeepingTest, APassPurgesExpiredChallengesAndExpiredOrRevokedPrtsOfEveryTenant) {
  seed();
  auto n = purge_expired(*store_, kT0 + 1min);
  ASSERT_TRUE(n) << n.error().to_string();
  EXPECT_EQ(n->challenges, 2u);
  EXPECT_EQ(n->expired_prts, 2u);
  EXPECT_EQ(n->revoked_prts, 2u);
  EXPECT_EQ(n->total(), 6u);
  for (const auto* t : {&tenant_a_, &tenant_b_}) {
    EXPECT_TRUE(prt_exists(t->tenant_id, 1));
    EXPECT_FALSE(prt_exists(t->tenant_id, 2));
    EXPECT_FALSE(prt_exists(t->tenant_id, 3));
    std::optional<store::Challenge> live;
    ASSERT_OK(store_->transact([&](store::CloudTxn& x) -> Result<void> {
      live = KB_TRY(x.take_challenge(t->tenant_id, "c1", store::ChallengePurpose::kPrtNonce, kT0));
      return ok();
    }));
    EXPECT_TRUE(live.has_value());
  }
  // A second pass finds nothing more.
  auto again = purge_expired(*store_, kT0 + 1min);
  ASSERT_TRUE(again);
  EXPECT_EQ(again->total(), 0u);
}

TEST_P(HousekeepingTest, NothingIsPurgedBeforeItExpires) {
  seed();
  auto n = purge_expired(*store_, kT0);
  ASSERT_TRUE(n);
  EXPECT_EQ(n->challenges, 0u);
  EXPECT_EQ(n->expired_prts, 0u);
  EXPECT_EQ(n->revoked_prts, 2u);  // revoked ones go whatever their expiry
  EXPECT_TRUE(prt_exists(tenant_a_.tenant_id, 2));
}

TEST_P(HousekeepingTest, TheHousekeeperRunsOnItsTimerAndStopsAtOnce) {
  seed();
  clock_.advance(1h);  // now every challenge and PRT has expired (at or before kT0 + 1h)
  std::atomic<int> passes{0};
  std::atomic<std::size_t> purged{0};
  {
    Housekeeper h(*store_, clock_, 20ms, [&](const Result<PurgeCounts>& r) {
      if (r) purged += r->total();
      ++passes;
    });
    for (int i = 0; i < 500 && passes < 2; ++i) std::this_thread::sleep_for(10ms);
    const auto before = std::chrono::steady_clock::now();
    h.stop();
    EXPECT_LT(std::chrono::steady_clock::now() - before, 5s);
  }
  EXPECT_GE(passes.load(), 2);
  EXPECT_EQ(purged.load(), 10u);  // 2 x (2 challenges + 3 PRTs)
  EXPECT_FALSE(prt_exists(tenant_a_.tenant_id, 1));
  // A long interval: destruction does not wait for it.
  const auto before = std::chrono::steady_clock::now();
  { Housekeeper idle(*store_, clock_, std::chrono::hours(1), nullptr); }
  EXPECT_LT(std::chrono::steady_clock::now() - before, 5s);
}

INSTANTIATE_TEST_SUITE_P(Sqlite, HousekeepingTest, ::testing::Values(Backend::kSqlite));
INSTANTIATE_TEST_SUITE_P(Postgres, HousekeepingTest, ::testing::Values(Backend::kPostgres));

}  // namespace
}  // namespace kb::cloud::test
