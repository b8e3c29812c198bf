// Reference 000 "Known behavior": a user whose synced on-prem password has expired is
// refused at the token endpoint, for a first sign-in and for a refresh, with the stable
// problem code `password_expired` that the sign-in client maps.
#include "signin_fixture.h"

namespace kb::cloud::test {
namespace {

void expect_password_expired(const http::Response& r) {
  EXPECT_EQ(r.status, 400) << r.body;
  EXPECT_EQ(SignIn::code_of(r), "password_expired") << r.body;
  auto o = json::parse_object(r.body);
  ASSERT_TRUE(o) << r.body;
  EXPECT_EQ(o->at("title").as_string(),
            "The on-premises password has expired and must be reset first.");
  // Nothing of the grant leaks: no PRT, no session key, no TGT.
  EXPECT_FALSE(o->contains("refresh_token"));
  EXPECT_FALSE(o->contains("session_key_jwe"));
  EXPECT_FALSE(o->contains("tgt_ad"));
}

class PasswordExpiry : public SignIn {
 protected:
  // Sets (or clears) alice's synced password expiry, as a sync would.
  void set_alice_expiry(std::optional<SysTime> at) {
    run([&](store::CloudTxn& t) -> Result<void> {
      store::CloudUser u = *KB_TRY(t.user_by_id(kTenantA, alice_id_));
      u.password_expires_at = at;
      std::vector<store::CloudUser> v{u};
      KB_CHECK(t.upsert_users(kTenantA, v, kNow));
      return ok();
    });
  }
  std::size_t alice_prt_count_for(const std::string& prt) {
    std::size_t n = 0;
    run([&](store::CloudTxn& t) -> Result<void> {
      n = KB_TRY(t.prt(kTenantA, crypto::sha256(as_bytes(prt)))).has_value() ? 1 : 0;
      return ok();
    });
    return n;
  }
};

TEST_F(PasswordExpiry, AnExpiredPasswordRefusesTheFirstSignIn) {
  auto e = enroll_alice();
  set_alice_expiry(kNow - 1s);
  const std::string n = nonce(kTenantA);
  expect_password_expired(
      first_sign_in_raw(kTenantA, e.device, kAlice, n, assert_over_nonce(e.key, n)));
}

TEST_F(PasswordExpiry, APasswordExpiringExactlyNowIsExpired) {
  auto e = enroll_alice();
  set_alice_expiry(kNow);
  const std::string n = nonce(kTenantA);
  expect_password_expired(
      first_sign_in_raw(kTenantA, e.device, kAlice, n, assert_over_nonce(e.key, n)));
  expect_password_expired(refresh_raw(kTenantA, e.prt, nonce(kTenantA)));
}

TEST_F(PasswordExpiry, AnExpiredPasswordRefusesTheRefreshAndKeepsThePrt) {
  auto e = enroll_alice();
  set_alice_expiry(kNow - 1h);
  expect_password_expired(refresh_raw(kTenantA, e.prt, nonce(kTenantA)));
  // The refused refresh did not rotate the PRT: once the password is reset (a new expiry
  // synced), the same PRT refreshes.
  EXPECT_EQ(alice_prt_count_for(e.prt.prt), 1u);
  set_alice_expiry(kNow + 24h);
  auto r = refresh_raw(kTenantA, e.prt, nonce(kTenantA));
  EXPECT_EQ(r.status, 200) << r.body;
}

TEST_F(PasswordExpiry, APasswordExpiringLaterOrNeverSignsIn) {
  auto e = enroll_alice();  // alice has no expiry (password_expires_at null)
  set_alice_expiry(kNow + 1s);
  const std::string n = nonce(kTenantA);
  auto first = first_sign_in_raw(kTenantA, e.device, kAlice, n, assert_over_nonce(e.key, n));
  EXPECT_EQ(first.status, 200) << first.body;
  EXPECT_EQ(refresh_raw(kTenantA, e.prt, nonce(kTenantA)).status, 200);
  // The expiry passes while the PRT lives: the next refresh is refused.
  auto prt = client::read_prt_response(first.body, &e.device.transport_key, nullptr, kNow);
  ASSERT_TRUE(prt) << prt.error().to_string();
  clock_.advance(2s);
  expect_password_expired(
      refresh_raw(kTenantA, {prt->refresh_token, prt->session_key->clone()}, nonce(kTenantA)));
}

TEST_F(PasswordExpiry, AnUnprovenCallerLearnsNothingAboutExpiry) {
  auto e = enroll_alice();
  set_alice_expiry(kNow - 1h);
  // A wrong session key: the refresh is an invalid grant, not password_expired.
  const PrtHeld wrong{e.prt.prt, SecretBytes(Bytes(32, 7))};
  auto r = refresh_raw(kTenantA, wrong, nonce(kTenantA));
  EXPECT_EQ(r.status, 400);
  EXPECT_EQ(code_of(r), "invalid_grant");
  // An assertion over another nonce: invalid grant too.
  const std::string n1 = nonce(kTenantA);
  const std::string n2 = nonce(kTenantA);
  auto f = first_sign_in_raw(kTenantA, e.device, kAlice, n1, assert_over_nonce(e.key, n2));
  EXPECT_EQ(code_of(f), "invalid_grant");
}

}  // namespace
}  // namespace kb::cloud::test
