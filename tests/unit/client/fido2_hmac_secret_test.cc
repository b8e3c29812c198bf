// hmac-secret (CTAP 2.1 12.5) through libfido2 against the simulated key: libfido2's own
// key agreement, saltEnc/saltAuth and output decryption, PIN/UV auth protocols one and two.
#include <gtest/gtest.h>

#include "fido2_fixture.h"
#include "webauthn/auth_data.h"

namespace kb::client::testing {
namespace {

using webauthn::Requirement;
using E = AuthenticatorErrc;

class Fido2Hmac : public Fido2Fixture, public ::testing::WithParamInterface<int> {
 protected:
  CtapDeviceConfig config(bool hmac_secret) const {
    CtapDeviceConfig c = with_pin();
    c.pin_protocol = static_cast<std::uint8_t>(GetParam());
    c.fido_2_1 = GetParam() == 2;
    c.hmac_secret = hmac_secret;
    return c;
  }
  Result<GetAssertionResponse> get(Authenticator& a, const Bytes& id, Bytes salt) {
    GetAssertionRequest r = raw_get(id, &pin_);
    r.user_verification = Requirement::kRequired;
    r.hmac_salt = std::move(salt);
    return a.get_assertion(r);
  }
  Bytes output(Authenticator& a, const Bytes& id, Bytes salt) {
    auto r = get(a, id, std::move(salt));
    EXPECT_TRUE(r) << r.error().to_string();
    if (!r || !r->hmac_secret) return {};
    return to_bytes(r->hmac_secret->reveal());
  }
};

TEST_P(Fido2Hmac, OutputComesBackDecryptedAndMatchesTheKeysOwn) {
  Fido2Authenticator a = start_ok(config(true));
  MakeCredentialRequest mc = raw_make(&pin_);
  mc.hmac_secret = true;
  auto c = a.make_credential(mc);
  ASSERT_TRUE(c) << c.error().to_string();
  EXPECT_TRUE(c->hmac_secret);
  Bytes s1(32, 0x31), s2(32, 0x32);
  Bytes o1 = output(a, c->credential_id, s1);
  ASSERT_EQ(o1.size(), 32u);
  EXPECT_EQ(output(a, c->credential_id, s1), o1);  // a new key agreement, the same output
  EXPECT_NE(output(a, c->credential_id, s2), o1);
  // What libfido2 decrypted is what the key computed: HMAC(CredRandomWithUV, salt).
  GetAssertionRequest direct = raw_get(c->credential_id, nullptr);
  SecretString device_pin("123456");
  direct.pin = &device_pin;
  direct.user_verification = Requirement::kRequired;
  direct.hmac_salt = s1;
  auto own = device_->soft().get_assertion(direct);
  ASSERT_TRUE(own && own->hmac_secret);
  EXPECT_EQ(to_bytes(own->hmac_secret->reveal()), o1);
  // authData carries the encrypted output only (ED set, not the clear bytes).
  auto r = get(a, c->credential_id, s1);
  ASSERT_TRUE(r);
  auto ad = webauthn::parse_authenticator_data(r->authenticator_data);
  ASSERT_TRUE(ad) << ad.error().to_string();
  EXPECT_TRUE(ad->ed() && ad->uv());
  auto it =
      std::search(r->authenticator_data.begin(), r->authenticator_data.end(), o1.begin(), o1.end());
  EXPECT_EQ(it, r->authenticator_data.end());
}

TEST_P(Fido2Hmac, TheRelyingPartyAcceptsAnAssertionWithTheExtension) {
  Fido2Authenticator a = start_ok(config(true));
  auto p = creation();
  p.user_verification = Requirement::kRequired;
  auto o = webauthn::make_creation_options(p, rng_);
  ASSERT_TRUE(o);
  WebauthnClient client(a, kOrigin);
  auto reg_json = client.create(o->json, &pin_, true);
  ASSERT_TRUE(reg_json) << reg_json.error().to_string();
  auto e = reg_expectation(*o);
  auto reg = webauthn::verify_registration(e, *reg_json, {});
  ASSERT_TRUE(reg) << reg.error().to_string();
  webauthn::RequestParams rp;
  rp.rp_id = kRpId;
  rp.user_verification = Requirement::kRequired;
  rp.allow.push_back({reg->credential_id, {}});
  auto ro = webauthn::make_request_options(rp, rng_);
  ASSERT_TRUE(ro);
  HmacSecretExchange hs{Bytes(32, 5), std::nullopt};
  auto json = client.get(ro->json, &pin_, &hs);
  ASSERT_TRUE(json) << json.error().to_string();
  ASSERT_TRUE(hs.output);
  EXPECT_EQ(hs.output->size(), 32u);
  webauthn::AssertionExpectation ae;
  ae.challenge = ro->challenge;
  ae.rp_id = kRpId;
  ae.origins = {kOrigin};
  ae.allow_credentials = {reg->credential_id};
  ae.require_user_verification = true;
  auto v = webauthn::verify_assertion(ae, *json, stored(*reg, p));
  EXPECT_TRUE(v) << v.error().to_string();
}

TEST_P(Fido2Hmac, AKeyWithoutTheExtensionGivesNoOutput) {
  Fido2Authenticator a = start_ok(config(false));
  MakeCredentialRequest mc = raw_make(&pin_);
  mc.hmac_secret = true;
  auto c = a.make_credential(mc);
  ASSERT_TRUE(c) << c.error().to_string();
  EXPECT_FALSE(c->hmac_secret);
  auto r = get(a, c->credential_id, Bytes(32, 1));
  ASSERT_TRUE(r) << r.error().to_string();
  EXPECT_FALSE(r->hmac_secret);
}

TEST_P(Fido2Hmac, ACredentialMadeWithoutTheExtensionGivesNoOutput) {
  Fido2Authenticator a = start_ok(config(true));
  auto c = a.make_credential(raw_make(&pin_));
  ASSERT_TRUE(c) << c.error().to_string();
  EXPECT_FALSE(c->hmac_secret);
  auto r = get(a, c->credential_id, Bytes(32, 1));
  ASSERT_TRUE(r) << r.error().to_string();
  EXPECT_FALSE(r->hmac_secret);
}

TEST_P(Fido2Hmac, ASaltOfTheWrongLengthIsRefusedBeforeTheKeyIsAsked) {
  Fido2Authenticator a = start_ok(config(true));
  auto before = device_->commands().size();
  EXPECT_AUTH_ERR(get(a, Bytes(16, 1), Bytes(16, 1)), E::kBadRequest);
  EXPECT_EQ(device_->commands().size(), before);
}

INSTANTIATE_TEST_SUITE_P(PinProtocol, Fido2Hmac, ::testing::Values(1, 2),
                         [](const auto& p) { return "V" + std::to_string(p.param); });

}  // namespace
}  // namespace kb::client::testing
