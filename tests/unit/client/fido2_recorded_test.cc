// Attestation objects recorded from real authenticators (the py_webauthn vectors under
// tests/data/webauthn/, sources noted in each file: YubiKeys, Windows Hello TPMs) returned by
// the simulated key: after libfido2 and the adapter have taken them apart and put them back
// together, the relying party still verifies them. This is what a real key's makeCredential
// goes through, for formats the SoftAuthenticator cannot produce (tpm) or keys it is not.
#include <fstream>
#include <iterator>

#include "base/base64.h"
#include "base/json.h"
#include "fido2_fixture.h"

namespace kb::client::testing {
namespace {

namespace bj = boost::json;
using crypto::cose::Alg;
using E = AuthenticatorErrc;

struct Recorded {
  const char* file;
  const char* fmt;
  Alg alg;
  webauthn::AttestationType type;
};

class Fido2RecordedAttestation : public Fido2Fixture,
                                 public ::testing::WithParamInterface<Recorded> {
 protected:
  void SetUp() override {
    std::ifstream in(std::string(KB_TEST_DATA_DIR) + "/webauthn/py_webauthn/" + GetParam().file +
                     ".json");
    std::string s((std::istreambuf_iterator<char>(in)), {});
    auto o = json::parse_object(s);
    ASSERT_TRUE(o.has_value());
    vector_ = *o;
    const auto& resp = vector_.at("credential").at("response");
    attestation_ = *base64url_decode(resp.at("attestationObject").as_string());
    client_data_ = *base64url_decode(resp.at("clientDataJSON").as_string());
  }

  webauthn::RegistrationExpectation expectation() const {
    webauthn::RegistrationExpectation e;
    e.challenge = *base64url_decode(vector_.at("expected_challenge").as_string());
    e.rp_id = std::string(vector_.at("expected_rp_id").as_string());
    const bj::value& origin = vector_.at("expected_origin");
    if (origin.is_string()) e.origins = {std::string(origin.as_string())};
    for (const auto& x : origin.is_array() ? origin.as_array() : bj::array{}) {
      e.origins.emplace_back(x.as_string());
    }
    e.require_user_verification = false;
    e.now = SysTime{std::chrono::seconds(1700000000)};
    return e;
  }

  // The vector's credential JSON with the attestation object the adapter produced.
  std::string with_attestation(ByteView att) const {
    bj::object c = vector_.at("credential").as_object();
    c["response"].as_object()["attestationObject"] = base64url_encode(att);
    return json::serialize(c);
  }

  MakeCredentialRequest request() const {
    MakeCredentialRequest r;
    r.rp_id = std::string(vector_.at("expected_rp_id").as_string());
    r.client_data_hash = crypto::sha256(client_data_);
    r.user = {{1, 2, 3}, "alice", "Alice"};
    r.algs = {GetParam().alg};
    r.user_verification = webauthn::Requirement::kDiscouraged;
    return r;
  }

  bj::object vector_;
  Bytes attestation_;
  Bytes client_data_;
};

TEST_P(Fido2RecordedAttestation, SurvivesLibfido2AndTheAdapter) {
  CtapDeviceConfig c;
  c.recorded_attestation = attestation_;
  Fido2Authenticator a = start_ok(c);
  auto made = a.make_credential(request());
  ASSERT_TRUE(made.has_value()) << made.error().to_string();
  auto r =
      webauthn::verify_registration(expectation(), with_attestation(made->attestation_object), {});
  ASSERT_TRUE(r.has_value()) << r.error().to_string();
  EXPECT_EQ(r->fmt, GetParam().fmt);
  EXPECT_EQ(r->alg, GetParam().alg);
  EXPECT_EQ(r->attestation_type, GetParam().type);
  EXPECT_EQ(r->credential_id, made->credential_id);
}

TEST_P(Fido2RecordedAttestation, TamperingOnTheKeysSideIsStillRefused) {
  // The adapter re-encodes attStmt: a signature flipped on the key's side must still fail
  // verification; for "none", which has no signature, a flipped rpIdHash must.
  auto v = webauthn::cbor::decode(attestation_, webauthn::cbor::Limits{});
  ASSERT_TRUE(v.has_value());
  bool flipped = false;
  for (std::size_t i = 0; i + 1 < v->items.size(); i += 2) {
    auto& value = v->items[i + 1];
    if (v->items[i].text == "authData" && std::string(GetParam().fmt) == "none") {
      value.bytes[0] ^= 0x01;
      flipped = true;
    }
    if (v->items[i].text != "attStmt") continue;
    for (std::size_t j = 0; j + 1 < value.items.size(); j += 2) {
      if (value.items[j].text == "sig" && !value.items[j + 1].bytes.empty()) {
        value.items[j + 1].bytes.back() ^= 0x01;
        flipped = true;
      }
    }
  }
  ASSERT_TRUE(flipped);
  CtapDeviceConfig c;
  c.recorded_attestation = webauthn::cbor::encode(*v);
  Fido2Authenticator a = start_ok(c);
  auto made = a.make_credential(request());
  ASSERT_TRUE(made.has_value()) << made.error().to_string();
  auto r =
      webauthn::verify_registration(expectation(), with_attestation(made->attestation_object), {});
  EXPECT_FALSE(r.has_value());
}

TEST_P(Fido2RecordedAttestation, KeyOfAnotherTypeThanAskedIsRefused) {
  // libfido2 parses the credential public key as the type it asked for.
  CtapDeviceConfig c;
  c.recorded_attestation = attestation_;
  Fido2Authenticator a = start_ok(c);
  auto req = request();
  req.algs = {GetParam().alg == Alg::kEs256 ? Alg::kEdDsa : Alg::kEs256};
  auto made = a.make_credential(req);
  ASSERT_FALSE(made.has_value());
  EXPECT_TRUE(made.error().is(E::kDevice)) << made.error().to_string();
}

INSTANTIATE_TEST_SUITE_P(
    PyWebauthn, Fido2RecordedAttestation,
    ::testing::Values(Recorded{"reg_verifies_none_attestation_response", "none", Alg::kEs256,
                               webauthn::AttestationType::kNone},
                      Recorded{"reg_packed_from_yubikey_firefox", "packed", Alg::kEs256,
                               webauthn::AttestationType::kBasic},
                      Recorded{"reg_packed_with_okp_public_key", "packed", Alg::kEdDsa,
                               webauthn::AttestationType::kBasic},
                      Recorded{"reg_fido_u2f_from_yubikey_firefox", "fido-u2f", Alg::kEs256,
                               webauthn::AttestationType::kBasic},
                      Recorded{"reg_tpm_verify_tpm_with_ecc_public_area_type", "tpm", Alg::kEs256,
                               webauthn::AttestationType::kAttCa}));

TEST_F(Fido2Fixture, MakeCredentialReplyOverLibfido2sLimitIsADeviceError) {
  // libfido2 1.12 reads at most 4096 bytes of makeCredential reply (FIDO_MAXMSG_CRED); this
  // Windows Hello TPM attestation (an x5c chain with an intermediate) is 4416 bytes.
  std::ifstream in(std::string(KB_TEST_DATA_DIR) +
                   "/webauthn/py_webauthn/reg_tpm_surface_pro_4.json");
  std::string s((std::istreambuf_iterator<char>(in)), {});
  auto o = json::parse_object(s);
  ASSERT_TRUE(o.has_value());
  auto att =
      base64url_decode(o->at("credential").at("response").at("attestationObject").as_string());
  ASSERT_TRUE(att.has_value());
  ASSERT_GT(att->size(), 4096u);
  CtapDeviceConfig c;
  c.recorded_attestation = *att;
  Fido2Authenticator a = start_ok(c);
  auto req = raw_make(nullptr);
  req.rp_id = std::string(o->at("expected_rp_id").as_string());
  req.algs = {Alg::kRs256};
  auto made = a.make_credential(req);
  ASSERT_FALSE(made.has_value());
  EXPECT_TRUE(made.error().is(E::kDevice)) << made.error().to_string();
}

class Fido2RecordedAssertion : public Fido2Fixture,
                               public ::testing::WithParamInterface<const char*> {};

TEST_P(Fido2RecordedAssertion, VerifiesAfterLibfido2AndTheAdapter) {
  std::ifstream in(std::string(KB_TEST_DATA_DIR) + "/webauthn/py_webauthn/" + GetParam() + ".json");
  std::string text((std::istreambuf_iterator<char>(in)), {});
  auto o = json::parse_object(text);
  ASSERT_TRUE(o.has_value());
  const auto& cred = o->at("credential").as_object();
  const auto& resp = cred.at("response").as_object();
  auto b64 = [](const bj::value& v) { return *base64url_decode(v.as_string()); };
  std::optional<Bytes> user_handle;
  if (const bj::value* uh = resp.if_contains("userHandle")) user_handle = b64(*uh);
  CtapDeviceConfig c;
  c.recorded_assertion =
      CtapDeviceConfig::RecordedAssertion{b64(cred.at("rawId")), b64(resp.at("authenticatorData")),
                                          b64(resp.at("signature")), user_handle};
  Fido2Authenticator a = start_ok(c);
  GetAssertionRequest req;
  req.rp_id = std::string(o->at("expected_rp_id").as_string());
  req.client_data_hash = crypto::sha256(b64(resp.at("clientDataJSON")));
  req.allow = {b64(cred.at("rawId"))};
  req.user_verification = webauthn::Requirement::kDiscouraged;
  auto got = a.get_assertion(req);
  ASSERT_TRUE(got.has_value()) << got.error().to_string();
  // The raw authenticator data, not libfido2's CBOR-wrapped copy.
  EXPECT_EQ(got->authenticator_data, b64(resp.at("authenticatorData")));
  EXPECT_EQ(got->signature, b64(resp.at("signature")));
  EXPECT_EQ(got->user_handle, user_handle);
  bj::object out = cred;
  out["response"].as_object()["authenticatorData"] = base64url_encode(got->authenticator_data);
  out["response"].as_object()["signature"] = base64url_encode(got->signature);
  webauthn::AssertionExpectation e;
  e.challenge = b64(o->at("expected_challenge"));
  e.rp_id = req.rp_id;
  e.origins = {std::string(o->at("expected_origin").as_string())};
  e.require_user_verification = false;
  webauthn::StoredCredential s;
  s.id = got->credential_id;
  if (user_handle) s.user_handle = *user_handle;
  s.public_key_cose = b64(o->at("credential_public_key"));
  s.sign_count = static_cast<std::uint32_t>(o->at("credential_current_sign_count").as_int64());
  auto r = webauthn::verify_assertion(e, json::serialize(out), s);
  ASSERT_TRUE(r.has_value()) << r.error().to_string();
  // The same bytes with one signature bit flipped on the key's side fail.
  c.recorded_assertion->signature.back() ^= 0x01;
  auto tampered = CtapDevice::create(dir_.path(), std::string("tampered-") + GetParam(), c);
  ASSERT_TRUE(tampered.has_value());
  auto a2 = Fido2Authenticator::open_with_io((*tampered)->path(), CtapDevice::io());
  ASSERT_TRUE(a2.has_value()) << a2.error().to_string();
  auto bad = a2->get_assertion(req);
  ASSERT_TRUE(bad.has_value()) << bad.error().to_string();
  out["response"].as_object()["signature"] = base64url_encode(bad->signature);
  EXPECT_FALSE(webauthn::verify_assertion(e, json::serialize(out), s).has_value());
}

INSTANTIATE_TEST_SUITE_P(PyWebauthn, Fido2RecordedAssertion,
                         ::testing::Values("auth_with_EC2_public_key", "auth_with_OKP_public_key",
                                           "auth_with_RSA_public_key"));

}  // namespace
}  // namespace kb::client::testing
