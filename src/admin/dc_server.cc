#include "admin/dc_server.h"

#include <signal.h>

#include <algorithm>
#include <utility>

#include "crypto/random.h"
#include "kdc/kdc.h"
#include "net/kdc_service.h"

namespace kb::admin {

BufferedLog::BufferedLog(std::ostream& out, Limits limits) : out_(out), limits_(limits) {
  pending_.reserve(std::min(limits_.high_water, limits_.max_bytes));
  writer_ = std::thread([this] { run(); });
}

BufferedLog::~BufferedLog() {
  stop();
}

void BufferedLog::write(std::string_view line) {
  bool wake = false;
  bool stopped = false;
  {
    std::lock_guard lock(mu_);
    if (pending_.size() + line.size() + 1 > limits_.max_bytes) {
      ++dropped_;
      return;
    }
    const bool below = pending_.size() < limits_.high_water;
    pending_.append(line);
    pending_.push_back('\n');
    stopped = stopping_;
    // One notification per batch (the line that finds the writer idle), and one when the
    // buffer reaches the high-water mark (a writer waiting out its budget stops waiting).
    if ((!woken_ || (below && pending_.size() >= limits_.high_water)) && !stopped) {
      woken_ = true;
      wake = true;
    }
  }
  if (stopped) return flush();  // no writer thread any more
  if (wake) wake_.notify_one();
}

void BufferedLog::flush() {
  (void)write_pending();
}

bool BufferedLog::write_pending() {
  std::lock_guard out_lock(out_mu_);
  std::size_t dropped = 0;
  {
    std::lock_guard lock(mu_);
    if (pending_.empty() && dropped_ == 0) return false;
    pending_.swap(spare_);  // spare_ is empty here: it is cleared under out_mu_ below
    dropped = std::exchange(dropped_, 0);
  }
  out_.write(spare_.data(), static_cast<std::streamsize>(spare_.size()));
  // Lines are dropped only when the buffer is full, so after every line buffered so far.
  if (dropped != 0) out_ << "keybridge dc serve: dropped " << dropped << " log lines\n";
  out_.flush();
  spare_.clear();
  return true;
}

void BufferedLog::stop() {
  {
    std::lock_guard lock(mu_);
    stopping_ = true;
  }
  wake_.notify_one();
  if (writer_.joinable()) writer_.join();
  flush();
}

void BufferedLog::run() {
  using Clock = std::chrono::steady_clock;
  std::unique_lock lock(mu_);
  Clock::time_point window = Clock::now();
  unsigned writes = 0;  // in the current window
  while (!stopping_) {
    wake_.wait_for(lock, limits_.interval, [this] { return woken_ || stopping_; });
    if (Clock::now() - window >= limits_.interval) {
      window = Clock::now();
      writes = 0;
    }
    if (woken_ && writes >= limits_.burst) {
      // Over this interval's budget: let lines gather until it ends.
      wake_.wait_until(lock, window + limits_.interval,
                       [this] { return stopping_ || pending_.size() >= limits_.high_water; });
      if (Clock::now() - window >= limits_.interval) {
        window = Clock::now();
        writes = 0;
      }
    }
    woken_ = false;
    lock.unlock();
    const bool wrote = write_pending();
    lock.lock();
    if (wrote) ++writes;
  }
}

int serve_dc(const DcPaths& paths, const ServeOptions& opts, std::ostream& log) {
  auto dc = open_dc(paths);
  if (!dc) {
    log << "keybridge dc serve: " << dc.error().to_string() << "\n";
    return 1;
  }
  // Block the stop signals in every thread (the transport's and the log writer's threads
  // inherit the mask), then wait for them here.
  sigset_t stop;
  sigemptyset(&stop);
  sigaddset(&stop, SIGINT);
  sigaddset(&stop, SIGTERM);
  pthread_sigmask(SIG_BLOCK, &stop, nullptr);

  SystemClock clock;
  crypto::BufferedSystemRng rng;
  BufferedLog lines(log);
  kdc::KdcDirectory directory(*dc->store, *dc->master_key);
  kdc::Kdc kdc(directory, clock, rng, kdc::KdcPolicy{},
               [&](const kdc::RequestLog& l, std::chrono::microseconds d, std::string_view peer) {
                 lines.write(kdc::format_log_line(l, d, peer));
               });
  net::KdcService handler(kdc);
  auto transport =
      net::KdcTransport::start({.listen = opts.listen, .threads = opts.threads}, handler);
  if (!transport) {
    lines.write("keybridge dc serve: " + transport.error().to_string());
    lines.stop();
    return 1;
  }
  lines.write("keybridge dc serve: realm " + dc->domain.realm);
  for (const auto& b : (*transport)->bound()) {
    lines.write("listening on " +
                (b.host.find(':') != std::string::npos ? "[" + b.host + "]" : b.host) + ":" +
                std::to_string(b.port));
  }
  lines.flush();  // readiness is announced at once
  int sig = 0;
  sigwait(&stop, &sig);
  (*transport)->stop();
  lines.write("keybridge dc serve: stopped by signal " + std::to_string(sig));
  lines.stop();
  return 0;
}

}  // namespace kb::admin
