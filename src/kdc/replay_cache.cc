#include "kdc/replay_cache.h"

#include <cstring>

#include "crypto/crypto.h"

namespace kb::kdc {

std::size_t ReplayCache::TagHash::operator()(const Tag& t) const {
  std::size_t h = 0;
  std::memcpy(&h, t.data(), sizeof h);
  return h;
}

void ReplayCache::expire(SysTime now) {
  while (!order_.empty() &&
         (order_.front().first + window_ * 2 < now || order_.size() > capacity_)) {
    seen_.erase(order_.front().second);
    order_.pop_front();
  }
}

bool ReplayCache::first_use(ByteView authenticator_cipher, SysTime now) {
  Tag tag{};
  Bytes digest = crypto::sha256(authenticator_cipher);
  std::memcpy(tag.data(), digest.data(), tag.size());
  std::lock_guard lock(mu_);
  expire(now);
  if (!seen_.insert(tag).second) return false;
  order_.emplace_back(now, tag);
  return true;
}

}  // namespace kb::kdc
