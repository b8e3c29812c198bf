// The software authenticator's hmac-secret extension (CTAP 2.1 12.5).
#include <gtest/gtest.h>

#include <algorithm>

#include "base/subprocess.h"
#include "client/soft_authenticator.h"
#include "crypto/crypto.h"
#include "webauthn/auth_data.h"
#include "webauthn/cbor.h"

namespace kb::client {
namespace {

using webauthn::Requirement;
namespace cbor = webauthn::cbor;

class SoftHmac : public ::testing::Test {
 protected:
  void SetUp() override {
    auto a = SoftAuthenticator::create(dir_.path() / "key.json", rng_, &pin_);
    ASSERT_TRUE(a) << a.error().to_string();
    auth_.emplace(std::move(a).value());
  }
  Result<MakeCredentialResponse> make(bool hmac, std::string user = "alice") {
    MakeCredentialRequest r;
    r.rp_id = "example.com";
    r.client_data_hash = Bytes(32, 1);
    r.user = {to_bytes(std::string_view(user)), user, user};
    r.algs = {crypto::cose::Alg::kEs256};
    r.hmac_secret = hmac;
    return auth_->make_credential(r);
  }
  Result<GetAssertionResponse> get(const Bytes& id, std::optional<Bytes> salt, bool with_pin) {
    GetAssertionRequest r;
    r.rp_id = "example.com";
    r.client_data_hash = Bytes(32, 2);
    r.allow = {id};
    r.pin = with_pin ? &pin_ : nullptr;
    r.user_verification = with_pin ? Requirement::kRequired : Requirement::kDiscouraged;
    r.hmac_salt = std::move(salt);
    return auth_->get_assertion(r);
  }
  Bytes output(const Bytes& id, const Bytes& salt, bool with_pin = false) {
    auto r = get(id, salt, with_pin);
    EXPECT_TRUE(r) << r.error().to_string();
    if (!r || !r->hmac_secret) return {};
    EXPECT_EQ(r->hmac_secret->size(), 32u);
    return to_bytes(r->hmac_secret->reveal());
  }
  TempDir dir_;
  crypto::SystemRng rng_;
  SecretString pin_{"4321"};
  std::optional<SoftAuthenticator> auth_;
};

TEST_F(SoftHmac, MakeCredentialAnnouncesTheExtensionInAuthData) {
  auto c = make(true);
  ASSERT_TRUE(c) << c.error().to_string();
  EXPECT_TRUE(c->hmac_secret);
  cbor::Limits limits;
  auto att = cbor::decode(c->attestation_object, limits);
  ASSERT_TRUE(att);
  const cbor::Value* ad = att->find("authData");
  ASSERT_NE(ad, nullptr);
  auto parsed = webauthn::parse_authenticator_data(ad->bytes);
  ASSERT_TRUE(parsed) << parsed.error().to_string();
  EXPECT_TRUE(parsed->ed());
  ASSERT_TRUE(parsed->extensions);
  const cbor::Value* hs = parsed->extensions->find("hmac-secret");
  ASSERT_NE(hs, nullptr);
  EXPECT_EQ(hs->kind, cbor::Value::Kind::kBool);
  EXPECT_EQ(hs->u, 1u);
  // Without the request: no extension, no ED flag.
  auto plain = make(false, "bob");
  ASSERT_TRUE(plain);
  EXPECT_FALSE(plain->hmac_secret);
  auto att2 = cbor::decode(plain->attestation_object, limits);
  auto p2 = webauthn::parse_authenticator_data(att2->find("authData")->bytes);
  ASSERT_TRUE(p2);
  EXPECT_FALSE(p2->ed());
}

TEST_F(SoftHmac, SameSaltSameOutputAcrossReopen) {
  auto c = make(true);
  ASSERT_TRUE(c);
  Bytes salt(32, 0x5a);
  Bytes first = output(c->credential_id, salt);
  ASSERT_EQ(first.size(), 32u);
  EXPECT_EQ(output(c->credential_id, salt), first);
  auth_.reset();
  auto again = SoftAuthenticator::open(dir_.path() / "key.json", rng_);
  ASSERT_TRUE(again) << again.error().to_string();
  auth_.emplace(std::move(again).value());
  EXPECT_EQ(output(c->credential_id, salt), first);
}

TEST_F(SoftHmac, DifferentSaltOrCredentialGivesDifferentOutput) {
  auto a = make(true, "alice");
  auto b = make(true, "bob");
  ASSERT_TRUE(a && b);
  Bytes s1(32, 1), s2(32, 2);
  Bytes a1 = output(a->credential_id, s1);
  EXPECT_NE(output(a->credential_id, s2), a1);
  EXPECT_NE(output(b->credential_id, s1), a1);
}

TEST_F(SoftHmac, UvAndNoUvOutputsDiffer) {
  auto c = make(true);
  ASSERT_TRUE(c);
  Bytes salt(32, 7);
  Bytes no_uv = output(c->credential_id, salt, false);
  Bytes with_uv = output(c->credential_id, salt, true);
  ASSERT_EQ(no_uv.size(), 32u);
  ASSERT_EQ(with_uv.size(), 32u);
  EXPECT_NE(no_uv, with_uv);
  EXPECT_EQ(output(c->credential_id, salt, true), with_uv);
}

TEST_F(SoftHmac, AuthDataCarriesOnlyTheEncryptedOutput) {
  auto c = make(true);
  ASSERT_TRUE(c);
  auto r = get(c->credential_id, Bytes(32, 3), false);
  ASSERT_TRUE(r && r->hmac_secret);
  auto parsed = webauthn::parse_authenticator_data(r->authenticator_data);
  ASSERT_TRUE(parsed) << parsed.error().to_string();
  EXPECT_TRUE(parsed->ed());
  ASSERT_TRUE(parsed->extensions);
  const cbor::Value* hs = parsed->extensions->find("hmac-secret");
  ASSERT_NE(hs, nullptr);
  ASSERT_EQ(hs->kind, cbor::Value::Kind::kBytes);
  // PIN/UV protocol 2 shape: IV (16) || one 32-byte output.
  EXPECT_EQ(hs->bytes.size(), 48u);
  Bytes clear = to_bytes(r->hmac_secret->reveal());
  auto it = std::search(r->authenticator_data.begin(), r->authenticator_data.end(), clear.begin(),
                        clear.end());
  EXPECT_EQ(it, r->authenticator_data.end()) << "clear output leaked into authData";
}

TEST_F(SoftHmac, NoSaltOrNoExtensionMeansNoOutput) {
  auto with = make(true, "alice");
  auto without = make(false, "bob");
  ASSERT_TRUE(with && without);
  auto r = get(with->credential_id, std::nullopt, false);
  ASSERT_TRUE(r);
  EXPECT_FALSE(r->hmac_secret);
  EXPECT_FALSE(webauthn::parse_authenticator_data(r->authenticator_data)->ed());
  r = get(without->credential_id, Bytes(32, 1), false);
  ASSERT_TRUE(r) << r.error().to_string();
  EXPECT_FALSE(r->hmac_secret);
  EXPECT_FALSE(webauthn::parse_authenticator_data(r->authenticator_data)->ed());
}

TEST_F(SoftHmac, SaltOfWrongLengthIsRefused) {
  auto c = make(true);
  ASSERT_TRUE(c);
  for (std::size_t n : {0u, 31u, 33u, 64u}) {
    auto r = get(c->credential_id, Bytes(n, 1), false);
    ASSERT_FALSE(r) << n;
    EXPECT_TRUE(r.error().is(AuthenticatorErrc::kBadRequest));
  }
}

TEST_F(SoftHmac, AKeyWithoutTheExtensionIgnoresIt) {
  auth_->set_hmac_secret_supported(false);
  auto c = make(true);
  ASSERT_TRUE(c) << c.error().to_string();
  EXPECT_FALSE(c->hmac_secret);
  auto r = get(c->credential_id, Bytes(32, 1), true);
  ASSERT_TRUE(r) << r.error().to_string();
  EXPECT_FALSE(r->hmac_secret);
  EXPECT_FALSE(webauthn::parse_authenticator_data(r->authenticator_data)->ed());
}

}  // namespace
}  // namespace kb::client
