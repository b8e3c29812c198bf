// `keybridge cloud serve` housekeeping: expired ceremony challenges and PRT nonces, and
// expired or revoked PRTs, are deleted periodically so the store does not grow with every
// sign-in. Each purge is one statement across tenants (store/cloud.h); front ends sharing a
// PostgreSQL store may all run it, the deletes are idempotent.
#pragma once

#include <chrono>
#include <condition_variable>
#include <cstddef>
#include <functional>
#include <mutex>
#include <thread>

#include "base/clock.h"
#include "base/result.h"
#include "store/cloud.h"

namespace kb::cloud {

struct PurgeCounts {
  std::size_t challenges = 0;    // expired at or before `now` (ceremonies and PRT nonces)
  std::size_t expired_prts = 0;  // expired at or before `now`
  std::size_t revoked_prts = 0;  // revoked (refused exactly as missing ones)
  [[nodiscard]] std::size_t total() const { return challenges + expired_prts + revoked_prts; }
};

// One housekeeping pass in one transaction.
Result<PurgeCounts> purge_expired(store::CloudStore& store, SysTime now);

inline constexpr std::chrono::seconds kDefaultHousekeepingInterval{60};

// Runs purge_expired every `interval` on its own thread, from construction until stop() or
// destruction (which wakes it at once; no pass is cut short). `report` gets each pass's
// outcome on that thread.
class Housekeeper {
 public:
  using Report = std::function<void(const Result<PurgeCounts>&)>;
  Housekeeper(store::CloudStore& store, const Clock& clock, std::chrono::milliseconds interval,
              Report report);
  ~Housekeeper();
  Housekeeper(const Housekeeper&) = delete;
  Housekeeper& operator=(const Housekeeper&) = delete;
  void stop();

 private:
  void loop();

  store::CloudStore& store_;
  const Clock& clock_;
  std::chrono::milliseconds interval_;
  Report report_;
  std::mutex mu_;
  std::condition_variable cv_;
  bool stopping_ = false;
  std::thread thread_;
};

}  // namespace kb::cloud
