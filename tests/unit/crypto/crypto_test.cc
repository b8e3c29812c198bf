// Behaviour of the public crypto API (label `unit`): round trips, tampering, truncation,
// hostile lengths, key and checksum-type checks, s2kparams limits, no key bytes in output.
#include "crypto/crypto.h"

#include <gtest/gtest.h>
#include <openssl/provider.h>

#include <string>
#include <vector>

#include "test_util.h"

namespace kb::crypto {
namespace {

using testing::FixedRng;

constexpr EncType kAll[] = {EncType::kAes128CtsHmacSha196, EncType::kAes256CtsHmacSha196,
                            EncType::kAes128CtsHmacSha256128, EncType::kAes256CtsHmacSha384192,
                            EncType::kRc4Hmac};

// Bytes an enctype adds to the plaintext (confounder + MAC).
std::size_t overhead(EncType e) {
  if (e == EncType::kRc4Hmac) return 8 + 16;
  return 16 + checksum_length(mandatory_checksum(e));
}

Key make_key(EncType e, std::uint8_t seed = 1) {
  Bytes b(key_length(e));
  for (std::size_t i = 0; i < b.size(); ++i) b[i] = static_cast<std::uint8_t>(seed + i * 13);
  return std::move(*Key::from_bytes(e, b));
}

Bytes message(std::size_t n) {
  Bytes m(n);
  for (std::size_t i = 0; i < n; ++i) m[i] = static_cast<std::uint8_t>(i * 31 + 7);
  return m;
}

class PerEnctype : public ::testing::TestWithParam<EncType> {};
INSTANTIATE_TEST_SUITE_P(All, PerEnctype, ::testing::ValuesIn(kAll),
                         [](const ::testing::TestParamInfo<EncType>& p) {
                           std::string n(enctype_name(p.param));
                           for (auto& c : n) {
                             if (c == '-') c = '_';
                           }
                           return n;
                         });

TEST_P(PerEnctype, RoundTripsEveryUsageAndLength) {
  const EncType e = GetParam();
  Key k = make_key(e);
  SystemRng rng;
  const std::vector<std::int32_t> usages = {1,  2,  3,  4,  5,  6,  7,    8,
                                            9,  10, 11, 12, 13, 14, 15,   17,
                                            19, 50, 51, 56, 63, 64, 1000, 0x7fffffff};
  for (std::int32_t u : usages) {
    for (std::size_t n : {0u, 1u, 15u, 16u, 17u, 31u, 32u, 33u, 1024u}) {
      const Bytes m = message(n);
      auto ct = encrypt(k, KeyUsage{u}, m, rng);
      ASSERT_TRUE(ct);
      EXPECT_EQ(ct->size(), n + overhead(e));
      auto pt = decrypt(k, KeyUsage{u}, *ct);
      ASSERT_TRUE(pt) << "usage " << u << " length " << n;
      EXPECT_EQ(to_bytes(pt->reveal()), m);
    }
  }
}

TEST_P(PerEnctype, FreshConfounderEachTime) {
  Key k = make_key(GetParam());
  SystemRng rng;
  const Bytes m = message(40);
  EXPECT_NE(*encrypt(k, KeyUsage::kKdcRepTicket, m, rng),
            *encrypt(k, KeyUsage::kKdcRepTicket, m, rng));
}

TEST_P(PerEnctype, FlippingAnyByteIsIntegrityError) {
  Key k = make_key(GetParam());
  FixedRng rng;
  const Bytes ct = *encrypt(k, KeyUsage::kApReqAuthenticator, message(40), rng);
  for (std::size_t i = 0; i < ct.size(); ++i) {
    for (unsigned bit : {0x01u, 0x80u}) {
      Bytes bad = ct;
      bad[i] = static_cast<std::uint8_t>(bad[i] ^ bit);
      auto r = decrypt(k, KeyUsage::kApReqAuthenticator, bad);
      ASSERT_FALSE(r) << "byte " << i;
      EXPECT_TRUE(r.error().is(Errc::kIntegrity)) << r.error().to_string();
    }
  }
}

TEST_P(PerEnctype, TruncationIsRejected) {
  const EncType e = GetParam();
  Key k = make_key(e);
  FixedRng rng;
  const Bytes ct = *encrypt(k, KeyUsage::kKdcRepTicket, message(20), rng);
  for (std::size_t n = 0; n < ct.size(); ++n) {
    auto r = decrypt(k, KeyUsage::kKdcRepTicket, ByteView(ct).first(n));
    ASSERT_FALSE(r);
    if (n < overhead(e)) {
      EXPECT_TRUE(r.error().is(Errc::kCiphertextTooShort)) << n;
    } else {
      EXPECT_TRUE(r.error().is(Errc::kIntegrity)) << n;
    }
  }
  // Appending bytes breaks the MAC as well.
  Bytes longer = ct;
  longer.push_back(0);
  EXPECT_TRUE(decrypt(k, KeyUsage::kKdcRepTicket, longer).error().is(Errc::kIntegrity));
}

TEST_P(PerEnctype, HostileLengthsNeverSucceedOrCrash) {
  const EncType e = GetParam();
  Key k = make_key(e);
  const std::size_t edge = overhead(e);
  for (std::size_t n = 0; n <= 80; ++n) {
    const Bytes junk = message(n);
    auto r = decrypt(k, KeyUsage::kKdcRepTicket, junk);
    ASSERT_FALSE(r) << n;
    EXPECT_TRUE(r.error().is(n < edge ? Errc::kCiphertextTooShort : Errc::kIntegrity)) << n;
  }
}

TEST_P(PerEnctype, WrongKeyOrUsageIsIntegrityError) {
  const EncType e = GetParam();
  Key k = make_key(e, 1);
  Key other = make_key(e, 2);
  FixedRng rng;
  const Bytes ct = *encrypt(k, KeyUsage::kAsRepEncPart, message(50), rng);
  EXPECT_TRUE(decrypt(other, KeyUsage::kAsRepEncPart, ct).error().is(Errc::kIntegrity));
  // rc4-hmac keys usage 3 as 8 (RFC 4757), so pick a usage that differs for every etype.
  EXPECT_TRUE(decrypt(k, KeyUsage::kTgsReqAuthenticator, ct).error().is(Errc::kIntegrity));
}

TEST_P(PerEnctype, ChecksumsVerifyAndDetectChanges) {
  const EncType e = GetParam();
  const ChecksumType t = mandatory_checksum(e);
  EXPECT_EQ(checksum_enctype(t), e);
  Key k = make_key(e);
  const Bytes data = message(100);
  auto c = make_checksum(k, KeyUsage::kPacChecksum, data);
  ASSERT_TRUE(c);
  EXPECT_EQ(c->size(), checksum_length(t));
  EXPECT_EQ(*make_checksum(t, k, KeyUsage::kPacChecksum, data), *c);
  EXPECT_TRUE(verify_checksum(t, k, KeyUsage::kPacChecksum, data, *c));

  Bytes bad = *c;
  bad.back() ^= 1;
  EXPECT_TRUE(
      verify_checksum(t, k, KeyUsage::kPacChecksum, data, bad).error().is(Errc::kBadChecksum));
  Bytes changed = data;
  changed[0] ^= 1;
  EXPECT_TRUE(
      verify_checksum(t, k, KeyUsage::kPacChecksum, changed, *c).error().is(Errc::kBadChecksum));
  EXPECT_TRUE(
      verify_checksum(t, k, KeyUsage::kKrbSafeCksum, data, *c).error().is(Errc::kBadChecksum));
  EXPECT_TRUE(verify_checksum(t, make_key(e, 9), KeyUsage::kPacChecksum, data, *c)
                  .error()
                  .is(Errc::kBadChecksum));
  for (std::size_t n : {std::size_t{0}, c->size() - 1}) {
    EXPECT_TRUE(verify_checksum(t, k, KeyUsage::kPacChecksum, data, ByteView(*c).first(n))
                    .error()
                    .is(Errc::kBadChecksum));
  }
  Bytes longer = *c;
  longer.push_back(0);
  EXPECT_TRUE(
      verify_checksum(t, k, KeyUsage::kPacChecksum, data, longer).error().is(Errc::kBadChecksum));
}

TEST_P(PerEnctype, ChecksumTypeMustFitTheKey) {
  Key k = make_key(GetParam());
  for (EncType other : kAll) {
    if (other == GetParam()) continue;
    const ChecksumType t = mandatory_checksum(other);
    auto r = make_checksum(t, k, KeyUsage::kPacChecksum, message(5));
    ASSERT_FALSE(r);
    EXPECT_TRUE(r.error().is(Errc::kUnsupportedChecksum));
    EXPECT_TRUE(verify_checksum(t, k, KeyUsage::kPacChecksum, message(5), Bytes(16))
                    .error()
                    .is(Errc::kUnsupportedChecksum));
  }
  EXPECT_TRUE(make_checksum(ChecksumType{1}, k, KeyUsage::kPacChecksum, message(5))
                  .error()
                  .is(Errc::kUnsupportedChecksum));
}

TEST_P(PerEnctype, KeyLengthIsChecked) {
  const EncType e = GetParam();
  for (std::size_t n : {0u, 1u, 15u, 17u, 24u, 31u, 33u, 64u}) {
    if (n == key_length(e)) continue;
    auto r = Key::from_bytes(e, Bytes(n, 0x42));
    ASSERT_FALSE(r);
    EXPECT_TRUE(r.error().is(Errc::kBadKeyLength));
    EXPECT_EQ(r.error().to_string().find("4242"), std::string::npos);
  }
}

TEST_P(PerEnctype, ToStringNeverShowsKeyBytes) {
  const EncType e = GetParam();
  Bytes raw(key_length(e), 0x41);  // 'A'
  Key k = std::move(*Key::from_bytes(e, raw));
  const std::string s = to_string(k);
  EXPECT_EQ(s, "<key:" + std::string(enctype_name(e)) + ">");
  EXPECT_EQ(s.find(hex_encode(raw).substr(0, 8)), std::string::npos);
  EXPECT_EQ(s.find("AAAA"), std::string::npos);
  EXPECT_EQ(to_string(k.bytes()), "<secret:" + std::to_string(raw.size()) + " bytes>");
}

TEST_P(PerEnctype, RandomKeysHaveTheRightLengthAndDiffer) {
  const EncType e = GetParam();
  SystemRng rng;
  Key a = Key::random(e, rng);
  Key b = Key::random(e, rng);
  EXPECT_EQ(a.enctype(), e);
  EXPECT_EQ(a.bytes().size(), key_length(e));
  EXPECT_FALSE(a.bytes() == b.bytes());
}

TEST_P(PerEnctype, CloneIsIndependentAndEquivalent) {
  Key k = make_key(GetParam());
  Key c = k.clone();
  EXPECT_TRUE(c.bytes() == k.bytes());
  FixedRng rng;
  const Bytes ct = *encrypt(k, KeyUsage::kKdcRepTicket, message(30), rng);
  EXPECT_TRUE(decrypt(c, KeyUsage::kKdcRepTicket, ct));
  Key moved = std::move(k);
  EXPECT_TRUE(k.empty());  // NOLINT(bugprone-use-after-move): the contract under test
  EXPECT_TRUE(decrypt(moved, KeyUsage::kKdcRepTicket, ct));
}

TEST_P(PerEnctype, PrfIsDeterministicAndKeyed) {
  const EncType e = GetParam();
  const std::size_t want = e == EncType::kAes128CtsHmacSha256128   ? 32
                           : e == EncType::kAes256CtsHmacSha384192 ? 48
                           : e == EncType::kRc4Hmac                ? 20
                                                                   : 16;
  auto a = prf(make_key(e), as_bytes("test"));
  ASSERT_TRUE(a);
  EXPECT_EQ(a->size(), want);
  EXPECT_TRUE(*a == *prf(make_key(e), as_bytes("test")));
  EXPECT_FALSE(*a == *prf(make_key(e, 3), as_bytes("test")));
}

TEST(Enctypes, TablesAgree) {
  for (EncType e : kAll) {
    EXPECT_EQ(enctype_from_int(static_cast<std::int32_t>(e)), e);
    EXPECT_FALSE(enctype_name(e).empty());
  }
  for (std::int32_t v : {0, 1, 3, 16, 21, 24, 25, 26, -1}) {
    EXPECT_FALSE(enctype_from_int(v).has_value()) << v;
  }
  EXPECT_EQ(checksum_type_from_int(-138), ChecksumType::kHmacMd5);
  EXPECT_FALSE(checksum_type_from_int(-137).has_value());
  EXPECT_EQ(key_length(EncType::kAes256CtsHmacSha384192), 32u);
  EXPECT_EQ(checksum_length(ChecksumType::kHmacSha384192Aes256), 24u);
  EXPECT_EQ(enctype_name(EncType::kAes256CtsHmacSha196), "aes256-cts-hmac-sha1-96");
  EXPECT_EQ(Error(Errc::kIntegrity, "x").name(), "crypto.integrity");
}

TEST(Enctypes, UnsupportedEnctypeIsRefused) {
  auto r = Key::from_bytes(EncType{16}, Bytes(24, 0));
  ASSERT_FALSE(r);
  EXPECT_TRUE(r.error().is(Errc::kUnsupportedEnctype));
  EXPECT_TRUE(
      string_to_key(EncType{1}, SecretString("pw"), "salt").error().is(Errc::kUnsupportedEnctype));
}

TEST(StringToKey, DefaultParamsAndLimits) {
  EXPECT_EQ(hex_encode(default_s2kparams(EncType::kAes256CtsHmacSha196)), "00001000");
  EXPECT_EQ(hex_encode(default_s2kparams(EncType::kAes128CtsHmacSha256128)), "00008000");
  EXPECT_TRUE(default_s2kparams(EncType::kRc4Hmac).empty());
  const SecretString pw("password");
  for (const char* bad : {"00000000", "01000000", "ffffffff", "000010", "0000100000", ""}) {
    const Bytes p = *hex_decode(bad);
    for (EncType e : {EncType::kAes128CtsHmacSha196, EncType::kAes256CtsHmacSha384192}) {
      auto r = string_to_key(e, pw, "EXAMPLE.COMuser", ByteView(p));
      ASSERT_FALSE(r) << bad;
      EXPECT_TRUE(r.error().is(Errc::kBadS2kParams)) << bad;
    }
  }
  // Low counts are accepted (the RFC vectors use 1 and 2).
  const Bytes one = *hex_decode("00000001");
  EXPECT_TRUE(string_to_key(EncType::kAes256CtsHmacSha196, pw, "x", ByteView(one)));
  // Explicit default == absent.
  const Bytes def = default_s2kparams(EncType::kAes128CtsHmacSha196);
  EXPECT_TRUE(string_to_key(EncType::kAes128CtsHmacSha196, pw, "s", ByteView(def))->bytes() ==
              string_to_key(EncType::kAes128CtsHmacSha196, pw, "s")->bytes());
}

TEST(NtHash, Utf8PasswordsAndInvalidUtf8) {
  // U+00E9 and U+1D11E (a surrogate pair in UTF-16) must both convert.
  EXPECT_TRUE(nt_hash(SecretString("caf\xc3\xa9")));
  EXPECT_TRUE(nt_hash(SecretString("\xf0\x9d\x84\x9e")));
  for (const char* bad : {"\xff", "\xc3", "\xc0\xaf", "\xed\xa0\x80", "a\x80"}) {
    auto r = nt_hash(SecretString(bad));
    ASSERT_FALSE(r);
    EXPECT_TRUE(r.error().is(Errc::kBadS2kParams));
  }
}

TEST(Providers, LegacyProviderStaysOutOfTheDefaultContext) {
  const int before = OSSL_PROVIDER_available(nullptr, "legacy");
  SystemRng rng;
  Key k = Key::random(EncType::kRc4Hmac, rng);
  auto ct = encrypt(k, KeyUsage::kPacChecksum, message(10), rng);
  ASSERT_TRUE(ct) << ct.error().to_string();
  EXPECT_EQ(OSSL_PROVIDER_available(nullptr, "legacy"), before);
}

}  // namespace
}  // namespace kb::crypto
