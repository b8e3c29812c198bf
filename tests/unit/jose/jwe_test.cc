// JWE RSA-OAEP(-256) + A256GCM: round trips, JWEs from an independent implementation, and
// one negative test per check.
#include "jose/jwe.h"

#include <gtest/gtest.h>

#include "base/base64.h"
#include "base/json.h"
#include "crypto/crypto.h"
#include "jose_test_util.h"

namespace kb::jose {
namespace {

using crypto::PrivateKey;
using testing::data;
using testing::data_line;
using testing::read_bytes;
using testing::read_text;

const PrivateKey& rsa() {
  static const PrivateKey k = std::move(*PrivateKey::generate_rsa(2048));
  return k;
}
const Bytes kMsg = to_bytes(std::string_view("attack at dawn"));

std::vector<std::string> split(const std::string& s) {
  std::vector<std::string> out;
  std::size_t start = 0;
  for (std::size_t dot; (dot = s.find('.', start)) != std::string::npos; start = dot + 1) {
    out.push_back(s.substr(start, dot - start));
  }
  out.push_back(s.substr(start));
  return out;
}
std::string join(const std::vector<std::string>& p) {
  std::string out;
  for (std::size_t i = 0; i < p.size(); ++i) out += (i ? "." : "") + p[i];
  return out;
}
// Flips one bit of decoded segment `i`.
std::string flip(const std::string& jwe, std::size_t i, std::size_t byte = 0) {
  auto p = split(jwe);
  Bytes b = *base64url_decode(p[i]);
  b[byte] ^= 0x01;
  p[i] = base64url_encode(b);
  return join(p);
}
void expect_error(const Result<SecretBytes>& r, JoseErrc e) {
  ASSERT_FALSE(r);
  EXPECT_TRUE(r.error().is(e)) << r.error().to_string();
}

TEST(Jwe, RoundTripsRsaOaepAndRsaOaep256) {
  crypto::SystemRng rng;
  for (JweKeyAlg alg : {JweKeyAlg::kRsaOaep, JweKeyAlg::kRsaOaep256}) {
    auto jwe = encrypt_jwe(*rsa().public_key(), alg, kMsg, rng, {{"kid", "t1"}});
    ASSERT_TRUE(jwe) << jwe.error().to_string();
    auto parsed = parse_jwe(*jwe);
    ASSERT_TRUE(parsed);
    EXPECT_EQ(parsed->alg, alg_name(alg));
    EXPECT_EQ(parsed->enc, "A256GCM");
    EXPECT_EQ(parsed->iv.size(), 12u);
    EXPECT_EQ(parsed->tag.size(), 16u);
    auto pt = decrypt_jwe(*jwe, rsa(), alg);
    ASSERT_TRUE(pt) << pt.error().to_string();
    EXPECT_EQ(to_bytes(pt->reveal()), kMsg);
    // The expected alg is fixed per key: the other OAEP variant is refused.
    JweKeyAlg other = alg == JweKeyAlg::kRsaOaep ? JweKeyAlg::kRsaOaep256 : JweKeyAlg::kRsaOaep;
    expect_error(decrypt_jwe(*jwe, rsa(), other), JoseErrc::kAlgMismatch);
  }
}

TEST(Jwe, DecryptsJwesMadeByAnIndependentImplementation) {
  auto key = PrivateKey::from_pkcs8_der(read_bytes(data("indep_rsa.pk8.der")));
  ASSERT_TRUE(key);
  std::string want = read_text(data("indep_jwe.plaintext"));
  auto a = decrypt_jwe(data_line("indep_rsa-oaep.jwe"), *key, JweKeyAlg::kRsaOaep);
  ASSERT_TRUE(a) << a.error().to_string();
  EXPECT_EQ(as_chars(a->reveal()), want);
  auto b = decrypt_jwe(data_line("indep_rsa-oaep-256.jwe"), *key, JweKeyAlg::kRsaOaep256);
  ASSERT_TRUE(b) << b.error().to_string();
  EXPECT_EQ(as_chars(b->reveal()), want);
}

TEST(Jwe, RefusesTamperedHeaderKeyIvCiphertextOrTag) {
  crypto::SystemRng rng;
  std::string jwe = *encrypt_jwe(*rsa().public_key(), JweKeyAlg::kRsaOaep, kMsg, rng);
  expect_error(decrypt_jwe(flip(jwe, 1, 7), rsa(), JweKeyAlg::kRsaOaep), JoseErrc::kDecrypt);
  expect_error(decrypt_jwe(flip(jwe, 2), rsa(), JweKeyAlg::kRsaOaep), JoseErrc::kIntegrity);
  expect_error(decrypt_jwe(flip(jwe, 3), rsa(), JweKeyAlg::kRsaOaep), JoseErrc::kIntegrity);
  expect_error(decrypt_jwe(flip(jwe, 4, 15), rsa(), JweKeyAlg::kRsaOaep), JoseErrc::kIntegrity);
  // The header is the AAD: a re-encoded but equivalent header breaks the tag.
  auto p = split(jwe);
  auto h = *json::parse_object(as_chars(*base64url_decode(p[0])));
  h["kid"] = "x";
  p[0] = base64url_encode(as_bytes(json::serialize(h)));
  expect_error(decrypt_jwe(join(p), rsa(), JweKeyAlg::kRsaOaep), JoseErrc::kIntegrity);
}

TEST(Jwe, RefusesWrongKeyAndWrongLengths) {
  crypto::SystemRng rng;
  std::string jwe = *encrypt_jwe(*rsa().public_key(), JweKeyAlg::kRsaOaep, kMsg, rng);
  auto other = PrivateKey::generate_rsa(2048);
  expect_error(decrypt_jwe(jwe, *other, JweKeyAlg::kRsaOaep), JoseErrc::kDecrypt);
  auto ec = PrivateKey::generate_ec_p256();
  expect_error(decrypt_jwe(jwe, *ec, JweKeyAlg::kRsaOaep), JoseErrc::kBadKey);
  auto p = split(jwe);
  auto truncate = [&](std::size_t i, std::size_t n) {
    auto q = p;
    Bytes b = *base64url_decode(q[i]);
    b.resize(n);
    q[i] = base64url_encode(b);
    return join(q);
  };
  expect_error(decrypt_jwe(truncate(4, 12), rsa(), JweKeyAlg::kRsaOaep), JoseErrc::kBadLength);
  expect_error(decrypt_jwe(truncate(4, 0), rsa(), JweKeyAlg::kRsaOaep), JoseErrc::kBadLength);
  expect_error(decrypt_jwe(truncate(2, 8), rsa(), JweKeyAlg::kRsaOaep), JoseErrc::kBadLength);
  expect_error(decrypt_jwe(truncate(1, 255), rsa(), JweKeyAlg::kRsaOaep), JoseErrc::kDecrypt);
  // A CEK that unwraps but is not 32 bytes.
  auto q = p;
  q[1] = base64url_encode(
      *crypto::rsa_oaep_encrypt(*rsa().public_key(), crypto::OaepHash::kSha1, Bytes(16, 1)));
  expect_error(decrypt_jwe(join(q), rsa(), JweKeyAlg::kRsaOaep), JoseErrc::kBadLength);
}

TEST(Jwe, RefusesUnsupportedAlgorithmsAndHeaders) {
  crypto::SystemRng rng;
  std::string jwe = *encrypt_jwe(*rsa().public_key(), JweKeyAlg::kRsaOaep, kMsg, rng);
  auto with_header = [&](std::string_view header) {
    auto p = split(jwe);
    p[0] = base64url_encode(as_bytes(header));
    return join(p);
  };
  expect_error(
      decrypt_jwe(with_header(R"({"alg":"RSA1_5","enc":"A256GCM"})"), rsa(), JweKeyAlg::kRsaOaep),
      JoseErrc::kUnsupportedAlg);
  expect_error(
      decrypt_jwe(with_header(R"({"alg":"none","enc":"A256GCM"})"), rsa(), JweKeyAlg::kRsaOaep),
      JoseErrc::kUnsupportedAlg);
  expect_error(
      decrypt_jwe(with_header(R"({"alg":"dir","enc":"A256GCM"})"), rsa(), JweKeyAlg::kRsaOaep),
      JoseErrc::kAlgMismatch);
  expect_error(
      decrypt_jwe(with_header(R"({"alg":"RSA-OAEP","enc":"A128GCM"})"), rsa(), JweKeyAlg::kRsaOaep),
      JoseErrc::kUnsupportedAlg);
  expect_error(decrypt_jwe(with_header(R"({"alg":"RSA-OAEP","enc":"A128CBC-HS256"})"), rsa(),
                           JweKeyAlg::kRsaOaep),
               JoseErrc::kUnsupportedAlg);
  expect_error(decrypt_jwe(with_header(R"({"alg":"RSA-OAEP","enc":"A256GCM","zip":"DEF"})"), rsa(),
                           JweKeyAlg::kRsaOaep),
               JoseErrc::kUnsupportedHeader);
  expect_error(decrypt_jwe(with_header(R"({"alg":"RSA-OAEP","enc":"A256GCM","crit":["x"],"x":1})"),
                           rsa(), JweKeyAlg::kRsaOaep),
               JoseErrc::kUnsupportedHeader);
  expect_error(decrypt_jwe(with_header(R"({"alg":"RSA-OAEP","enc":"A256GCM","enc":"A256GCM"})"),
                           rsa(), JweKeyAlg::kRsaOaep),
               JoseErrc::kDuplicateMember);
  expect_error(decrypt_jwe(with_header(R"({"alg":"RSA-OAEP"})"), rsa(), JweKeyAlg::kRsaOaep),
               JoseErrc::kBadJson);
}

TEST(Jwe, RefusesMalformedCompactForms) {
  crypto::SystemRng rng;
  std::string jwe = *encrypt_jwe(*rsa().public_key(), JweKeyAlg::kRsaOaep, kMsg, rng);
  auto p = split(jwe);
  std::vector<std::string> four(p.begin(), p.end() - 1);
  expect_error(decrypt_jwe(join(four), rsa(), JweKeyAlg::kRsaOaep), JoseErrc::kMalformed);
  expect_error(decrypt_jwe(jwe + ".", rsa(), JweKeyAlg::kRsaOaep), JoseErrc::kMalformed);
  expect_error(decrypt_jwe("....", rsa(), JweKeyAlg::kRsaOaep), JoseErrc::kMalformed);
  auto q = p;
  q[3] += "=";
  expect_error(decrypt_jwe(join(q), rsa(), JweKeyAlg::kRsaOaep), JoseErrc::kBadBase64);
  q = p;
  q[2][0] = '/';
  expect_error(decrypt_jwe(join(q), rsa(), JweKeyAlg::kRsaOaep), JoseErrc::kBadBase64);
  Limits small;
  small.max_compact = 100;
  expect_error(decrypt_jwe(jwe, rsa(), JweKeyAlg::kRsaOaep, small), JoseErrc::kTooLarge);
}

TEST(Jwe, EncrypterRefusesReservedHeaderMembers) {
  crypto::SystemRng rng;
  for (const char* m : {"alg", "enc", "zip", "crit"}) {
    auto r = encrypt_jwe(*rsa().public_key(), JweKeyAlg::kRsaOaep, kMsg, rng, {{m, "x"}});
    ASSERT_FALSE(r) << m;
    EXPECT_TRUE(r.error().is(JoseErrc::kUnsupportedHeader));
  }
}

}  // namespace
}  // namespace kb::jose
