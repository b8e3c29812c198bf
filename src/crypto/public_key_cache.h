// A bounded, thread-safe cache of checked public keys, keyed by their exact DER bytes.
//
// DESIGN (measured by bench/signin_bench.cc, docs/cloud-signin.md): importing an RSA public
// key runs OpenSSL 3's full public-key check (a compositeness test of the modulus), which
// dominated a first sign-in's CPU. A device's certificate and transport key are the same
// bytes at every sign-in, so only the outcome of a successful import is kept, by the exact
// input bytes: any other bytes are another entry and get the full check. Failures are never
// cached. SPKI and certificate inputs are separate key spaces. When full, the oldest entry
// is evicted (FIFO). Keys are immutable; OpenSSL keys may be used from several threads.
#pragma once

#include <cstddef>
#include <deque>
#include <functional>
#include <mutex>
#include <string>
#include <unordered_map>

#include "base/bytes.h"
#include "base/result.h"
#include "crypto/certificate.h"
#include "crypto/pkey.h"

namespace kb::crypto {

class PublicKeyCache {
 public:
  static constexpr std::size_t kDefaultCapacity = 4096;
  explicit PublicKeyCache(std::size_t capacity = kDefaultCapacity);

  // PublicKey::from_spki_der, remembered for identical bytes.
  Result<PublicKey> from_spki_der(ByteView der);
  // certificate_public_key (device_cert.h), remembered for identical certificate bytes.
  Result<PublicKey> from_certificate(ByteView cert_der);
  // The same for an already decoded certificate (same entries as the bytes overload): a
  // miss takes the key from `cert` without decoding it again.
  Result<PublicKey> from_certificate(const Certificate& cert);

  [[nodiscard]] std::size_t size() const;
  [[nodiscard]] std::size_t capacity() const { return capacity_; }

 private:
  Result<PublicKey> get(char kind, ByteView der, const std::function<Result<PublicKey>()>& load);

  std::size_t capacity_;
  mutable std::mutex mu_;
  std::unordered_map<std::string, PublicKey> keys_;  // kind byte + DER -> checked key
  std::deque<std::string> order_;                    // insertion order, oldest first
};

}  // namespace kb::crypto
