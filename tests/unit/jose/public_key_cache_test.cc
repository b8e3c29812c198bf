// crypto::PublicKeyCache: same outcome as the uncached imports, failures not cached,
// separate SPKI and certificate spaces, FIFO eviction at capacity, concurrent use.
#include "crypto/public_key_cache.h"

#include <gtest/gtest.h>

#include <chrono>
#include <thread>
#include <vector>

#include "crypto/crypto.h"
#include "crypto/device_cert.h"

namespace kb::crypto {
namespace {

const SysTime kT0{std::chrono::seconds(1767225600)};
const Validity kYear{kT0, kT0 + std::chrono::hours(24 * 365)};

Bytes spki_of(const PrivateKey& k) {
  return *k.public_key()->to_spki_der();
}

TEST(PublicKeyCache, SpkiHitReturnsTheSameCheckedKey) {
  auto k = PrivateKey::generate_ec_p256();
  ASSERT_TRUE(k);
  const Bytes der = spki_of(*k);
  PublicKeyCache cache;
  auto a = cache.from_spki_der(der);
  auto b = cache.from_spki_der(der);
  ASSERT_TRUE(a);
  ASSERT_TRUE(b);
  EXPECT_EQ(&a->handle(), &b->handle());  // the second was not imported again
  EXPECT_EQ(*b->to_spki_der(), der);
  EXPECT_EQ(cache.size(), 1U);
}

TEST(PublicKeyCache, MalformedBytesFailAndAreNotCached) {
  PublicKeyCache cache;
  const Bytes junk{0x30, 0x03, 0x02, 0x01, 0x01};
  EXPECT_FALSE(cache.from_spki_der(junk));
  EXPECT_FALSE(cache.from_certificate(junk));
  EXPECT_FALSE(cache.from_spki_der(junk));
  EXPECT_EQ(cache.size(), 0U);
}

TEST(PublicKeyCache, OneChangedByteIsAnotherEntryAndIsChecked) {
  auto k = PrivateKey::generate_ec_p256();
  ASSERT_TRUE(k);
  Bytes der = spki_of(*k);
  PublicKeyCache cache;
  ASSERT_TRUE(cache.from_spki_der(der));
  der.push_back(0x00);  // trailing byte: refused by the full import, not served from cache
  EXPECT_FALSE(cache.from_spki_der(der));
  der.pop_back();
  der.back() ^= 0x01;  // a point off the curve (or another point): checked on its own
  auto other = cache.from_spki_der(der);
  auto direct = PublicKey::from_spki_der(der);
  EXPECT_EQ(static_cast<bool>(other), static_cast<bool>(direct));
}

TEST(PublicKeyCache, CertificateAndSpkiAreSeparateSpaces) {
  SystemRng rng;
  auto ca = PrivateKey::generate_ec_p256();
  auto dev = PrivateKey::generate_ec_p256();
  ASSERT_TRUE(ca && dev);
  auto ca_cert = make_ca_certificate(*ca, "CA", kYear, rng);
  ASSERT_TRUE(ca_cert);
  auto cert = issue_device_certificate(*dev->public_key(), "dev-1", *ca, *ca_cert, kYear, rng);
  ASSERT_TRUE(cert);
  PublicKeyCache cache;
  auto from_cert = cache.from_certificate(*cert);
  ASSERT_TRUE(from_cert);
  EXPECT_EQ(*from_cert->to_spki_der(), spki_of(*dev));
  EXPECT_FALSE(cache.from_spki_der(*cert));  // a certificate is not an SPKI
  EXPECT_FALSE(cache.from_certificate(spki_of(*dev)));
  EXPECT_EQ(cache.size(), 1U);
  ASSERT_TRUE(cache.from_certificate(*cert));
  EXPECT_EQ(cache.size(), 1U);
  // A decoded certificate finds the same entry as its bytes.
  auto decoded = Certificate::parse(*cert);
  ASSERT_TRUE(decoded);
  auto from_decoded = cache.from_certificate(*decoded);
  ASSERT_TRUE(from_decoded);
  EXPECT_EQ(&from_decoded->handle(), &from_cert->handle());
  EXPECT_EQ(cache.size(), 1U);
  EXPECT_TRUE(cache.from_certificate(Certificate()).error().is(PkeyErrc::kBadCertificate));
  PublicKeyCache fresh;
  auto cold = fresh.from_certificate(*decoded);  // a miss takes the key from the value
  ASSERT_TRUE(cold);
  EXPECT_EQ(*cold->to_spki_der(), spki_of(*dev));
  EXPECT_EQ(&fresh.from_certificate(*cert)->handle(), &cold->handle());
}

TEST(PublicKeyCache, EvictsTheOldestAtCapacity) {
  std::vector<Bytes> ders;
  for (int i = 0; i < 3; ++i) {
    auto k = PrivateKey::generate_ec_p256();
    ASSERT_TRUE(k);
    ders.push_back(spki_of(*k));
  }
  PublicKeyCache cache(2);
  auto first = cache.from_spki_der(ders[0]);
  ASSERT_TRUE(first);
  ASSERT_TRUE(cache.from_spki_der(ders[1]));
  EXPECT_EQ(cache.size(), 2U);
  ASSERT_TRUE(cache.from_spki_der(ders[2]));  // evicts ders[0]
  EXPECT_EQ(cache.size(), 2U);
  auto second = cache.from_spki_der(ders[1]);  // still cached
  auto again = cache.from_spki_der(ders[0]);   // imported afresh
  ASSERT_TRUE(second && again);
  EXPECT_NE(&first->handle(), &again->handle());
  EXPECT_EQ(*again->to_spki_der(), ders[0]);
  EXPECT_EQ(cache.size(), 2U);
}

TEST(PublicKeyCache, ConcurrentUseStaysBoundedAndCorrect) {
  std::vector<Bytes> ders;
  for (int i = 0; i < 6; ++i) {
    auto k = PrivateKey::generate_ec_p256();
    ASSERT_TRUE(k);
    ders.push_back(spki_of(*k));
  }
  PublicKeyCache cache(4);
  std::vector<std::thread> threads;
  std::vector<int> failures(4, 0);
  for (std::size_t t = 0; t < 4; ++t) {
    threads.emplace_back([&, t] {
      for (std::size_t i = 0; i < 300; ++i) {
        const Bytes& der = ders[(i + t) % ders.size()];
        auto key = cache.from_spki_der(der);
        if (!key || *key->to_spki_der() != der) ++failures[t];
      }
    });
  }
  for (auto& th : threads) th.join();
  for (int f : failures) EXPECT_EQ(f, 0);
  EXPECT_LE(cache.size(), 4U);
}

}  // namespace
}  // namespace kb::crypto
