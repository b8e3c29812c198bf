// A Kerberos load generator: AS exchanges with encrypted-timestamp pre-authentication, or
// TGS exchanges with a fresh authenticator each time, against any KDC address over UDP.
// Reports requests per second, p50/p99 latency and its own CPU time per request. The same
// binary drives MIT krb5kdc and ours (bench/kdc_compare.sh), so the ratio compares the
// KDCs, not the clients.
//
//   kdc_load --kdc 127.0.0.1:88 --realm CONTOSO.TEST --user alice --password-file F
//            --mode as|tgs [--service HTTP/web.contoso.test] [--threads 8] [--seconds 5]
//            [--rate N   (open loop: N requests/s in total; default closed loop)]
//            [--pool N   (requests built before the timed phase; default from rate/seconds)]
//
// The load generator shares the machine's cores with the KDC under test, so every
// microsecond it spends per request is taken from the KDC: with loadgen CPU L, ours K and
// MIT's M per request, the throughput ratio is (L+M)/(L+K). So the requests (distinct
// nonces, authenticators and timestamps, each sent once) are built before the clock starts,
// and the timed loop only sends, waits and records; `loadgen_cpu_us` reports L.
#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <unistd.h>

#include <CLI/CLI.hpp>
#include <algorithm>
#include <array>
#include <atomic>
#include <cstdio>
#include <fstream>
#include <thread>

#include "krb_requests.h"

namespace kb::bench {
namespace {

struct Options {
  std::string kdc = "127.0.0.1:88";
  ClientConfig client;
  std::string password_file;
  std::string mode = "as";
  unsigned threads = 8;
  double seconds = 5;
  double rate = 0;       // 0 = closed loop
  std::size_t pool = 0;  // 0 = derived from rate and seconds
};

SysTime now() {
  return std::chrono::time_point_cast<std::chrono::microseconds>(std::chrono::system_clock::now());
}

double cpu_seconds() {
  rusage u{};
  ::getrusage(RUSAGE_SELF, &u);
  auto s = [](const timeval& t) {
    return static_cast<double>(t.tv_sec) + static_cast<double>(t.tv_usec) * 1e-6;
  };
  return s(u.ru_utime) + s(u.ru_stime);
}

class Udp {
 public:
  explicit Udp(const std::string& hostport) {
    auto colon = hostport.rfind(':');
    addr_.sin_family = AF_INET;
    addr_.sin_port = htons(static_cast<std::uint16_t>(std::stoi(hostport.substr(colon + 1))));
    ::inet_pton(AF_INET, hostport.substr(0, colon).c_str(), &addr_.sin_addr);
    fd_ = ::socket(AF_INET, SOCK_DGRAM, 0);
    ::connect(fd_, reinterpret_cast<sockaddr*>(&addr_), sizeof addr_);
  }
  ~Udp() { ::close(fd_); }
  Udp(const Udp&) = delete;
  Udp& operator=(const Udp&) = delete;
  // Sends and waits up to 1 s for the reply; an empty view on timeout. The view is valid
  // until the next call.
  ByteView exchange(ByteView req) {
    ::send(fd_, req.data(), req.size(), 0);
    pollfd p{fd_, POLLIN, 0};
    if (::poll(&p, 1, 1000) != 1) return {};
    ssize_t n = ::recv(fd_, buf_.data(), buf_.size(), 0);
    return ByteView(buf_.data(), n > 0 ? static_cast<std::size_t>(n) : 0);
  }

