// Randomness for the KDC's request path: OpenSSL's DRBG read in blocks per thread.
//
// A TGS exchange asks for three small pieces (a 32-byte session key and two 16-byte
// confounders); each RAND_bytes call pays a fixed cost (DRBG lookup, a CTR-DRBG generate
// and its state update: a fresh AES key schedule) that is much larger than the bytes
// themselves. BufferedSystemRng fetches kBlock bytes at a time into a per-thread buffer
// and hands them out, wiping each byte as it is handed out, so every byte is used once.
//
// Fork: a child would otherwise inherit the parent's unconsumed bytes and hand out the
// same keys; a pthread_atfork child handler advances a generation counter, and a thread
// whose buffer belongs to an older generation discards (wipes) it before use. Buffers
// are wiped on thread exit too. Requests larger than kDirectLimit go to RAND_bytes
// directly. Like SystemRng, a DRBG failure aborts (no randomness: no keys).
#pragma once

#include <cstddef>

#include "base/clock.h"

namespace kb::crypto {

class BufferedSystemRng final : public Rng {
 public:
  static constexpr std::size_t kBlock = 1024;
  static constexpr std::size_t kDirectLimit = 256;
  BufferedSystemRng();
  void fill(MutableByteView out) override;
};

}  // namespace kb::crypto
