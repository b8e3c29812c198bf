// Attestation statement formats against hand-built statements: each certificate requirement
// of WebAuthn 8.2.1 and each fido-u2f / packed rule has its own negative test.
#include "webauthn/attestation.h"

#include <gtest/gtest.h>

#include "base/base64.h"
#include "crypto/attestation_cert.h"
#include "crypto/cose_key.h"
#include "crypto/crypto.h"
#include "webauthn/cbor.h"
#include "webauthn/cose.h"
#include "webauthn/errc.h"

namespace kb::webauthn {
namespace {

using cbor::Value;
using crypto::cose::Alg;
using crypto::cose::PrivateKey;

const SysTime kNow{std::chrono::seconds(1800000000)};
const Aaguid kAaguid{1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16};

struct Built {
  PrivateKey cred_key;
  Bytes auth_data;
  Bytes client_data_hash = Bytes(32, 0x33);
};

Built make_auth_data(Alg alg = Alg::kEs256, Aaguid aaguid = kAaguid) {
  Built b{*PrivateKey::generate(alg), {}, Bytes(32, 0x33)};
  Bytes cose = *encode_cose_key(alg, *b.cred_key.public_key());
  Bytes id(16, 0xab);
  b.auth_data = build_authenticator_data(crypto::sha256(as_bytes("example.com")),
                                         kFlagUp | kFlagUv | kFlagAt, 0, aaguid, id, cose, {});
  return b;
}

crypto::attest::IssueParams good_params() {
  crypto::attest::IssueParams p;
  p.subject = {{"C", "SE"}, {"O", "Vendor"}, {"OU", "Authenticator Attestation"}, {"CN", "Key"}};
  p.not_before = kNow - std::chrono::hours(24);
  p.not_after = kNow + std::chrono::hours(24);
  Bytes ext{0x04, 0x10};
  append(ext, kAaguid);
  p.extensions.push_back({"1.3.6.1.4.1.45724.1.1.4", ext, false});
  return p;
}

Result<AttestationOutcome> packed_x5c(const Built& b, const crypto::attest::IssueParams& p,
                                      bool corrupt_sig = false) {
  PrivateKey att = *PrivateKey::generate(Alg::kEs256);
  Bytes cert = *crypto::attest::issue_certificate(p, *att.public_key(), att, nullptr);
  Bytes data = b.auth_data;
  append(data, b.client_data_hash);
  Bytes sig = *att.sign(data);
  if (corrupt_sig) sig[8] ^= 1;
  Bytes obj = cbor::encode(Value::map(
      {{Value::text_string("fmt"), Value::text_string("packed")},
       {Value::text_string("attStmt"),
        Value::map({{Value::text_string("alg"), Value::integer(-7)},
                    {Value::text_string("sig"), Value::byte_string(sig)},
                    {Value::text_string("x5c"), Value::array({Value::byte_string(cert)})}})},
       {Value::text_string("authData"), Value::byte_string(b.auth_data)}}));
  AttestationObject o = KB_TRY(parse_attestation_object(obj));
  return verify_attestation_statement(o, b.client_data_hash);
}

void expect_bad(const Result<AttestationOutcome>& r) {
  ASSERT_FALSE(r.has_value());
  EXPECT_TRUE(r.error().is(WebauthnErrc::kBadAttestation)) << r.error().to_string();
}

TEST(PackedX5c, MeetsRequirements) {
  auto r = packed_x5c(make_auth_data(), good_params());
  ASSERT_TRUE(r.has_value()) << r.error().to_string();
  EXPECT_EQ(r->type, AttestationType::kBasic);
}

TEST(PackedX5c, BadSignature) {
  expect_bad(packed_x5c(make_auth_data(), good_params(), true));
}

TEST(PackedX5c, WrongOu) {
  auto p = good_params();
  p.subject[2].second = "Authenticator";
  expect_bad(packed_x5c(make_auth_data(), p));
}

TEST(PackedX5c, MissingCountry) {
  auto p = good_params();
  p.subject.erase(p.subject.begin());
  expect_bad(packed_x5c(make_auth_data(), p));
}

TEST(PackedX5c, CaCertificateRefused) {
  auto p = good_params();
  p.is_ca = true;
  expect_bad(packed_x5c(make_auth_data(), p));
}

TEST(PackedX5c, AaguidExtensionMismatch) {
  Aaguid other = kAaguid;
  other[0] ^= 0xff;
  expect_bad(packed_x5c(make_auth_data(Alg::kEs256, other), good_params()));
}

TEST(PackedX5c, CriticalAaguidExtensionRefused) {
  auto p = good_params();
  p.extensions[0].critical = true;
  expect_bad(packed_x5c(make_auth_data(), p));
}

TEST(PackedX5c, NoAaguidExtensionIsAccepted) {
  auto p = good_params();
  p.extensions.clear();
  EXPECT_TRUE(packed_x5c(make_auth_data(), p).has_value());
}

Result<AttestationOutcome> packed_self(const Built& b, std::int64_t alg) {
  Bytes data = b.auth_data;
  append(data, b.client_data_hash);
  Bytes sig = *b.cred_key.sign(data);
  Bytes obj =
      cbor::encode(Value::map({{Value::text_string("fmt"), Value::text_string("packed")},
                               {Value::text_string("attStmt"),
                                Value::map({{Value::text_string("alg"), Value::integer(alg)},
                                            {Value::text_string("sig"), Value::byte_string(sig)}})},
                               {Value::text_string("authData"), Value::byte_string(b.auth_data)}}));
  AttestationObject o = KB_TRY(parse_attestation_object(obj));
  return verify_attestation_statement(o, b.client_data_hash);
}

TEST(PackedSelf, AlgMustMatchCredentialKey) {
  Built b = make_auth_data(Alg::kEdDsa);
  auto ok_r = packed_self(b, -8);
  ASSERT_TRUE(ok_r.has_value()) << ok_r.error().to_string();
  EXPECT_EQ(ok_r->type, AttestationType::kSelf);
  expect_bad(packed_self(b, -7));
}

TEST(AttestationObject, RefusesExtraMembersAndMissingOnes) {
  Built b = make_auth_data();
  auto none = [&](std::vector<std::pair<Value, Value>> extra) {
    std::vector<std::pair<Value, Value>> m = {
        {Value::text_string("fmt"), Value::text_string("none")},
        {Value::text_string("attStmt"), Value::map({})},
        {Value::text_string("authData"), Value::byte_string(b.auth_data)}};
    for (auto& e : extra) m.push_back(std::move(e));
    return cbor::encode(Value::map(std::move(m)));
  };
  EXPECT_TRUE(parse_attestation_object(none({})).has_value());
  auto extra = parse_attestation_object(none({{Value::text_string("x"), Value::integer(1)}}));
  ASSERT_FALSE(extra.has_value());
  EXPECT_TRUE(extra.error().is(WebauthnErrc::kBadAttestation));
  auto missing = parse_attestation_object(
      cbor::encode(Value::map({{Value::text_string("fmt"), Value::text_string("none")}})));
  EXPECT_TRUE(missing.error().is(WebauthnErrc::kBadAttestation));
}

TEST(AttestationObject, NoneWithNonEmptyStatementRefused) {
  Built b = make_auth_data();
  Bytes obj = cbor::encode(
      Value::map({{Value::text_string("fmt"), Value::text_string("none")},
                  {Value::text_string("attStmt"),
                   Value::map({{Value::text_string("sig"), Value::byte_string(Bytes{1})}})},
                  {Value::text_string("authData"), Value::byte_string(b.auth_data)}}));
  auto o = parse_attestation_object(obj);
  ASSERT_TRUE(o.has_value());
  expect_bad(verify_attestation_statement(*o, b.client_data_hash));
}

TEST(FidoU2f, RefusesNonP256Credential) {
  Built b = make_auth_data(Alg::kEdDsa);
  PrivateKey att = *PrivateKey::generate(Alg::kEs256);
  Bytes cert = *crypto::attest::issue_certificate(good_params(), *att.public_key(), att, nullptr);
  Bytes obj = cbor::encode(Value::map(
      {{Value::text_string("fmt"), Value::text_string("fido-u2f")},
       {Value::text_string("attStmt"),
        Value::map({{Value::text_string("sig"), Value::byte_string(Bytes(70, 1))},
                    {Value::text_string("x5c"), Value::array({Value::byte_string(cert)})}})},
       {Value::text_string("authData"), Value::byte_string(b.auth_data)}}));
  auto o = parse_attestation_object(obj);
  ASSERT_TRUE(o.has_value());
  expect_bad(verify_attestation_statement(*o, b.client_data_hash));
}

TEST(FidoU2f, RefusesTwoCertificates) {
  Built b = make_auth_data();
  PrivateKey att = *PrivateKey::generate(Alg::kEs256);
  Bytes cert = *crypto::attest::issue_certificate(good_params(), *att.public_key(), att, nullptr);
  Bytes obj = cbor::encode(Value::map(
      {{Value::text_string("fmt"), Value::text_string("fido-u2f")},
       {Value::text_string("attStmt"),
        Value::map({{Value::text_string("sig"), Value::byte_string(Bytes(70, 1))},
                    {Value::text_string("x5c"),
                     Value::array({Value::byte_string(cert), Value::byte_string(cert)})}})},
       {Value::text_string("authData"), Value::byte_string(b.auth_data)}}));
  auto o = parse_attestation_object(obj);
  ASSERT_TRUE(o.has_value());
  expect_bad(verify_attestation_statement(*o, b.client_data_hash));
}

TEST(Certificates, ParsePemBundleAndRefuseGarbage) {
  PrivateKey k = *PrivateKey::generate(Alg::kEs256);
  Bytes der = *crypto::attest::issue_certificate(good_params(), *k.public_key(), k, nullptr);
  auto c = crypto::attest::parse_certificates(der);
  ASSERT_TRUE(c.has_value());
  EXPECT_EQ((*c)[0].subject_values("2.5.4.11"),
            std::vector<std::string>{"Authenticator Attestation"});
  auto pem = [](const Bytes& d) {
    std::string b = base64_encode(d);
    std::string out = "-----BEGIN CERTIFICATE-----\n";
    for (std::size_t i = 0; i < b.size(); i += 64) out += b.substr(i, 64) + "\n";
    return out + "-----END CERTIFICATE-----\n";
  };
  std::string bundle = pem(der) + pem(der);
  auto two = crypto::attest::parse_certificates(as_bytes(bundle));
  ASSERT_TRUE(two.has_value());
  EXPECT_EQ(two->size(), 2u);
  EXPECT_EQ((*two)[1].der(), der);
  EXPECT_FALSE(crypto::attest::parse_certificates(
                   as_bytes("-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----\n"))
                   .has_value());
  Bytes trailing = der;
  trailing.push_back(0);
  EXPECT_FALSE(crypto::attest::Certificate::from_der(trailing).has_value());
}

}  // namespace
}  // namespace kb::webauthn
