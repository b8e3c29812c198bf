// `keybridge dc policy`: durations as admins type them and AD's limits on the lockout policy.
#include "admin/domain_policy.h"

#include <gtest/gtest.h>

#include "base/subprocess.h"
#include "crypto/crypto.h"

namespace kb::admin {
namespace {

TEST(DomainPolicy, DurationsTakeAdUnitsAndRefuseJunk) {
  EXPECT_EQ(*parse_duration("30m"), 1800);
  EXPECT_EQ(*parse_duration("30"), 1800);  // bare numbers are minutes, as in AD's editor
  EXPECT_EQ(*parse_duration("90s"), 90);
  EXPECT_EQ(*parse_duration("2h"), 7200);
  EXPECT_EQ(*parse_duration("1d"), 86400);
  EXPECT_EQ(*parse_duration("0"), 0);
  for (const char* bad : {"", "m", "-5m", "5x", "5 m", "30mm", "99999999999999999999"}) {
    auto r = parse_duration(bad);
    ASSERT_FALSE(r) << bad;
    EXPECT_TRUE(r.error().is(store::Errc::kInvalidArgument)) << bad;
  }
  EXPECT_EQ(format_duration(1800), "30m");
  EXPECT_EQ(format_duration(5400), "1h30m");
  EXPECT_EQ(format_duration(90), "90s");
  EXPECT_EQ(format_duration(42 * 86400), "42d");
}

class DomainPolicyStore : public ::testing::Test {
 protected:
  void SetUp() override {
    auto dc = init_dc({dir_.path() / "dc"}, "contoso.test", "", "S-1-5-21-1-2-3",
                      SecretString("Adm1n!pw"), clock_, rng_);
    ASSERT_TRUE(dc) << dc.error().to_string();
    dc_ = std::move(*dc);
  }
  TempDir dir_;
  SystemClock clock_;
  crypto::SystemRng rng_;
  Dc dc_;
};

TEST_F(DomainPolicyStore, DefaultsAreAdsAndChangesPersist) {
  EXPECT_EQ(dc_.domain.lockout_threshold, 0u);
  EXPECT_NE(describe_policy(dc_.domain).find("lockout threshold: 0 (accounts are never locked"),
            std::string::npos);
  auto r = set_lockout_policy(dc_, {5, 3600, 900});
  ASSERT_TRUE(r) << r.error().to_string();
  auto reopened = open_dc({dir_.path() / "dc"});
  ASSERT_TRUE(reopened);
  EXPECT_EQ(reopened->domain.lockout_threshold, 5u);
  EXPECT_EQ(reopened->domain.lockout_duration_s, 3600);
  EXPECT_EQ(reopened->domain.lockout_observation_window_s, 900);
  // Fields not given stay as they are.
  ASSERT_TRUE(set_lockout_policy(dc_, {std::nullopt, 0, std::nullopt}));
  EXPECT_EQ(dc_.domain.lockout_threshold, 5u);
  EXPECT_EQ(dc_.domain.lockout_duration_s, 0);
  EXPECT_NE(describe_policy(dc_.domain).find("lockout duration: 0 (until an administrator"),
            std::string::npos);
}

TEST_F(DomainPolicyStore, OutOfRangePoliciesAreRefusedAndLeaveNothing) {
  const LockoutPolicyChange bad[] = {
      {1000, std::nullopt, std::nullopt},  // threshold above AD's 999
      {std::nullopt, 600, 1200},           // window longer than the duration
      {std::nullopt, std::nullopt, 30},    // window under a minute
      {std::nullopt, 100000 * 60, std::nullopt},
      {std::nullopt, -60, std::nullopt},
  };
  for (const auto& c : bad) {
    auto r = set_lockout_policy(dc_, c);
    ASSERT_FALSE(r);
    EXPECT_TRUE(r.error().is(store::Errc::kInvalidArgument));
  }
  auto reopened = open_dc({dir_.path() / "dc"});
  ASSERT_TRUE(reopened);
  EXPECT_EQ(reopened->domain.lockout_threshold, 0u);
  EXPECT_EQ(reopened->domain.lockout_duration_s, 1800);
  EXPECT_EQ(reopened->domain.lockout_observation_window_s, 1800);
}

}  // namespace
}  // namespace kb::admin
