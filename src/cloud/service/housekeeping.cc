#include "cloud/service/housekeeping.h"

namespace kb::cloud {

Result<PurgeCounts> purge_expired(store::CloudStore& store, SysTime now) {
  PurgeCounts n;
  KB_CHECK(store.transact([&](store::CloudTxn& t) -> Result<void> {
    n = PurgeCounts{};  // the transaction may be retried (PostgreSQL)
    n.challenges = KB_TRY(t.purge_expired_challenges(now));
    n.expired_prts = KB_TRY(t.purge_expired_prts(now));
    n.revoked_prts = KB_TRY(t.purge_revoked_prts());
    return ok();
  }));
  return n;
}

Housekeeper::Housekeeper(store::CloudStore& store, const Clock& clock,
                         std::chrono::milliseconds interval, Report report)
    : store_(store), clock_(clock), interval_(interval), report_(std::move(report)) {
  thread_ = std::thread([this] { loop(); });
}

Housekeeper::~Housekeeper() {
  stop();
}

void Housekeeper::stop() {
  {
    std::lock_guard lock(mu_);
    stopping_ = true;
  }
  cv_.notify_all();
  if (thread_.joinable()) thread_.join();
}

void Housekeeper::loop() {
  std::unique_lock lock(mu_);
  for (;;) {
    if (cv_.wait_for(lock, interval_, [this] { return stopping_; })) return;
    lock.unlock();
    auto r = purge_expired(store_, clock_.now());
    if (report_) report_(r);
    lock.lock();
  }
}

}  // namespace kb::cloud
