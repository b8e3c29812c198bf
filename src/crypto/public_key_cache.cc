#include "crypto/public_key_cache.h"

#include <utility>

#include "crypto/device_cert.h"

namespace kb::crypto {

PublicKeyCache::PublicKeyCache(std::size_t capacity) : capacity_(capacity == 0 ? 1 : capacity) {}

Result<PublicKey> PublicKeyCache::from_spki_der(ByteView der) {
  return get('s', der, [der] { return PublicKey::from_spki_der(der); });
}

Result<PublicKey> PublicKeyCache::from_certificate(ByteView cert_der) {
  return get('c', cert_der, [cert_der] { return certificate_public_key(cert_der); });
}

Result<PublicKey> PublicKeyCache::from_certificate(const Certificate& cert) {
  if (cert.empty()) return Error(PkeyErrc::kBadCertificate, "empty certificate");
  return get('c', cert.der(), [&cert] { return cert.public_key(); });
}

std::size_t PublicKeyCache::size() const {
  std::lock_guard lock(mu_);
  return keys_.size();
}

Result<PublicKey> PublicKeyCache::get(char kind, ByteView der,
                                      const std::function<Result<PublicKey>()>& load) {
  std::string id(1, kind);
  id.append(as_chars(der));
  {
    std::lock_guard lock(mu_);
    if (auto it = keys_.find(id); it != keys_.end()) return it->second;
  }
  // The full import and check run outside the lock; two threads may both check the same
  // new bytes once, which is harmless.
  PublicKey key = KB_TRY(load());
  std::lock_guard lock(mu_);
  if (keys_.contains(id)) return key;
  while (keys_.size() >= capacity_ && !order_.empty()) {
    keys_.erase(order_.front());
    order_.pop_front();
  }
  keys_.emplace(id, key);
  order_.push_back(std::move(id));
  return key;
}

}  // namespace kb::crypto
