// Replay cache for TGS authenticators (RFC 4120 §3.2.3, §10): an authenticator seen once
// within the clock-skew window is refused the second time (KRB_AP_ERR_REPEAT).
//
// Entries are keyed by a hash of the authenticator ciphertext (unique per authenticator,
// since each encryption has a fresh confounder; MIT's rcache keys on the same tag), and
// expire after twice the allowed skew. Bounded: the oldest entries go first when full.
// DESIGN: one cache per process. Several KDC processes over one store would need a shared
// cache (issue 3 scale-out note in docs/kdc.md).
#pragma once

#include <array>
#include <cstdint>
#include <deque>
#include <mutex>
#include <unordered_set>

#include "base/bytes.h"
#include "base/clock.h"

namespace kb::kdc {

class ReplayCache {
 public:
  explicit ReplayCache(std::chrono::seconds window, std::size_t capacity = 1 << 20)
      : window_(window), capacity_(capacity) {}

  // True the first time `authenticator_cipher` is seen within the window; false after.
  bool first_use(ByteView authenticator_cipher, SysTime now);

 private:
  using Tag = std::array<std::uint8_t, 16>;
  struct TagHash {
    std::size_t operator()(const Tag& t) const;
  };
  void expire(SysTime now);

  std::chrono::seconds window_;
  std::size_t capacity_;
  std::mutex mu_;
  std::unordered_set<Tag, TagHash> seen_;
  std::deque<std::pair<SysTime, Tag>> order_;
};

}  // namespace kb::kdc
