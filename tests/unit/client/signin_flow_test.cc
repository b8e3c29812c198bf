// The sign-in flow (client/signin_flow.h) against the real cloud service (make_router over a
// temporary SQLite store) and our KDC (kdc::Kdc over a temporary SQLite directory), both in
// process: first use, the trade, --ntlm, refresh, cached sign-in, status, and each error a
// person can act on.
#include "client/signin_flow.h"

#include "signin_fixture.h"

namespace kb::client {
namespace {

using namespace std::chrono_literals;
namespace bj = boost::json;

// ---------------------------------------------------------------- the way it should go

TEST_F(SigninFlow, RegisterKeyThenFirstSignInPutsTheFullTgtInTheCache) {
  SoftAuthenticator key = new_key("alice");
  auto reg = register_alice(key);
  ASSERT_TRUE(reg) << reg.error().to_string();
  EXPECT_TRUE(reg->device_registered);
  EXPECT_EQ(reg->name, "yubikey");
  DeviceState after_reg = state();
  EXPECT_EQ(after_reg.device_id, reg->device_id);
  EXPECT_EQ(base64url_encode(after_reg.credential_id), reg->credential_id);
  EXPECT_FALSE(after_reg.credential_public_key.empty());
  EXPECT_EQ(after_reg.rp_id, "localhost");
  EXPECT_FALSE(after_reg.prt);

  auto r = sign_in_with(key, options());
  ASSERT_TRUE(r) << r.error().to_string();
  EXPECT_EQ(r->mode, SigninResult::Mode::kOnline);
  EXPECT_FALSE(r->device_registered);  // register-key did it
  EXPECT_EQ(r->device_id, reg->device_id);
  EXPECT_EQ(r->principal, "alice@CONTOSO.TEST");
  EXPECT_EQ(r->ccache, ccache_);
  EXPECT_EQ(r->dc, "dc.contoso.test:88");
  EXPECT_FALSE(r->nt_hash);
  // DNS SRV: the DC-only name first, which answered.
  EXPECT_EQ(srv_log_, std::vector<std::string>{"_kerberos._tcp.dc._msdcs.contoso.test"});
  expect_full_tgt_in_cache();

  DeviceState s = state();
  ASSERT_TRUE(s.prt && s.session_key && s.prt_expiry && s.partial_tgt);
  // The soft key has hmac-secret: the full TGT is sealed to it, never kept in clear.
  ASSERT_TRUE(s.full_tgt_sealed && s.key_binding);
  EXPECT_FALSE(s.full_tgt);
  auto image = cached_image(key, s);
  ASSERT_TRUE(image) << image.error().to_string();
  EXPECT_EQ(*s.prt_expiry, clock_.now() + 14 * 24h);
  EXPECT_EQ(s.realm, "CONTOSO.TEST");
  EXPECT_EQ(s.user, kAlice);
  EXPECT_EQ(s.dcs_answered, std::vector<std::string>{"dc.contoso.test:88"});
  EXPECT_FALSE(s.nt_hash);
  EXPECT_FALSE(s.key_list);
  // The counter followed the key's: above what registration recorded.
  EXPECT_GT(s.sign_count, after_reg.sign_count);
  // The cached full TGT is the domain krbtgt's ticket, not the RODC-keyed partial one.
  auto full = krb5::Ticket{};
  {
    auto cc = formats::parse_ccache(image->reveal());
    ASSERT_TRUE(cc);
    auto t = der::decode<krb5::Ticket>(cc->credentials.at(0).ticket);
    ASSERT_TRUE(t);
    full = *t;
  }
  EXPECT_EQ(full.enc_part.kvno.value_or(0) >> 16, 0u);
  auto pc = formats::parse_ccache(s.partial_tgt->reveal());
  ASSERT_TRUE(pc);
  auto pt = der::decode<krb5::Ticket>(pc->credentials.at(0).ticket);
  ASSERT_TRUE(pt);
  EXPECT_EQ(pt->enc_part.kvno.value_or(0) >> 16, 4242u);
}

TEST_F(SigninFlow, FirstUseWithoutStateRegistersTheDevice) {
  SoftAuthenticator key = new_key("alice");
  // The key was registered elsewhere (another device): this device has no state.
  auto reg = register_alice(key);
  ASSERT_TRUE(reg) << reg.error().to_string();
  std::filesystem::remove(state_path_);
  std::filesystem::remove(device_key_path(state_path_));
  SigninOptions o = options();
  auto r = sign_in_with(key, o);
  ASSERT_TRUE(r) << r.error().to_string();
  EXPECT_TRUE(r->device_registered);
  DeviceState s = state();
  EXPECT_EQ(s.device_id, r->device_id);
  EXPECT_TRUE(s.prt.has_value());
  // The key was registered elsewhere: its public key comes from the cloud's
  // keybridge_credential, checked against the assertion just made, so the next sign-in
  // with the same key works with the cloud unreachable.
  EXPECT_FALSE(s.credential_public_key.empty());
  EXPECT_EQ(base64url_encode(s.credential_id), reg->credential_id);
  EXPECT_EQ(s.credential_public_key, stored_public_key(reg->credential_id));
  cloud_offline_ = true;
  auto offline = sign_in_with(key, o);
  ASSERT_TRUE(offline) << offline.error().to_string();
  EXPECT_EQ(offline->mode, SigninResult::Mode::kCached);
}

TEST_F(SigninFlow, ACredentialKeyThatDoesNotVerifyTheAssertionIsNotCached) {
  SoftAuthenticator key = new_key("alice");
  SoftAuthenticator other = new_key("alice-second");
  ASSERT_TRUE(register_alice(key));
  const std::string second_pass = "UVWXYZABCDEFGHIJKLMN";
  add_pass(alice_id_, second_pass);
  auto other_reg = register_key(cloud_options(), SecretString(second_pass), "second", other,
                                cloud(), clock_, rng_);
  ASSERT_TRUE(other_reg) << other_reg.error().to_string();
  std::filesystem::remove(state_path_);
  std::filesystem::remove(device_key_path(state_path_));
  // A reply whose keybridge_credential names the key that signed in but carries the other
  // key's public key: the sign-in succeeds (the cloud verified the assertion) but nothing
  // is cached for offline use.
  const Bytes wrong_key = stored_public_key(other_reg->credential_id);
  tamper_ = [&](const http::Request& r, http::Response& reply) {
    if (r.target.find("/oauth2/token") == std::string::npos || reply.status != 200) return;
    auto o = boost::json::parse(reply.body).as_object();
    auto* c = o.if_contains("keybridge_credential");
    if (c == nullptr) return;
    c->as_object()["public_key"] = base64url_encode(wrong_key);
    reply.body = boost::json::serialize(o);
  };
  auto r = sign_in_with(key, options());
  ASSERT_TRUE(r) << r.error().to_string();
  EXPECT_TRUE(state().credential_public_key.empty());
  tamper_ = nullptr;
  cloud_offline_ = true;
  auto offline = sign_in_with(key, options());
  ASSERT_FALSE(offline);
  EXPECT_TRUE(offline.error().is(SigninErrc::kCachedUnavailable)) << offline.error().to_string();
}

TEST_F(SigninFlow, AP256DeviceKeySignsItsPrtRequestsEs256) {
  SoftAuthenticator key = new_key("alice");
  ASSERT_TRUE(register_alice(key));
  std::filesystem::remove(state_path_);
  std::filesystem::remove(device_key_path(state_path_));
  SigninOptions o = options();
  o.cloud.device_key_type = crypto::KeyType::kEcP256;
  auto r = sign_in_with(key, o);
  ASSERT_TRUE(r) << r.error().to_string();
  EXPECT_TRUE(r->device_registered);
  DeviceState s = state();
  EXPECT_EQ(s.device_key.type(), crypto::KeyType::kEcP256);
  EXPECT_EQ(s.transport_key.type(), crypto::KeyType::kRsa);
  expect_full_tgt_in_cache();
  // The refresh (session-key signed) and a second sign-in with the key both go through.
  clock_.advance(1h);
  RefreshOptions ro{state_path_, ccache_, false, {}};
  auto refreshed = refresh(ro, cloud(), kdc(), srv(), clock_, rng_);
  ASSERT_TRUE(refreshed) << refreshed.error().to_string();
  auto again = sign_in_with(key, o);
  ASSERT_TRUE(again) << again.error().to_string();
  EXPECT_FALSE(again->device_registered);
}

TEST_F(SigninFlow, NtlmKeepsTheDirectorysNtHashEncrypted) {
  SoftAuthenticator key = new_key("alice");
  ASSERT_TRUE(register_alice(key));
  SigninOptions o = options();
  o.ntlm = true;
  auto r = sign_in_with(key, o);
  ASSERT_TRUE(r) << r.error().to_string();
  EXPECT_TRUE(r->nt_hash);
  DeviceState s = state();
  ASSERT_TRUE(s.nt_hash);
  EXPECT_TRUE(s.key_list);
  auto expected = crypto::nt_hash(SecretString("Al1ce-pw!"));
  ASSERT_TRUE(expected);
  EXPECT_EQ(*s.nt_hash, expected->bytes());
  // Not in clear in the file.
  auto text = formats::read_file(state_path_, 1 << 20);
  ASSERT_TRUE(text);
  EXPECT_EQ(as_chars(*text).find(base64_encode(expected->bytes().reveal())), std::string::npos);
  // Without --ntlm the next sign-in drops it.
  ASSERT_TRUE(sign_in_with(key, options()));
  EXPECT_FALSE(state().nt_hash);
}

TEST_F(SigninFlow, ConfiguredDcsComeFirstAndDeadOrWrongDcsArePassedOver) {
  SoftAuthenticator key = new_key("alice");
  ASSERT_TRUE(register_alice(key));
  SigninOptions o = options();
  o.locator.realm_dcs["CONTOSO.TEST"] = {"dead.contoso.test", "other-realm-dc", "dc.contoso.test"};
  auto r = sign_in_with(key, o);
  ASSERT_TRUE(r) << r.error().to_string();
  EXPECT_EQ(r->dc, "dc.contoso.test:88");
  ASSERT_EQ(r->dc_failures.size(), 2u);
  EXPECT_EQ(r->dc_failures[0].rfind("dead.contoso.test:88: ", 0), 0u) << r->dc_failures[0];
  EXPECT_EQ(r->dc_failures[1].rfind("other-realm-dc:88: ", 0), 0u) << r->dc_failures[1];
  EXPECT_TRUE(srv_log_.empty());  // configuration wins; DNS not asked
  expect_full_tgt_in_cache();
}

TEST_F(SigninFlow, AnRodcStyleAnswerMovesToTheNextDc) {
  SoftAuthenticator key = new_key("alice");
  ASSERT_TRUE(register_alice(key));
  SigninOptions o = options();
  o.locator.realm_dcs["CONTOSO.TEST"] = {"rodc.contoso.test", "dc.contoso.test"};
  auto r = sign_in_with(key, o);
  ASSERT_TRUE(r) << r.error().to_string();
  EXPECT_EQ(r->dc, "dc.contoso.test:88");
  ASSERT_EQ(r->dc_failures.size(), 1u);
  EXPECT_NE(r->dc_failures[0].find("answered as an RODC"), std::string::npos) << r->dc_failures[0];
  // An RODC alone: no DC could trade.
  o.locator.realm_dcs["CONTOSO.TEST"] = {"rodc.contoso.test"};
  auto alone = sign_in_with(key, o);
  ASSERT_FALSE(alone);
  EXPECT_TRUE(alone.error().is(SigninErrc::kNoDcReachable)) << alone.error().to_string();
}

// ---------------------------------------------------------------- errors a person can act on

TEST_F(SigninFlow, NoDcReachableIsItsOwnError) {
  SoftAuthenticator key = new_key("alice");
  ASSERT_TRUE(register_alice(key));
  SigninOptions o = options();
  o.locator.realm_dcs["CONTOSO.TEST"] = {"dead1.contoso.test", "dead2.contoso.test"};
  auto r = sign_in_with(key, o);
  ASSERT_FALSE(r);
  EXPECT_TRUE(r.error().is(SigninErrc::kNoDcReachable)) << r.error().to_string();
  EXPECT_NE(r.error().detail().find("dead2.contoso.test"), std::string::npos);
  // The PRT is kept: a refresh can re-trade once a DC is back.
  EXPECT_TRUE(state().prt.has_value());
  // Nothing in DNS either.
  dns_has_dc_ = false;
  auto none = sign_in_with(key, options());
  ASSERT_FALSE(none);
  EXPECT_TRUE(none.error().is(SigninErrc::kNoDcReachable)) << none.error().to_string();
  EXPECT_FALSE(read_ccache(ccache_));
}

TEST_F(SigninFlow, DomainAdminGetsAPrtButThePolicyRefusesTheTgt) {
  const std::string admin = "administrator@contoso.test";
  const std::string id = add_cloud_user(admin, "Administrator", kDomainSid + "-500");
  const std::string pass = "QRSTUVWXYZ0123456789";
  add_pass(id, pass);
  SoftAuthenticator key = new_key("admin");
  ASSERT_TRUE(
      register_key(cloud_options(admin), SecretString(pass), "", key, cloud(), clock_, rng_));
  auto r = sign_in_with(key, options(admin));
  ASSERT_FALSE(r);
  EXPECT_TRUE(r.error().is(SigninErrc::kDcPolicy)) << r.error().to_string();
  DeviceState s = state();
  EXPECT_TRUE(s.prt.has_value());
  EXPECT_FALSE(s.full_tgt.has_value());
  EXPECT_EQ(s.dcs_answered, std::vector<std::string>{"dc.contoso.test:88"});
  EXPECT_FALSE(read_ccache(ccache_));
}

TEST_F(SigninFlow, PasswordExpiredOnPremisesAtTheDc) {
  SoftAuthenticator key = new_key("alice");
  ASSERT_TRUE(register_alice(key));
  edit_dc_user("alice", [](store::Account& a) { a.pwd_last_set = 0; });  // must change
  auto r = sign_in_with(key, options());
  ASSERT_FALSE(r);
  EXPECT_TRUE(r.error().is(SigninErrc::kPasswordExpired)) << r.error().to_string();
}

TEST_F(SigninFlow, PasswordExpiredOnPremisesAtTheCloud) {
  SoftAuthenticator key = new_key("alice");
  ASSERT_TRUE(register_alice(key));
  // The sync reports that alice's on-prem password expired an hour ago: the real token
  // endpoint refuses with problem code password_expired (docs/cloud-operations.md).
  add_cloud_user(kAlice, "alice", kDomainSid + "-1105", clock_.now() - std::chrono::hours(1));
  auto r = sign_in_with(key, options());
  ASSERT_FALSE(r);
  EXPECT_TRUE(r.error().is(SigninErrc::kPasswordExpired)) << r.error().to_string();
  // A refusal by a reachable cloud never falls back to the cache.
  EXPECT_FALSE(read_ccache(ccache_));
}

TEST_F(SigninFlow, DisabledAccountAtTheDcIsRevoked) {
  SoftAuthenticator key = new_key("alice");
  ASSERT_TRUE(register_alice(key));
  edit_dc_user("alice",
               [](store::Account& a) { a.user_account_control |= store::uac::kAccountDisable; });
  auto r = sign_in_with(key, options());
  ASSERT_FALSE(r);
  EXPECT_TRUE(r.error().is(SigninErrc::kAccountRevoked)) << r.error().to_string();
}

TEST_F(SigninFlow, NoKerberosServerObjectForTheDomain) {
  const std::string dave = "dave@fabrikam.test";
  const std::string id = add_cloud_user(dave, "dave", "S-1-5-21-4-5-6-1107");
  const std::string pass = "DAVE0123456789ABCDEF";
  add_pass(id, pass);
  SoftAuthenticator key = new_key("dave");
  ASSERT_TRUE(
      register_key(cloud_options(dave), SecretString(pass), "", key, cloud(), clock_, rng_));
  auto r = sign_in_with(key, options(dave));
  ASSERT_FALSE(r);
  EXPECT_TRUE(r.error().is(SigninErrc::kNoKerberosServer)) << r.error().to_string();
  EXPECT_NE(r.error().detail().find("fabrikam.test"), std::string::npos);
  EXPECT_TRUE(state().prt.has_value());
  EXPECT_TRUE(kdc_log_.empty());
}

TEST_F(SigninFlow, ADeletedCredentialIsRefusedByTheCloud) {
  SoftAuthenticator key = new_key("alice");
  auto reg = register_alice(key);
  ASSERT_TRUE(reg);
  ASSERT_TRUE(sign_in_with(key, options()));
  // The administrator deletes the key: the cloud lists no credentials for alice any more,
  // the (discoverable) key still answers, and the cloud refuses its assertion.
  run([&](store::CloudTxn& t) {
    return t.delete_credential(kTenant, *base64url_decode(reg->credential_id));
  });
  auto r = sign_in_with(key, options());
  ASSERT_FALSE(r);
  EXPECT_TRUE(r.error().is(SigninErrc::kKeyNotRegistered)) << r.error().to_string();
  EXPECT_NE(r.error().detail().find("invalid_grant"), std::string::npos) << r.error().detail();
}

TEST_F(SigninFlow, AnUnregisteredKeyIsRefused) {
  SoftAuthenticator key = new_key("alice");
  ASSERT_TRUE(register_alice(key));
  SoftAuthenticator stranger = new_key("stranger");
  auto r = sign_in_with(stranger, options());
  ASSERT_FALSE(r);
  EXPECT_TRUE(r.error().is(SigninErrc::kKeyNotRegistered)) << r.error().to_string();
  // First use on a fresh device with an unregistered key: refused at device registration.
  std::filesystem::remove(state_path_);
  auto fresh = sign_in_with(stranger, options());
  ASSERT_FALSE(fresh);
  EXPECT_TRUE(fresh.error().is(SigninErrc::kKeyNotRegistered)) << fresh.error().to_string();
  EXPECT_FALSE(std::filesystem::exists(state_path_));
}

TEST_F(SigninFlow, AWrongOrUsedAccessPassIsRefused) {
  SoftAuthenticator key = new_key("alice");
  auto wrong = register_key(cloud_options(), SecretString("AAAAAAAAAAAAAAAAAAAA"), "", key, cloud(),
                            clock_, rng_);
  ASSERT_FALSE(wrong);
  EXPECT_TRUE(wrong.error().is(SigninErrc::kAccessPassRefused)) << wrong.error().to_string();
  ASSERT_TRUE(register_alice(key));
  SoftAuthenticator second = new_key("alice2");
  auto used = register_alice(second);  // one-time pass
  ASSERT_FALSE(used);
  EXPECT_TRUE(used.error().is(SigninErrc::kAccessPassRefused));
}

TEST_F(SigninFlow, AStateOfAnotherTenantOrUserIsNotUsed) {
  SoftAuthenticator key = new_key("alice");
  ASSERT_TRUE(register_alice(key));
  const int calls = cloud_calls_;
  SigninOptions o = options();
  o.cloud.tenant = kOtherTenant;
  auto r = sign_in_with(key, o);
  ASSERT_FALSE(r);
  EXPECT_TRUE(r.error().is(SigninErrc::kStateMismatch));
  auto b = sign_in_with(key, options("bob@contoso.test"));
  ASSERT_FALSE(b);
  EXPECT_TRUE(b.error().is(SigninErrc::kStateMismatch));
  EXPECT_EQ(cloud_calls_, calls);  // nothing sent for either
}

// ---------------------------------------------------------------- cached sign-in

TEST_F(SigninFlow, CachedSignInWithTheSameKeyWhenTheCloudIsUnreachable) {
  SoftAuthenticator key = new_key("alice");
  ASSERT_TRUE(register_alice(key));
  ASSERT_TRUE(sign_in_with(key, options()));
  const std::uint32_t counter = state().sign_count;
  std::filesystem::remove(ccache_.substr(5));
  cloud_offline_ = true;
  kdc_log_.clear();
  clock_.advance(1h);
  auto r = sign_in_with(key, options());
  ASSERT_TRUE(r) << r.error().to_string();
  EXPECT_EQ(r->mode, SigninResult::Mode::kCached);
  EXPECT_EQ(r->principal, "alice@CONTOSO.TEST");
  EXPECT_TRUE(kdc_log_.empty());  // no DC needed
  expect_full_tgt_in_cache();
  EXPECT_GT(state().sign_count, counter);
  // --no-cached: the unreachable cloud is the answer.
  SigninOptions strict = options();
  strict.allow_cached = false;
  auto no = sign_in_with(key, strict);
  ASSERT_FALSE(no);
  EXPECT_TRUE(no.error().is(SigninErrc::kCloudUnreachable));
}

TEST_F(SigninFlow, CachedSignInRefusesAnotherKeyAndAnExpiredTgt) {
  SoftAuthenticator key = new_key("alice");
  ASSERT_TRUE(register_alice(key));
  ASSERT_TRUE(sign_in_with(key, options()));
  std::filesystem::remove(ccache_.substr(5));
  cloud_offline_ = true;
  SoftAuthenticator other = new_key("other");
  auto r = sign_in_with(other, options());
  ASSERT_FALSE(r);
  EXPECT_TRUE(r.error().is(SigninErrc::kCachedKeyRefused)) << r.error().to_string();
  EXPECT_FALSE(read_ccache(ccache_));
  // A wrong PIN on the right key: the authenticator's own refusal, nothing cached used.
  SecretString bad_pin("000000");
  SigninOptions wrong_pin = options();
  wrong_pin.cloud.pin = &bad_pin;
  auto p = sign_in_with(key, wrong_pin);
  ASSERT_FALSE(p);
  EXPECT_TRUE(p.error().is(AuthenticatorErrc::kPinInvalid)) << p.error().to_string();
  EXPECT_FALSE(read_ccache(ccache_));
  // The cached TGT lives 10 hours.
  clock_.advance(11h);
  auto late = sign_in_with(key, options());
  ASSERT_FALSE(late);
  EXPECT_TRUE(late.error().is(SigninErrc::kCachedUnavailable)) << late.error().to_string();
}

TEST_F(SigninFlow, CachedAssertionChecksChallengeAndCounter) {
  SoftAuthenticator key = new_key("alice");
  ASSERT_TRUE(register_alice(key));
  ASSERT_TRUE(sign_in_with(key, options()));
  DeviceState s = state();
  // An assertion made over one challenge does not verify for another, and not twice.
  Bytes challenge(32, 7);
  bj::object opts{
      {"challenge", base64url_encode(challenge)},
      {"rpId", "localhost"},
      {"allowCredentials",
       bj::array{bj::object{{"type", "public-key"}, {"id", base64url_encode(s.credential_id)}}}},
      {"userVerification", "required"}};
  auto assertion = WebauthnClient(key, "https://localhost").get(json::serialize(opts), &pin_);
  ASSERT_TRUE(assertion) << assertion.error().to_string();
  DeviceState other = state();
  auto wrong = detail::verify_cached_assertion(other, Bytes(32, 8), *assertion);
  ASSERT_FALSE(wrong);
  EXPECT_TRUE(wrong.error().is(SigninErrc::kCachedKeyRefused));
  ASSERT_TRUE(detail::verify_cached_assertion(s, challenge, *assertion));
  auto replay = detail::verify_cached_assertion(s, challenge, *assertion);
  ASSERT_FALSE(replay);  // the counter did not increase
  EXPECT_TRUE(replay.error().is(SigninErrc::kCachedKeyRefused));
  // Another origin in clientDataJSON is refused.
  auto elsewhere = WebauthnClient(key, "https://evil.localhost").get(json::serialize(opts), &pin_);
  ASSERT_TRUE(elsewhere);
  DeviceState fresh = state();
  EXPECT_FALSE(detail::verify_cached_assertion(fresh, challenge, *elsewhere));
}

TEST_F(SigninFlow, OfflineWithoutAnyStateIsCloudUnreachable) {
  SoftAuthenticator key = new_key("alice");
  cloud_offline_ = true;
  auto r = sign_in_with(key, options());
  ASSERT_FALSE(r);
  EXPECT_TRUE(r.error().is(SigninErrc::kCloudUnreachable)) << r.error().to_string();
}

// ---------------------------------------------------------------- refresh

TEST_F(SigninFlow, RefreshRenewsThePrtAndRetradesWithoutTheKey) {
  SoftAuthenticator key = new_key("alice");
  ASSERT_TRUE(register_alice(key));
  ASSERT_TRUE(sign_in_with(key, options()));
  const std::string prt_before(state().prt->reveal());
  std::filesystem::remove(ccache_.substr(5));
  clock_.advance(2h);
  RefreshOptions ro{state_path_, ccache_, false, {}};
  auto r = refresh(ro, cloud(), kdc(), srv(), clock_, rng_);
  ASSERT_TRUE(r) << r.error().to_string();
  EXPECT_EQ(r->mode, SigninResult::Mode::kRefreshed);
  expect_full_tgt_in_cache();
  DeviceState s = state();
  EXPECT_NE(std::string(s.prt->reveal()), prt_before);
  EXPECT_EQ(*s.prt_expiry, clock_.now() + 14 * 24h);
  // The old PRT was rotated away: the cloud refuses it.
  DeviceState stale = state();
  stale.prt = SecretString(prt_before);
  ASSERT_TRUE(save_device_state(state_path_, stale, rng_));
  auto refused = refresh(ro, cloud(), kdc(), srv(), clock_, rng_);
  ASSERT_FALSE(refused);
  EXPECT_TRUE(refused.error().is(SigninErrc::kCloudRefused)) << refused.error().to_string();
}

TEST_F(SigninFlow, RefreshOfflineRetradesTheCachedPartialTgt) {
  SoftAuthenticator key = new_key("alice");
  ASSERT_TRUE(register_alice(key));
  ASSERT_TRUE(sign_in_with(key, options()));
  std::filesystem::remove(ccache_.substr(5));
  cloud_offline_ = true;
  kdc_log_.clear();
  RefreshOptions ro{state_path_, ccache_, false, {}};
  auto r = refresh(ro, cloud(), kdc(), srv(), clock_, rng_);
  ASSERT_TRUE(r) << r.error().to_string();
  EXPECT_EQ(kdc_log_, std::vector<std::string>{"dc.contoso.test:88"});
  expect_full_tgt_in_cache();
  // Past the partial TGT's end: nothing left to trade offline.
  clock_.advance(11h);
  auto late = refresh(ro, cloud(), kdc(), srv(), clock_, rng_);
  ASSERT_FALSE(late);
  EXPECT_TRUE(late.error().is(SigninErrc::kCloudUnreachable)) << late.error().to_string();
}

TEST_F(SigninFlow, RefreshNeedsALivePrt) {
  RefreshOptions ro{state_path_, ccache_, false, {}};
  auto none = refresh(ro, cloud(), kdc(), srv(), clock_, rng_);
  ASSERT_FALSE(none);
  EXPECT_TRUE(none.error().is(SigninErrc::kNotSignedIn));
  SoftAuthenticator key = new_key("alice");
  ASSERT_TRUE(register_alice(key));
  auto no_prt = refresh(ro, cloud(), kdc(), srv(), clock_, rng_);
  ASSERT_FALSE(no_prt);
  EXPECT_TRUE(no_prt.error().is(SigninErrc::kNotSignedIn));
  ASSERT_TRUE(sign_in_with(key, options()));
  clock_.advance(15 * 24h);
  auto expired = refresh(ro, cloud(), kdc(), srv(), clock_, rng_);
  ASSERT_FALSE(expired);
  EXPECT_TRUE(expired.error().is(SigninErrc::kPrtExpired));
}

// ---------------------------------------------------------------- status

TEST_F(SigninFlow, StatusReportsStateAndCacheWithoutSecrets) {
  auto before = signin_status(state_path_, ccache_);
  ASSERT_TRUE(before) << before.error().to_string();
  EXPECT_FALSE(before->joined);
  EXPECT_FALSE(before->ccache);
  SoftAuthenticator key = new_key("alice");
  ASSERT_TRUE(register_alice(key));
  SigninOptions o = options();
  o.ntlm = true;
  ASSERT_TRUE(sign_in_with(key, o));
  auto st = signin_status(state_path_, ccache_);
  ASSERT_TRUE(st) << st.error().to_string();
  EXPECT_TRUE(st->joined && st->prt_present && st->full_tgt_present && st->partial_tgt_present);
  EXPECT_TRUE(st->key_list && st->nt_hash_kept && st->cached_key);
  EXPECT_EQ(st->tenant, kTenant);
  EXPECT_EQ(st->user, kAlice);
  ASSERT_TRUE(st->ccache);
  EXPECT_EQ(st->ccache->default_principal, "alice@CONTOSO.TEST");
  const std::string text = format_status_text(*st, clock_.now());
  EXPECT_NE(text.find("PrtPresent : YES"), std::string::npos) << text;
  EXPECT_NE(text.find("DcsAnswered : dc.contoso.test:88"), std::string::npos) << text;
  EXPECT_NE(text.find(st->device_id), std::string::npos);
  auto j = json::parse_object(format_status_json(*st, clock_.now()));
  ASSERT_TRUE(j);
  EXPECT_EQ(j->at("device_id").as_string(), st->device_id);
  EXPECT_TRUE(j->at("prt_present").as_bool());
  EXPECT_TRUE(j->at("key_list_obtained").as_bool());
  EXPECT_EQ(j->at("full_tgt_expiry").as_int64(), std::chrono::duration_cast<std::chrono::seconds>(
                                                     st->full_tgt_expiry->time_since_epoch())
                                                     .count());
  EXPECT_EQ(j->at("ccache").as_object().at("credentials").as_array().size(), 1u);
  // Neither report carries the PRT.
  const std::string prt(state().prt->reveal());
  EXPECT_EQ(text.find(prt), std::string::npos);
  EXPECT_EQ(format_status_json(*st, clock_.now()).find(prt), std::string::npos);
}

}  // namespace
}  // namespace kb::client
