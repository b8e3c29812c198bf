// Asymmetric keys, RSA-OAEP and RS256/ES256 against the openssl command-line tool as an
// independent peer.
#include "crypto/pkey.h"

#include <gtest/gtest.h>

#include "base/subprocess.h"
#include "crypto/crypto.h"
#include "jose_test_util.h"

namespace kb::crypto {
namespace {

using jose::testing::data;
using jose::testing::openssl;
using jose::testing::read_bytes;
using jose::testing::write_bytes;

PrivateKey rsa_key() {
  auto k = PrivateKey::generate_rsa(2048);
  EXPECT_TRUE(k) << k.error().to_string();
  return std::move(*k);
}
PrivateKey ec_key() {
  auto k = PrivateKey::generate_ec_p256();
  EXPECT_TRUE(k) << k.error().to_string();
  return std::move(*k);
}
Bytes spki(const PrivateKey& k) {
  return *k.public_key()->to_spki_der();
}

// `openssl genpkey <kind>` converted to PKCS#8 DER (genpkey's DER output is the
// algorithm's traditional form, e.g. SEC1 for EC).
Bytes openssl_genpkey_pkcs8(const TempDir& dir, const std::vector<std::string>& kind) {
  auto raw = dir.path() / "raw.der";
  auto pk8 = dir.path() / "key.pk8";
  std::vector<std::string> args = {"genpkey"};
  args.insert(args.end(), kind.begin(), kind.end());
  args.insert(args.end(), {"-outform", "DER", "-out", raw.string()});
  openssl(args);
  openssl({"pkcs8", "-topk8", "-nocrypt", "-inform", "DER", "-outform", "DER", "-in", raw.string(),
           "-out", pk8.string()});
  return read_bytes(pk8);
}

TEST(Pkey, RsaKeyRoundTripsThroughPkcs8AndSpki) {
  PrivateKey k = rsa_key();
  EXPECT_EQ(k.type(), KeyType::kRsa);
  EXPECT_EQ(k.bits(), 2048u);
  auto der = k.to_pkcs8_der();
  ASSERT_TRUE(der);
  auto back = PrivateKey::from_pkcs8_der(der->reveal());
  ASSERT_TRUE(back) << back.error().to_string();
  EXPECT_EQ(spki(*back), spki(k));
  auto pub = PublicKey::from_spki_der(spki(k));
  ASSERT_TRUE(pub);
  EXPECT_EQ(pub->type(), KeyType::kRsa);
  EXPECT_EQ(*pub->to_spki_der(), spki(k));
}

TEST(Pkey, EcKeyRoundTripsThroughPkcs8AndSpki) {
  PrivateKey k = ec_key();
  EXPECT_EQ(k.type(), KeyType::kEcP256);
  auto der = k.to_pkcs8_der();
  ASSERT_TRUE(der);
  auto back = PrivateKey::from_pkcs8_der(der->reveal());
  ASSERT_TRUE(back);
  EXPECT_EQ(spki(*back), spki(k));
  EXPECT_EQ(PublicKey::from_spki_der(spki(k))->type(), KeyType::kEcP256);
}

TEST(Pkey, ImportsKeysWrittenByOpenssl) {
  // Keys made by the openssl tool and by python3-cryptography load and agree with openssl's
  // idea of their public half.
  TempDir dir;
  auto key = dir.path() / "k.der";
  auto pub = dir.path() / "p.der";
  write_bytes(
      key, openssl_genpkey_pkcs8(dir, {"-algorithm", "EC", "-pkeyopt", "ec_paramgen_curve:P-256"}));
  openssl({"pkey", "-inform", "DER", "-in", key.string(), "-pubout", "-outform", "DER", "-out",
           pub.string()});
  auto k = PrivateKey::from_pkcs8_der(read_bytes(key));
  ASSERT_TRUE(k) << k.error().to_string();
  EXPECT_EQ(spki(*k), read_bytes(pub));
  for (const char* f :
       {"indep_rsa.pk8.der", "indep_ec.pk8.der", "ms_oapxbc_transport_key.pk8.der"}) {
    EXPECT_TRUE(PrivateKey::from_pkcs8_der(read_bytes(data(f)))) << f;
  }
}

TEST(Pkey, RefusesMalformedAndUnsupportedKeys) {
  PrivateKey k = ec_key();
  Bytes der = to_bytes(k.to_pkcs8_der()->reveal());
  Bytes trailing = der;
  trailing.push_back(0);
  Bytes truncated(der.begin(), der.end() - 1);
  for (const Bytes& bad : {trailing, truncated, Bytes{}, Bytes{0x30, 0x00}}) {
    auto r = PrivateKey::from_pkcs8_der(bad);
    ASSERT_FALSE(r);
    EXPECT_TRUE(r.error().is(PkeyErrc::kBadKey)) << r.error().to_string();
  }
  Bytes pub = spki(k);
  pub.push_back(0);
  EXPECT_TRUE(PublicKey::from_spki_der(pub).error().is(PkeyErrc::kBadKey));
  // RSA-1024, P-384 and Ed25519 keys are well-formed but not accepted.
  TempDir dir;
  std::vector<std::vector<std::string>> kinds = {
      {"-algorithm", "RSA", "-pkeyopt", "rsa_keygen_bits:1024"},
      {"-algorithm", "EC", "-pkeyopt", "ec_paramgen_curve:P-384"},
      {"-algorithm", "ED25519"}};
  for (const auto& kind : kinds) {
    auto r = PrivateKey::from_pkcs8_der(openssl_genpkey_pkcs8(dir, kind));
    ASSERT_FALSE(r) << kind[1];
    EXPECT_TRUE(r.error().is(PkeyErrc::kBadKey));
  }
  EXPECT_TRUE(PrivateKey::generate_rsa(1024).error().is(PkeyErrc::kBadKey));
  // The traditional (SEC1) encoding is not PKCS#8 and is refused.
  auto sec1 = dir.path() / "sec1.der";
  openssl({"genpkey", "-algorithm", "EC", "-pkeyopt", "ec_paramgen_curve:P-256", "-outform", "DER",
           "-out", sec1.string()});
  EXPECT_TRUE(PrivateKey::from_pkcs8_der(read_bytes(sec1)).error().is(PkeyErrc::kBadKey));
}

TEST(Pkey, PrintsNoKeyMaterial) {
  EXPECT_EQ(to_string(rsa_key()), "<private-key:rsa-2048>");
  EXPECT_EQ(to_string(ec_key()), "<private-key:p-256>");
  EXPECT_EQ(to_string(PrivateKey()), "<private-key:empty>");
}

TEST(Pkey, EmptyKeysAreRefusedNotDereferenced) {
  EXPECT_TRUE(
      rsa_oaep_encrypt(PublicKey(), OaepHash::kSha1, Bytes{1}).error().is(PkeyErrc::kBadKey));
  EXPECT_TRUE(sign(PrivateKey(), SignatureAlg::kRs256, Bytes{1}).error().is(PkeyErrc::kBadKey));
  EXPECT_TRUE(PrivateKey().to_pkcs8_der().error().is(PkeyErrc::kBadKey));
}

TEST(Oaep, RoundTripsWithSha1AndSha256) {
  PrivateKey k = rsa_key();
  PublicKey pub = *k.public_key();
  Bytes secret(32, 0x5a);
  for (OaepHash h : {OaepHash::kSha1, OaepHash::kSha256}) {
    auto ct = rsa_oaep_encrypt(pub, h, secret);
    ASSERT_TRUE(ct);
    EXPECT_EQ(ct->size(), 256u);
    EXPECT_NE(*ct, *rsa_oaep_encrypt(pub, h, secret));  // randomized padding
    auto pt = rsa_oaep_decrypt(k, h, *ct);
    ASSERT_TRUE(pt);
    EXPECT_EQ(to_bytes(pt->reveal()), secret);
    // The other hash does not decrypt it.
    OaepHash other = h == OaepHash::kSha1 ? OaepHash::kSha256 : OaepHash::kSha1;
    EXPECT_TRUE(rsa_oaep_decrypt(k, other, *ct).error().is(PkeyErrc::kDecrypt));
  }
}

TEST(Oaep, DecryptsWhatOpensslEncrypts) {
  PrivateKey k = rsa_key();
  TempDir dir;
  auto pub = dir.path() / "pub.der";
  auto in = dir.path() / "in.bin";
  auto out = dir.path() / "out.bin";
  write_bytes(pub, spki(k));
  Bytes secret = {1,  2,  3,  4,  5,  6,  7,  8,  9,  10, 11, 12, 13, 14, 15, 16,
                  17, 18, 19, 20, 21, 22, 23, 24, 25, 26, 27, 28, 29, 30, 31, 32};
  write_bytes(in, secret);
  for (auto [h, md] :
       {std::pair{OaepHash::kSha1, "sha1"}, std::pair{OaepHash::kSha256, "sha256"}}) {
    openssl({"pkeyutl", "-encrypt", "-pubin", "-keyform", "DER", "-inkey", pub.string(), "-in",
             in.string(), "-out", out.string(), "-pkeyopt", "rsa_padding_mode:oaep", "-pkeyopt",
             std::string("rsa_oaep_md:") + md, "-pkeyopt", std::string("rsa_mgf1_md:") + md});
    auto pt = rsa_oaep_decrypt(k, h, read_bytes(out));
    ASSERT_TRUE(pt) << md << ": " << pt.error().to_string();
    EXPECT_EQ(to_bytes(pt->reveal()), secret);
  }
}

TEST(Oaep, OpensslDecryptsWhatWeEncrypt) {
  PrivateKey k = rsa_key();
  TempDir dir;
  auto key = dir.path() / "key.der";
  auto ct = dir.path() / "ct.bin";
  auto out = dir.path() / "out.bin";
  write_bytes(key, k.to_pkcs8_der()->reveal());
  Bytes secret(32, 0xc3);
  write_bytes(ct, *rsa_oaep_encrypt(*k.public_key(), OaepHash::kSha1, secret));
  openssl({"pkeyutl", "-decrypt", "-keyform", "DER", "-inkey", key.string(), "-in", ct.string(),
           "-out", out.string(), "-pkeyopt", "rsa_padding_mode:oaep", "-pkeyopt",
           "rsa_oaep_md:sha1"});
  EXPECT_EQ(read_bytes(out), secret);
}

TEST(Oaep, RefusesTamperedCiphertextWrongKeyAndEcKeys) {
  PrivateKey k = rsa_key();
  PrivateKey other = rsa_key();
  Bytes ct = *rsa_oaep_encrypt(*k.public_key(), OaepHash::kSha1, Bytes(32, 1));
  Bytes bad = ct;
  bad[100] ^= 0x01;
  EXPECT_TRUE(rsa_oaep_decrypt(k, OaepHash::kSha1, bad).error().is(PkeyErrc::kDecrypt));
  EXPECT_TRUE(rsa_oaep_decrypt(other, OaepHash::kSha1, ct).error().is(PkeyErrc::kDecrypt));
  Bytes short_ct(ct.begin(), ct.end() - 1);
  EXPECT_TRUE(rsa_oaep_decrypt(k, OaepHash::kSha1, short_ct).error().is(PkeyErrc::kDecrypt));
  EXPECT_TRUE(rsa_oaep_decrypt(k, OaepHash::kSha1, {}).error().is(PkeyErrc::kDecrypt));
  PrivateKey ec = ec_key();
  EXPECT_TRUE(rsa_oaep_decrypt(ec, OaepHash::kSha1, ct).error().is(PkeyErrc::kBadKey));
  EXPECT_TRUE(
      rsa_oaep_encrypt(*ec.public_key(), OaepHash::kSha1, Bytes(1)).error().is(PkeyErrc::kBadKey));
  // 2048-bit OAEP-SHA1 carries at most 256 - 2*20 - 2 = 214 bytes.
  EXPECT_TRUE(rsa_oaep_encrypt(*k.public_key(), OaepHash::kSha1, Bytes(214, 0)));
  EXPECT_TRUE(rsa_oaep_encrypt(*k.public_key(), OaepHash::kSha1, Bytes(215, 0))
                  .error()
                  .is(PkeyErrc::kBadLength));
}

// openssl dgst -sha256 -verify with a DER public key; true when openssl says "Verified OK".
bool openssl_verifies(const TempDir& dir, ByteView spki_der, ByteView msg, ByteView der_sig) {
  auto pub = dir.path() / "pub.der";
  auto m = dir.path() / "msg.bin";
  auto s = dir.path() / "sig.bin";
  write_bytes(pub, spki_der);
  write_bytes(m, msg);
  write_bytes(s, der_sig);
  RunResult r = openssl({"dgst", "-sha256", "-verify", pub.string(), "-keyform", "DER",
                         "-signature", s.string(), m.string()},
                        false);
  return r.exit_code == 0 && r.out.find("Verified OK") != std::string::npos;
}

TEST(Signature, Rs256IsVerifiedByOpenssl) {
  PrivateKey k = rsa_key();
  TempDir dir;
  Bytes msg = to_bytes(std::string_view("eyJhbGciOiJSUzI1NiJ9.e30"));
  auto sig = sign(k, SignatureAlg::kRs256, msg);
  ASSERT_TRUE(sig);
  EXPECT_EQ(sig->size(), 256u);
  EXPECT_TRUE(openssl_verifies(dir, spki(k), msg, *sig));
  Bytes other = msg;
  other[0] ^= 1;
  EXPECT_FALSE(openssl_verifies(dir, spki(k), other, *sig));
  EXPECT_TRUE(verify(*k.public_key(), SignatureAlg::kRs256, msg, *sig));
}

TEST(Signature, Es256RawSignatureIsVerifiedByOpensslAfterDerConversion) {
  PrivateKey k = ec_key();
  TempDir dir;
  Bytes msg = to_bytes(std::string_view("eyJhbGciOiJFUzI1NiJ9.e30"));
  auto sig = sign(k, SignatureAlg::kEs256, msg);
  ASSERT_TRUE(sig);
  ASSERT_EQ(sig->size(), 64u);  // RFC 7518 3.4
  auto der = ecdsa_raw_to_der(*sig);
  ASSERT_TRUE(der);
  EXPECT_TRUE(openssl_verifies(dir, spki(k), msg, *der));
  EXPECT_TRUE(verify(*k.public_key(), SignatureAlg::kEs256, msg, *sig));
  // The DER form itself is not an ES256 JWS signature.
  EXPECT_TRUE(
      verify(*k.public_key(), SignatureAlg::kEs256, msg, *der).error().is(PkeyErrc::kBadSignature));
}

TEST(Signature, VerifiesSignaturesMadeByOpenssl) {
  TempDir dir;
  auto msg = dir.path() / "msg.bin";
  auto sig = dir.path() / "sig.bin";
  Bytes m = to_bytes(std::string_view("signed by openssl dgst"));
  write_bytes(msg, m);
  for (bool ec : {false, true}) {
    PrivateKey k = ec ? ec_key() : rsa_key();
    auto key = dir.path() / "key.der";
    write_bytes(key, k.to_pkcs8_der()->reveal());
    openssl({"dgst", "-sha256", "-sign", key.string(), "-keyform", "DER", "-out", sig.string(),
             msg.string()});
    Bytes s = read_bytes(sig);
    if (ec) s = *ecdsa_der_to_raw(s);
    auto alg = ec ? SignatureAlg::kEs256 : SignatureAlg::kRs256;
    EXPECT_TRUE(verify(*k.public_key(), alg, m, s)) << ec;
  }
}

TEST(Signature, RefusesTamperingWrongKeysAndMismatchedAlgorithms) {
  PrivateKey rsa = rsa_key();
  PrivateKey ec = ec_key();
  Bytes msg = {1, 2, 3};
  Bytes rs = *sign(rsa, SignatureAlg::kRs256, msg);
  Bytes es = *sign(ec, SignatureAlg::kEs256, msg);
  Bytes msg2 = {1, 2, 4};
  EXPECT_TRUE(verify(*rsa.public_key(), SignatureAlg::kRs256, msg2, rs)
                  .error()
                  .is(PkeyErrc::kBadSignature));
  EXPECT_TRUE(
      verify(*ec.public_key(), SignatureAlg::kEs256, msg2, es).error().is(PkeyErrc::kBadSignature));
  Bytes rs_bad = rs;
  rs_bad[10] ^= 0x80;
  EXPECT_TRUE(verify(*rsa.public_key(), SignatureAlg::kRs256, msg, rs_bad)
                  .error()
                  .is(PkeyErrc::kBadSignature));
  Bytes es_bad = es;
  es_bad[40] ^= 0x01;
  EXPECT_TRUE(verify(*ec.public_key(), SignatureAlg::kEs256, msg, es_bad)
                  .error()
                  .is(PkeyErrc::kBadSignature));
  EXPECT_TRUE(verify(*rsa_key().public_key(), SignatureAlg::kRs256, msg, rs)
                  .error()
                  .is(PkeyErrc::kBadSignature));
  // A key of the other type is refused before any verification.
  EXPECT_TRUE(
      verify(*ec.public_key(), SignatureAlg::kRs256, msg, rs).error().is(PkeyErrc::kBadKey));
  EXPECT_TRUE(
      verify(*rsa.public_key(), SignatureAlg::kEs256, msg, es).error().is(PkeyErrc::kBadKey));
  EXPECT_TRUE(sign(ec, SignatureAlg::kRs256, msg).error().is(PkeyErrc::kBadKey));
  EXPECT_TRUE(sign(rsa, SignatureAlg::kEs256, msg).error().is(PkeyErrc::kBadKey));
  // Wrong lengths.
  EXPECT_TRUE(verify(*ec.public_key(), SignatureAlg::kEs256, msg, Bytes(63, 1))
                  .error()
                  .is(PkeyErrc::kBadSignature));
  EXPECT_TRUE(verify(*rsa.public_key(), SignatureAlg::kRs256, msg, Bytes(255, 1))
                  .error()
                  .is(PkeyErrc::kBadSignature));
  // r = 0 or s = 0 never verifies.
  Bytes zero_r = es;
  std::fill(zero_r.begin(), zero_r.begin() + 32, 0);
  EXPECT_TRUE(verify(*ec.public_key(), SignatureAlg::kEs256, msg, zero_r)
                  .error()
                  .is(PkeyErrc::kBadSignature));
}

TEST(Ecdsa, ConvertsBetweenDerAndRawStrictly) {
  // r = 0x80 (needs a leading zero in DER), s = 0x01.
  Bytes raw(64, 0);
  raw[31] = 0x80;
  raw[63] = 0x01;
  Bytes want_der = {0x30, 0x07, 0x02, 0x02, 0x00, 0x80, 0x02, 0x01, 0x01};
  EXPECT_EQ(*ecdsa_raw_to_der(raw), want_der);
  EXPECT_EQ(*ecdsa_der_to_raw(want_der), raw);
  // Non-minimal INTEGER, negative INTEGER, trailing bytes, long form length, too large r.
  std::vector<Bytes> bad = {
      {0x30, 0x08, 0x02, 0x03, 0x00, 0x00, 0x80, 0x02, 0x01, 0x01},
      {0x30, 0x06, 0x02, 0x01, 0x80, 0x02, 0x01, 0x01},
      {0x30, 0x07, 0x02, 0x02, 0x00, 0x80, 0x02, 0x01, 0x01, 0x00},
      {0x30, 0x81, 0x07, 0x02, 0x02, 0x00, 0x80, 0x02, 0x01, 0x01},
      {0x30, 0x06, 0x02, 0x01, 0x00, 0x02, 0x01, 0x01},
      {},
  };
  Bytes big = {0x30, 0x26, 0x02, 0x21, 0x01};
  big.insert(big.end(), 32, 0x00);
  big.insert(big.end(), {0x02, 0x01, 0x01});
  bad.push_back(big);
  for (const Bytes& b : bad) {
    auto r = ecdsa_der_to_raw(b);
    ASSERT_FALSE(r) << hex_encode(b);
    EXPECT_TRUE(r.error().is(PkeyErrc::kBadSignature));
  }
  EXPECT_FALSE(ecdsa_raw_to_der(Bytes(63, 1)));
  EXPECT_FALSE(ecdsa_raw_to_der(Bytes(64, 0)));
}

}  // namespace
}  // namespace kb::crypto
