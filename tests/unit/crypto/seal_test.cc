#include "crypto/seal.h"

#include <gtest/gtest.h>

#include "crypto/crypto.h"

namespace kb::crypto {
namespace {

Bytes hex(std::string_view s) {
  return *hex_decode(s);
}

// RFC 5869 appendix A.1 (test case 1).
TEST(Hkdf, Rfc5869TestCase1) {
  Bytes ikm(22, 0x0b);
  Bytes salt = hex("000102030405060708090a0b0c");
  Bytes info = hex("f0f1f2f3f4f5f6f7f8f9");
  auto okm = hkdf_sha256(ikm, salt, info, 42);
  ASSERT_TRUE(okm) << okm.error().to_string();
  EXPECT_EQ(to_bytes(okm->reveal()),
            hex("3cb25f25faacd57a90434f64d0362f2a2d2d0a90cf1a5a4c5db02d56ecc4c5bf34007208d5b8871858"
                "65"));
}

// RFC 5869 appendix A.3 (test case 3: zero-length salt and info).
TEST(Hkdf, Rfc5869TestCase3EmptySalt) {
  Bytes ikm(22, 0x0b);
  auto okm = hkdf_sha256(ikm, {}, {}, 42);
  ASSERT_TRUE(okm);
  EXPECT_EQ(to_bytes(okm->reveal()),
            hex("8da4e775a563c18f715f802a063c5a31b8a11f5c5ee1879ec3454e5f3c738d2d9d201395faa4b61a96"
                "c8"));
}

TEST(Hkdf, RefusesBadLengths) {
  Bytes ikm(32, 1);
  EXPECT_FALSE(hkdf_sha256(ikm, {}, {}, 0));
  EXPECT_FALSE(hkdf_sha256(ikm, {}, {}, 255 * 32 + 1));
  EXPECT_TRUE(hkdf_sha256(ikm, {}, {}, 255 * 32));
}

// RFC 7748 6.1: Alice's private key -> public key.
TEST(Seal, X25519PublicKeyMatchesRfc7748) {
  SecretBytes priv(hex("77076d0a7318a57d3c16c17251b26645df4c2f87ebc0992ab177fba51db92c2a"));
  auto pub = seal_public_key(priv);
  ASSERT_TRUE(pub);
  EXPECT_EQ(*pub, hex("8520f0098930a754748b7ddcb43ef75a0dbf3a0d26381af4eba4a98eaa9b4e6a"));
  EXPECT_FALSE(seal_public_key(SecretBytes(Bytes(31, 1))));
}

TEST(Seal, RoundTripsAndIsRandomized) {
  SystemRng rng;
  auto kp = generate_seal_key(rng);
  ASSERT_TRUE(kp);
  Bytes msg = to_bytes(std::string_view("a ccache image"));
  Bytes aad = to_bytes(std::string_view("full_tgt"));
  auto blob = seal(kp->public_key, msg, aad, rng);
  ASSERT_TRUE(blob) << blob.error().to_string();
  EXPECT_EQ(blob->size(), kSealOverhead + msg.size());
  EXPECT_EQ((*blob)[0], kSealVersion);
  auto back = open_sealed(kp->private_key, *blob, aad);
  ASSERT_TRUE(back) << back.error().to_string();
  EXPECT_EQ(to_bytes(back->reveal()), msg);
  EXPECT_NE(*seal(kp->public_key, msg, aad, rng), *blob);
  // Empty plaintext is legal.
  auto empty = seal(kp->public_key, {}, aad, rng);
  ASSERT_TRUE(empty);
  auto e = open_sealed(kp->private_key, *empty, aad);
  ASSERT_TRUE(e);
  EXPECT_TRUE(e->empty());
}

TEST(Seal, EveryTamperedByteIsRefused) {
  SystemRng rng;
  auto kp = generate_seal_key(rng);
  Bytes aad = {1, 2, 3};
  Bytes blob = *seal(kp->public_key, Bytes(40, 0x42), aad, rng);
  for (std::size_t i = 0; i < blob.size(); ++i) {
    Bytes bad = blob;
    bad[i] ^= 0x01;
    auto r = open_sealed(kp->private_key, bad, aad);
    ASSERT_FALSE(r) << "byte " << i;
    if (i == 0) {
      EXPECT_TRUE(r.error().is(PkeyErrc::kBadLength));
    } else {
      EXPECT_TRUE(r.error().is(PkeyErrc::kIntegrity)) << "byte " << i << r.error().to_string();
    }
  }
  // Truncations.
  for (std::size_t n : {std::size_t{0}, std::size_t{1}, kSealOverhead - 1}) {
    auto r = open_sealed(kp->private_key, ByteView(blob).first(n), aad);
    ASSERT_FALSE(r);
    EXPECT_TRUE(r.error().is(PkeyErrc::kBadLength));
  }
  auto r = open_sealed(kp->private_key, ByteView(blob).first(blob.size() - 1), aad);
  ASSERT_FALSE(r);
  EXPECT_TRUE(r.error().is(PkeyErrc::kIntegrity));
}

TEST(Seal, WrongKeyOrAssociatedDataIsRefused) {
  SystemRng rng;
  auto kp = generate_seal_key(rng);
  auto other = generate_seal_key(rng);
  Bytes aad = {7};
  Bytes blob = *seal(kp->public_key, Bytes(16, 9), aad, rng);
  auto r = open_sealed(other->private_key, blob, aad);
  ASSERT_FALSE(r);
  EXPECT_TRUE(r.error().is(PkeyErrc::kIntegrity));
  r = open_sealed(kp->private_key, blob, Bytes{8});
  ASSERT_FALSE(r);
  EXPECT_TRUE(r.error().is(PkeyErrc::kIntegrity));
}

TEST(Seal, LowOrderOrMisSizedPublicKeysAreRefused) {
  SystemRng rng;
  // The all-zero point has order 1: the shared secret would be zero (RFC 7748 6.1).
  auto r = seal(Bytes(32, 0), Bytes{1}, {}, rng);
  ASSERT_FALSE(r);
  EXPECT_TRUE(r.error().is(PkeyErrc::kBadKey));
  r = seal(Bytes(31, 9), Bytes{1}, {}, rng);
  ASSERT_FALSE(r);
  EXPECT_TRUE(r.error().is(PkeyErrc::kBadKey));
}

}  // namespace
}  // namespace kb::crypto
