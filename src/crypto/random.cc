#include "crypto/random.h"

#include <openssl/crypto.h>
#include <openssl/rand.h>
#include <pthread.h>

#include <array>
#include <atomic>
#include <cstdint>
#include <cstdlib>
#include <cstring>
#include <mutex>

namespace kb::crypto {
namespace {

// Advanced in every child of a fork(); a thread's buffer filled under another value is
// stale (its bytes also sit, unconsumed, in the other process).
std::atomic<std::uint64_t> g_fork_generation{0};

void on_fork_child() {
  g_fork_generation.fetch_add(1, std::memory_order_relaxed);
}

void rand_or_abort(std::uint8_t* p, std::size_t n) {
  if (n > static_cast<std::size_t>(INT32_MAX) || RAND_bytes(p, static_cast<int>(n)) != 1) {
    std::abort();  // no randomness: continuing would mint predictable keys
  }
}

// The unconsumed bytes are buf[0, avail): handed out from the end, wiped as they go.
struct ThreadBuffer {
  std::array<std::uint8_t, BufferedSystemRng::kBlock> buf{};
  std::size_t avail = 0;
  std::uint64_t generation = 0;

  ThreadBuffer() = default;
  ThreadBuffer(const ThreadBuffer&) = delete;
  ThreadBuffer& operator=(const ThreadBuffer&) = delete;
  ~ThreadBuffer() { OPENSSL_cleanse(buf.data(), buf.size()); }

  void take(std::uint8_t* out, std::size_t n) {
    const std::uint64_t g = g_fork_generation.load(std::memory_order_relaxed);
    if (g != generation) {
      OPENSSL_cleanse(buf.data(), buf.size());
      avail = 0;
      generation = g;
    }
    while (n > 0) {
      if (avail == 0) {
        rand_or_abort(buf.data(), buf.size());
        avail = buf.size();
      }
      const std::size_t k = n < avail ? n : avail;
      std::uint8_t* src = buf.data() + (avail - k);
      std::memcpy(out, src, k);
      OPENSSL_cleanse(src, k);
      avail -= k;
      out += k;
      n -= k;
    }
  }
};

thread_local ThreadBuffer t_buffer;

}  // namespace

BufferedSystemRng::BufferedSystemRng() {
  static std::once_flag once;
  std::call_once(once, [] {
    if (pthread_atfork(nullptr, nullptr, on_fork_child) != 0) std::abort();
  });
}

void BufferedSystemRng::fill(MutableByteView out) {
  if (out.empty()) return;
  if (out.size() > kDirectLimit) return rand_or_abort(out.data(), out.size());
  t_buffer.take(out.data(), out.size());
}

}  // namespace kb::crypto
