// The cached TGT bound to the security key (client/key_binding.h, CTAP 2.1 hmac-secret):
// against the real cloud Router and our KDC in process (signin_fixture.h).
#include "signin_fixture.h"
#include "webauthn/auth_data.h"
#include "webauthn/cbor.h"

namespace kb::client {
namespace {

using namespace std::chrono_literals;

class SigninBinding : public SigninFlow {
 protected:
  // Signs alice in online with `key` (registered first), then takes the cloud away.
  void sign_in_then_go_offline(SoftAuthenticator& key) {
    ASSERT_TRUE(register_alice(key));
    auto r = sign_in_with(key, options());
    ASSERT_TRUE(r) << r.error().to_string();
    std::filesystem::remove(ccache_.substr(5));
    cloud_offline_ = true;
  }
  void expect_refused(SoftAuthenticator& key) {
    auto r = sign_in_with(key, options());
    ASSERT_FALSE(r);
    EXPECT_TRUE(r.error().is(SigninErrc::kCachedKeyRefused)) << r.error().to_string();
    EXPECT_FALSE(read_ccache(ccache_)) << "a ccache was written";
  }
  void save(const DeviceState& s) { ASSERT_TRUE(save_device_state(state_path_, s, rng_)); }
};

TEST_F(SigninBinding, OnlineSignInSealsTheTgtAndCachedSignInOpensItWithTheKey) {
  SoftAuthenticator key = new_key("alice");
  sign_in_then_go_offline(key);
  DeviceState s = state();
  ASSERT_TRUE(s.key_binding && s.full_tgt_sealed);
  EXPECT_FALSE(s.full_tgt);
  EXPECT_EQ(s.hmac_salt.size(), 32u);
  EXPECT_EQ(s.key_binding->credential_id, s.credential_id);
  // The state file and its file key alone do not hold the ticket in any readable form.
  auto no_output = open_cached_tgt(s, std::nullopt);
  ASSERT_FALSE(no_output);
  EXPECT_TRUE(no_output.error().is(SigninErrc::kCachedKeyRefused));
  auto wrong_output = open_cached_tgt(s, SecretBytes(Bytes(32, 0x11)));
  ASSERT_FALSE(wrong_output);
  EXPECT_TRUE(wrong_output.error().is(SigninErrc::kCachedKeyRefused));

  clock_.advance(1h);
  auto r = sign_in_with(key, options());
  ASSERT_TRUE(r) << r.error().to_string();
  EXPECT_EQ(r->mode, SigninResult::Mode::kCached);
  expect_full_tgt_in_cache();
  // The cached sign-in neither unseals the state nor rebinds it.
  DeviceState after = state();
  ASSERT_TRUE(after.full_tgt_sealed && after.key_binding);
  EXPECT_FALSE(after.full_tgt);
  EXPECT_EQ(after.key_binding->seal_public_key, s.key_binding->seal_public_key);
}

TEST_F(SigninBinding, AnotherKeyIsRefusedAndWritesNoCcache) {
  SoftAuthenticator key = new_key("alice");
  sign_in_then_go_offline(key);
  SoftAuthenticator other = new_key("other");
  expect_refused(other);
}

// Someone with the state file and its file key swaps in their own credential (so that the
// signature check passes with their key): the sealed TGT still does not open.
TEST_F(SigninBinding, ASwappedInCredentialPassesTheSignatureButNotTheSeal) {
  SoftAuthenticator key = new_key("alice");
  sign_in_then_go_offline(key);
  SoftAuthenticator mallory = new_key("mallory");
  MakeCredentialRequest mc;
  mc.rp_id = "localhost";
  mc.client_data_hash = Bytes(32, 9);
  mc.user = {{1, 2}, "mallory", "Mallory"};
  mc.algs = {crypto::cose::Alg::kEs256};
  mc.pin = &pin_;
  mc.hmac_secret = true;
  auto cred = mallory.make_credential(mc);
  ASSERT_TRUE(cred) << cred.error().to_string();
  webauthn::cbor::Limits limits;
  auto att = webauthn::cbor::decode(cred->attestation_object, limits);
  ASSERT_TRUE(att);
  auto ad = webauthn::parse_authenticator_data(att->find("authData")->bytes);
  ASSERT_TRUE(ad && ad->attested);
  DeviceState s = state();
  s.credential_id = cred->credential_id;
  s.credential_public_key = ad->attested->public_key.encoded;
  s.sign_count = 0;
  s.key_binding->credential_id = cred->credential_id;
  save(s);
  expect_refused(mallory);
  // Without rebinding the credential id, the mismatch alone refuses it.
  s.key_binding->credential_id = {1, 2, 3};
  save(s);
  expect_refused(mallory);
}

TEST_F(SigninBinding, TamperedSealedTgtOrWrappedKeyIsRefused) {
  SoftAuthenticator key = new_key("alice");
  sign_in_then_go_offline(key);
  const DeviceState good = state();
  {
    DeviceState s = state();
    s.full_tgt_sealed->reveal_mutable()[40] ^= 0x01;
    save(s);
    expect_refused(key);
  }
  {
    DeviceState s = state();
    s.full_tgt_sealed = good.full_tgt_sealed->clone();
    s.key_binding->wrapped_private_key[20] ^= 0x01;
    save(s);
    expect_refused(key);
  }
  {
    // Another salt: another hmac-secret output, another K.
    DeviceState s = state();
    s.key_binding = good.key_binding;
    s.hmac_salt[0] ^= 0x01;
    save(s);
    expect_refused(key);
  }
  // Put back as it was: the key opens it again (the tests above failed for the tampering).
  DeviceState s = state();
  s.key_binding = good.key_binding;
  s.hmac_salt = good.hmac_salt;
  save(s);
  auto r = sign_in_with(key, options());
  ASSERT_TRUE(r) << r.error().to_string();
  expect_full_tgt_in_cache();
}

TEST_F(SigninBinding, AKeyThatStopsAnsweringHmacSecretIsRefused) {
  SoftAuthenticator key = new_key("alice");
  sign_in_then_go_offline(key);
  key.set_hmac_secret_supported(false);  // the signature is right; the output is missing
  expect_refused(key);
}

TEST_F(SigninBinding, RefreshReSealsWithoutTheKeyAndCachedSignInStillWorks) {
  SoftAuthenticator key = new_key("alice");
  ASSERT_TRUE(register_alice(key));
  ASSERT_TRUE(sign_in_with(key, options()));
  const DeviceState before = state();
  clock_.advance(2h);
  RefreshOptions ro{state_path_, ccache_, false, {}};
  auto rr = refresh(ro, cloud(), kdc(), srv(), clock_, rng_);  // no authenticator here
  ASSERT_TRUE(rr) << rr.error().to_string();
  DeviceState s = state();
  ASSERT_TRUE(s.full_tgt_sealed && s.key_binding);
  EXPECT_FALSE(s.full_tgt);
  EXPECT_NE(*s.full_tgt_sealed, *before.full_tgt_sealed);
  EXPECT_EQ(s.key_binding->seal_public_key, before.key_binding->seal_public_key);
  EXPECT_GT(*s.full_tgt_expiry, *before.full_tgt_expiry);
  std::filesystem::remove(ccache_.substr(5));
  cloud_offline_ = true;
  clock_.advance(9h);  // past the first TGT's 10 hours, within the refreshed one's
  auto r = sign_in_with(key, options());
  ASSERT_TRUE(r) << r.error().to_string();
  EXPECT_EQ(r->mode, SigninResult::Mode::kCached);
  expect_full_tgt_in_cache();
  EXPECT_EQ(r->tgt_expiry, *s.full_tgt_expiry);
}

TEST_F(SigninBinding, AKeyWithoutHmacSecretFallsBackAndStatusSaysUnbound) {
  SoftAuthenticator key = new_key("alice");
  key.set_hmac_secret_supported(false);
  sign_in_then_go_offline(key);
  DeviceState s = state();
  EXPECT_TRUE(s.full_tgt);
  EXPECT_FALSE(s.key_binding);
  EXPECT_FALSE(s.full_tgt_sealed);
  auto st = signin_status(state_path_, ccache_);
  ASSERT_TRUE(st) << st.error().to_string();
  EXPECT_TRUE(st->full_tgt_present);
  EXPECT_FALSE(st->cached_tgt_bound);
  const std::string text = format_status_text(*st, clock_.now());
  EXPECT_NE(text.find("CachedTgtBoundToKey : NO"), std::string::npos) << text;
  auto j = json::parse_object(format_status_json(*st, clock_.now()));
  ASSERT_TRUE(j);
  EXPECT_FALSE(j->at("cached_tgt_bound_to_key").as_bool());
  // Cached sign-in as before: signature check only.
  auto r = sign_in_with(key, options());
  ASSERT_TRUE(r) << r.error().to_string();
  EXPECT_EQ(r->mode, SigninResult::Mode::kCached);
  expect_full_tgt_in_cache();
}

TEST_F(SigninBinding, StatusSaysBoundWithAnHmacSecretKey) {
  SoftAuthenticator key = new_key("alice");
  sign_in_then_go_offline(key);
  auto st = signin_status(state_path_, ccache_);
  ASSERT_TRUE(st) << st.error().to_string();
  EXPECT_TRUE(st->full_tgt_present);
  EXPECT_TRUE(st->cached_tgt_bound);
  const std::string text = format_status_text(*st, clock_.now());
  EXPECT_NE(text.find("CachedTgtBoundToKey : YES"), std::string::npos) << text;
  auto j = json::parse_object(format_status_json(*st, clock_.now()));
  ASSERT_TRUE(j);
  EXPECT_TRUE(j->at("cached_tgt_bound_to_key").as_bool());
}

}  // namespace
}  // namespace kb::client
