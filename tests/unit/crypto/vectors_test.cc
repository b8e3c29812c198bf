// Known-answer vectors (label `vectors`). The data files in tests/data/crypto/ name
// their sources: RFC 3961 A.1, RFC 3962 App. B, RFC 8009 App. A, MIT krb5's crypto tests.
#include <gtest/gtest.h>

#include "crypto/crypto.h"
#include "crypto/internal/key_state.h"
#include "crypto/internal/ossl.h"
#include "crypto/rfc3961/simplified.h"
#include "test_util.h"

namespace kb::crypto {
namespace {

using testing::FixedRng;
using testing::hex;
using testing::read_vectors;
using testing::str;

EncType etype(const std::string& s) {
  return *enctype_from_int(std::stoi(s));
}

Key key_of(EncType e, const std::string& h) {
  auto k = Key::from_bytes(e, hex(h));
  EXPECT_TRUE(k);
  return std::move(*k);
}

std::string hex_of(const SecretBytes& s) {
  return hex_encode(s.reveal());
}

TEST(Nfold, EveryRfc3961AppendixA1Vector) {
  auto rows = read_vectors("rfc3961_nfold.txt");
  ASSERT_EQ(rows.size(), 11u);
  for (const auto& r : rows) {
    const std::size_t bits = std::stoul(r[0]);
    EXPECT_EQ(hex_encode(nfold(hex(r[1]), bits / 8)), r[2]) << bits << "-fold(" << r[1] << ")";
  }
}

TEST(Rfc3962, Pbkdf2AndStringToKeyAppendixB) {
  auto rows = read_vectors("rfc3962_pbkdf2.txt");
  ASSERT_EQ(rows.size(), 7u);
  for (const auto& r : rows) {
    const auto iter = static_cast<std::uint32_t>(std::stoul(r[0]));
    const Bytes pw = hex(r[1]);
    const Bytes salt = hex(r[2]);
    SCOPED_TRACE("iterations " + r[0] + " salt " + r[2]);
    Bytes t128(16), t256(32);
    ASSERT_TRUE(internal::pbkdf2(internal::kSha1, pw, salt, iter, t128));
    ASSERT_TRUE(internal::pbkdf2(internal::kSha1, pw, salt, iter, t256));
    EXPECT_EQ(hex_encode(t128), r[3]);
    EXPECT_EQ(hex_encode(t256), r[5]);
    Bytes params;
    put_u32be(params, iter);
    auto k128 = string_to_key(EncType::kAes128CtsHmacSha196, SecretString(str(pw)), str(salt),
                              ByteView(params));
    auto k256 = string_to_key(EncType::kAes256CtsHmacSha196, SecretString(str(pw)), str(salt),
                              ByteView(params));
    ASSERT_TRUE(k128);
    ASSERT_TRUE(k256);
    EXPECT_EQ(hex_of(k128->bytes()), r[4]);
    EXPECT_EQ(hex_of(k256->bytes()), r[6]);
  }
}

TEST(Rfc3962, CtsAes128AppendixB) {
  auto rows = read_vectors("rfc3962_cts.txt");
  ASSERT_EQ(rows.size(), 6u);
  for (const auto& r : rows) {
    auto k = internal::CtsKey::create(hex(r[0]));
    ASSERT_TRUE(k);
    const Bytes iv = hex(r[1]);
    const Bytes in = hex(r[2]);
    Bytes out(in.size());
    ASSERT_TRUE(k->encrypt(in, out, iv));
    EXPECT_EQ(hex_encode(out), r[3]) << "input length " << in.size();
    // The next IV is the last full CBC block: the one before the (stolen) final block.
    const std::size_t blocks = (in.size() + 15) / 16;
    EXPECT_EQ(hex_encode(ByteView(out).subspan((blocks - 2) * 16, 16)), r[4]);
    Bytes back(in.size());
    ASSERT_TRUE(k->decrypt(out, back, iv));
    EXPECT_EQ(back, in);
  }
}

TEST(Rfc8009, AppendixA) {
  auto rows = read_vectors("rfc8009.txt");
  int s2k = 0, derive = 0, enc = 0, cks = 0, prfs = 0;
  for (const auto& r : rows) {
    const EncType e = etype(r[1]);
    SCOPED_TRACE(r[0] + " " + r[1]);
    if (r[0] == "s2k") {
      const Bytes params = hex(r[4]);
      auto k = string_to_key(e, SecretString(str(hex(r[2]))), str(hex(r[3])), ByteView(params));
      ASSERT_TRUE(k);
      EXPECT_EQ(hex_of(k->bytes()), r[5]);
      // 32768 is also the default.
      auto d = string_to_key(e, SecretString(str(hex(r[2]))), str(hex(r[3])));
      ASSERT_TRUE(d);
      EXPECT_EQ(hex_of(d->bytes()), r[5]);
      ++s2k;
    } else if (r[0] == "derive") {
      Key k = key_of(e, r[2]);
      auto uk = internal::usage_keys(k, static_cast<std::uint32_t>(std::stoul(r[3])));
      ASSERT_TRUE(uk);
      EXPECT_EQ(hex_of((*(*uk)->kc())->bytes()), r[4]);
      EXPECT_EQ(hex_of((*(*uk)->ke())->bytes()), r[5]);
      EXPECT_EQ(hex_of((*(*uk)->ki())->bytes()), r[6]);
      ++derive;
    } else if (r[0] == "encrypt") {
      Key k = key_of(e, r[2]);
      const KeyUsage u{std::stoi(r[3])};
      FixedRng rng(hex(r[4]));
      auto ct = encrypt(k, u, hex(r[5]), rng);
      ASSERT_TRUE(ct);
      EXPECT_EQ(hex_encode(*ct), r[6]);
      auto pt = decrypt(k, u, hex(r[6]));
      ASSERT_TRUE(pt);
      EXPECT_EQ(hex_encode(pt->reveal()), r[5] == "-" ? "" : r[5]);
      ++enc;
    } else if (r[0] == "checksum") {
      Key k = key_of(e, r[2]);
      const KeyUsage u{std::stoi(r[3])};
      auto c = make_checksum(k, u, hex(r[4]));
      ASSERT_TRUE(c);
      EXPECT_EQ(hex_encode(*c), r[5]);
      EXPECT_TRUE(verify_checksum(mandatory_checksum(e), k, u, hex(r[4]), hex(r[5])));
      ++cks;
    } else if (r[0] == "prf") {
      Key k = key_of(e, r[2]);
      auto p = prf(k, hex(r[3]));
      ASSERT_TRUE(p);
      EXPECT_EQ(hex_of(*p), r[4]);
      ++prfs;
    }
  }
  EXPECT_EQ(s2k, 2);
  EXPECT_EQ(derive, 2);
  EXPECT_EQ(enc, 8);
  EXPECT_EQ(cks, 2);
  EXPECT_EQ(prfs, 2);
}

// The confounder is not in t_decrypt.c; recover it with the raw Ke so that encrypt() can
// be checked byte for byte too.
Bytes recover_confounder(const Key& k, KeyUsage u, ByteView ct) {
  auto uk = internal::usage_keys(k, static_cast<std::uint32_t>(u));
  EXPECT_TRUE(uk);
  const std::size_t h = checksum_length(mandatory_checksum(k.enctype()));
  Bytes pt(ct.size() - h);
  EXPECT_TRUE((*(*uk)->ke())->cts().decrypt(ct.first(ct.size() - h), pt));
  return Bytes(pt.begin(), pt.begin() + 16);
}

TEST(MitKrb5, DecryptVectors) {
  auto rows = read_vectors("mit_decrypt.txt");
  ASSERT_EQ(rows.size(), 23u);
  for (const auto& r : rows) {
    const EncType e = etype(r[0]);
    const KeyUsage u{std::stoi(r[1])};
    SCOPED_TRACE("enctype " + r[0] + " usage " + r[1]);
    Key k = key_of(e, r[2]);
    const Bytes ct = hex(r[4]);
    auto pt = decrypt(k, u, ct);
    ASSERT_TRUE(pt) << pt.error().to_string();
    EXPECT_EQ(to_bytes(pt->reveal()), hex(r[3]));
    if (e != EncType::kRc4Hmac) {
      FixedRng rng(recover_confounder(k, u, ct));
      auto again = encrypt(k, u, hex(r[3]), rng);
      ASSERT_TRUE(again);
      EXPECT_EQ(hex_encode(*again), r[4]);
    }
  }
}

TEST(MitKrb5, ChecksumVectors) {
  auto rows = read_vectors("mit_cksums.txt");
  ASSERT_EQ(rows.size(), 5u);
  for (const auto& r : rows) {
    const ChecksumType t = *checksum_type_from_int(std::stoi(r[0]));
    const KeyUsage u{std::stoi(r[2])};
    SCOPED_TRACE("checksum type " + r[0]);
    Key k = key_of(etype(r[1]), r[3]);
    auto c = make_checksum(t, k, u, hex(r[4]));
    ASSERT_TRUE(c) << c.error().to_string();
    EXPECT_EQ(hex_encode(*c), r[5]);
    EXPECT_TRUE(verify_checksum(t, k, u, hex(r[4]), hex(r[5])));
  }
}

TEST(MitKrb5, DeriveVectors) {
  auto rows = read_vectors("mit_derive.txt");
  ASSERT_EQ(rows.size(), 12u);
  for (const auto& r : rows) {
    const EncType e = etype(r[0]);
    const Bytes in = hex(r[1]);
    const Bytes constant = hex(r[2]);
    const Bytes want = hex(r[3]);
    SCOPED_TRACE("enctype " + r[0] + " constant " + r[2]);
    if (e == EncType::kAes128CtsHmacSha196 || e == EncType::kAes256CtsHmacSha196) {
      auto d = rfc3961::derive_key_aes(in, constant, want.size());
      ASSERT_TRUE(d);
      EXPECT_EQ(hex_of(*d), r[3]);
    } else {
      const char* md =
          e == EncType::kAes128CtsHmacSha256128 ? internal::kSha256 : internal::kSha384;
      Bytes out(want.size());
      ASSERT_TRUE(internal::kbkdf_hmac(md, in, constant, {}, out));
      EXPECT_EQ(out, want);
    }
  }
}

TEST(MitKrb5, StringToKeyVectors) {
  auto rows = read_vectors("mit_str2key.txt");
  ASSERT_EQ(rows.size(), 16u);
  for (const auto& r : rows) {
    const EncType e = etype(r[0]);
    const Bytes params = hex(r[3]);
    SCOPED_TRACE("enctype " + r[0] + " salt " + r[2] + " params " + r[3]);
    auto k = string_to_key(e, SecretString(str(hex(r[1]))), str(hex(r[2])), ByteView(params));
    ASSERT_TRUE(k) << k.error().to_string();
    EXPECT_EQ(hex_of(k->bytes()), r[4]);
  }
}

TEST(MitKrb5, PrfVectors) {
  auto rows = read_vectors("mit_prf.txt");
  ASSERT_EQ(rows.size(), 8u);
  for (const auto& r : rows) {
    SCOPED_TRACE("enctype " + r[0] + " input " + r[2]);
    Key k = key_of(etype(r[0]), r[1]);
    auto p = prf(k, hex(r[2]));
    ASSERT_TRUE(p) << p.error().to_string();
    EXPECT_EQ(hex_of(*p), r[3]);
  }
}

TEST(Rc4Hmac, NtHashOfKnownPasswords) {
  auto rows = read_vectors("rc4_hmac.txt");
  ASSERT_EQ(rows.size(), 2u);
  for (const auto& r : rows) {
    auto k = nt_hash(SecretString(str(hex(r[0]))));
    ASSERT_TRUE(k) << k.error().to_string();
    EXPECT_EQ(hex_of(k->bytes()), r[1]);
    auto s = string_to_key(EncType::kRc4Hmac, SecretString(str(hex(r[0]))), "ignored.SALT");
    ASSERT_TRUE(s);
    EXPECT_EQ(hex_of(s->bytes()), r[1]);
  }
}

}  // namespace
}  // namespace kb::crypto
