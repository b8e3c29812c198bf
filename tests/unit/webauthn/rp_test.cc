// Round trips (software authenticator -> client -> relying party) and one negative test per
// WebAuthn 7.1 / 7.2 check.
#include "rp_fixture.h"

namespace kb::webauthn::testing {
namespace {

using E = WebauthnErrc;
using crypto::cose::Alg;

class Registration : public RpFixture {};
class Authentication : public RpFixture {};

TEST_F(Registration, Es256PackedSelfRoundTrip) {
  auto [json, opts] = create(creation());
  auto r = verify_registration(reg_expectation(opts), json, {});
  ASSERT_TRUE(r.has_value()) << r.error().to_string();
  EXPECT_EQ(r->fmt, "packed");
  EXPECT_EQ(r->attestation_type, AttestationType::kSelf);
  EXPECT_EQ(r->alg, Alg::kEs256);
  EXPECT_TRUE(r->user_verified);
  EXPECT_EQ(r->aaguid, auth_->aaguid());
  EXPECT_EQ(r->transports, std::vector<std::string>{"internal"});
}

TEST_F(Registration, EdDsaRoundTripAndSignIn) {
  CreationParams p = creation();
  p.algs = {Alg::kEdDsa};
  StoredCredential s = register_default(p);
  auto [json, opts] = get(request(s));
  auto r = verify_assertion(auth_expectation(opts, s), json, s);
  ASSERT_TRUE(r.has_value()) << r.error().to_string();
  EXPECT_EQ(r->new_sign_count, 1u);
}

TEST_F(Registration, NoneWhenNotRequested) {
  CreationParams p = creation();
  p.attestation = Conveyance::kNone;
  auto [json, opts] = create(p);
  auto r = verify_registration(reg_expectation(opts), json, {});
  ASSERT_TRUE(r.has_value());
  EXPECT_EQ(r->fmt, "none");
  EXPECT_EQ(r->attestation_type, AttestationType::kNone);
}

struct Ca {
  crypto::cose::PrivateKey key;
  crypto::attest::Certificate cert;
};
Ca make_ca(const char* cn) {
  auto key = crypto::cose::PrivateKey::generate(Alg::kEs256);
  crypto::attest::IssueParams p;
  p.subject = {{"CN", cn}};
  p.not_before = SysTime{std::chrono::seconds(1700000000)};
  p.not_after = SysTime{std::chrono::seconds(1900000000)};
  p.is_ca = true;
  auto der = crypto::attest::issue_certificate(p, *key->public_key(), *key, nullptr);
  return {std::move(key).value(), *crypto::attest::Certificate::from_der(*der)};
}

TEST_F(Registration, PackedX5cVerifiesAgainstItsAnchorOnly) {
  Ca ca = make_ca("Test Attestation Root");
  Ca other = make_ca("Other Root");
  ASSERT_TRUE(auth_->set_attestation(client::SoftAttestation::kPackedX5c, &ca.key, &ca.cert,
                                     SysTime{std::chrono::seconds(1790000000)}));
  auto [json, opts] = create(creation());
  AttestationPolicy p;
  p.require_attestation = true;
  p.trust_anchors.push_back(ca.cert.clone());
  auto r = verify_registration(reg_expectation(opts), json, p);
  ASSERT_TRUE(r.has_value()) << r.error().to_string();
  EXPECT_EQ(r->attestation_type, AttestationType::kBasic);
  EXPECT_TRUE(r->trusted);
  EXPECT_EQ(r->x5c.size(), 1u);
  AttestationPolicy wrong;
  wrong.trust_anchors.push_back(other.cert.clone());
  EXPECT_ERR(verify_registration(reg_expectation(opts), json, wrong), E::kUntrustedAttestation);
}

TEST_F(Registration, FidoU2fRoundTrip) {
  Ca ca = make_ca("U2F Root");
  ASSERT_TRUE(auth_->set_attestation(client::SoftAttestation::kFidoU2f, &ca.key, &ca.cert,
                                     SysTime{std::chrono::seconds(1790000000)}));
  auto [json, opts] = create(creation());
  AttestationPolicy p;
  p.trust_anchors.push_back(ca.cert.clone());
  auto r = verify_registration(reg_expectation(opts), json, p);
  ASSERT_TRUE(r.has_value()) << r.error().to_string();
  EXPECT_EQ(r->fmt, "fido-u2f");
  EXPECT_TRUE(r->trusted);
}

TEST_F(Registration, WrongTypeRefused) {
  auto [json, opts] = create(creation());
  auto bad = tamper_client_data(
      json, [](std::string& s) { replace(s, "webauthn.create", "webauthn.get"); });
  EXPECT_ERR(verify_registration(reg_expectation(opts), bad, {}), E::kWrongType);
}

TEST_F(Registration, ChallengeMismatchRefused) {
  auto [json, opts] = create(creation());
  auto e = reg_expectation(opts);
  e.challenge.back() ^= 1;
  EXPECT_ERR(verify_registration(e, json, {}), E::kChallengeMismatch);
}

TEST_F(Registration, OriginNotAllowedRefused) {
  auto [json, opts] = create(creation());
  auto e = reg_expectation(opts);
  e.origins = {"https://login.example.org"};
  EXPECT_ERR(verify_registration(e, json, {}), E::kOriginNotAllowed);
}

TEST_F(Registration, CrossOriginRefusedWithoutTopOrigins) {
  auto [json, opts] = create(creation());
  auto bad = tamper_client_data(json, [](std::string& s) {
    replace(s, "\"crossOrigin\":false",
            "\"crossOrigin\":true,\"topOrigin\":\"https://evil.example\"");
  });
  EXPECT_ERR(verify_registration(reg_expectation(opts), bad, {}), E::kCrossOriginNotAllowed);
  auto e = reg_expectation(opts);
  e.top_origins = {"https://portal.example.com"};
  EXPECT_ERR(verify_registration(e, bad, {}), E::kCrossOriginNotAllowed);
}

TEST_F(Registration, RpIdMismatchRefused) {
  auto [json, opts] = create(creation());
  auto e = reg_expectation(opts);
  e.rp_id = "login.example.com";
  EXPECT_ERR(verify_registration(e, json, {}), E::kRpIdMismatch);
}

TEST_F(Registration, MissingUpRefused) {
  CreationParams p = creation();
  p.attestation = Conveyance::kNone;
  auto [json, opts] = create(p);
  auto bad =
      tamper_att_auth_data(json, [](Bytes& ad) { ad[32] &= static_cast<std::uint8_t>(~kFlagUp); });
  EXPECT_ERR(verify_registration(reg_expectation(opts), bad, {}), E::kUserNotPresent);
}

TEST_F(Registration, MissingUvRefusedWhenRequired) {
  CreationParams p = creation();
  p.user_verification = Requirement::kDiscouraged;
  auto [json, opts] = create(p, false);
  EXPECT_ERR(verify_registration(reg_expectation(opts), json, {}), E::kUserNotVerified);
  auto e = reg_expectation(opts);
  e.require_user_verification = false;
  EXPECT_TRUE(verify_registration(e, json, {}).has_value());
}

TEST_F(Registration, BsWithoutBeRefused) {
  CreationParams p = creation();
  p.attestation = Conveyance::kNone;
  auto [json, opts] = create(p);
  auto bad = tamper_att_auth_data(json, [](Bytes& ad) { ad[32] |= kFlagBs; });
  EXPECT_ERR(verify_registration(reg_expectation(opts), bad, {}), E::kBadBackupFlags);
}

TEST_F(Registration, DisallowedAlgorithmRefused) {
  auto [json, opts] = create(creation());
  auto e = reg_expectation(opts);
  e.algs = {Alg::kEdDsa, Alg::kRs256};
  EXPECT_ERR(verify_registration(e, json, {}), E::kUnsupportedAlgorithm);
}

TEST_F(Registration, BlockedAaguidRefused) {
  auto [json, opts] = create(creation());
  AttestationPolicy p;
  p.aaguid_block = {auth_->aaguid()};
  EXPECT_ERR(verify_registration(reg_expectation(opts), json, p), E::kAaguidBlocked);
}

TEST_F(Registration, SelfAttestationRefusedWhenAttestationRequired) {
  auto [json, opts] = create(creation());
  AttestationPolicy p;
  p.require_attestation = true;
  EXPECT_ERR(verify_registration(reg_expectation(opts), json, p), E::kAttestationRequired);
}

TEST_F(Registration, TamperedSelfAttestationRefused) {
  auto [json, opts] = create(creation());
  auto bad = tamper_att_auth_data(json, [](Bytes& ad) { ad[36] ^= 1; });
  EXPECT_ERR(verify_registration(reg_expectation(opts), bad, {}), E::kBadAttestation);
}

TEST_F(Registration, UnknownFormatRefused) {
  CreationParams p = creation();
  p.attestation = Conveyance::kNone;
  auto [json, opts] = create(p);
  auto bad = tamper(json, "attestationObject", [](Bytes& ao) {
    auto v = cbor::decode(ao, cbor::Limits{});
    for (std::size_t i = 0; i < v->items.size(); i += 2) {
      if (v->items[i].text == "fmt") v->items[i + 1].text = "nonf";
    }
    ao = cbor::encode(*v);
  });
  EXPECT_ERR(verify_registration(reg_expectation(opts), bad, {}), E::kUnsupportedFormat);
}

TEST_F(Registration, MismatchedRawIdRefused) {
  auto [json, opts] = create(creation());
  auto o = json::parse_object(json);
  std::string other = base64url_encode(Bytes(32, 7));
  (*o)["id"] = other;
  (*o)["rawId"] = other;
  EXPECT_ERR(verify_registration(reg_expectation(opts), json::serialize(*o), {}),
             E::kBadCredential);
}

TEST_F(Registration, MissingAttestedCredentialDataRefused) {
  CreationParams p = creation();
  p.attestation = Conveyance::kNone;
  auto [json, opts] = create(p);
  auto bad = tamper_att_auth_data(json, [](Bytes& ad) {
    ad.resize(37);
    ad[32] &= static_cast<std::uint8_t>(~kFlagAt);
  });
  EXPECT_ERR(verify_registration(reg_expectation(opts), bad, {}), E::kMissingAttestedData);
}

TEST_F(Registration, UnsolicitedExtensionsAreParsedAndAccepted) {
  CreationParams p = creation();
  p.attestation = Conveyance::kNone;
  auto [json, opts] = create(p);
  auto with_ext = tamper_att_auth_data(json, [](Bytes& ad) {
    ad[32] |= kFlagEd;
    append(ad, cbor::encode(cbor::Value::map(
                   {{cbor::Value::text_string("credProtect"), cbor::Value::integer(1)}})));
  });
  EXPECT_TRUE(verify_registration(reg_expectation(opts), with_ext, {}).has_value());
  auto bad_ext = tamper_att_auth_data(json, [](Bytes& ad) {
    ad[32] |= kFlagEd;
    append(ad, Bytes{0xa1, 0x01, 0x01});  // integer extension identifier
  });
  EXPECT_ERR(verify_registration(reg_expectation(opts), bad_ext, {}), E::kBadExtensions);
}

TEST_F(Authentication, SignInIncrementsCounter) {
  StoredCredential s = register_default(creation());
  for (std::uint32_t i = 1; i <= 3; ++i) {
    auto [json, opts] = get(request(s));
    auto r = verify_assertion(auth_expectation(opts, s), json, s);
    ASSERT_TRUE(r.has_value()) << r.error().to_string();
    EXPECT_EQ(r->new_sign_count, i);
    EXPECT_TRUE(r->user_verified);
    s.sign_count = r->new_sign_count;
  }
}

TEST_F(Authentication, DiscoverableFlowReturnsUserHandle) {
  StoredCredential s = register_default(creation());  // residentKey preferred -> resident
  RequestParams p;
  p.rp_id = kRpId;
  auto [json, opts] = get(p);
  auto ids = peek_assertion(json);
  ASSERT_TRUE(ids.has_value());
  EXPECT_EQ(ids->credential_id, s.id);
  EXPECT_EQ(ids->user_handle, s.user_handle);
  auto e = auth_expectation(opts, s);
  e.allow_credentials.clear();
  e.user_identified = false;
  EXPECT_TRUE(verify_assertion(e, json, s).has_value());
}

TEST_F(Authentication, DiscoverableFlowWithoutUserHandleRefused) {
  CreationParams cp = creation();
  cp.resident_key = Requirement::kDiscouraged;
  StoredCredential s = register_default(cp);
  auto [json, opts] = get(request(s));  // non-resident: no userHandle
  auto e = auth_expectation(opts, s);
  e.user_identified = false;
  EXPECT_ERR(verify_assertion(e, json, s), E::kUserHandleMismatch);
}

TEST_F(Authentication, UserHandleMismatchRefused) {
  StoredCredential s = register_default(creation());
  RequestParams p;
  p.rp_id = kRpId;
  auto [json, opts] = get(p);
  s.user_handle = {9, 9};
  auto e = auth_expectation(opts, s);
  EXPECT_ERR(verify_assertion(e, json, s), E::kUserHandleMismatch);
}

TEST_F(Authentication, CredentialNotInAllowListRefused) {
  StoredCredential s = register_default(creation());
  auto [json, opts] = get(request(s));
  auto e = auth_expectation(opts, s);
  e.allow_credentials = {Bytes(32, 1)};
  EXPECT_ERR(verify_assertion(e, json, s), E::kCredentialNotAllowed);
}

TEST_F(Authentication, WrongTypeRefused) {
  StoredCredential s = register_default(creation());
  auto [json, opts] = get(request(s));
  auto bad = tamper_client_data(
      json, [](std::string& c) { replace(c, "webauthn.get", "webauthn.create"); });
  EXPECT_ERR(verify_assertion(auth_expectation(opts, s), bad, s), E::kWrongType);
}

TEST_F(Authentication, ChallengeMismatchRefused) {
  StoredCredential s = register_default(creation());
  auto [json, opts] = get(request(s));
  auto e = auth_expectation(opts, s);
  e.challenge[0] ^= 1;
  EXPECT_ERR(verify_assertion(e, json, s), E::kChallengeMismatch);
}

TEST_F(Authentication, OriginNotAllowedRefused) {
  StoredCredential s = register_default(creation());
  auto [json, opts] = get(request(s));
  auto e = auth_expectation(opts, s);
  e.origins = {"http://login.example.com"};
  EXPECT_ERR(verify_assertion(e, json, s), E::kOriginNotAllowed);
}

TEST_F(Authentication, RpIdMismatchRefused) {
  StoredCredential s = register_default(creation());
  auto [json, opts] = get(request(s));
  auto e = auth_expectation(opts, s);
  e.rp_id = "example.org";
  EXPECT_ERR(verify_assertion(e, json, s), E::kRpIdMismatch);
}

TEST_F(Authentication, MissingUpRefused) {
  StoredCredential s = register_default(creation());
  auto [json, opts] = get(request(s));
  auto bad = tamper(json, "authenticatorData",
                    [](Bytes& ad) { ad[32] &= static_cast<std::uint8_t>(~kFlagUp); });
  EXPECT_ERR(verify_assertion(auth_expectation(opts, s), bad, s), E::kUserNotPresent);
}

TEST_F(Authentication, MissingUvRefusedByDefault) {
  StoredCredential s = register_default(creation());
  RequestParams p = request(s);
  p.user_verification = Requirement::kDiscouraged;
  auto [json, opts] = get(p, false);
  EXPECT_ERR(verify_assertion(auth_expectation(opts, s), json, s), E::kUserNotVerified);
  auto e = auth_expectation(opts, s);
  e.require_user_verification = false;
  auto r = verify_assertion(e, json, s);
  ASSERT_TRUE(r.has_value());
  EXPECT_FALSE(r->user_verified);
}

TEST_F(Authentication, CounterRegressionIsPossibleClone) {
  StoredCredential s = register_default(creation());
  auto [json, opts] = get(request(s));
  s.sign_count = 5;  // the RP has seen a higher count: this authenticator is a clone
  EXPECT_ERR(verify_assertion(auth_expectation(opts, s), json, s), E::kPossibleClone);
}

TEST_F(Authentication, BackupEligibilityChangeRefused) {
  StoredCredential s = register_default(creation());
  auto [json, opts] = get(request(s));
  s.backup_eligible = true;
  EXPECT_ERR(verify_assertion(auth_expectation(opts, s), json, s), E::kBackupEligibilityChanged);
}

TEST_F(Authentication, BackupStateRecordedWhenEligible) {
  auth_->set_backup(true, true);
  StoredCredential s = register_default(creation());
  EXPECT_TRUE(s.backup_eligible);
  auto [json, opts] = get(request(s));
  auto r = verify_assertion(auth_expectation(opts, s), json, s);
  ASSERT_TRUE(r.has_value()) << r.error().to_string();
  EXPECT_TRUE(r->backup_state);
}

TEST_F(Authentication, BsWithoutBeRefused) {
  StoredCredential s = register_default(creation());
  auto [json, opts] = get(request(s));
  auto bad = tamper(json, "authenticatorData", [](Bytes& ad) { ad[32] |= kFlagBs; });
  EXPECT_ERR(verify_assertion(auth_expectation(opts, s), bad, s), E::kBadBackupFlags);
}

TEST_F(Authentication, BadSignatureRefused) {
  StoredCredential s = register_default(creation());
  auto [json, opts] = get(request(s));
  auto bad = tamper(json, "authenticatorData", [](Bytes& ad) { ad[36] ^= 0x40; });
  EXPECT_ERR(verify_assertion(auth_expectation(opts, s), bad, s), E::kBadSignature);
  auto bad_sig = tamper(json, "signature", [](Bytes& sig) { sig[sig.size() - 3] ^= 1; });
  EXPECT_ERR(verify_assertion(auth_expectation(opts, s), bad_sig, s), E::kBadSignature);
}

TEST_F(Authentication, OtherCredentialsKeyRefused) {
  StoredCredential s = register_default(creation());
  CreationParams other = creation();
  other.user_id = {7};
  StoredCredential s2 = register_default(other);
  auto [json, opts] = get(request(s));
  s.public_key_cose = s2.public_key_cose;
  EXPECT_ERR(verify_assertion(auth_expectation(opts, s), json, s), E::kBadSignature);
}

TEST(Options, CreationOptionsJsonHasEveryMember) {
  crypto::SystemRng rng;
  CreationParams p;
  p.rp_id = "example.com";
  p.rp_name = "Example";
  p.user_id = {1, 2};
  p.user_name = "a";
  p.user_display_name = "A";
  p.exclude.push_back({{5, 6}, {"usb"}});
  auto o = make_creation_options(p, rng);
  ASSERT_TRUE(o.has_value());
  EXPECT_EQ(o->challenge.size(), 32u);
  auto j = json::parse_object(o->json);
  ASSERT_TRUE(j.has_value());
  EXPECT_EQ(j->at("rp").at("id").as_string(), "example.com");
  EXPECT_EQ(j->at("user").at("id").as_string(), "AQI");
  EXPECT_EQ(j->at("pubKeyCredParams").as_array().size(), 3u);
  EXPECT_EQ(j->at("pubKeyCredParams").as_array()[2].at("alg").as_int64(), -257);
  EXPECT_EQ(j->at("excludeCredentials").as_array()[0].at("id").as_string(), "BQY");
  EXPECT_EQ(j->at("authenticatorSelection").at("userVerification").as_string(), "required");
  EXPECT_EQ(j->at("attestation").as_string(), "none");
  EXPECT_EQ(j->at("timeout").as_int64(), 300000);
  auto back = parse_creation_options(o->json);
  ASSERT_TRUE(back.has_value());
  EXPECT_EQ(back->challenge, o->challenge);
  EXPECT_EQ(back->params.exclude[0].id, (Bytes{5, 6}));
  p.user_id = Bytes(65, 1);
  EXPECT_FALSE(make_creation_options(p, rng).has_value());
}

TEST(Options, RequestOptionsJson) {
  crypto::SystemRng rng;
  RequestParams p;
  p.rp_id = "example.com";
  auto o = make_request_options(p, rng);
  ASSERT_TRUE(o.has_value());
  auto j = json::parse_object(o->json);
  EXPECT_EQ(j->at("rpId").as_string(), "example.com");
  EXPECT_TRUE(j->at("allowCredentials").as_array().empty());
  EXPECT_EQ(j->at("userVerification").as_string(), "required");
  auto back = parse_request_options(o->json);
  ASSERT_TRUE(back.has_value());
  EXPECT_EQ(back->challenge, o->challenge);
}

}  // namespace
}  // namespace kb::webauthn::testing
