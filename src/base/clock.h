// Time and randomness as parameters: protocol logic never reads the wall clock or a
// global RNG itself, so it stays deterministic under test and fuzzing.
#pragma once

#include <chrono>
#include <cstdint>

#include "base/bytes.h"

namespace kb {

using SysTime = std::chrono::time_point<std::chrono::system_clock, std::chrono::microseconds>;

class Clock {
 public:
  virtual ~Clock() = default;
  [[nodiscard]] virtual SysTime now() const = 0;
};

class SystemClock final : public Clock {
 public:
  [[nodiscard]] SysTime now() const override;
};

// A clock that returns what the test set.
class FixedClock final : public Clock {
 public:
  explicit FixedClock(SysTime t) : t_(t) {}
  [[nodiscard]] SysTime now() const override { return t_; }
  void set(SysTime t) { t_ = t; }
  void advance(std::chrono::microseconds d) { t_ += d; }

 private:
  SysTime t_;
};

// Cryptographic randomness. The production implementation (crypto::SystemRng) lives in
// src/crypto because only that module includes OpenSSL.
class Rng {
 public:
  virtual ~Rng() = default;
  virtual void fill(MutableByteView out) = 0;
};

}  // namespace kb
