// SP 800-108 / MS-OAPXBC KDF known answers, AES-256-GCM, AES-256-CBC and HMAC-SHA256.
#include "crypto/symmetric.h"

#include <gtest/gtest.h>

#include <fstream>
#include <sstream>

#include "jose_test_util.h"

namespace kb::crypto {
namespace {

Bytes hx(std::string_view s) {
  auto r = hex_decode(s);
  EXPECT_TRUE(r) << s;
  return r ? *r : Bytes{};
}
SecretBytes key_of(std::string_view s) {
  return SecretBytes(hx(s));
}

TEST(Kbkdf, MatchesIndependentKnownAnswers) {
  // tests/data/jose/kbkdf_hmac_sha256.txt: computed with Python's hmac/hashlib (README.md).
  std::ifstream in(jose::testing::data("kbkdf_hmac_sha256.txt"));
  ASSERT_TRUE(in);
  int rows = 0;
  for (std::string line; std::getline(in, line);) {
    if (line.empty() || line[0] == '#') continue;
    std::istringstream ls(line);
    std::string ver, key, ctx, payload, want;
    std::size_t n = 0;
    ls >> ver >> key >> ctx >> payload >> n >> want;
    Bytes p = payload == "-" ? Bytes{} : hx(payload);
    SecretBytes k = key_of(key);
    Result<SecretBytes> got =
        ver == "v1" ? kbkdf_hmac_sha256(k.reveal(), as_bytes(kOapxbcKdfLabel), hx(ctx), n)
                    : oapxbc_derive_key_v2(k, hx(ctx), p);
    ASSERT_TRUE(got) << line;
    EXPECT_EQ(hex_encode(got->reveal()), want) << line;
    if (ver == "v1" && n == 32) {
      EXPECT_EQ(hex_encode(oapxbc_derive_key(k, hx(ctx))->reveal()), want);
    }
    ++rows;
  }
  EXPECT_EQ(rows, 6);
}

TEST(Kbkdf, DifferentLabelContextOrKeyGiveDifferentKeys) {
  SecretBytes k(Bytes(32, 7));
  Bytes ctx(24, 1);
  Bytes base = to_bytes(oapxbc_derive_key(k, ctx)->reveal());
  Bytes ctx2 = ctx;
  ctx2[23] ^= 1;
  EXPECT_NE(to_bytes(oapxbc_derive_key(k, ctx2)->reveal()), base);
  EXPECT_NE(
      to_bytes(kbkdf_hmac_sha256(k.reveal(),
                                 as_bytes(std::string_view("AzureAD-SecureConversatioN")), ctx, 32)
                   ->reveal()),
      base);
  EXPECT_NE(to_bytes(oapxbc_derive_key_v2(k, ctx, {})->reveal()), base);
  EXPECT_TRUE(kbkdf_hmac_sha256({}, {}, {}, 32).error().is(PkeyErrc::kBadLength));
  EXPECT_TRUE(kbkdf_hmac_sha256(k.reveal(), {}, {}, 0).error().is(PkeyErrc::kBadLength));
}

TEST(Gcm, MatchesTheGcmSpecTestCase16) {
  // McGrew & Viega, "The Galois/Counter Mode of Operation", test case 16 (AES-256, AAD).
  SecretBytes k = key_of("feffe9928665731c6d6a8f9467308308feffe9928665731c6d6a8f9467308308");
  Bytes iv = hx("cafebabefacedbaddecaf888");
  Bytes pt =
      hx("d9313225f88406e5a55909c5aff5269a86a7a9531534f7da2e4c303d8a318a721c3c0c95956809532fcf0e244"
         "9a6b525b16aedf5aa0de657ba637b39");
  Bytes aad = hx("feedfacedeadbeeffeedfacedeadbeefabaddad2");
  auto s = aes256_gcm_encrypt(k, iv, aad, pt);
  ASSERT_TRUE(s);
  EXPECT_EQ(hex_encode(s->ciphertext),
            "522dc1f099567d07f47f37a32a84427d643a8cdcbfe5c0c97598a2bd2555d1aa8cb08e48590dbb3da7b08b"
            "1056828838c5f61e6393ba7a0abcc9f662");
  EXPECT_EQ(hex_encode(s->tag), "76fc6ece0f4e1768cddf8853bb2d551b");
  auto back = aes256_gcm_decrypt(k, iv, aad, s->ciphertext, s->tag);
  ASSERT_TRUE(back);
  EXPECT_EQ(to_bytes(back->reveal()), pt);
}

TEST(Gcm, RefusesAnyTamperingAndWrongLengths) {
  SecretBytes k(Bytes(32, 9));
  Bytes iv(12, 3);
  Bytes aad = {'h', 'd', 'r'};
  Bytes pt(40, 0x11);
  GcmSealed s = *aes256_gcm_encrypt(k, iv, aad, pt);
  auto fails = [&](const SecretBytes& key, ByteView i, ByteView a, ByteView c, ByteView t) {
    auto r = aes256_gcm_decrypt(key, i, a, c, t);
    return r ? Error(PkeyErrc::kOpenssl, "decrypted") : r.error();
  };
  Bytes c2 = s.ciphertext;
  c2[5] ^= 1;
  Bytes t2 = s.tag;
  t2[15] ^= 1;
  Bytes iv2 = iv;
  iv2[0] ^= 1;
  Bytes aad2 = {'h', 'd', 'R'};
  SecretBytes k2(Bytes(32, 8));
  EXPECT_TRUE(fails(k, iv, aad, c2, s.tag).is(PkeyErrc::kIntegrity));
  EXPECT_TRUE(fails(k, iv, aad, s.ciphertext, t2).is(PkeyErrc::kIntegrity));
  EXPECT_TRUE(fails(k, iv2, aad, s.ciphertext, s.tag).is(PkeyErrc::kIntegrity));
  EXPECT_TRUE(fails(k, iv, aad2, s.ciphertext, s.tag).is(PkeyErrc::kIntegrity));
  EXPECT_TRUE(fails(k2, iv, aad, s.ciphertext, s.tag).is(PkeyErrc::kIntegrity));
  // A truncated tag is never accepted, nor another IV or key size.
  Bytes t12(s.tag.begin(), s.tag.begin() + 12);
  EXPECT_TRUE(fails(k, iv, aad, s.ciphertext, t12).is(PkeyErrc::kBadLength));
  EXPECT_TRUE(fails(k, Bytes(16, 3), aad, s.ciphertext, s.tag).is(PkeyErrc::kBadLength));
  EXPECT_TRUE(
      fails(SecretBytes(Bytes(16, 9)), iv, aad, s.ciphertext, s.tag).is(PkeyErrc::kBadLength));
  EXPECT_TRUE(aes256_gcm_encrypt(k, Bytes(11, 0), aad, pt).error().is(PkeyErrc::kBadLength));
}

TEST(Cbc, MatchesSp80038aAndRoundTrips) {
  // NIST SP 800-38A F.2.5 CBC-AES256.Encrypt, first block (our output adds a PKCS#7 block).
  SecretBytes k = key_of("603deb1015ca71be2b73aef0857d77811f352c073b6108d72d9810a30914dff4");
  Bytes iv = hx("000102030405060708090a0b0c0d0e0f");
  Bytes pt = hx("6bc1bee22e409f96e93d7e117393172a");
  auto ct = aes256_cbc_encrypt(k, iv, pt);
  ASSERT_TRUE(ct);
  ASSERT_EQ(ct->size(), 32u);
  EXPECT_EQ(hex_encode(ByteView(*ct).first(16)), "f58c4c04d6e5f1ba779eabfb5f7bfbd6");
  EXPECT_EQ(to_bytes(aes256_cbc_decrypt(k, iv, *ct)->reveal()), pt);
  for (std::size_t n : {0u, 1u, 15u, 16u, 17u, 100u}) {
    Bytes p(n, 0x42);
    Bytes c = *aes256_cbc_encrypt(k, iv, p);
    EXPECT_EQ(c.size(), (n / 16 + 1) * 16);
    EXPECT_EQ(to_bytes(aes256_cbc_decrypt(k, iv, c)->reveal()), p);
  }
}

TEST(Cbc, RefusesBadPaddingAndPartialBlocks) {
  SecretBytes k(Bytes(32, 1));
  Bytes iv(16, 2);
  Bytes c = *aes256_cbc_encrypt(k, iv, Bytes(5, 0x42));
  // One block: the last plaintext byte is the pad length 11 (0x0b) XOR IV[15]. Steer it to
  // 0, 17 and to 12 (bytes 4..15 then disagree): each is bad padding.
  for (std::uint8_t target : {std::uint8_t{0}, std::uint8_t{17}, std::uint8_t{12}}) {
    Bytes iv2 = iv;
    iv2[15] = static_cast<std::uint8_t>(iv2[15] ^ 0x0b ^ target);
    auto r = aes256_cbc_decrypt(k, iv2, c);
    ASSERT_FALSE(r) << int(target);
    EXPECT_TRUE(r.error().is(PkeyErrc::kIntegrity));
  }
  EXPECT_TRUE(aes256_cbc_decrypt(k, iv, Bytes(15, 0)).error().is(PkeyErrc::kBadLength));
  EXPECT_TRUE(aes256_cbc_decrypt(k, iv, {}).error().is(PkeyErrc::kBadLength));
  EXPECT_TRUE(aes256_cbc_decrypt(k, Bytes(12, 0), c).error().is(PkeyErrc::kBadLength));
}

TEST(Hmac, MatchesRfc4231TestCase2) {
  auto mac = hmac_sha256(as_bytes(std::string_view("Jefe")),
                         as_bytes(std::string_view("what do ya want for nothing?")));
  ASSERT_TRUE(mac);
  EXPECT_EQ(hex_encode(*mac), "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843");
}

}  // namespace
}  // namespace kb::crypto
