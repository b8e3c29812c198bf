#include "admin/dc_server.h"

#include <signal.h>

#include <mutex>

#include "crypto/crypto.h"
#include "kdc/kdc.h"
#include "net/kdc_service.h"

namespace kb::admin {
int serve_dc(const DcPaths& paths, const ServeOptions& opts, std::ostream& log) {
  auto dc = open_dc(paths);
  if (!dc) {
    log << "keybridge dc serve: " << dc.error().to_string() << "\n";
    return 1;
  }
  // Block the stop signals in every thread (the transport's threads inherit the mask),
  // then wait for them here.
  sigset_t stop;
  sigemptyset(&stop);
  sigaddset(&stop, SIGINT);
  sigaddset(&stop, SIGTERM);
  pthread_sigmask(SIG_BLOCK, &stop, nullptr);

  SystemClock clock;
  crypto::SystemRng rng;
  std::mutex log_mu;
  kdc::KdcDirectory directory(*dc->store, *dc->master_key);
  kdc::Kdc kdc(directory, clock, rng, kdc::KdcPolicy{},
               [&](const kdc::RequestLog& l, std::chrono::microseconds d, std::string_view peer) {
                 std::lock_guard lock(log_mu);
                 log << kdc::format_log_line(l, d, peer) << std::endl;
               });
  net::KdcService handler(kdc);
  auto transport =
      net::KdcTransport::start({.listen = opts.listen, .threads = opts.threads}, handler);
  if (!transport) {
    log << "keybridge dc serve: " << transport.error().to_string() << "\n";
    return 1;
  }
  {
    std::lock_guard lock(log_mu);
    log << "keybridge dc serve: realm " << dc->domain.realm << "\n";
    for (const auto& b : (*transport)->bound()) {
      log << "listening on "
          << (b.host.find(':') != std::string::npos ? "[" + b.host + "]" : b.host) << ":" << b.port
          << std::endl;
    }
  }
  int sig = 0;
  sigwait(&stop, &sig);
  (*transport)->stop();
  std::lock_guard lock(log_mu);
  log << "keybridge dc serve: stopped by signal " << sig << std::endl;
  return 0;
}

}  // namespace kb::admin
