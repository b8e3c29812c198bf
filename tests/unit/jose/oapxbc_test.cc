// MS-OAPXBC shapes: the Entra ID vector from compact-jwt, round trips of our own forms, and
// negative cases.
#include "jose/oapxbc.h"

#include <gtest/gtest.h>

#include "base/base64.h"
#include "base/json.h"
#include "crypto/crypto.h"
#include "crypto/symmetric.h"
#include "jose_test_util.h"

namespace kb::jose::oapxbc {
namespace {

using crypto::PrivateKey;
using testing::data;
using testing::data_line;
using testing::read_bytes;
using testing::read_text;

const PrivateKey& transport() {
  static const PrivateKey k = std::move(*PrivateKey::generate_rsa(2048));
  return k;
}
SecretBytes session_key(std::uint8_t fill = 0x42) {
  return SecretBytes(Bytes(kSessionKeySize, fill));
}
std::string b64(std::string_view s) {
  return base64url_encode(as_bytes(s));
}
template <typename T>
void expect_error(const Result<T>& r, JoseErrc e) {
  ASSERT_FALSE(r);
  EXPECT_TRUE(r.error().is(e)) << r.error().to_string();
}

// kanidm/compact-jwt ms_oapxbc_3_2_5_1_3_3_exchange_request_response: an Entra ID
// session_key_jwe and a CBC-form derived-key JWE (tests/data/jose/README.md).
TEST(Oapxbc, UnwrapsEntraSessionKeyAndDecryptsItsCbcResponse) {
  auto key = PrivateKey::from_pkcs8_der(read_bytes(data("ms_oapxbc_transport_key.pk8.der")));
  ASSERT_TRUE(key) << key.error().to_string();
  auto sk = unwrap_session_key_jwe(data_line("ms_oapxbc_session_key.jwe"), *key);
  ASSERT_TRUE(sk) << sk.error().to_string();
  EXPECT_EQ(sk->size(), 32u);
  auto pt = decrypt_with_session_key(*sk, data_line("ms_oapxbc_prt_v2_cbc.jwe"));
  ASSERT_TRUE(pt) << pt.error().to_string();
  EXPECT_EQ(as_chars(pt->reveal()), read_text(data("ms_oapxbc_prt_v2_cbc.plaintext")));
  // Another transport key does not unwrap it; another session key does not decrypt.
  expect_error(unwrap_session_key_jwe(data_line("ms_oapxbc_session_key.jwe"), transport()),
               JoseErrc::kDecrypt);
  auto wrong = decrypt_with_session_key(session_key(), data_line("ms_oapxbc_prt_v2_cbc.jwe"));
  ASSERT_FALSE(wrong);
  EXPECT_TRUE(wrong.error().is(JoseErrc::kIntegrity)) << wrong.error().to_string();
}

TEST(Oapxbc, SessionKeyJweRoundTripsAndIsAStandardJwe) {
  crypto::SystemRng rng;
  SecretBytes sk = session_key();
  auto jwe = make_session_key_jwe(sk, *transport().public_key(), rng);
  ASSERT_TRUE(jwe) << jwe.error().to_string();
  auto back = unwrap_session_key_jwe(*jwe, transport());
  ASSERT_TRUE(back);
  EXPECT_TRUE(*back == sk);
  // A generic RSA-OAEP/A256GCM decrypter accepts it (its CEK is the session key).
  auto generic = decrypt_jwe(*jwe, transport(), JweKeyAlg::kRsaOaep);
  ASSERT_TRUE(generic) << generic.error().to_string();
  EXPECT_EQ(generic->size(), 0u);
}

TEST(Oapxbc, SessionKeyJweRefusesOtherAlgsAndKeySizes) {
  crypto::SystemRng rng;
  std::string good = *make_session_key_jwe(session_key(), *transport().public_key(), rng);
  std::string rest = good.substr(good.find('.'));
  expect_error(
      unwrap_session_key_jwe(b64(R"({"enc":"A256GCM","alg":"RSA-OAEP-256"})") + rest, transport()),
      JoseErrc::kAlgMismatch);
  expect_error(
      unwrap_session_key_jwe(b64(R"({"enc":"A256GCM","alg":"RSA1_5"})") + rest, transport()),
      JoseErrc::kUnsupportedAlg);
  expect_error(
      unwrap_session_key_jwe(b64(R"({"enc":"A128GCM","alg":"RSA-OAEP"})") + rest, transport()),
      JoseErrc::kUnsupportedAlg);
  // A wrapped key of 16 bytes is not a session key.
  Bytes ek16 =
      *crypto::rsa_oaep_encrypt(*transport().public_key(), crypto::OaepHash::kSha1, Bytes(16, 1));
  std::string h = good.substr(0, good.find('.'));
  std::string tail = good.substr(good.find('.', good.find('.') + 1));
  expect_error(unwrap_session_key_jwe(h + "." + base64url_encode(ek16) + tail, transport()),
               JoseErrc::kBadLength);
  expect_error(make_session_key_jwe(SecretBytes(Bytes(16, 1)), *transport().public_key(), rng),
               JoseErrc::kBadLength);
}

TEST(Oapxbc, DerivedKeyJweRoundTripsInBothForms) {
  crypto::SystemRng rng;
  SecretBytes sk = session_key();
  Bytes msg = to_bytes(std::string_view("0123456789abcdef0123456789abcdef"));  // a tgt client key
  auto gcm = encrypt_with_session_key(sk, msg, rng);
  ASSERT_TRUE(gcm);
  auto parsed = parse_jwe(*gcm);
  ASSERT_TRUE(parsed);
  EXPECT_EQ(parsed->alg, "dir");
  EXPECT_EQ(parsed->iv.size(), 12u);
  EXPECT_EQ(read_ctx(parsed->header)->size(), kCtxSize);
  EXPECT_TRUE(parsed->encrypted_key.empty());
  EXPECT_EQ(to_bytes(decrypt_with_session_key(sk, *gcm)->reveal()), msg);
  auto cbc = encrypt_with_session_key_cbc(sk, msg, rng);
  ASSERT_TRUE(cbc);
  EXPECT_EQ(parse_jwe(*cbc)->iv.size(), 16u);
  EXPECT_EQ(to_bytes(decrypt_with_session_key(sk, *cbc)->reveal()), msg);
  // The derived key, not the session key itself, encrypts the content.
  Jwe j = *parse_jwe(*gcm);
  expect_error(decrypt_a256gcm_content(j, sk), JoseErrc::kIntegrity);
  SecretBytes dk = *crypto::oapxbc_derive_key(sk, *read_ctx(j.header));
  EXPECT_EQ(to_bytes(decrypt_a256gcm_content(j, dk)->reveal()), msg);
}

TEST(Oapxbc, DerivedKeyJweRefusesTamperingAndBadHeaders) {
  crypto::SystemRng rng;
  SecretBytes sk = session_key();
  std::string jwe = *encrypt_with_session_key(sk, Bytes(32, 7), rng);
  expect_error(decrypt_with_session_key(session_key(0x43), jwe), JoseErrc::kIntegrity);
  std::string rest = jwe.substr(jwe.find('.'));
  auto with = [&](std::string_view header) { return b64(header) + rest; };
  std::string ctx = *json::get_string(
      *json::parse_object(as_chars(*base64url_decode(jwe.substr(0, jwe.find('.'))))), "ctx");
  // Another ctx derives another key (and the header is the AAD anyway).
  std::string other_ctx = base64_encode(Bytes(24, 9));
  expect_error(decrypt_with_session_key(
                   sk, with(R"({"alg":"dir","enc":"A256GCM","ctx":")" + other_ctx + "\"}")),
               JoseErrc::kIntegrity);
  expect_error(decrypt_with_session_key(sk, with(R"({"alg":"dir","enc":"A256GCM"})")),
               JoseErrc::kBadJson);
  expect_error(decrypt_with_session_key(sk, with(R"({"alg":"dir","enc":"A256GCM","ctx":"***"})")),
               JoseErrc::kBadBase64);
  expect_error(decrypt_with_session_key(sk, with(R"({"alg":"dir","enc":"A256GCM","ctx":"AAAA"})")),
               JoseErrc::kBadLength);
  expect_error(decrypt_with_session_key(
                   sk, with(R"({"alg":"dir","enc":"A256GCM","kdf_ver":2,"ctx":")" + ctx + "\"}")),
               JoseErrc::kUnsupportedHeader);
  expect_error(decrypt_with_session_key(
                   sk, with(R"({"alg":"dir","enc":"A256GCM","kdf_ver":3,"ctx":")" + ctx + "\"}")),
               JoseErrc::kUnsupportedHeader);
  expect_error(decrypt_with_session_key(
                   sk, with(R"({"alg":"RSA-OAEP","enc":"A256GCM","ctx":")" + ctx + "\"}")),
               JoseErrc::kAlgMismatch);
  expect_error(
      decrypt_with_session_key(sk, with(R"({"alg":"none","enc":"A256GCM","ctx":")" + ctx + "\"}")),
      JoseErrc::kUnsupportedAlg);
  // dir with a non-empty encrypted key segment.
  std::string h = jwe.substr(0, jwe.find('.'));
  expect_error(decrypt_with_session_key(sk, h + ".AAAA" + jwe.substr(jwe.find('.') + 1)),
               JoseErrc::kMalformed);
  expect_error(decrypt_with_session_key(SecretBytes(Bytes(16, 1)), jwe), JoseErrc::kBadLength);
}

