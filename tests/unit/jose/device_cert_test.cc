// Device certificates: issued by our CA, checked by our verifier and by `openssl verify`.
#include "crypto/device_cert.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <chrono>

#include "crypto/certificate.h"
#include "crypto/crypto.h"
#include "jose_test_util.h"

namespace kb::crypto {
namespace {

using jose::testing::openssl;
using jose::testing::write_bytes;
using std::chrono::hours;

// 2026-01-01T00:00:00Z.
const SysTime kT0{std::chrono::seconds(1767225600)};
const Validity kYear{kT0, kT0 + hours(24 * 365)};

struct Pki {
  PrivateKey ca_key;
  Bytes ca_cert;
};

Pki make_pki(bool ec_ca) {
  SystemRng rng;
  auto k = ec_ca ? PrivateKey::generate_ec_p256() : PrivateKey::generate_rsa(2048);
  EXPECT_TRUE(k);
  auto c = make_ca_certificate(*k, "Keybridge Device CA", kYear, rng);
  EXPECT_TRUE(c) << c.error().to_string();
  return {std::move(*k), c ? *c : Bytes{}};
}

// `openssl verify` of a DER certificate against a DER CA at time `at`; returns its output.
RunResult openssl_verify(const Bytes& ca, const Bytes& cert, SysTime at) {
  TempDir dir;
  auto ca_der = dir.path() / "ca.der";
  auto ca_pem = dir.path() / "ca.pem";
  auto der = dir.path() / "dev.der";
  auto pem = dir.path() / "dev.pem";
  write_bytes(ca_der, ca);
  write_bytes(der, cert);
  openssl({"x509", "-inform", "DER", "-in", ca_der.string(), "-out", ca_pem.string()});
  openssl({"x509", "-inform", "DER", "-in", der.string(), "-out", pem.string()});
  auto secs = std::chrono::duration_cast<std::chrono::seconds>(at.time_since_epoch()).count();
  return openssl({"verify", "-x509_strict", "-purpose", "sslclient", "-attime",
                  std::to_string(secs), "-CAfile", ca_pem.string(), pem.string()},
                 false);
}

TEST(DeviceCert, IssuedCertificatesVerifyWithOpensslAndOurVerifier) {
  SystemRng rng;
  for (bool ec_ca : {false, true}) {
    Pki pki = make_pki(ec_ca);
    for (bool ec_dev : {false, true}) {
      auto dev = ec_dev ? PrivateKey::generate_ec_p256() : PrivateKey::generate_rsa(2048);
      ASSERT_TRUE(dev);
      const std::string id = "6f1c2a9e-3b4d-4e5f-8a7b-0c1d2e3f4a5b";
      auto cert =
          issue_device_certificate(*dev->public_key(), id, pki.ca_key, pki.ca_cert, kYear, rng);
      ASSERT_TRUE(cert) << cert.error().to_string();
      RunResult r = openssl_verify(pki.ca_cert, *cert, kT0 + hours(1));
      EXPECT_EQ(r.exit_code, 0) << r.out;
      EXPECT_NE(r.out.find("OK"), std::string::npos) << r.out;
      EXPECT_TRUE(verify_certificate(*cert, pki.ca_cert, kT0 + hours(1)));
      EXPECT_EQ(*certificate_subject_cn(*cert), id);
      EXPECT_EQ(*certificate_public_key(*cert)->to_spki_der(), *dev->public_key()->to_spki_der());
      EXPECT_EQ(*certificate_subject_cn(pki.ca_cert), "Keybridge Device CA");
    }
  }
}

TEST(DeviceCert, RefusedOutsideValidityOrUnderAnotherCa) {
  SystemRng rng;
  Pki pki = make_pki(false);
  Pki other = make_pki(true);
  auto dev = PrivateKey::generate_ec_p256();
  Bytes cert =
      *issue_device_certificate(*dev->public_key(), "dev", pki.ca_key, pki.ca_cert, kYear, rng);
  for (SysTime at : {kT0 - hours(1), kT0 + hours(24 * 366)}) {
    auto r = verify_certificate(cert, pki.ca_cert, at);
    ASSERT_FALSE(r);
    EXPECT_TRUE(r.error().is(PkeyErrc::kBadCertificate));
    EXPECT_NE(openssl_verify(pki.ca_cert, cert, at).exit_code, 0);
  }
  EXPECT_TRUE(verify_certificate(cert, other.ca_cert, kT0 + hours(1))
                  .error()
                  .is(PkeyErrc::kBadCertificate));
  EXPECT_NE(openssl_verify(other.ca_cert, cert, kT0 + hours(1)).exit_code, 0);
  // A device certificate is no CA: a certificate "issued" under it does not verify.
  auto dev2 = PrivateKey::generate_ec_p256();
  auto chained = issue_device_certificate(*dev2->public_key(), "dev2", *dev, cert, kYear, rng);
  ASSERT_TRUE(chained);
  EXPECT_FALSE(verify_certificate(*chained, cert, kT0 + hours(1)));
}

TEST(DeviceCert, RefusesTamperedOrMalformedCertificates) {
  SystemRng rng;
  Pki pki = make_pki(false);
  auto dev = PrivateKey::generate_rsa(2048);
  Bytes cert =
      *issue_device_certificate(*dev->public_key(), "dev", pki.ca_key, pki.ca_cert, kYear, rng);
  Bytes tampered = cert;
  tampered[tampered.size() / 2] ^= 0x01;  // inside tbsCertificate
  EXPECT_FALSE(verify_certificate(tampered, pki.ca_cert, kT0 + hours(1)));
  Bytes trailing = cert;
  trailing.push_back(0);
  EXPECT_TRUE(certificate_subject_cn(trailing).error().is(PkeyErrc::kBadCertificate));
  EXPECT_TRUE(certificate_public_key(Bytes{0x30, 0x03, 0x02, 0x01, 0x01})
                  .error()
                  .is(PkeyErrc::kBadCertificate));
  EXPECT_TRUE(verify_certificate({}, pki.ca_cert, kT0).error().is(PkeyErrc::kBadCertificate));
}

TEST(DeviceCert, RefusesBadIssuanceRequests) {
  SystemRng rng;
  Pki pki = make_pki(false);
  Pki other = make_pki(false);
  auto dev = PrivateKey::generate_ec_p256();
  PublicKey pub = *dev->public_key();
  // The signing key must match the CA certificate.
  EXPECT_TRUE(issue_device_certificate(pub, "dev", other.ca_key, pki.ca_cert, kYear, rng)
                  .error()
                  .is(PkeyErrc::kBadCertificate));
  EXPECT_FALSE(issue_device_certificate(pub, "", pki.ca_key, pki.ca_cert, kYear, rng));
  EXPECT_FALSE(
      issue_device_certificate(pub, std::string(65, 'a'), pki.ca_key, pki.ca_cert, kYear, rng));
  EXPECT_FALSE(
      issue_device_certificate(pub, "dev", pki.ca_key, pki.ca_cert, Validity{kT0, kT0}, rng));
  EXPECT_FALSE(issue_device_certificate(PublicKey(), "dev", pki.ca_key, pki.ca_cert, kYear, rng));
}

// Certificate: decoded once, every check still runs on each call.
TEST(Certificate, DecodedOnceChecksLikeTheByteFunctions) {
  SystemRng rng;
  Pki pki = make_pki(true);
  auto dev = PrivateKey::generate_rsa(2048);
  Bytes der =
      *issue_device_certificate(*dev->public_key(), "dev-7", pki.ca_key, pki.ca_cert, kYear, rng);
  auto cert = Certificate::parse(der);
  auto ca = Certificate::parse(pki.ca_cert);
  ASSERT_TRUE(cert && ca);
  EXPECT_TRUE(std::ranges::equal(cert->der(), der));
  EXPECT_EQ(*cert->subject_cn(), "dev-7");
  EXPECT_EQ(*cert->public_key()->to_spki_der(), *dev->public_key()->to_spki_der());
  EXPECT_EQ(*cert->spki_der(), *dev->public_key()->to_spki_der());
  // The same decoded values verify again and again, and refuse what the bytes refuse.
  for (int i = 0; i < 2; ++i) EXPECT_TRUE(cert->verify_issued_by(*ca, kT0 + hours(1)));
  EXPECT_TRUE(
      cert->verify_issued_by(*ca, kT0 + hours(24 * 366)).error().is(PkeyErrc::kBadCertificate));
  EXPECT_TRUE(cert->verify_issued_by(*ca, kT0 - hours(1)).error().is(PkeyErrc::kBadCertificate));
  auto other = Certificate::parse(make_pki(true).ca_cert);
  ASSERT_TRUE(other);
  EXPECT_TRUE(cert->verify_issued_by(*other, kT0 + hours(1)).error().is(PkeyErrc::kBadCertificate));
  EXPECT_FALSE(ca->verify_issued_by(*cert, kT0 + hours(1)));  // a device cert is no CA
  // A copy shares the decoded certificate.
  const Certificate copy = *cert;
  EXPECT_EQ(copy.x509(), cert->x509());
  EXPECT_TRUE(copy.verify_issued_by(*ca, kT0 + hours(1)));
}

TEST(Certificate, RefusesMalformedInputAndEmptyValues) {
  SystemRng rng;
  Pki pki = make_pki(false);
  auto dev = PrivateKey::generate_ec_p256();
  Bytes der =
      *issue_device_certificate(*dev->public_key(), "dev", pki.ca_key, pki.ca_cert, kYear, rng);
  Bytes trailing = der;
  trailing.push_back(0);
  EXPECT_TRUE(Certificate::parse(trailing).error().is(PkeyErrc::kBadCertificate));
  EXPECT_TRUE(Certificate::parse({}).error().is(PkeyErrc::kBadCertificate));
  EXPECT_TRUE(Certificate::parse(Bytes(16 * 1024 + 1, 0x30)).error().is(PkeyErrc::kBadCertificate));
  EXPECT_TRUE(Certificate::parse(ByteView(der).first(der.size() - 1))
                  .error()
                  .is(PkeyErrc::kBadCertificate));
  Bytes tampered = der;
  tampered[tampered.size() / 2] ^= 0x01;  // decodes, but the signature no longer holds
  auto t = Certificate::parse(tampered);
  auto ca = Certificate::parse(pki.ca_cert);
  ASSERT_TRUE(ca);
  if (t) {
    EXPECT_FALSE(t->verify_issued_by(*ca, kT0 + hours(1)));
  }
  const Certificate empty;
  EXPECT_TRUE(empty.empty());
  EXPECT_TRUE(empty.der().empty());
  EXPECT_EQ(empty.x509(), nullptr);
  EXPECT_TRUE(empty.subject_cn().error().is(PkeyErrc::kBadCertificate));
  EXPECT_TRUE(empty.public_key().error().is(PkeyErrc::kBadCertificate));
  EXPECT_TRUE(empty.spki_der().error().is(PkeyErrc::kBadCertificate));
  EXPECT_TRUE(empty.verify_issued_by(*ca, kT0).error().is(PkeyErrc::kBadCertificate));
  auto cert = Certificate::parse(der);
  ASSERT_TRUE(cert);
  EXPECT_TRUE(cert->verify_issued_by(empty, kT0).error().is(PkeyErrc::kBadCertificate));
}

TEST(CertificateCache, ReusesOnlyIdenticalBytesPerName) {
  SystemRng rng;
  Pki a = make_pki(true);
  Pki b = make_pki(true);
  CertificateCache cache(2);
  auto first = cache.get("tenant-a", a.ca_cert);
  auto again = cache.get("tenant-a", a.ca_cert);
  ASSERT_TRUE(first && again);
  EXPECT_EQ(first->x509(), again->x509());  // decoded once
  EXPECT_EQ(cache.size(), 1U);
  // The tenant's CA changed: the new bytes are decoded and replace the entry.
  auto changed = cache.get("tenant-a", b.ca_cert);
  ASSERT_TRUE(changed);
  EXPECT_NE(changed->x509(), first->x509());
  EXPECT_TRUE(std::ranges::equal(changed->der(), b.ca_cert));
  EXPECT_EQ(cache.size(), 1U);
  auto after = cache.get("tenant-a", b.ca_cert);
  ASSERT_TRUE(after);
  EXPECT_EQ(after->x509(), changed->x509());
  // Failures are refused and not cached; the good entry stays.
  EXPECT_TRUE(cache.get("tenant-a", Bytes{0x30, 0x00}).error().is(PkeyErrc::kBadCertificate));
  EXPECT_EQ(cache.get("tenant-a", b.ca_cert)->x509(), changed->x509());
  EXPECT_FALSE(cache.get("tenant-x", Bytes{0x01}));
  EXPECT_EQ(cache.size(), 1U);
  // Bounded: a third name evicts the oldest.
  ASSERT_TRUE(cache.get("tenant-b", a.ca_cert));
  ASSERT_TRUE(cache.get("tenant-c", a.ca_cert));
  EXPECT_EQ(cache.size(), 2U);
  EXPECT_NE(cache.get("tenant-a", b.ca_cert)->x509(), changed->x509());  // decoded again
  EXPECT_EQ(cache.capacity(), 2U);
  // By bytes: the same bytes are one entry, decoded once.
  CertificateCache by_bytes;
  auto one = by_bytes.get(a.ca_cert);
  ASSERT_TRUE(one);
  EXPECT_EQ(by_bytes.get(a.ca_cert)->x509(), one->x509());
  EXPECT_NE(by_bytes.get(b.ca_cert)->x509(), one->x509());
  EXPECT_EQ(by_bytes.size(), 2U);
  EXPECT_FALSE(by_bytes.get(Bytes{0x30, 0x00}));
  EXPECT_EQ(CertificateCache(0).capacity(), 1U);
}

}  // namespace
}  // namespace kb::crypto
