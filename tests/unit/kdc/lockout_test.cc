// Bad-password counting and account lockout in the AS exchange (MS-SAMR 3.1.1.8.10,
// MS-ADTS 3.1.1.5.3.7): counting, the observation window, lockout at the threshold, its
// expiry, reset on success, threshold 0, the previous password, concurrent failures.
#include <gtest/gtest.h>

#include <thread>

#include "base/subprocess.h"
#include "kdc/accounts.h"
#include "kdc/as_exchange.h"
#include "store/sqlite/sqlite_directory.h"

namespace kb::kdc {
namespace {

using std::chrono::minutes;
using std::chrono::seconds;
const SysTime kNow{seconds(1800000000)};
constexpr std::int32_t kPreauthFailed = 24;
constexpr std::int32_t kClientRevoked = 18;

class Lockout : public ::testing::Test {
 protected:
  Lockout() : clock_(kNow), mk_(crypto::MasterKey::generate(rng_)) {
    store_ = std::move(*store::sqlite::SqliteDirectoryStore::open((dir_.path() / "d.db").string()));
    domain_ = *provision_domain(
        *store_, {"contoso.test", "", "S-1-5-21-1-2-3", SecretString("adm")}, mk_, clock_, rng_);
    store::Account a;
    a.rid = 1105;
    a.sam_account_name = "alice";
    a.user_account_control = store::uac::kNormalAccount | store::uac::kDontExpirePassword;
    EXPECT_TRUE(set_password(a, domain_, SecretString("old-pw"), mk_, clock_, rng_));
    EXPECT_TRUE(set_password(a, domain_, SecretString("password"), mk_, clock_, rng_));
    EXPECT_TRUE(store_->transact([&](store::DirectoryTxn& t) { return t.put_account(a); }));
    directory_ = std::make_unique<KdcDirectory>(*store_, mk_);
    env_ = std::make_unique<KdcEnv>(KdcEnv{*directory_, clock_, rng_, {}});
  }

  // Set before the first request: the KDC reads the domain then.
  void policy(std::uint32_t threshold, std::int64_t duration_s, std::int64_t window_s) {
    ASSERT_TRUE(store_->transact([&](store::DirectoryTxn& t) -> Result<void> {
      auto d = KB_TRY(t.domain());
      d->lockout_threshold = threshold;
      d->lockout_duration_s = duration_s;
      d->lockout_observation_window_s = window_s;
      return t.put_domain(*d);
    }));
  }

  // The error code of an AS-REQ with a timestamp under `password`; 0 for an AS-REP.
  std::int32_t try_password(const std::string& password, const std::string& user = "alice") {
    krb5::AsReq r;
    auto& b = r.req_body.value;
    b.cname = krb5::PrincipalName{1, {user}};
    b.realm = "CONTOSO.TEST";
    b.sname = krb5::PrincipalName{2, {"krbtgt", "CONTOSO.TEST"}};
    b.till = krb5::KerberosTime::from_sys(clock_.now() + std::chrono::hours(10));
    b.nonce = 7;
    b.etype = {18};
    auto key = *crypto::string_to_key(crypto::EncType::kAes256CtsHmacSha196, SecretString(password),
                                      "CONTOSO.TEST" + user);
    krb5::PaEncTsEnc ts;
    ts.patimestamp = krb5::KerberosTime::from_sys(clock_.now());
    krb5::EncryptedData ed;
    ed.etype = 18;
    ed.cipher =
        *crypto::encrypt(key, crypto::KeyUsage::kAsReqPaEncTimestamp, der::encode(ts), rng_);
    r.padata = std::vector<krb5::PaData>{{krb5::padata_type::kEncTimestamp, der::encode(ed)}};
    RequestLog log;
    handle_as_req(*env_, der::encode(r), false, log);
    EXPECT_TRUE(log.alert.empty()) << log.alert;
    return log.error_code;
  }

  store::Account stored(std::uint32_t rid = 1105) {
    std::optional<store::Account> a;
    EXPECT_TRUE(store_->read([&](store::DirectoryTxn& t) -> Result<void> {
      a = KB_TRY(t.account_by_rid(rid));
      return ok();
    }));
    return a.value_or(store::Account{});
  }

  std::int64_t now_s() const {
    return std::chrono::duration_cast<seconds>(clock_.now().time_since_epoch()).count();
  }