TEST(Oapxbc, CbcFormRefusesATagBadPaddingAndOddIvs) {
  crypto::SystemRng rng;
  SecretBytes sk = session_key();
  std::string cbc = *encrypt_with_session_key_cbc(sk, Bytes(20, 1), rng);
  expect_error(decrypt_with_session_key(sk, cbc + "AAAAAAAAAAAAAAAAAAAAAA"), JoseErrc::kMalformed);
  // The CBC form has no tag: a wrong key is caught only by the PKCS#7 padding check, which
  // random bytes pass about once in 256 (the IV is random, so this varies by run). Either
  // way the plaintext must not come back.
  auto wrong = decrypt_with_session_key(session_key(0x41), cbc);
  if (wrong) {
    EXPECT_NE(to_bytes(wrong->reveal()), Bytes(20, 1));
  } else {
    EXPECT_TRUE(wrong.error().is(JoseErrc::kIntegrity)) << wrong.error().to_string();
  }
  // An IV of 8 bytes is neither form.
  std::size_t d2 = cbc.find('.', cbc.find('.') + 1);
  std::size_t d3 = cbc.find('.', d2 + 1);
  std::string odd = cbc.substr(0, d2 + 1) + base64url_encode(Bytes(8, 0)) + cbc.substr(d3);
  expect_error(decrypt_with_session_key(sk, odd), JoseErrc::kBadLength);
}

