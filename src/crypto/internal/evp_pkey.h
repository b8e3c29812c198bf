// The OpenSSL handle behind cose::PublicKey / cose::PrivateKey, shared with the X.509 code.
// Not public API.
#pragma once

#include <openssl/evp.h>

#include "crypto/cose_key.h"

namespace kb::crypto::cose {

struct PublicKey::Impl {
  explicit Impl(EVP_PKEY* k) : pkey(k) {}
  ~Impl() { EVP_PKEY_free(pkey); }
  Impl(const Impl&) = delete;
  Impl& operator=(const Impl&) = delete;
  EVP_PKEY* pkey;
};

struct PrivateKey::Impl {
  Impl(EVP_PKEY* k, Alg a) : pkey(k), alg(a) {}
  ~Impl() { EVP_PKEY_free(pkey); }
  Impl(const Impl&) = delete;
  Impl& operator=(const Impl&) = delete;
  EVP_PKEY* pkey;
  Alg alg;
};

// Wraps an owned EVP_PKEY (takes the reference).
inline PublicKey wrap_public(EVP_PKEY* k) {
  return PublicKey(std::make_unique<PublicKey::Impl>(k));
}

}  // namespace kb::crypto::cose
