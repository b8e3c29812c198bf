// Published registration and authentication responses (tests/data/webauthn/py_webauthn/,
// each file names its source), verified with their fixed challenge, origin and RP ID, plus
// tampered copies that must fail with the right error.
#include <gtest/gtest.h>

#include <boost/json.hpp>
#include <fstream>
#include <functional>
#include <iterator>

#include "base/base64.h"
#include "base/json.h"
#include "webauthn/assertion.h"
#include "webauthn/cbor.h"
#include "webauthn/credential_json.h"
#include "webauthn/errc.h"
#include "webauthn/registration.h"

namespace kb::webauthn {
namespace {

namespace bj = boost::json;
using crypto::cose::Alg;

struct Vector {
  bj::object o;
  std::string credential;  // the PublicKeyCredential JSON
};

Vector load(const std::string& name) {
  std::ifstream in(std::string(KB_TEST_DATA_DIR) + "/webauthn/py_webauthn/" + name + ".json");
  std::string s((std::istreambuf_iterator<char>(in)), {});
  auto o = json::parse_object(s);
  EXPECT_TRUE(o.has_value()) << name;
  Vector v{*o, json::serialize(o->at("credential"))};
  return v;
}

std::vector<std::string> origins_of(const bj::object& o) {
  const bj::value& v = o.at("expected_origin");
  if (v.is_string()) return {std::string(v.as_string())};
  std::vector<std::string> out;
  for (const auto& s : v.as_array()) out.emplace_back(s.as_string());
  return out;
}

RegistrationExpectation reg_expectation(const Vector& v) {
  RegistrationExpectation e;
  e.challenge = *base64url_decode(v.o.at("expected_challenge").as_string());
  e.rp_id = std::string(v.o.at("expected_rp_id").as_string());
  e.origins = origins_of(v.o);
  e.require_user_verification = false;  // these keys registered without UV
  e.now = SysTime{std::chrono::seconds(1700000000)};
  return e;
}

// Re-serializes a credential with one response member replaced.
std::string with_response_member(const Vector& v, const char* key, ByteView value) {
  bj::object c = v.o.at("credential").as_object();
  c["response"].as_object()[key] = base64url_encode(value);
  return json::serialize(c);
}

Bytes response_member(const Vector& v, const char* key) {
  return *base64url_decode(v.o.at("credential").at("response").at(key).as_string());
}

struct RegCase {
  const char* file;
  const char* fmt;
  AttestationType type;
  Alg alg;
};

class RegistrationVectors : public ::testing::TestWithParam<RegCase> {};

TEST_P(RegistrationVectors, Verifies) {
  const RegCase& c = GetParam();
  Vector v = load(c.file);
  auto r = verify_registration(reg_expectation(v), v.credential, {});
  ASSERT_TRUE(r.has_value()) << c.file << ": " << r.error().to_string();
  EXPECT_EQ(r->fmt, c.fmt);
  EXPECT_EQ(r->attestation_type, c.type);
  EXPECT_EQ(r->alg, c.alg);
  EXPECT_EQ(base64url_encode(r->credential_id),
            std::string(v.o.at("credential").at("rawId").as_string()));
  EXPECT_EQ(r->x5c.empty(), c.type == AttestationType::kNone || c.type == AttestationType::kSelf);
}

TEST_P(RegistrationVectors, TamperedClientDataFails) {
  Vector v = load(GetParam().file);
  Bytes cd = response_member(v, "clientDataJSON");
  // Same challenge and origin, one more member: the hash changes, so the attestation
  // signature (none has no signature: the test is skipped for it) must fail.
  std::string s(as_chars(cd));
  s.insert(s.size() - 1, ",\"x\":1");
  auto r = verify_registration(reg_expectation(v),
                               with_response_member(v, "clientDataJSON", as_bytes(s)), {});
  if (std::string(GetParam().fmt) == "none") {
    EXPECT_TRUE(r.has_value());
  } else {
    ASSERT_FALSE(r.has_value());
    EXPECT_TRUE(r.error().is(WebauthnErrc::kBadAttestation)) << r.error().to_string();
  }
}

TEST_P(RegistrationVectors, WrongChallengeFails) {
  Vector v = load(GetParam().file);
  auto e = reg_expectation(v);
  e.challenge[0] ^= 1;
  auto r = verify_registration(e, v.credential, {});
  ASSERT_FALSE(r.has_value());
  EXPECT_TRUE(r.error().is(WebauthnErrc::kChallengeMismatch));
}

TEST_P(RegistrationVectors, WrongRpIdFails) {
  Vector v = load(GetParam().file);
  auto e = reg_expectation(v);
  e.rp_id = "evil.example";
  auto r = verify_registration(e, v.credential, {});
  ASSERT_FALSE(r.has_value());
  EXPECT_TRUE(r.error().is(WebauthnErrc::kRpIdMismatch));
}

TEST_P(RegistrationVectors, TamperedStatementSignatureFails) {
  const RegCase& c = GetParam();
  if (std::string(c.fmt) == "none") GTEST_SKIP() << "none carries no signature";
  Vector v = load(c.file);
  Bytes ao = response_member(v, "attestationObject");
  cbor::Limits l;
  auto obj = cbor::decode(ao, l);
  ASSERT_TRUE(obj.has_value());
  for (std::size_t i = 0; i < obj->items.size(); i += 2) {
    if (obj->items[i].text != "attStmt") continue;
    cbor::Value& stmt = obj->items[i + 1];
    for (std::size_t j = 0; j < stmt.items.size(); j += 2) {
      if (stmt.items[j].text == "sig") stmt.items[j + 1].bytes[10] ^= 0x01;
    }
  }
  auto r = verify_registration(
      reg_expectation(v), with_response_member(v, "attestationObject", cbor::encode(*obj)), {});
  ASSERT_FALSE(r.has_value());
  EXPECT_TRUE(r.error().is(WebauthnErrc::kBadAttestation)) << r.error().to_string();
}

TEST_P(RegistrationVectors, RequiredAttestationPolicy) {
  const RegCase& c = GetParam();
  Vector v = load(c.file);
  AttestationPolicy p;
  p.require_attestation = true;
  auto r = verify_registration(reg_expectation(v), v.credential, p);
  bool attested = c.type == AttestationType::kBasic || c.type == AttestationType::kAttCa;
  EXPECT_EQ(r.has_value(), attested);
  if (!attested) {
    EXPECT_TRUE(r.error().is(WebauthnErrc::kAttestationRequired));
  }
}

INSTANTIATE_TEST_SUITE_P(
    PyWebauthn, RegistrationVectors,
    ::testing::Values(
        RegCase{"reg_verifies_none_attestation_response", "none", AttestationType::kNone,
                Alg::kEs256},
        RegCase{"reg_packed_from_yubikey_firefox", "packed", AttestationType::kBasic, Alg::kEs256},
        RegCase{"reg_packed_with_okp_public_key", "packed", AttestationType::kBasic, Alg::kEdDsa},
        RegCase{"reg_fido_u2f_from_fido_conformance", "fido-u2f", AttestationType::kBasic,
                Alg::kEs256},
        RegCase{"reg_fido_u2f_from_yubikey_firefox", "fido-u2f", AttestationType::kBasic,
                Alg::kEs256},
        RegCase{"reg_fido_u2f_with_unsupported_token_binding", "fido-u2f", AttestationType::kBasic,
                Alg::kEs256},
        RegCase{"reg_fido_u2f_with_unsupported_token_binding_status", "fido-u2f",
                AttestationType::kBasic, Alg::kEs256},
        RegCase{"reg_tpm_surface_pro_4", "tpm", AttestationType::kAttCa, Alg::kRs256},
        RegCase{"reg_tpm_dell_xps_13", "tpm", AttestationType::kAttCa, Alg::kRs256},
        RegCase{"reg_tpm_lenovo_carbon_x1", "tpm", AttestationType::kAttCa, Alg::kRs256},
        RegCase{"reg_tpm_verify_tpm_with_ecc_public_area_type", "tpm", AttestationType::kAttCa,
                Alg::kEs256}));

TEST(RegistrationVectorsPolicy, YubikeyAaguidBlockAndAllow) {
  Vector v = load("reg_packed_from_yubikey_firefox");
  auto first = verify_registration(reg_expectation(v), v.credential, {});
  ASSERT_TRUE(first.has_value());
  // The AAGUID in the certificate extension matches authenticator data (8.2.1).
  EXPECT_EQ(aaguid_to_string(first->aaguid), "6d44ba9b-f6ec-2e49-b930-0c8fe920cb73");
  AttestationPolicy block;
  block.aaguid_block.push_back(first->aaguid);
  auto r = verify_registration(reg_expectation(v), v.credential, block);
  ASSERT_FALSE(r.has_value());
  EXPECT_TRUE(r.error().is(WebauthnErrc::kAaguidBlocked));
  AttestationPolicy allow_other;
  allow_other.aaguid_allow.push_back(*parse_aaguid("00000000-0000-0000-0000-000000000001"));
  r = verify_registration(reg_expectation(v), v.credential, allow_other);
  ASSERT_FALSE(r.has_value());
  EXPECT_TRUE(r.error().is(WebauthnErrc::kAaguidBlocked));
  AttestationPolicy allow;
  allow.aaguid_allow.push_back(first->aaguid);
  EXPECT_TRUE(verify_registration(reg_expectation(v), v.credential, allow).has_value());
}

TEST(RegistrationVectorsPolicy, YubikeyChainAgainstUnrelatedAnchorIsUntrusted) {
  Vector v = load("reg_packed_from_yubikey_firefox");
  auto first = verify_registration(reg_expectation(v), v.credential, {});
  ASSERT_TRUE(first.has_value());
  // The TPM vector's intermediate is a CA that did not issue the YubiKey certificate.
  Vector tpm = load("reg_tpm_surface_pro_4");
  auto t = verify_registration(reg_expectation(tpm), tpm.credential, {});
  ASSERT_TRUE(t.has_value());
  ASSERT_GE(t->x5c.size(), 2u);
  AttestationPolicy p;
  p.trust_anchors.push_back(*crypto::attest::Certificate::from_der(t->x5c[1]));
  auto r = verify_registration(reg_expectation(v), v.credential, p);
  ASSERT_FALSE(r.has_value());
  EXPECT_TRUE(r.error().is(WebauthnErrc::kUntrustedAttestation));
}

TEST(RegistrationVectorsPolicy, TpmChainVerifiesAgainstItsIntermediateWhileValid) {
  Vector v = load("reg_tpm_surface_pro_4");
  auto e = reg_expectation(v);
  auto first = verify_registration(e, v.credential, {});
  ASSERT_TRUE(first.has_value());
  AttestationPolicy p;
  p.trust_anchors.push_back(*crypto::attest::Certificate::from_der(first->x5c[1]));
  e.now = SysTime{std::chrono::seconds(1640995200)};  // 2022-01-01, inside validity
  auto r = verify_registration(e, v.credential, p);
  ASSERT_TRUE(r.has_value()) << r.error().to_string();
  EXPECT_TRUE(r->trusted);
  e.now = SysTime{std::chrono::seconds(1893456000)};  // 2030-01-01, expired
  r = verify_registration(e, v.credential, p);
  ASSERT_FALSE(r.has_value());
  EXPECT_TRUE(r.error().is(WebauthnErrc::kUntrustedAttestation));
}

// Rewrites one attStmt member of a vector's attestation object.
std::string with_att_stmt_member(const Vector& v, const char* key,
                                 const std::function<void(cbor::Value&)>& f) {
  Bytes ao = response_member(v, "attestationObject");
  auto obj = cbor::decode(ao, cbor::Limits{});
  EXPECT_TRUE(obj.has_value());
  for (std::size_t i = 0; i < obj->items.size(); i += 2) {
    if (obj->items[i].text != "attStmt") continue;
    cbor::Value& stmt = obj->items[i + 1];
    for (std::size_t j = 0; j < stmt.items.size(); j += 2) {
      if (stmt.items[j].text == key) f(stmt.items[j + 1]);
    }
  }
  return with_response_member(v, "attestationObject", cbor::encode(*obj));
}

void expect_tpm_refused(const char* key, const std::function<void(cbor::Value&)>& f) {
  Vector v = load("reg_tpm_surface_pro_4");
  auto r = verify_registration(reg_expectation(v), with_att_stmt_member(v, key, f), {});
  ASSERT_FALSE(r.has_value()) << key;
  EXPECT_TRUE(r.error().is(WebauthnErrc::kBadAttestation)) << r.error().to_string();
}

TEST(TpmVector, WrongVersionRefused) {
  expect_tpm_refused("ver", [](cbor::Value& x) { x.text = "1.2"; });
}
TEST(TpmVector, PubAreaKeyChangedRefused) {
  // The last byte of pubArea is the modulus' last byte: no longer the credential key.
  expect_tpm_refused("pubArea", [](cbor::Value& x) { x.bytes.back() ^= 0x01; });
}
TEST(TpmVector, PubAreaTruncatedRefused) {
  expect_tpm_refused("pubArea", [](cbor::Value& x) { x.bytes.resize(x.bytes.size() - 1); });
}
TEST(TpmVector, CertInfoMagicRefused) {
  expect_tpm_refused("certInfo", [](cbor::Value& x) { x.bytes[0] ^= 0x01; });
}
TEST(TpmVector, CertInfoExtraDataRefused) {
  // magic(4) type(2) qualifiedSigner(2+n) extraData(2+m): flip the first extraData byte.
  expect_tpm_refused("certInfo", [](cbor::Value& x) {
    std::size_t n = (std::size_t{x.bytes[6]} << 8) | x.bytes[7];
    x.bytes[8 + n + 2] ^= 0x01;
  });
}
TEST(TpmVector, AikCertificateReplacedRefused) {
  // The intermediate in place of the AIK certificate: signature and 8.3.1 both fail.
  Vector v = load("reg_tpm_surface_pro_4");
  std::string bad =
      with_att_stmt_member(v, "x5c", [](cbor::Value& x) { std::swap(x.items[0], x.items[1]); });
  auto r = verify_registration(reg_expectation(v), bad, {});
  ASSERT_FALSE(r.has_value());
  EXPECT_TRUE(r.error().is(WebauthnErrc::kBadAttestation));
}

// Authentication vectors.
AssertionExpectation auth_expectation(const Vector& v) {
  AssertionExpectation e;
  e.challenge = *base64url_decode(v.o.at("expected_challenge").as_string());
  e.rp_id = std::string(v.o.at("expected_rp_id").as_string());
  e.origins = origins_of(v.o);
  const bj::value* uv = v.o.if_contains("require_user_verification");
  e.require_user_verification = uv != nullptr && uv->as_bool();
  return e;
}

StoredCredential stored_of(const Vector& v) {
  StoredCredential s;
  s.id = *base64url_decode(v.o.at("credential").at("rawId").as_string());
  s.public_key_cose = *base64url_decode(v.o.at("credential_public_key").as_string());
  s.sign_count = static_cast<std::uint32_t>(v.o.at("credential_current_sign_count").as_int64());
  const bj::value* uh = v.o.at("credential").at("response").as_object().if_contains("userHandle");
  if (uh != nullptr) s.user_handle = *base64url_decode(uh->as_string());
  return s;
}

class AuthenticationVectors : public ::testing::TestWithParam<const char*> {};

TEST_P(AuthenticationVectors, Verifies) {
  Vector v = load(GetParam());
  StoredCredential s = stored_of(v);
  auto r = verify_assertion(auth_expectation(v), v.credential, s);
  ASSERT_TRUE(r.has_value()) << r.error().to_string();
  EXPECT_GT(r->new_sign_count, s.sign_count);
}

TEST_P(AuthenticationVectors, CounterReplayIsPossibleClone) {
  Vector v = load(GetParam());
  StoredCredential s = stored_of(v);
  auto first = verify_assertion(auth_expectation(v), v.credential, s);
  ASSERT_TRUE(first.has_value());
  s.sign_count = first->new_sign_count;  // the same response again
  auto r = verify_assertion(auth_expectation(v), v.credential, s);
  ASSERT_FALSE(r.has_value());
  EXPECT_TRUE(r.error().is(WebauthnErrc::kPossibleClone));
}

TEST_P(AuthenticationVectors, FlippedSignatureBitFails) {
  Vector v = load(GetParam());
  Bytes sig = response_member(v, "signature");
  sig[sig.size() / 2] ^= 0x01;
  auto r = verify_assertion(auth_expectation(v), with_response_member(v, "signature", sig),
                            stored_of(v));
  ASSERT_FALSE(r.has_value());
  EXPECT_TRUE(r.error().is(WebauthnErrc::kBadSignature));
}

TEST_P(AuthenticationVectors, WrongOriginFails) {
  Vector v = load(GetParam());
  auto e = auth_expectation(v);
  e.origins = {"https://evil.example"};
  auto r = verify_assertion(e, v.credential, stored_of(v));
  ASSERT_FALSE(r.has_value());
  EXPECT_TRUE(r.error().is(WebauthnErrc::kOriginNotAllowed));
}

INSTANTIATE_TEST_SUITE_P(PyWebauthn, AuthenticationVectors,
                         ::testing::Values("auth_with_EC2_public_key", "auth_with_OKP_public_key",
                                           "auth_with_RSA_public_key",
                                           "auth_supports_multiple_expected_origins"));

TEST(AuthenticationVectorsNegative, IncorrectPublicKeyIsBadSignature) {
  Vector v = load("auth_raises_exception_on_incorrect_public_key");
  auto r = verify_assertion(auth_expectation(v), v.credential, stored_of(v));
  ASSERT_FALSE(r.has_value());
  // py_webauthn's vector pairs an ES256 signature with an RSA key.
  EXPECT_TRUE(r.error().is(WebauthnErrc::kBadSignature)) << r.error().to_string();
}

TEST(AuthenticationVectorsNegative, UvRequiredButAbsent) {
  Vector v = load("auth_raises_exception_on_uv_required_but_false");
  auto r = verify_assertion(auth_expectation(v), v.credential, stored_of(v));
  ASSERT_FALSE(r.has_value());
  EXPECT_TRUE(r.error().is(WebauthnErrc::kUserNotVerified));
}

}  // namespace
}  // namespace kb::webauthn
