// Differential test of src/crypto against MIT libkrb5's public crypto API
// (krb5_c_encrypt, krb5_c_decrypt, krb5_c_make_checksum, krb5_c_string_to_key_with_params)
// on random keys, usages and messages, in both directions, for every enctype we implement.
// MIT is the oracle: any disagreement is a bug on our side (or an interop break).
#include <gtest/gtest.h>
#include <krb5/krb5.h>

#include <cstdio>
#include <random>
#include <string>
#include <vector>

#include "crypto/crypto.h"
#include "mit_krb5.h"

namespace kb::crypto {
namespace {

constexpr EncType kAllEnctypes[] = {EncType::kAes128CtsHmacSha196, EncType::kAes256CtsHmacSha196,
                                    EncType::kAes128CtsHmacSha256128,
                                    EncType::kAes256CtsHmacSha384192, EncType::kRc4Hmac};

constexpr int kRoundsPerEnctype = 300;

class MitCrypto : public ::testing::Test {
 protected:
  void SetUp() override {
    ASSERT_EQ(krb5_init_context(&ctx_), 0);
    const char* seed_env = std::getenv("KB_DIFF_SEED");
    seed_ = seed_env ? static_cast<std::uint32_t>(std::stoul(seed_env)) : std::random_device{}();
    std::printf("KB_DIFF_SEED=%u (set it to replay this run)\n", seed_);
    gen_.seed(seed_);
  }
  void TearDown() override { krb5_free_context(ctx_); }

  Bytes random_bytes(std::size_t n) {
    Bytes b(n);
    for (auto& c : b) c = static_cast<std::uint8_t>(gen_());
    return b;
  }
  std::size_t random_size(std::size_t max) {
    return std::uniform_int_distribution<std::size_t>(0, max)(gen_);
  }
  // Usages 1..64 cover every RFC 4120 usage and PAC/FAST ones; also some large ones.
  std::int32_t random_usage() {
    if (gen_() % 8 == 0) return static_cast<std::int32_t>(gen_() % 100000);
    return static_cast<std::int32_t>(1 + gen_() % 64);
  }

  static krb5_keyblock keyblock(const Key& k) { return kb::testing::mit_keyblock(k); }

  Result<Bytes> mit_encrypt(const Key& k, std::int32_t usage, ByteView pt) {
    krb5_keyblock kb = keyblock(k);
    std::size_t len = 0;
    if (krb5_c_encrypt_length(ctx_, kb.enctype, pt.size(), &len) != 0) return Bytes{};
    Bytes out(len);
    krb5_data in{KV5M_DATA, static_cast<unsigned int>(pt.size()),
                 const_cast<char*>(reinterpret_cast<const char*>(pt.data()))};
    krb5_enc_data enc{};
    enc.ciphertext.data = reinterpret_cast<char*>(out.data());
    enc.ciphertext.length = static_cast<unsigned int>(out.size());
    EXPECT_EQ(krb5_c_encrypt(ctx_, &kb, static_cast<krb5_keyusage>(usage), nullptr, &in, &enc), 0);
    out.resize(enc.ciphertext.length);
    return out;
  }

  // Returns an empty optional when MIT rejects the ciphertext.
  std::optional<Bytes> mit_decrypt(const Key& k, std::int32_t usage, ByteView ct) {
    krb5_keyblock kb = keyblock(k);
    krb5_enc_data enc{};
    enc.enctype = kb.enctype;
    enc.ciphertext.data = const_cast<char*>(reinterpret_cast<const char*>(ct.data()));
    enc.ciphertext.length = static_cast<unsigned int>(ct.size());
    Bytes out(ct.size());
    krb5_data o{KV5M_DATA, static_cast<unsigned int>(out.size()),
                reinterpret_cast<char*>(out.data())};
    if (krb5_c_decrypt(ctx_, &kb, static_cast<krb5_keyusage>(usage), nullptr, &enc, &o) != 0) {
      return std::nullopt;
    }
    out.resize(o.length);
    return out;
  }

  Bytes mit_checksum(const Key& k, std::int32_t usage, ByteView data) {
    krb5_keyblock kb = keyblock(k);
    krb5_data in{KV5M_DATA, static_cast<unsigned int>(data.size()),
                 const_cast<char*>(reinterpret_cast<const char*>(data.data()))};
    krb5_checksum ck{};
    EXPECT_EQ(krb5_c_make_checksum(ctx_, 0, &kb, static_cast<krb5_keyusage>(usage), &in, &ck), 0);
    Bytes out(ck.contents, ck.contents + ck.length);
    EXPECT_EQ(ck.checksum_type, static_cast<krb5_cksumtype>(mandatory_checksum(k.enctype())));
    krb5_free_checksum_contents(ctx_, &ck);
    return out;
  }

  Bytes mit_string_to_key(EncType e, std::string_view password, std::string_view salt,
                          std::optional<ByteView> params) {
    krb5_data pw{KV5M_DATA, static_cast<unsigned int>(password.size()),
                 const_cast<char*>(password.data())};
    krb5_data s{KV5M_DATA, static_cast<unsigned int>(salt.size()), const_cast<char*>(salt.data())};
    krb5_data p{};
    if (params) {
      p = krb5_data{KV5M_DATA, static_cast<unsigned int>(params->size()),
                    const_cast<char*>(reinterpret_cast<const char*>(params->data()))};
    }
    krb5_keyblock kb{};
    EXPECT_EQ(krb5_c_string_to_key_with_params(ctx_, static_cast<krb5_enctype>(e), &pw, &s,
                                               params ? &p : nullptr, &kb),
              0);
    Bytes out(kb.contents, kb.contents + kb.length);
    krb5_free_keyblock_contents(ctx_, &kb);
    return out;
  }

