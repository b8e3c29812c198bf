// The bounded CBOR decoder, COSE keys and authenticator data: what they accept and refuse.
#include "webauthn/cbor.h"

#include <gtest/gtest.h>

#include "base/bytes.h"
#include "crypto/cose_key.h"
#include "crypto/crypto.h"
#include "webauthn/auth_data.h"
#include "webauthn/client_data.h"
#include "webauthn/cose.h"
#include "webauthn/errc.h"

namespace kb::webauthn {
namespace {

Bytes hex(std::string_view s) {
  return *hex_decode(s);
}

cbor::Limits canonical() {
  cbor::Limits l;
  l.canonical = true;
  return l;
}

TEST(Cbor, DecodesNestedMapAndRoundTrips) {
  Bytes in = hex("a2616101616282f5f6");  // {"a": 1, "b": [true, null]}
  auto v = cbor::decode(in, canonical());
  ASSERT_TRUE(v.has_value());
  EXPECT_EQ(v->find("a")->as_int(), 1);
  EXPECT_EQ(v->find("b")->items.size(), 2u);
  EXPECT_EQ(cbor::encode(*v), in);
}

TEST(Cbor, NegativeIntegers) {
  auto v = cbor::decode(hex("3901ff"), canonical());  // -512
  ASSERT_TRUE(v.has_value());
  EXPECT_EQ(v->as_int(), -512);
  EXPECT_EQ(cbor::encode(cbor::Value::integer(-257)), hex("390100"));
}

void expect_bad(std::string_view h, const cbor::Limits& l = canonical()) {
  auto v = cbor::decode(hex(h), l);
  ASSERT_FALSE(v.has_value()) << h;
  EXPECT_TRUE(v.error().is(WebauthnErrc::kBadCbor)) << h;
}

TEST(Cbor, RefusesTruncated) {
  expect_bad("a2616101");
}
TEST(Cbor, RefusesTrailingBytes) {
  expect_bad("0100");
}
TEST(Cbor, RefusesIndefiniteLength) {
  expect_bad("9f01ff");
}
TEST(Cbor, RefusesTags) {
  expect_bad("c11a514b67b0");
}
TEST(Cbor, RefusesFloats) {
  expect_bad("f93c00");
}
TEST(Cbor, RefusesDuplicateKeys) {
  expect_bad("a2616101616102", cbor::Limits{});
}
TEST(Cbor, RefusesNonCanonicalInteger) {
  expect_bad("1801");
}
TEST(Cbor, RefusesUnsortedKeysWhenCanonical) {
  expect_bad("a2616201616102");
}
TEST(Cbor, AcceptsUnsortedKeysWhenNotCanonical) {
  EXPECT_TRUE(cbor::decode(hex("a2616201616102"), cbor::Limits{}).has_value());
}
TEST(Cbor, RefusesHugeDeclaredCount) {
  expect_bad("9bffffffffffffffff");
}
TEST(Cbor, RefusesCountBeyondInput) {
  expect_bad("8a0102");
}
TEST(Cbor, RefusesInvalidUtf8) {
  expect_bad("62c328");
}
TEST(Cbor, RefusesNonTextOrIntKeys) {
  expect_bad("a14100f6", cbor::Limits{});
}
TEST(Cbor, RefusesDeepNesting) {
  cbor::Limits l;
  l.max_depth = 3;
  expect_bad("8181818101", l);
  EXPECT_TRUE(cbor::decode(hex("818101"), l).has_value());
}
TEST(Cbor, RefusesTooManyItems) {
  cbor::Limits l;
  l.max_items = 3;
  expect_bad("83010203", l);
}

TEST(CoseKey, Es256RoundTripAndPointOnCurve) {
  auto k = crypto::cose::PrivateKey::generate(crypto::cose::Alg::kEs256);
  ASSERT_TRUE(k.has_value());
  auto enc = encode_cose_key(crypto::cose::Alg::kEs256, *k->public_key());
  ASSERT_TRUE(enc.has_value());
  std::size_t used = 0;
  auto parsed = parse_cose_key_prefix(*enc, used);
  ASSERT_TRUE(parsed.has_value()) << parsed.error().to_string();
  EXPECT_EQ(used, enc->size());
  // Change one byte of y: the point leaves the curve.
  Bytes bad = *enc;
  bad.back() ^= 0x01;
  auto r = parse_cose_key_prefix(bad, used);
  ASSERT_FALSE(r.has_value());
  EXPECT_TRUE(r.error().is(WebauthnErrc::kBadCoseKey));
}

TEST(CoseKey, RefusesEc2WithWrongAlgOrCurve) {
  auto k = crypto::cose::PrivateKey::generate(crypto::cose::Alg::kEs256);
  auto c = *k->public_key()->components();
  using cbor::Value;
  auto make = [&](std::int64_t alg, std::int64_t crv) {
    return cbor::encode(Value::map({{Value::integer(1), Value::integer(2)},
                                    {Value::integer(3), Value::integer(alg)},
                                    {Value::integer(-1), Value::integer(crv)},
                                    {Value::integer(-2), Value::byte_string(c.x)},
                                    {Value::integer(-3), Value::byte_string(c.y)}}));
  };
  std::size_t used = 0;
  EXPECT_TRUE(parse_cose_key_prefix(make(-7, 1), used).has_value());
  EXPECT_TRUE(
      parse_cose_key_prefix(make(-7, 2), used).error().is(WebauthnErrc::kUnsupportedAlgorithm));
  EXPECT_TRUE(
      parse_cose_key_prefix(make(-257, 1), used).error().is(WebauthnErrc::kUnsupportedAlgorithm));
  EXPECT_TRUE(
      parse_cose_key_prefix(make(-999, 1), used).error().is(WebauthnErrc::kUnsupportedAlgorithm));
}

TEST(CoseKey, RefusesShortRsaModulus) {
  using cbor::Value;
  Bytes n(128, 0xff);  // 1024 bits
  auto enc = cbor::encode(Value::map({{Value::integer(1), Value::integer(3)},
                                      {Value::integer(3), Value::integer(-257)},
                                      {Value::integer(-1), Value::byte_string(n)},
                                      {Value::integer(-2), Value::byte_string(hex("010001"))}}));
  std::size_t used = 0;
  auto r = parse_cose_key_prefix(enc, used);
  ASSERT_FALSE(r.has_value());
  EXPECT_TRUE(r.error().is(WebauthnErrc::kBadCoseKey));
}

TEST(CoseKey, Ed25519RoundTrip) {
  auto k = crypto::cose::PrivateKey::generate(crypto::cose::Alg::kEdDsa);
  auto enc = encode_cose_key(crypto::cose::Alg::kEdDsa, *k->public_key());
  std::size_t used = 0;
  auto parsed = parse_cose_key_prefix(*enc, used);
  ASSERT_TRUE(parsed.has_value());
  EXPECT_EQ(parsed->alg, crypto::cose::Alg::kEdDsa);
  auto sig = k->sign(as_bytes("hello"));
  EXPECT_TRUE(parsed->key.verify(crypto::cose::Alg::kEdDsa, as_bytes("hello"), *sig).has_value());
}

Bytes base_auth_data(std::uint8_t flags) {
  Bytes h = crypto::sha256(as_bytes("example.com"));
  return build_authenticator_data(h, flags, 7, {}, {}, {}, {});
}

TEST(AuthData, ParsesFlagsAndCounter) {
  auto ad = parse_authenticator_data(base_auth_data(kFlagUp | kFlagUv));
  ASSERT_TRUE(ad.has_value());
  EXPECT_TRUE(ad->up());
  EXPECT_TRUE(ad->uv());
  EXPECT_EQ(ad->sign_count, 7u);
}

TEST(AuthData, RefusesShortInput) {
  Bytes b = base_auth_data(kFlagUp);
  b.pop_back();
  EXPECT_TRUE(parse_authenticator_data(b).error().is(WebauthnErrc::kBadAuthenticatorData));
}

TEST(AuthData, RefusesTrailingBytesWithoutEd) {
  Bytes b = base_auth_data(kFlagUp);
  b.push_back(0xa0);
  EXPECT_TRUE(parse_authenticator_data(b).error().is(WebauthnErrc::kBadAuthenticatorData));
}

TEST(AuthData, ParsesExtensionsAndRefusesEdWithoutData) {
  Bytes b = base_auth_data(kFlagUp | kFlagEd);
  EXPECT_TRUE(parse_authenticator_data(b).error().is(WebauthnErrc::kBadExtensions));
  Bytes ext = cbor::encode(
      cbor::Value::map({{cbor::Value::text_string("credProtect"), cbor::Value::integer(2)}}));
  append(b, ext);
  auto ad = parse_authenticator_data(b);
  ASSERT_TRUE(ad.has_value());
  EXPECT_EQ(ad->extensions->find("credProtect")->as_int(), 2);
}

TEST(AuthData, RefusesNonMapExtensions) {
  Bytes b = base_auth_data(kFlagUp | kFlagEd);
  b.push_back(0x01);
  EXPECT_TRUE(parse_authenticator_data(b).error().is(WebauthnErrc::kBadExtensions));
}

TEST(AuthData, RefusesCredentialIdLongerThan1023) {
  Bytes b = base_auth_data(kFlagUp);
  b[32] |= kFlagAt;
  append(b, Bytes(16, 0));
  put_u16be(b, 1024);
  append(b, Bytes(1024, 0x11));
  EXPECT_TRUE(parse_authenticator_data(b).error().is(WebauthnErrc::kCredentialIdTooLong));
}

TEST(AuthData, RefusesTruncatedAttestedData) {
  Bytes b = base_auth_data(kFlagUp);
  b[32] |= kFlagAt;
  append(b, Bytes(10, 0));
  EXPECT_TRUE(parse_authenticator_data(b).error().is(WebauthnErrc::kBadAuthenticatorData));
}

TEST(ClientData, ParsesAndBuilds) {
  std::string s = build_client_data("webauthn.get", hex("0102"), "https://a.example", false);
  EXPECT_EQ(
      s,
      R"({"type":"webauthn.get","challenge":"AQI","origin":"https://a.example","crossOrigin":false})");
  auto cd = parse_client_data(as_bytes(s));
  ASSERT_TRUE(cd.has_value());
  EXPECT_EQ(cd->challenge, hex("0102"));
  EXPECT_EQ(cd->hash, crypto::sha256(as_bytes(s)));
}

TEST(ClientData, RefusesMissingMembersAndBadTypes) {
  for (std::string_view s :
       {R"({"type":"webauthn.get","origin":"x"})", R"({"type":1,"challenge":"AQI","origin":"x"})",
        R"({"type":"webauthn.get","challenge":"AQI=","origin":"x"})",
        R"({"type":"webauthn.get","challenge":"AQI","origin":"x","crossOrigin":"no"})", "[]",
        "{"}) {
    auto r = parse_client_data(as_bytes(s));
    ASSERT_FALSE(r.has_value()) << s;
    EXPECT_TRUE(r.error().is(WebauthnErrc::kBadClientData)) << s;
  }
}

}  // namespace
}  // namespace kb::webauthn