  crypto::SystemRng rng_;
  FixedClock clock_;
  crypto::MasterKey mk_;
  TempDir dir_;
  std::unique_ptr<store::sqlite::SqliteDirectoryStore> store_;
  store::Domain domain_;
  std::unique_ptr<KdcDirectory> directory_;
  std::unique_ptr<KdcEnv> env_;
};

TEST_F(Lockout, ThresholdZeroNeitherCountsNorLocks) {
  policy(0, 1800, 1800);
  for (int i = 0; i < 10; ++i) EXPECT_EQ(try_password("wrong"), kPreauthFailed);
  EXPECT_EQ(stored().bad_pwd_count, 0u);
  EXPECT_EQ(stored().lockout_time, 0);
  EXPECT_EQ(try_password("password"), 0);
}

TEST_F(Lockout, WrongPasswordsCountAndLockAtTheThreshold) {
  policy(3, 1800, 1800);
  EXPECT_EQ(try_password("wrong"), kPreauthFailed);
  clock_.advance(seconds(10));
  EXPECT_EQ(try_password("wrong"), kPreauthFailed);
  EXPECT_EQ(stored().bad_pwd_count, 2u);
  EXPECT_EQ(stored().bad_password_time, now_s());
  EXPECT_EQ(stored().lockout_time, 0);
  EXPECT_EQ(try_password("wrong"), kPreauthFailed);
  EXPECT_EQ(stored().bad_pwd_count, 3u);
  EXPECT_EQ(stored().lockout_time, now_s());
  // Locked: even the right password is refused, and nothing more is counted.
  EXPECT_EQ(try_password("password"), kClientRevoked);
  EXPECT_EQ(try_password("wrong"), kClientRevoked);
  EXPECT_EQ(stored().bad_pwd_count, 3u);
}

TEST_F(Lockout, CountRestartsWhenTheLastFailureIsOlderThanTheWindow) {
  policy(3, 1800, 600);
  EXPECT_EQ(try_password("wrong"), kPreauthFailed);
  EXPECT_EQ(try_password("wrong"), kPreauthFailed);
  clock_.advance(seconds(600));
  EXPECT_EQ(try_password("wrong"), kPreauthFailed);
  EXPECT_EQ(stored().bad_pwd_count, 1u);
  EXPECT_EQ(stored().lockout_time, 0);
  clock_.advance(seconds(599));
  EXPECT_EQ(try_password("wrong"), kPreauthFailed);
  EXPECT_EQ(stored().bad_pwd_count, 2u);
}

TEST_F(Lockout, LockoutEndsAfterTheDurationAndSuccessClearsIt) {
  policy(2, 1800, 1800);
  EXPECT_EQ(try_password("wrong"), kPreauthFailed);
  EXPECT_EQ(try_password("wrong"), kPreauthFailed);
  clock_.advance(seconds(1799));
  EXPECT_EQ(try_password("password"), kClientRevoked);
  clock_.advance(seconds(1));
  EXPECT_EQ(try_password("password"), 0);
  EXPECT_EQ(stored().bad_pwd_count, 0u);
  EXPECT_EQ(stored().lockout_time, 0);
}

TEST_F(Lockout, AFailureAfterAnExpiredLockoutCountsFromOne) {
  policy(2, 600, 600);
  EXPECT_EQ(try_password("wrong"), kPreauthFailed);
  EXPECT_EQ(try_password("wrong"), kPreauthFailed);
  clock_.advance(seconds(600));
  EXPECT_EQ(try_password("wrong"), kPreauthFailed);
  EXPECT_EQ(stored().bad_pwd_count, 1u);
  EXPECT_EQ(stored().lockout_time, 0);
}

TEST_F(Lockout, DurationZeroLocksUntilAnAdministratorUnlocks) {
  policy(1, 0, 1800);
  EXPECT_EQ(try_password("wrong"), kPreauthFailed);
  clock_.advance(std::chrono::hours(24 * 365));
  EXPECT_EQ(try_password("password"), kClientRevoked);
  // What `dc user unlock` writes.
  store::Account a = stored();
  a.lockout_time = 0;
  a.bad_pwd_count = 0;
  ASSERT_TRUE(store_->transact([&](store::DirectoryTxn& t) { return t.put_logon_state(a); }));
  EXPECT_EQ(try_password("password"), 0);
}

TEST_F(Lockout, SuccessResetsTheCount) {
  policy(3, 1800, 1800);
  EXPECT_EQ(try_password("wrong"), kPreauthFailed);
  EXPECT_EQ(try_password("wrong"), kPreauthFailed);
  EXPECT_EQ(try_password("password"), 0);
  EXPECT_EQ(stored().bad_pwd_count, 0u);
  EXPECT_EQ(try_password("wrong"), kPreauthFailed);
  EXPECT_EQ(try_password("wrong"), kPreauthFailed);
  EXPECT_EQ(stored().lockout_time, 0);
}

TEST_F(Lockout, ThePreviousPasswordIsRefusedButNotCounted) {
  policy(2, 1800, 1800);
  for (int i = 0; i < 5; ++i) EXPECT_EQ(try_password("old-pw"), kPreauthFailed);
  EXPECT_EQ(stored().bad_pwd_count, 0u);
  EXPECT_EQ(try_password("password"), 0);
}

TEST_F(Lockout, TheBuiltInAdministratorIsNeverLockedOut) {
  policy(1, 1800, 1800);
  EXPECT_EQ(try_password("wrong", "Administrator"), kPreauthFailed);
  EXPECT_EQ(try_password("wrong", "Administrator"), kPreauthFailed);
  EXPECT_EQ(stored(store::kRidAdministrator).bad_pwd_count, 0u);
  EXPECT_EQ(try_password("adm", "Administrator"), 0);
}

TEST_F(Lockout, ConcurrentFailuresAreAllCounted) {
  policy(1000, 1800, 1800);
  constexpr int kThreads = 4;
  constexpr int kEach = 6;
  std::vector<std::thread> threads;
  for (int i = 0; i < kThreads; ++i) {
    threads.emplace_back([&] {
      for (int j = 0; j < kEach; ++j) try_password("wrong");
    });
  }
  for (auto& t : threads) t.join();
  EXPECT_EQ(stored().bad_pwd_count, static_cast<std::uint32_t>(kThreads * kEach));
}

TEST(LockoutRules, LockedOnlyWhileTheDurationRuns) {
  store::Domain d;
  store::Account a;
  EXPECT_FALSE(is_locked_out(a, d, 1000));
  a.lockout_time = 1000;
  d.lockout_duration_s = 60;
  EXPECT_TRUE(is_locked_out(a, d, 1059));
  EXPECT_FALSE(is_locked_out(a, d, 1060));
  d.lockout_duration_s = 0;
  EXPECT_TRUE(is_locked_out(a, d, 1000000000));
  EXPECT_TRUE(clear_bad_passwords(a));
  EXPECT_FALSE(clear_bad_passwords(a));
}

}  // namespace
}  // namespace kb::kdc
