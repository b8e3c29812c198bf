// WebAuthn Level 3 section 16 test vectors (tests/data/webauthn/spec_l3/, transcribed from
// go-webauthn; see SOURCE there): every registration and authentication vector, with the
// outcome our policy gives it.
#include <gtest/gtest.h>

#include <boost/json.hpp>
#include <fstream>
#include <iterator>
#include <map>

#include "base/base64.h"
#include "base/json.h"
#include "crypto/attestation_cert.h"
#include "webauthn/assertion.h"
#include "webauthn/attestation.h"
#include "webauthn/errc.h"
#include "webauthn/registration.h"

namespace kb::webauthn {
namespace {

namespace bj = boost::json;
using E = WebauthnErrc;

std::string data_dir() {
  return std::string(KB_TEST_DATA_DIR) + "/webauthn/spec_l3/";
}

bj::object load(const std::string& file) {
  std::ifstream in(data_dir() + file + ".json");
  std::string s((std::istreambuf_iterator<char>(in)), {});
  auto o = json::parse_object(s);
  EXPECT_TRUE(o.has_value()) << file;
  return o.has_value() ? *o : bj::object();
}

std::vector<std::string> strings(const bj::value& v) {
  std::vector<std::string> out;
  for (const auto& s : v.as_array()) out.emplace_back(s.as_string());
  return out;
}

Bytes b64(const bj::value& v) {
  return *base64url_decode(v.as_string());
}

RegistrationExpectation reg_expectation(const bj::object& o) {
  RegistrationExpectation e;
  e.challenge = b64(o.at("expected_challenge"));
  e.rp_id = "example.org";
  e.origins = {"https://example.org"};
  e.top_origins = strings(o.at("top_origins"));
  e.require_user_verification = false;                // the vectors' flags are arbitrary
  e.now = SysTime{std::chrono::seconds(1767225600)};  // 2026-01-01
  return e;
}

AttestationPolicy spec_anchor_policy() {
  std::ifstream in(data_dir() + "attestation_ca.der", std::ios::binary);
  Bytes der((std::istreambuf_iterator<char>(in)), {});
  AttestationPolicy p;
  p.trust_anchors.push_back(*crypto::attest::Certificate::from_der(der));
  return p;
}

struct RegCase {
  const char* name;
  std::optional<E> error;  // nullopt: accepted
  bool trusted = false;    // the x5c chain verifies to the section 16.1 root
};

class SpecRegistration : public ::testing::TestWithParam<RegCase> {};

TEST_P(SpecRegistration, OutcomeMatchesPolicy) {
  const RegCase& c = GetParam();
  bj::object o = load(std::string("reg_") + c.name);
  AttestationPolicy policy = c.trusted ? spec_anchor_policy() : AttestationPolicy{};
  auto r = verify_registration(reg_expectation(o), json::serialize(o.at("credential")), policy);
  if (!c.error) {
    ASSERT_TRUE(r.has_value()) << c.name << ": " << r.error().to_string();
    EXPECT_EQ(r->fmt, std::string(o.at("format").as_string()));
    EXPECT_EQ(r->trusted, c.trusted);
    EXPECT_EQ(r->credential_id, b64(o.at("credential").at("rawId")));
  } else {
    ASSERT_FALSE(r.has_value()) << c.name;
    EXPECT_TRUE(r.error().is(*c.error)) << c.name << ": " << r.error().to_string();
  }
}

INSTANTIATE_TEST_SUITE_P(
    L3Section16, SpecRegistration,
    ::testing::Values(RegCase{"NoneES256", std::nullopt}, RegCase{"PackedSelfES256", std::nullopt},
                      // crossOrigin true with no topOrigin: refused by our policy (DESIGN)
                      RegCase{"NoneES256CrossOrigin", E::kCrossOriginNotAllowed},
                      RegCase{"NoneES256CrossOriginNotAllowed", E::kCrossOriginNotAllowed},
                      RegCase{"NoneES256TopOrigin", std::nullopt},
                      RegCase{"NoneES256LongCredentialID", std::nullopt},
                      RegCase{"PackedES256WithMDS", std::nullopt, true},
                      RegCase{"PackedRS256WithMDS", std::nullopt, true},
                      RegCase{"PackedEdDSAWithMDS", std::nullopt, true},
                      // ES384/ES512 credentials are outside the offered algorithms
                      RegCase{"PackedES384WithMDS", E::kUnsupportedAlgorithm},
                      RegCase{"PackedES512WithMDS", E::kUnsupportedAlgorithm},
                      RegCase{"TPMES256", std::nullopt},
                      RegCase{"FIDOU2FES256", std::nullopt, true},
                      RegCase{"AndroidKeyES256", E::kUnsupportedFormat},
                      RegCase{"AppleAnonymousES256", E::kUnsupportedFormat}),
    [](const auto& p) { return std::string(p.param.name); });

TEST(SpecRegistrationTopOrigin, NotListedTopOriginRefused) {
  bj::object o = load("reg_NoneES256TopOrigin");
  auto e = reg_expectation(o);
  e.top_origins = {"https://example.net"};
  auto r = verify_registration(e, json::serialize(o.at("credential")), {});
  ASSERT_FALSE(r.has_value());
  EXPECT_TRUE(r.error().is(E::kCrossOriginNotAllowed));
}

TEST(SpecRegistrationLongId, CredentialIdIs1023Bytes) {
  bj::object o = load("reg_NoneES256LongCredentialID");
  auto r = verify_registration(reg_expectation(o), json::serialize(o.at("credential")), {});
  ASSERT_TRUE(r.has_value());
  EXPECT_EQ(r->credential_id.size(), 1023u);
}

TEST(SpecRegistrationAnchor, PackedChainFailsWithoutTheRightAnchor) {
  bj::object o = load("reg_PackedES256WithMDS");
  AttestationPolicy p;
  // Its own leaf is not a CA: a chain cannot verify to it.
  auto first = verify_registration(reg_expectation(o), json::serialize(o.at("credential")), {});
  ASSERT_TRUE(first.has_value());
  bj::object other = load("reg_TPMES256");
  auto tpm =
      verify_registration(reg_expectation(other), json::serialize(other.at("credential")), {});
  ASSERT_TRUE(tpm.has_value());
  p.trust_anchors.push_back(*crypto::attest::Certificate::from_der(tpm->x5c.back()));
  auto r = verify_registration(reg_expectation(o), json::serialize(o.at("credential")), p);
  ASSERT_FALSE(r.has_value());
  EXPECT_TRUE(r.error().is(E::kUntrustedAttestation));
}

// Authentication: the stored record comes from the matching registration vector (same
// credential id): its COSE key as given, BE from its authenticator data.
struct AuthCase {
  const char* name;
  const char* reg;
  std::optional<E> error;
};

class SpecAuthentication : public ::testing::TestWithParam<AuthCase> {};

TEST_P(SpecAuthentication, OutcomeMatchesPolicy) {
  const AuthCase& c = GetParam();
  bj::object a = load(std::string("auth_") + c.name);
  bj::object reg = load(std::string("reg_") + c.reg);
  auto att =
      parse_attestation_object(b64(reg.at("credential").at("response").at("attestationObject")));
  StoredCredential s;
  s.id = b64(a.at("credential").at("rawId"));
  s.public_key_cose = b64(a.at("credential_public_key"));
  if (att.has_value()) {
    ASSERT_EQ(s.id, att->auth_data.attested->credential_id);
    s.backup_eligible = att->auth_data.be();
  } else {
    // ES384: the registration itself is refused (its key is outside our algorithms); take
    // BE from the assertion so the refusal comes from the stored key.
    auto ad =
        parse_authenticator_data(b64(a.at("credential").at("response").at("authenticatorData")));
    ASSERT_TRUE(ad.has_value());
    s.backup_eligible = ad->be();
  }
  AssertionExpectation e;
  e.challenge = b64(a.at("expected_challenge"));
  e.rp_id = "example.org";
  e.origins = {"https://example.org"};
  e.top_origins = strings(a.at("top_origins"));
  e.allow_credentials = {s.id};
  e.require_user_verification = false;
  auto r = verify_assertion(e, json::serialize(a.at("credential")), s);
  if (!c.error) {
    ASSERT_TRUE(r.has_value()) << c.name << ": " << r.error().to_string();
  } else {
    ASSERT_FALSE(r.has_value()) << c.name;
    EXPECT_TRUE(r.error().is(*c.error)) << c.name << ": " << r.error().to_string();
  }
}

INSTANTIATE_TEST_SUITE_P(
    L3Section16, SpecAuthentication,
    ::testing::Values(
        AuthCase{"NoneES256", "NoneES256", std::nullopt},
        AuthCase{"PackedSelfES256", "PackedSelfES256", std::nullopt},
        AuthCase{"NoneES256CrossOrigin", "NoneES256CrossOrigin", E::kCrossOriginNotAllowed},
        AuthCase{"NoneES256TopOrigin2", "NoneES256TopOrigin", std::nullopt},
        AuthCase{"NoneES256LongCredentialID", "NoneES256LongCredentialID", std::nullopt},
        AuthCase{"PackedES256Full", "PackedES256WithMDS", std::nullopt},
        AuthCase{"PackedRS256", "PackedRS256WithMDS", std::nullopt},
        AuthCase{"PackedEdDSA", "PackedEdDSAWithMDS", std::nullopt},
        AuthCase{"PackedES384", "PackedES384WithMDS", E::kUnsupportedAlgorithm},
        AuthCase{"TPMES256", "TPMES256", std::nullopt},
        AuthCase{"AndroidKeyES256", "AndroidKeyES256", std::nullopt},
        AuthCase{"AppleAnonymousES256", "AppleAnonymousES256", std::nullopt},
        AuthCase{"FIDOU2FES256", "FIDOU2FES256", std::nullopt}),
    [](const auto& p) { return std::string(p.param.name); });

}  // namespace
}  // namespace kb::webauthn
