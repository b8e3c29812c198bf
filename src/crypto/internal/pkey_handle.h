// The EVP_PKEY behind crypto::PublicKey / PrivateKey. Only src/crypto includes this.
#pragma once

#include <openssl/evp.h>

namespace kb::crypto {

// Owns one EVP_PKEY reference. Immutable after construction: OpenSSL allows concurrent
// use of one EVP_PKEY for signing, verifying and decrypting through separate contexts.
struct PkeyHandle {
  explicit PkeyHandle(EVP_PKEY* p) : pkey(p) {}
  ~PkeyHandle() { EVP_PKEY_free(pkey); }
  PkeyHandle(const PkeyHandle&) = delete;
  PkeyHandle& operator=(const PkeyHandle&) = delete;
  EVP_PKEY* pkey;
};

}  // namespace kb::crypto
