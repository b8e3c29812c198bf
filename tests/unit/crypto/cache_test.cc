// The derived-key cache (label `unit`): derived once per (key, usage), identical results,
// safe when one Key is shared by several threads.
#include <gtest/gtest.h>

#include <atomic>
#include <thread>
#include <vector>

#include "crypto/crypto.h"
#include "crypto/internal/key_state.h"
#include "crypto/internal/ossl.h"
#include "test_util.h"

namespace kb::crypto {
namespace {

Key aes_key(EncType e) {
  Bytes b(key_length(e));
  for (std::size_t i = 0; i < b.size(); ++i) b[i] = static_cast<std::uint8_t>(0x30 + i);
  return std::move(*Key::from_bytes(e, b));
}

TEST(DerivedKeyCache, DerivesOncePerUsageAndReturnsTheSameKeys) {
  Key k = aes_key(EncType::kAes256CtsHmacSha196);
  auto a = internal::usage_keys(k, 2);
  auto b = internal::usage_keys(k, 2);
  ASSERT_TRUE(a && b);
  EXPECT_EQ(*a, *b);  // same cached object
  EXPECT_EQ(k.state().cache.size(), 1u);
  ASSERT_TRUE(internal::usage_keys(k, 100000));  // the locked (slow) path
  ASSERT_TRUE(internal::usage_keys(k, 100000));
  EXPECT_EQ(k.state().cache.size(), 2u);
  EXPECT_FALSE((*(*a)->ke())->bytes() == (*(*a)->ki())->bytes());
  EXPECT_FALSE((*(*a)->ki())->bytes() == (*(*a)->kc())->bytes());
  // Each kind is derived once: the same object on every call.
  EXPECT_EQ(*(*a)->kc(), *(*b)->kc());
}

TEST(DerivedKeyCache, CachedAndFreshKeysGiveIdenticalResults) {
  for (EncType e : {EncType::kAes128CtsHmacSha196, EncType::kAes256CtsHmacSha196,
                    EncType::kAes128CtsHmacSha256128, EncType::kAes256CtsHmacSha384192}) {
    Key warm = aes_key(e);
    const Bytes data = to_bytes("checksummed data");
    const Bytes first = *make_checksum(warm, KeyUsage::kPacChecksum, data);
    for (int i = 0; i < 3; ++i) {
      EXPECT_EQ(*make_checksum(warm, KeyUsage::kPacChecksum, data), first);
      Key cold = aes_key(e);  // empty cache
      EXPECT_EQ(*make_checksum(cold, KeyUsage::kPacChecksum, data), first);
      testing::FixedRng r1, r2;
      EXPECT_EQ(*encrypt(warm, KeyUsage::kKdcRepTicket, data, r1),
                *encrypt(cold, KeyUsage::kKdcRepTicket, data, r2));
    }
  }
}

// A key's OpenSSL contexts are reused (reset between uses), not rebuilt: the results of
// the n-th use equal a fresh key's, including after a use with an explicit IV.
TEST(KeyContexts, ReusedContextsGiveFreshResults) {
  for (std::size_t len : {16u, 32u}) {
    Bytes kb(len);
    for (std::size_t i = 0; i < len; ++i) kb[i] = static_cast<std::uint8_t>(i * 7 + 1);
    const Bytes in = to_bytes("forty-one bytes of plaintext for AES-CTS!");
    const Bytes iv(16, 0x42);
    auto fresh_out = [&](ByteView v) {
      auto k = internal::CtsKey::create(kb);
      Bytes out(in.size());
      EXPECT_TRUE(k->encrypt(in, out, v));
      return out;
    };
    const Bytes zero_iv_ct = fresh_out({});
    const Bytes iv_ct = fresh_out(iv);
    EXPECT_NE(zero_iv_ct, iv_ct);
    auto k = internal::CtsKey::create(kb);
    ASSERT_TRUE(k);
    for (int round = 0; round < 3; ++round) {
      Bytes a(in.size()), b(in.size()), back(in.size());
      ASSERT_TRUE(k->encrypt(in, a));
      EXPECT_EQ(a, zero_iv_ct) << len << " round " << round;
      ASSERT_TRUE(k->encrypt(in, b, iv));
      EXPECT_EQ(b, iv_ct) << len << " round " << round;
      ASSERT_TRUE(k->decrypt(a, back));  // the IV reset to zero after the IV'd call
      EXPECT_EQ(back, in);
      ASSERT_TRUE(k->decrypt(b, back, iv));
      EXPECT_EQ(back, in);
    }
  }
  for (const char* digest : {internal::kSha1, internal::kSha256, internal::kMd5}) {
    const Bytes key = to_bytes("an HMAC key");
    Bytes once(12), again(12);
    ASSERT_TRUE(internal::hmac(digest, key, {to_bytes("data")}, once));
    auto m = internal::MacKey::create(digest, key);
    ASSERT_TRUE(m);
    for (int round = 0; round < 3; ++round) {
      ASSERT_TRUE(m->compute({to_bytes("da"), to_bytes("ta")}, again));
      EXPECT_EQ(again, once) << digest << " round " << round;
    }
    Bytes other(12);
    ASSERT_TRUE(m->compute({to_bytes("datb")}, other));
    EXPECT_NE(other, once);
  }
  // A MAC longer than the digest is refused, not truncated garbage.
  auto m = internal::MacKey::create(internal::kSha1, to_bytes("k"));
  Bytes too_long(21);
  EXPECT_FALSE(m->compute({to_bytes("x")}, too_long));
}

// More threads than context slots on one key: the overflow runs on one-off contexts.
TEST(KeyContexts, MoreThreadsThanSlotsOnOneMacKey) {
  const auto m = internal::MacKey::create(internal::kSha256, to_bytes("shared"));
  ASSERT_TRUE(m);
  Bytes expect(32);
  ASSERT_TRUE(internal::hmac(internal::kSha256, to_bytes("shared"), {to_bytes("msg")}, expect));
  std::atomic<int> failures{0};
  std::vector<std::thread> threads;
  for (std::size_t t = 0; t < internal::kCtxSlots * 3; ++t) {
    threads.emplace_back([&] {
      for (int i = 0; i < 300; ++i) {
        Bytes out(32);
        if (!m->compute({to_bytes("msg")}, out) || out != expect) ++failures;
      }
    });
  }
  for (auto& th : threads) th.join();
  EXPECT_EQ(failures.load(), 0);
}

TEST(DerivedKeyCache, SharedKeyIsSafeAcrossThreads) {
  for (EncType e :
       {EncType::kAes256CtsHmacSha196, EncType::kAes256CtsHmacSha384192, EncType::kRc4Hmac}) {
    const Key shared = aes_key(e);
    const std::vector<std::int32_t> usages = {1, 2, 3, 7, 11, 17, 63, 64, 1000, 70000};
    const Bytes data = to_bytes("ticket-sized? not quite, but enough to cross blocks");
    // Expected checksums from independent keys, so the shared cache is checked against
    // fresh derivations.
    std::vector<Bytes> expect;
    for (std::int32_t u : usages) {
      expect.push_back(*make_checksum(aes_key(e), KeyUsage{u}, data));
    }
    std::atomic<int> failures{0};
    std::vector<std::thread> threads;
    for (int t = 0; t < 6; ++t) {
      threads.emplace_back([&, t] {
        SystemRng rng;
        for (int round = 0; round < 200; ++round) {
          const std::size_t i = static_cast<std::size_t>(round * 7 + t) % usages.size();
          const KeyUsage u{usages[i]};
          auto c = make_checksum(shared, u, data);
          if (!c || *c != expect[i]) ++failures;
          auto ct = encrypt(shared, u, data, rng);
          if (!ct) {
            ++failures;
            continue;
          }
          auto pt = decrypt(shared, u, *ct);
          if (!pt || to_bytes(pt->reveal()) != data) ++failures;
        }
      });
    }
    for (auto& th : threads) th.join();
    EXPECT_EQ(failures.load(), 0) << enctype_name(e);
    if (e != EncType::kRc4Hmac) {
      EXPECT_EQ(shared.state().cache.size(), usages.size());
    }
  }
}

}  // namespace
}  // namespace kb::crypto
