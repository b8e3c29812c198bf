// JWS: positive round trips, tokens from an independent implementation, and one negative
// test per check.
#include "jose/jws.h"

#include <gtest/gtest.h>

#include "base/base64.h"
#include "base/json.h"
#include "crypto/symmetric.h"
#include "jose_test_util.h"

namespace kb::jose {
namespace {

using crypto::PrivateKey;
using crypto::PublicKey;
using testing::data;
using testing::data_line;
using testing::read_bytes;

struct Keys {
  PrivateKey rsa = std::move(*PrivateKey::generate_rsa(2048));
  PrivateKey ec = std::move(*PrivateKey::generate_ec_p256());
  PublicKey rsa_pub = *rsa.public_key();
  PublicKey ec_pub = *ec.public_key();
};
const Keys& keys() {
  static const Keys k;
  return k;
}

std::string b64(std::string_view s) {
  return base64url_encode(as_bytes(s));
}
// A token with the given header and payload text, signed RS256 by the test RSA key.
std::string rs256_token(std::string_view header, std::string_view payload) {
  std::string input = b64(header) + "." + b64(payload);
  Bytes sig = *crypto::sign(keys().rsa, crypto::SignatureAlg::kRs256, as_bytes(input));
  return input + "." + base64url_encode(sig);
}
const Bytes kPayload = to_bytes(std::string_view(R"({"sub":"alice","n":1})"));

void expect_error(const Result<Jws>& r, JoseErrc e) {
  ASSERT_FALSE(r);
  EXPECT_TRUE(r.error().is(e)) << r.error().to_string();
}

TEST(Jws, SignsAndVerifiesRs256AndEs256) {
  boost::json::object h{{"typ", "JWT"}};
  for (auto [alg, pub] :
       {std::pair{JwsAlg::kRs256, &keys().rsa_pub}, std::pair{JwsAlg::kEs256, &keys().ec_pub}}) {
    const PrivateKey& priv = alg == JwsAlg::kRs256 ? keys().rsa : keys().ec;
    auto tok = sign_jws(h, kPayload, alg, priv);
    ASSERT_TRUE(tok) << tok.error().to_string();
    auto j = verify_jws(*tok, alg, *pub);
    ASSERT_TRUE(j) << j.error().to_string();
    EXPECT_EQ(j->payload, kPayload);
    EXPECT_EQ(j->alg, alg_name(alg));
    EXPECT_EQ(json::get_string(j->header, "typ").value(), "JWT");
  }
}

TEST(Jws, VerifiesTokensMadeByAnIndependentImplementation) {
  auto rsa = PrivateKey::from_pkcs8_der(read_bytes(data("indep_rsa.pk8.der")));
  auto ec = PrivateKey::from_pkcs8_der(read_bytes(data("indep_ec.pk8.der")));
  ASSERT_TRUE(rsa && ec);
  auto r = verify_jws(data_line("indep_rs256.jws"), JwsAlg::kRs256, *rsa->public_key());
  ASSERT_TRUE(r) << r.error().to_string();
  auto e = verify_jws(data_line("indep_es256.jws"), JwsAlg::kEs256, *ec->public_key());
  ASSERT_TRUE(e) << e.error().to_string();
  EXPECT_EQ(as_chars(e->payload), R"({"iss":"indep","aud":"keybridge","exp":4102444800})");
}

TEST(Jws, RefusesAlgNone) {
  std::string unsigned_tok = b64(R"({"alg":"none"})") + "." + b64("{}") + ".";
  expect_error(verify_jws(unsigned_tok, JwsAlg::kRs256, keys().rsa_pub), JoseErrc::kUnsupportedAlg);
  // "none" with a signature segment anyway.
  std::string with_sig = b64(R"({"alg":"none"})") + "." + b64("{}") + "." + b64("x");
  expect_error(verify_jws(with_sig, JwsAlg::kRs256, keys().rsa_pub), JoseErrc::kUnsupportedAlg);
  expect_error(verify_jws(rs256_token(R"({"alg":"RS512"})", "{}"), JwsAlg::kRs256, keys().rsa_pub),
               JoseErrc::kUnsupportedAlg);
  expect_error(verify_jws(rs256_token(R"({"alg":"rs256"})", "{}"), JwsAlg::kRs256, keys().rsa_pub),
               JoseErrc::kUnsupportedAlg);
}

TEST(Jws, RefusesHs256KeyedWithTheRsaPublicKey) {
  // The classic confusion: an attacker MACs with the server's public key bytes and says HS256.
  Bytes pub_der = *keys().rsa_pub.to_spki_der();
  std::string input = b64(R"({"alg":"HS256"})") + "." + b64("{}");
  Bytes mac = *crypto::hmac_sha256(pub_der, as_bytes(input));
  std::string forged = input + "." + base64url_encode(mac);
  expect_error(verify_jws(forged, JwsAlg::kRs256, keys().rsa_pub), JoseErrc::kAlgMismatch);
  // An ES256 verifier does not take an RS256 token either, nor the reverse.
  expect_error(verify_jws(rs256_token(R"({"alg":"RS256"})", "{}"), JwsAlg::kEs256, keys().ec_pub),
               JoseErrc::kAlgMismatch);
  // Asking to verify HS256 with a public key is refused outright.
  expect_error(verify_jws(forged, JwsAlg::kHs256, keys().rsa_pub), JoseErrc::kBadKey);
  // The right alg with a key of the other type.
  expect_error(verify_jws(rs256_token(R"({"alg":"RS256"})", "{}"), JwsAlg::kRs256, keys().ec_pub),
               JoseErrc::kBadKey);
}

TEST(Jws, RefusesWrongKey) {
  auto other = PrivateKey::generate_rsa(2048);
  std::string tok = *sign_jws({}, kPayload, JwsAlg::kRs256, keys().rsa);
  expect_error(verify_jws(tok, JwsAlg::kRs256, *other->public_key()), JoseErrc::kBadSignature);
}

TEST(Jws, RefusesTamperedHeaderPayloadOrSignature) {
  std::string tok = *sign_jws({{"typ", "JWT"}}, kPayload, JwsAlg::kEs256, keys().ec);
  std::size_t d1 = tok.find('.');
  std::size_t d2 = tok.find('.', d1 + 1);
  std::string bad_header = b64(R"({"typ":"JWS","alg":"ES256"})") + tok.substr(d1);
  expect_error(verify_jws(bad_header, JwsAlg::kEs256, keys().ec_pub), JoseErrc::kBadSignature);
  std::string bad_payload =
      tok.substr(0, d1 + 1) + b64(R"({"sub":"mallory","n":1})") + tok.substr(d2);
  expect_error(verify_jws(bad_payload, JwsAlg::kEs256, keys().ec_pub), JoseErrc::kBadSignature);
  Bytes sig = *base64url_decode(tok.substr(d2 + 1));
  sig[10] ^= 0x01;
  std::string bad_sig = tok.substr(0, d2 + 1) + base64url_encode(sig);
  expect_error(verify_jws(bad_sig, JwsAlg::kEs256, keys().ec_pub), JoseErrc::kBadSignature);
  sig.pop_back();
  std::string short_sig = tok.substr(0, d2 + 1) + base64url_encode(sig);
  expect_error(verify_jws(short_sig, JwsAlg::kEs256, keys().ec_pub), JoseErrc::kBadSignature);
}

TEST(Jws, RefusesWrongSegmentCounts) {
  std::string tok = *sign_jws({}, kPayload, JwsAlg::kRs256, keys().rsa);
  std::size_t d2 = tok.rfind('.');
  expect_error(verify_jws(tok.substr(0, d2), JwsAlg::kRs256, keys().rsa_pub), JoseErrc::kMalformed);
  expect_error(verify_jws(tok + ".", JwsAlg::kRs256, keys().rsa_pub), JoseErrc::kMalformed);
  expect_error(verify_jws(tok + ".e30", JwsAlg::kRs256, keys().rsa_pub), JoseErrc::kMalformed);
  expect_error(verify_jws("", JwsAlg::kRs256, keys().rsa_pub), JoseErrc::kMalformed);
  expect_error(verify_jws("..", JwsAlg::kRs256, keys().rsa_pub), JoseErrc::kMalformed);
  // Truncating the signature segment breaks it.
  std::string cut = tok.substr(0, tok.size() - 4);
  auto r = verify_jws(cut, JwsAlg::kRs256, keys().rsa_pub);
  ASSERT_FALSE(r);
  EXPECT_TRUE(r.error().is(JoseErrc::kBadSignature) || r.error().is(JoseErrc::kBadBase64));
}

TEST(Jws, RefusesBadBase64url) {
  std::string tok = *sign_jws({}, kPayload, JwsAlg::kRs256, keys().rsa);
  std::size_t d1 = tok.find('.');
  // Padding, standard-alphabet characters, whitespace in any segment.
  for (std::string bad : {tok.substr(0, d1) + "=" + tok.substr(d1), tok + "=",
                          tok.substr(0, d1 + 1) + "+" + tok.substr(d1 + 2), " " + tok,
                          tok.substr(0, d1) + "\n" + tok.substr(d1)}) {
    expect_error(verify_jws(bad, JwsAlg::kRs256, keys().rsa_pub), JoseErrc::kBadBase64);
  }
}

TEST(Jws, RefusesDuplicateHeaderOrNestedMembers) {
  expect_error(verify_jws(rs256_token(R"({"alg":"RS256","alg":"RS256"})", "{}"), JwsAlg::kRs256,
                          keys().rsa_pub),
               JoseErrc::kDuplicateMember);
  expect_error(verify_jws(rs256_token(R"({"alg":"RS256","x":{"a":1,"a":2}})", "{}"), JwsAlg::kRs256,
                          keys().rsa_pub),
               JoseErrc::kDuplicateMember);
  // Strings holding ':' and escaped quotes do not confuse the check.
  auto ok = verify_jws(rs256_token(R"({"alg":"RS256","k:\"x":"v:\\","y":[{"a":":"}]})", "{}"),
                       JwsAlg::kRs256, keys().rsa_pub);
  EXPECT_TRUE(ok) << ok.error().to_string();
}

TEST(Jws, RefusesBadHeaders) {
  auto v = [](std::string_view header) {
    return verify_jws(rs256_token(header, "{}"), JwsAlg::kRs256, keys().rsa_pub);
  };
  expect_error(v(R"({"typ":"JWT"})"), JoseErrc::kBadJson);    // no alg
  expect_error(v(R"({"alg":256})"), JoseErrc::kBadJson);      // alg not a string
  expect_error(v(R"(["alg","RS256"])"), JoseErrc::kBadJson);  // not an object
  expect_error(v(R"({"alg":"RS256")"), JoseErrc::kBadJson);   // truncated JSON
  expect_error(v(R"({"alg":"RS256","crit":["exp"],"exp":1})"), JoseErrc::kUnsupportedHeader);
  expect_error(v(R"({"alg":"RS256","b64":false})"), JoseErrc::kUnsupportedHeader);
  expect_error(v(R"({"alg":"RS256","zip":"DEF"})"), JoseErrc::kUnsupportedHeader);
  std::string empty_header = "." + b64("{}") + ".AAAA";
  expect_error(verify_jws(empty_header, JwsAlg::kRs256, keys().rsa_pub), JoseErrc::kMalformed);
}

TEST(Jws, RefusesOversizedTokensAndHeaders) {
  Limits small;
  small.max_compact = 1000;
  std::string big_payload(2000, 'a');
  std::string tok = *sign_jws({}, as_bytes(big_payload), JwsAlg::kRs256, keys().rsa);
  expect_error(verify_jws(tok, JwsAlg::kRs256, keys().rsa_pub, small), JoseErrc::kTooLarge);
  EXPECT_TRUE(verify_jws(tok, JwsAlg::kRs256, keys().rsa_pub));
  Limits small_header;
  small_header.max_header = 64;
  std::string hdr = R"({"alg":"RS256","pad":")" + std::string(100, 'p') + "\"}";
  expect_error(verify_jws(rs256_token(hdr, "{}"), JwsAlg::kRs256, keys().rsa_pub, small_header),
               JoseErrc::kTooLarge);
  // Deep nesting in the header.
  std::string deep = R"({"alg":"RS256","x":)" + std::string(40, '[') + std::string(40, ']') + "}";
  expect_error(verify_jws(rs256_token(deep, "{}"), JwsAlg::kRs256, keys().rsa_pub),
               JoseErrc::kBadJson);
}