 private:
  sockaddr_in addr_{};
  int fd_ = -1;
  std::array<std::uint8_t, 65536> buf_{};
};

struct Worker {
  std::vector<Bytes> pool;
  std::vector<double> latencies_us;
  std::size_t built_inline = 0;  // requests built in the timed loop once the pool ran out
  int errors = 0;
};

int run(const Options& o) {
  KrbRequests setup(o.client);
  {
    Udp first(o.kdc);
    std::ifstream in(o.password_file);
    std::string pw;
    std::getline(in, pw);
    auto r = setup.sign_in(
        [&](const Bytes& req) {
          ByteView rep = first.exchange(req);
          return Bytes(rep.begin(), rep.end());
        },
        SecretString(pw), now());
    if (!r) {
      std::fprintf(stderr, "%s\n", r.error().to_string().c_str());
      return 1;
    }
  }
  const bool tgs = o.mode == "tgs";
  const std::uint8_t expected = reply_tag(tgs ? krb5::msg_type::kTgsRep : krb5::msg_type::kAsRep);
  std::size_t pool = o.pool;
  if (pool == 0) {
    // Enough for the run at the requested rate, or for ~30k requests/s closed loop.
    pool = static_cast<std::size_t>((o.rate > 0 ? o.rate * 1.1 : 30000.0) * o.seconds) + o.threads;
  }
  std::vector<Worker> w(o.threads);
  std::atomic<unsigned> ready{0};
  std::atomic<bool> go{false};
  std::atomic<bool> stop{false};
  std::vector<std::thread> threads;
  for (unsigned i = 0; i < o.threads; ++i) {
    threads.emplace_back([&, i] {
      KrbRequests client = setup.clone();
      Worker& me = w[i];
      const std::size_t mine = pool / o.threads + 1;
      me.pool.reserve(mine);
      me.latencies_us.reserve(mine);
      for (std::size_t k = 0; k < mine; ++k) {
        me.pool.push_back(tgs ? client.tgs_req(now()) : client.as_req(now()));
      }
      Udp udp(o.kdc);
      ready.fetch_add(1);
      while (!go.load()) std::this_thread::yield();
      const auto gap = o.rate > 0 ? std::chrono::duration<double>(o.threads / o.rate)
                                  : std::chrono::duration<double>(0);
      auto next = std::chrono::steady_clock::now();
      std::size_t used = 0;
      Bytes fresh;
      while (!stop.load(std::memory_order_relaxed)) {
        if (o.rate > 0) {
          next += std::chrono::duration_cast<std::chrono::steady_clock::duration>(gap);
          std::this_thread::sleep_until(next);
        }
        ByteView req;
        if (used < me.pool.size()) {
          req = me.pool[used++];
        } else {
          fresh = tgs ? client.tgs_req(now()) : client.as_req(now());
          ++me.built_inline;
          req = fresh;
        }
        auto t0 = std::chrono::steady_clock::now();
        ByteView rep = udp.exchange(req);
        auto t1 = std::chrono::steady_clock::now();
        if (rep.empty() || rep[0] != expected) {
          ++me.errors;
          continue;
        }
        me.latencies_us.push_back(std::chrono::duration<double, std::micro>(t1 - t0).count());
      }
    });
  }
  while (ready.load() < o.threads) std::this_thread::sleep_for(std::chrono::milliseconds(5));
  const double cpu0 = cpu_seconds();
  const auto start = std::chrono::steady_clock::now();
  go = true;
  std::this_thread::sleep_for(std::chrono::duration<double>(o.seconds));
  stop = true;
  const double elapsed =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  // Threads finish their last exchange (at most a 1 s poll) before CPU time is read.
  for (auto& t : threads) t.join();
  const double cpu = cpu_seconds() - cpu0;
  std::vector<double> all;
  int errs = 0;
  std::size_t built_inline = 0;
  for (auto& x : w) {
    all.insert(all.end(), x.latencies_us.begin(), x.latencies_us.end());
    errs += x.errors;
    built_inline += x.built_inline;
  }
  std::sort(all.begin(), all.end());
  auto pct = [&](double p) {
    return all.empty() ? 0.0
                       : all[static_cast<std::size_t>(p * static_cast<double>(all.size() - 1))];
  };
  const double sent = static_cast<double>(all.size()) + errs;
  std::printf(
      "mode=%s kdc=%s threads=%u rate=%s requests=%zu errors=%d rps=%.0f p50_us=%.0f p99_us=%.0f "
      "loadgen_cpu_us=%.1f pool=%zu built_inline=%zu\n",
      o.mode.c_str(), o.kdc.c_str(), o.threads,
      o.rate > 0 ? std::to_string(static_cast<long>(o.rate)).c_str() : "max", all.size(), errs,
      static_cast<double>(all.size()) / elapsed, pct(0.5), pct(0.99),
      sent > 0 ? cpu * 1e6 / sent : 0.0, pool, built_inline);
  return errs > static_cast<int>(all.size() / 100) ? 2
                                                   : 0;  // more than 1% failures is a failed run
}

}  // namespace
}  // namespace kb::bench

int main(int argc, char** argv) {
  kb::bench::Options o;
  CLI::App app{"Kerberos KDC load generator (AS with pre-authentication, or TGS)"};
  app.add_option("--kdc", o.kdc, "host:port (IPv4)");
  app.add_option("--realm", o.client.realm)->required();
  app.add_option("--user", o.client.user)->required();
  app.add_option("--password-file", o.password_file, "First line is the user's password")
      ->required();
  app.add_option("--mode", o.mode)->check(CLI::IsMember({"as", "tgs"}));
  app.add_option("--service", o.client.service, "Service for TGS mode");
  app.add_option("--threads", o.threads)->check(CLI::Range(1u, 1024u));
  app.add_option("--seconds", o.seconds);
  app.add_option("--rate", o.rate,
                 "Open loop: total requests per second (0 = as fast as possible)");
  app.add_option("--pool", o.pool,
                 "Requests built before the timed phase (0 = rate x seconds, or 30000/s)");
  CLI11_PARSE(app, argc, argv);
  return kb::bench::run(o);
}
