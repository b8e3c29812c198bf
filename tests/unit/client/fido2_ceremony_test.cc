// Registration and sign-in through libfido2 and the adapter against a simulated key, each
// result verified by the WebAuthn relying party.
#include <algorithm>

#include "fido2_fixture.h"
#include "webauthn/auth_data.h"

namespace kb::client::testing {
namespace {

using crypto::cose::Alg;
using webauthn::Requirement;
using E = AuthenticatorErrc;

bool contains(const std::vector<std::uint8_t>& v, std::uint8_t x) {
  return std::find(v.begin(), v.end(), x) != v.end();
}

TEST_F(Fido2Fixture, RegistrationAndSignInWithPinProtocolOneVerify) {
  Fido2Authenticator a = start_ok(with_pin());
  auto p = creation();
  auto r = register_with(a, p, &pin_);
  ASSERT_TRUE(r.has_value()) << r.error().to_string();
  EXPECT_EQ(r->fmt, "packed");
  EXPECT_EQ(r->alg, Alg::kEs256);
  EXPECT_TRUE(r->user_verified);
  EXPECT_EQ(r->aaguid, device_->soft().aaguid());
  EXPECT_EQ(r->transports, std::vector<std::string>{"usb"});
  // libfido2 ran clientPIN getKeyAgreement (2) and getPinToken (5) against the key.
  EXPECT_TRUE(contains(device_->pin_subcommands(), 0x02));
  EXPECT_TRUE(contains(device_->pin_subcommands(), 0x05));
  EXPECT_EQ(device_->messages_sent(), 0u);
  EXPECT_GT(device_->reports_written(), 5u);
  auto s = stored(*r, p);
  auto g = sign_in_with(a, s, &pin_);
  ASSERT_TRUE(g.has_value()) << g.error().to_string();
  EXPECT_TRUE(g->user_verified);
  EXPECT_EQ(g->new_sign_count, 1u);
  s.sign_count = g->new_sign_count;
  auto g2 = sign_in_with(a, s, &pin_);
  ASSERT_TRUE(g2.has_value()) << g2.error().to_string();
  EXPECT_EQ(g2->new_sign_count, 2u);
}

TEST_F(Fido2Fixture, TransportHooksCarryWholeMessages) {
  auto d = CtapDevice::create(dir_.path(), "ctap-transport", with_pin());
  ASSERT_TRUE(d.has_value()) << d.error().to_string();
  device_ = std::move(d).value();
  auto opened =
      Fido2Authenticator::open_with_io(device_->path(), CtapDevice::io(), &CtapDevice::transport());
  ASSERT_TRUE(opened.has_value()) << opened.error().to_string();
  auto p = creation();
  auto r = register_with(*opened, p, &pin_);
  ASSERT_TRUE(r.has_value()) << r.error().to_string();
  auto g = sign_in_with(*opened, stored(*r, p), &pin_);
  ASSERT_TRUE(g.has_value()) << g.error().to_string();
  EXPECT_TRUE(g->user_verified);
  // Everything went through the message-level hooks, nothing through the report writer.
  EXPECT_GT(device_->messages_sent(), 5u);
  EXPECT_EQ(device_->reports_written(), 0u);
}

TEST_F(Fido2Fixture, PinProtocolTwoWithPermissionsVerifies) {
  CtapDeviceConfig c = with_pin();
  c.pin_protocol = 2;
  c.fido_2_1 = true;
  Fido2Authenticator a = start_ok(c);
  auto p = creation();
  auto r = register_with(a, p, &pin_);
  ASSERT_TRUE(r.has_value()) << r.error().to_string();
  EXPECT_TRUE(r->user_verified);
  // CTAP 2.1 keys are asked getPinUvAuthTokenUsingPinWithPermissions (9), not getPinToken.
  EXPECT_TRUE(contains(device_->pin_subcommands(), 0x09));
  EXPECT_FALSE(contains(device_->pin_subcommands(), 0x05));
  auto g = sign_in_with(a, stored(*r, p), &pin_);
  ASSERT_TRUE(g.has_value()) << g.error().to_string();
  EXPECT_TRUE(g->user_verified);
}

TEST_F(Fido2Fixture, WithoutUvThePinIsNotAskedAndUvFlagIsClear) {
  Fido2Authenticator a = start_ok(CtapDeviceConfig{});
  auto p = creation();
  p.user_verification = Requirement::kPreferred;
  auto r = register_with(a, p, nullptr);
  ASSERT_TRUE(r.has_value()) << r.error().to_string();
  EXPECT_FALSE(r->user_verified);
  EXPECT_TRUE(device_->pin_subcommands().empty());
  auto g = sign_in_with(a, stored(*r, p), nullptr, Requirement::kPreferred);
  ASSERT_TRUE(g.has_value()) << g.error().to_string();
  EXPECT_FALSE(g->user_verified);
}

TEST_F(Fido2Fixture, SignInWithoutPinOnPinKeyGivesNoUv) {
  Fido2Authenticator a = start_ok(with_pin());
  auto p = creation();
  auto r = register_with(a, p, &pin_);
  ASSERT_TRUE(r.has_value()) << r.error().to_string();
  auto g = sign_in_with(a, stored(*r, p), nullptr, Requirement::kPreferred);
  ASSERT_TRUE(g.has_value()) << g.error().to_string();
  EXPECT_FALSE(g->user_verified);
}

TEST_F(Fido2Fixture, DiscoverableCredentialReturnsUserHandle) {
  Fido2Authenticator a = start_ok(with_pin());
  auto p = creation();
  p.resident_key = Requirement::kRequired;
  auto r = register_with(a, p, &pin_);
  ASSERT_TRUE(r.has_value()) << r.error().to_string();
  auto g = sign_in_with(a, stored(*r, p), &pin_, Requirement::kRequired, /*discoverable=*/true);
  ASSERT_TRUE(g.has_value()) << g.error().to_string();
  GetAssertionRequest req = raw_get({}, &pin_);
  req.allow.clear();
  auto raw = a.get_assertion(req);
  ASSERT_TRUE(raw.has_value()) << raw.error().to_string();
  ASSERT_TRUE(raw->user_handle.has_value());
  EXPECT_EQ(*raw->user_handle, p.user_id);
  EXPECT_EQ(raw->credential_id, r->credential_id);
}

TEST_F(Fido2Fixture, AssertionAuthenticatorDataIsUnwrapped) {
  Fido2Authenticator a = start_ok(CtapDeviceConfig{});
  auto c = a.make_credential(raw_make(nullptr));
  ASSERT_TRUE(c.has_value()) << c.error().to_string();
  auto g = a.get_assertion(raw_get(c->credential_id, nullptr));
  ASSERT_TRUE(g.has_value()) << g.error().to_string();
  // 37 bytes: rpIdHash, flags, signCount; no CBOR byte-string head in front.
  ASSERT_EQ(g->authenticator_data.size(), 37u);
  auto ad = webauthn::parse_authenticator_data(g->authenticator_data);
  ASSERT_TRUE(ad.has_value());
  Bytes rp_hash = crypto::sha256(as_bytes(std::string_view(kRpId)));
  EXPECT_TRUE(
      std::equal(ad->rp_id_hash.begin(), ad->rp_id_hash.end(), rp_hash.begin(), rp_hash.end()));
  EXPECT_TRUE(ad->up());
  EXPECT_EQ(ad->sign_count, 1u);
}

struct AttCase {
  SoftAttestation mode;
  const char* fmt;
  webauthn::AttestationType type;
};

class Fido2Attestation : public Fido2Fixture, public ::testing::WithParamInterface<AttCase> {};

TEST_P(Fido2Attestation, AttestationObjectVerifies) {
  auto ca_key = crypto::cose::PrivateKey::generate(Alg::kEs256);
  ASSERT_TRUE(ca_key.has_value());
  crypto::attest::IssueParams ip;
  ip.subject = {{"CN", "Test FIDO Root"}};
  ip.not_before = SysTime{std::chrono::seconds(1700000000)};
  ip.not_after = SysTime{std::chrono::seconds(1900000000)};
  ip.is_ca = true;
  auto der = crypto::attest::issue_certificate(ip, *ca_key->public_key(), *ca_key, nullptr);
  ASSERT_TRUE(der.has_value());
  auto ca_cert = crypto::attest::Certificate::from_der(*der);
  ASSERT_TRUE(ca_cert.has_value());
  CtapDeviceConfig c = with_pin();
  c.attestation = GetParam().mode;
  c.ca_key = &*ca_key;
  c.ca_cert = &*ca_cert;
  Fido2Authenticator a = start_ok(c);
  webauthn::AttestationPolicy policy;
  policy.trust_anchors.push_back(ca_cert->clone());
  auto p = creation();
  auto r = register_with(a, p, &pin_, policy);
  ASSERT_TRUE(r.has_value()) << r.error().to_string();
  EXPECT_EQ(r->fmt, GetParam().fmt);
  EXPECT_EQ(r->attestation_type, GetParam().type);
  auto g = sign_in_with(a, stored(*r, p), &pin_);
  EXPECT_TRUE(g.has_value()) << g.error().to_string();
}

INSTANTIATE_TEST_SUITE_P(
    Formats, Fido2Attestation,
    ::testing::Values(
        AttCase{SoftAttestation::kNone, "none", webauthn::AttestationType::kNone},
        AttCase{SoftAttestation::kPackedSelf, "packed", webauthn::AttestationType::kSelf},
        AttCase{SoftAttestation::kPackedX5c, "packed", webauthn::AttestationType::kBasic},
        AttCase{SoftAttestation::kFidoU2f, "fido-u2f", webauthn::AttestationType::kBasic}));

class Fido2Algorithms : public Fido2Fixture, public ::testing::WithParamInterface<Alg> {};

TEST_P(Fido2Algorithms, CredentialOfEachAlgorithmVerifies) {
  Fido2Authenticator a = start_ok(with_pin());
  auto p = creation();
  p.algs = {GetParam()};
  auto r = register_with(a, p, &pin_);
  ASSERT_TRUE(r.has_value()) << r.error().to_string();
  EXPECT_EQ(r->alg, GetParam());
  auto g = sign_in_with(a, stored(*r, p), &pin_);
  EXPECT_TRUE(g.has_value()) << g.error().to_string();
}

// The SoftAuthenticator behind the simulated key makes ES256 and EdDSA credentials only.
INSTANTIATE_TEST_SUITE_P(Algs, Fido2Algorithms, ::testing::Values(Alg::kEs256, Alg::kEdDsa));

TEST_F(Fido2Fixture, KeyThatListsNoAlgorithmsIsAskedForEachInTurn) {
  Fido2Authenticator a = start_ok(with_pin());
  auto p = creation();
  p.algs = {Alg::kRs256, Alg::kEdDsa};
  auto r = register_with(a, p, &pin_);
  ASSERT_TRUE(r.has_value()) << r.error().to_string();
  EXPECT_EQ(r->alg, Alg::kEdDsa);
  // RS256 first (refused by the key with CTAP2_ERR_UNSUPPORTED_ALGORITHM), then EdDSA.
  EXPECT_EQ(std::count(device_->commands().begin(), device_->commands().end(), 0x01), 2);
  auto only = raw_make(&pin_);
  only.algs = {Alg::kRs256};
  auto refused = a.make_credential(only);
  ASSERT_FALSE(refused.has_value());
  EXPECT_TRUE(refused.error().is(E::kUnsupportedAlgorithm)) << refused.error().to_string();
}

TEST_F(Fido2Fixture, AlgorithmIsChosenFromThoseTheKeyLists) {
  CtapDeviceConfig c = with_pin();
  c.algorithms = {-8};
  Fido2Authenticator a = start_ok(c);
  auto p = creation();
  p.algs = {Alg::kEs256, Alg::kEdDsa};
  auto r = register_with(a, p, &pin_);
  ASSERT_TRUE(r.has_value()) << r.error().to_string();
  EXPECT_EQ(r->alg, Alg::kEdDsa);
}

TEST_F(Fido2Fixture, NoCommonAlgorithmIsRefusedBeforeAskingTheKey) {
  CtapDeviceConfig c = with_pin();
  c.algorithms = {-7};
  Fido2Authenticator a = start_ok(c);
  auto req = raw_make(&pin_);
  req.algs = {Alg::kRs256, Alg::kEs384};
  EXPECT_AUTH_ERR(a.make_credential(req), E::kUnsupportedAlgorithm);
  EXPECT_TRUE(std::find(device_->commands().begin(), device_->commands().end(), 0x01) ==
              device_->commands().end());
}

TEST_F(Fido2Fixture, ExcludedCredentialIsTyped) {
  Fido2Authenticator a = start_ok(with_pin());
  auto first = a.make_credential(raw_make(&pin_));
  ASSERT_TRUE(first.has_value()) << first.error().to_string();
  auto req = raw_make(&pin_);
  req.exclude = {first->credential_id};
  auto r = a.make_credential(req);
  ASSERT_FALSE(r.has_value());
  EXPECT_TRUE(r.error().is(E::kCredentialExcluded)) << r.error().to_string();
  EXPECT_NE(r.error().detail().find("already registered"), std::string::npos);
}

TEST_F(Fido2Fixture, UnknownCredentialIsNoCredentials) {
  Fido2Authenticator a = start_ok(with_pin());
  auto r = a.get_assertion(raw_get(Bytes(32, 9), &pin_));
  ASSERT_FALSE(r.has_value());
  EXPECT_TRUE(r.error().is(E::kNoCredentials)) << r.error().to_string();
  EXPECT_NE(r.error().detail().find("not registered"), std::string::npos);
}

TEST_F(Fido2Fixture, MalformedRequestsAreRefusedLocally) {
  Fido2Authenticator a = start_ok(CtapDeviceConfig{});
  auto mc = raw_make(nullptr);
  mc.client_data_hash.resize(31);
  EXPECT_AUTH_ERR(a.make_credential(mc), E::kBadRequest);
  mc = raw_make(nullptr);
  mc.rp_id.clear();
  EXPECT_AUTH_ERR(a.make_credential(mc), E::kBadRequest);
  mc = raw_make(nullptr);
  mc.user.id.clear();
  EXPECT_AUTH_ERR(a.make_credential(mc), E::kBadRequest);
  auto ga = raw_get(Bytes(16, 1), nullptr);
  ga.client_data_hash.push_back(0);
  EXPECT_AUTH_ERR(a.get_assertion(ga), E::kBadRequest);
}

}  // namespace
}  // namespace kb::client::testing
