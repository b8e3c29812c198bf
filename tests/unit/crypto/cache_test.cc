// The derived-key cache (label `unit`): derived once per (key, usage), identical results,
// safe when one Key is shared by several threads.
#include <gtest/gtest.h>

#include <atomic>
#include <thread>
#include <vector>

#include "crypto/crypto.h"
#include "crypto/internal/key_state.h"
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