TEST(Jws, SignerRefusesReservedHeaderMembersAndWrongKeys) {
  EXPECT_TRUE(sign_jws({{"alg", "none"}}, kPayload, JwsAlg::kRs256, keys().rsa)
                  .error()
                  .is(JoseErrc::kUnsupportedHeader));
  EXPECT_TRUE(sign_jws({{"crit", boost::json::array{"x"}}}, kPayload, JwsAlg::kRs256, keys().rsa)
                  .error()
                  .is(JoseErrc::kUnsupportedHeader));
  EXPECT_TRUE(sign_jws({}, kPayload, JwsAlg::kEs256, keys().rsa).error().is(JoseErrc::kBadKey));
  EXPECT_TRUE(sign_jws({}, kPayload, JwsAlg::kHs256, keys().rsa).error().is(JoseErrc::kBadKey));
}

TEST(Jws, Hs256SignsVerifiesAndRefusesShortKeysAndOtherKeys) {
  SecretBytes k(Bytes(32, 0x33));
  auto tok = sign_jws_hs256({{"ctx", "x"}}, kPayload, k);
  ASSERT_TRUE(tok);
  auto j = verify_jws_hs256(*tok, k);
  ASSERT_TRUE(j);
  EXPECT_EQ(j->payload, kPayload);
  expect_error(verify_jws_hs256(*tok, SecretBytes(Bytes(32, 0x34))), JoseErrc::kBadSignature);
  expect_error(verify_jws_hs256(*tok, SecretBytes(Bytes(16, 0x33))), JoseErrc::kBadKey);
  EXPECT_TRUE(
      sign_jws_hs256({}, kPayload, SecretBytes(Bytes(31, 1))).error().is(JoseErrc::kBadKey));
  // An RS256 token given to the HS256 verifier.
  expect_error(verify_jws_hs256(rs256_token(R"({"alg":"RS256"})", "{}"), k),
               JoseErrc::kAlgMismatch);
}

}  // namespace
}  // namespace kb::jose