  krb5_context ctx_ = nullptr;
  std::uint32_t seed_ = 0;
  std::mt19937 gen_;
  SystemRng rng_;
};

TEST_F(MitCrypto, OurCiphertextDecryptsUnderMit) {
  for (EncType e : kAllEnctypes) {
    SCOPED_TRACE(std::string(enctype_name(e)));
    for (int i = 0; i < kRoundsPerEnctype; ++i) {
      Key k = Key::random(e, rng_);
      std::int32_t usage = random_usage();
      Bytes pt = random_bytes(random_size(i % 10 == 0 ? 5000 : 300));
      auto ct = encrypt(k, KeyUsage{usage}, pt, rng_);
      ASSERT_TRUE(ct) << ct.error().to_string();
      auto back = mit_decrypt(k, usage, *ct);
      ASSERT_TRUE(back.has_value())
          << "MIT rejected our ciphertext, usage " << usage << ", length " << pt.size();
      EXPECT_EQ(*back, pt);
    }
  }
}

TEST_F(MitCrypto, MitCiphertextDecryptsUnderOurs) {
  for (EncType e : kAllEnctypes) {
    SCOPED_TRACE(std::string(enctype_name(e)));
    for (int i = 0; i < kRoundsPerEnctype; ++i) {
      Key k = Key::random(e, rng_);
      std::int32_t usage = random_usage();
      Bytes pt = random_bytes(random_size(i % 10 == 0 ? 5000 : 300));
      auto ct = mit_encrypt(k, usage, pt);
      ASSERT_TRUE(ct);
      auto back = decrypt(k, KeyUsage{usage}, *ct);
      ASSERT_TRUE(back) << back.error().to_string() << " usage " << usage;
      EXPECT_EQ(to_bytes(back->reveal()), pt);
    }
  }
}

TEST_F(MitCrypto, TamperedCiphertextIsRejectedByBoth) {
  for (EncType e : kAllEnctypes) {
    SCOPED_TRACE(std::string(enctype_name(e)));
    for (int i = 0; i < 50; ++i) {
      Key k = Key::random(e, rng_);
      Bytes pt = random_bytes(random_size(200));
      auto ct = encrypt(k, KeyUsage{7}, pt, rng_);
      ASSERT_TRUE(ct);
      Bytes bad = *ct;
      bad[random_size(bad.size() - 1)] ^= static_cast<std::uint8_t>(1u << (gen_() % 8));
      EXPECT_FALSE(mit_decrypt(k, 7, bad).has_value());
      auto ours = decrypt(k, KeyUsage{7}, bad);
      ASSERT_FALSE(ours);
      EXPECT_TRUE(ours.error().is(Errc::kIntegrity)) << ours.error().to_string();
    }
  }
}

TEST_F(MitCrypto, ChecksumsAreIdentical) {
  for (EncType e : kAllEnctypes) {
    SCOPED_TRACE(std::string(enctype_name(e)));
    for (int i = 0; i < kRoundsPerEnctype; ++i) {
      Key k = Key::random(e, rng_);
      std::int32_t usage = random_usage();
      Bytes data = random_bytes(random_size(1000));
      auto ours = make_checksum(k, KeyUsage{usage}, data);
      ASSERT_TRUE(ours) << ours.error().to_string();
      Bytes theirs = mit_checksum(k, usage, data);
      EXPECT_EQ(hex_encode(*ours), hex_encode(theirs)) << "usage " << usage;
      EXPECT_TRUE(verify_checksum(mandatory_checksum(e), k, KeyUsage{usage}, data, theirs));
    }
  }
}

TEST_F(MitCrypto, StringToKeyIsIdentical) {
  const std::string alphabet =
      "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789 !#$%&()*+,-./:;<=>?@[]^_";
  for (EncType e : kAllEnctypes) {
    SCOPED_TRACE(std::string(enctype_name(e)));
    for (int i = 0; i < 6; ++i) {
      std::string password;
      for (std::size_t j = 0, n = 1 + random_size(40); j < n; ++j) {
        password += alphabet[random_size(alphabet.size() - 1)];
      }
      if (i == 0) password += "\xc3\xa9\xe2\x82\xac";  // UTF-8 e-acute and euro sign
      std::string salt = "EXAMPLE.TEST" + std::to_string(gen_());
      // MIT (without its test-only switch) refuses counts below the enctype default, so
      // the random parameters start at the default.
      std::optional<Bytes> params;
      if (e != EncType::kRc4Hmac && i % 2 == 1) {
        Bytes def = default_s2kparams(e);
        std::uint32_t base = (std::uint32_t{def[0]} << 24) | (std::uint32_t{def[1]} << 16) |
                             (std::uint32_t{def[2]} << 8) | def[3];
        std::uint32_t iter = base + static_cast<std::uint32_t>(random_size(64));
        params = Bytes{static_cast<std::uint8_t>(iter >> 24), static_cast<std::uint8_t>(iter >> 16),
                       static_cast<std::uint8_t>(iter >> 8), static_cast<std::uint8_t>(iter)};
      }
      std::optional<ByteView> pv;
      if (params) pv = ByteView(*params);
      auto ours = string_to_key(e, SecretString(password), salt, pv);
      ASSERT_TRUE(ours) << ours.error().to_string();
      Bytes theirs = mit_string_to_key(e, password, salt, pv);
      EXPECT_EQ(hex_encode(ours->bytes().reveal()), hex_encode(theirs));
    }
  }
}

}  // namespace
}  // namespace kb::crypto