TEST(Oapxbc, DerivedKeyJwsRoundTripsWithKdfV1AndV2) {
  crypto::SystemRng rng;
  SecretBytes sk = session_key();
  Bytes payload = to_bytes(
      std::string_view(R"({"refresh_token":"prt","is_primary":"true","request_nonce":"n"})"));
  for (KdfVersion v : {KdfVersion::kV1, KdfVersion::kV2}) {
    auto tok = sign_with_session_key(sk, {{"typ", "JWT"}}, payload, v, rng);
    ASSERT_TRUE(tok);
    auto j = verify_with_session_key(sk, *tok);
    ASSERT_TRUE(j) << j.error().to_string();
    EXPECT_EQ(j->payload, payload);
    EXPECT_EQ(j->header.contains("kdf_ver"), v == KdfVersion::kV2);
    // The MAC key is the derived one: check it independently of the verifier.
    Bytes ctx = *read_ctx(j->header);
    SecretBytes dk = v == KdfVersion::kV1 ? *crypto::oapxbc_derive_key(sk, ctx)
                                          : *crypto::oapxbc_derive_key_v2(sk, ctx, payload);
    EXPECT_TRUE(verify_jws_hs256(*tok, dk));
    expect_error(verify_jws_hs256(*tok, sk), JoseErrc::kBadSignature);
    expect_error(verify_with_session_key(session_key(0x43), *tok), JoseErrc::kBadSignature);
  }
  auto v1 = *sign_with_session_key(sk, {}, payload, KdfVersion::kV1, rng);
  expect_error(verify_with_session_key(sk, v1, KdfVersion::kV2), JoseErrc::kUnsupportedHeader);
}

TEST(Oapxbc, DerivedKeyJwsRefusesSwappedKdfVersionAndOtherAlgs) {
  crypto::SystemRng rng;
  SecretBytes sk = session_key();
  Bytes payload = to_bytes(std::string_view(R"({"n":1})"));
  std::string tok = *sign_with_session_key(sk, {}, payload, KdfVersion::kV2, rng);
  // Dropping kdf_ver (a downgrade to v1) changes the key: the MAC fails.
  auto hdr = *json::parse_object(as_chars(*base64url_decode(tok.substr(0, tok.find('.')))));
  hdr.erase("kdf_ver");
  std::string downgraded = b64(json::serialize(hdr)) + tok.substr(tok.find('.'));
  expect_error(verify_with_session_key(sk, downgraded), JoseErrc::kBadSignature);
  // A token signed by the session key itself without ctx, or with RS256.
  auto direct = *sign_jws_hs256({}, payload, sk);
  expect_error(verify_with_session_key(sk, direct), JoseErrc::kBadJson);
  auto rsa_tok =
      *sign_jws({{"ctx", base64_encode(Bytes(24, 1))}}, payload, JwsAlg::kRs256, transport());
  expect_error(verify_with_session_key(sk, rsa_tok), JoseErrc::kAlgMismatch);
  EXPECT_TRUE(sign_with_session_key(sk, {{"ctx", "x"}}, payload, KdfVersion::kV1, rng)
                  .error()
                  .is(JoseErrc::kUnsupportedHeader));
}

}  // namespace
}  // namespace kb::jose::oapxbc
