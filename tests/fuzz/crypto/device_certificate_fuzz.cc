// libFuzzer target: crypto::Certificate (src/crypto/certificate.h) on arbitrary bytes, the
// x5c[0] of a device's PRT request. Whatever decodes has its accessors run and is checked
// against a fixed CA and itself; through a CertificateCache twice, the second answer must
// be the first decoding. Nothing may crash, leak or read out of bounds; nothing may verify
// against the fixed CA (it never issued anything).
#include <cstddef>
#include <cstdint>
#include <cstdlib>

#include "base/clock.h"
#include "crypto/certificate.h"
#include "crypto/crypto.h"
#include "crypto/device_cert.h"

namespace {

const kb::crypto::Certificate& fixed_ca() {
  static const kb::crypto::Certificate ca = [] {
    kb::crypto::SystemRng rng;
    auto key = kb::crypto::PrivateKey::generate_ec_p256();
    const kb::SysTime t0{std::chrono::seconds(1700000000)};
    auto der = kb::crypto::make_ca_certificate(*key, "Fuzz CA",
                                               {t0, t0 + std::chrono::hours(24 * 3650)}, rng);
    if (!der) std::abort();
    return *kb::crypto::Certificate::parse(*der);
  }();
  return ca;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const kb::ByteView in(data, size);
  const kb::SysTime at{std::chrono::seconds(1800000000)};
  auto cert = kb::crypto::Certificate::parse(in);
  if (cert) {
    (void)cert->subject_cn();
    (void)cert->spki_der();
    (void)cert->public_key();
    if (cert->verify_issued_by(fixed_ca(), at)) std::abort();
    (void)cert->verify_issued_by(*cert, at);
  }
  kb::crypto::CertificateCache cache(2);
  auto first = cache.get(in);
  auto second = cache.get(in);
  if (first.has_value() != cert.has_value() || second.has_value() != cert.has_value()) {
    std::abort();
  }
  if (first && first->x509() != second->x509()) std::abort();
  return 0;
}
