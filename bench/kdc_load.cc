// A Kerberos load generator: AS exchanges with encrypted-timestamp pre-authentication, or
// TGS exchanges with a fresh authenticator each time, against any KDC address over UDP.
// Reports requests per second and p50/p99 latency. The same binary drives MIT krb5kdc and
// ours (bench/kdc_compare.sh), so the ratio compares the KDCs, not the clients.
//
//   kdc_load --kdc 127.0.0.1:88 --realm CONTOSO.TEST --user alice --password-file F
//            --mode as|tgs [--service HTTP/web.contoso.test] [--threads 8] [--seconds 5]
//            [--rate N   (open loop: N requests/s in total; default closed loop)]
#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <CLI/CLI.hpp>
#include <algorithm>
#include <atomic>
#include <cstdio>
#include <fstream>
#include <thread>

#include "crypto/crypto.h"
#include "krb5/messages.h"

namespace kb::bench {
namespace {

struct Options {
  std::string kdc = "127.0.0.1:88";
  std::string realm;
  std::string user;
  std::string password_file;
  std::string mode = "as";
  std::string service = "HTTP/web.contoso.test";
  unsigned threads = 8;
  double seconds = 5;
  double rate = 0;  // 0 = closed loop
};

SysTime now() { return std::chrono::time_point_cast<std::chrono::microseconds>(std::chrono::system_clock::now()); }

krb5::PrincipalName principal(const std::string& s, std::int32_t type) {
  krb5::PrincipalName p{type, {}};
  std::size_t start = 0;
  for (;;) {
    auto slash = s.find('/', start);
    p.name_string.push_back(s.substr(start, slash == std::string::npos ? std::string::npos : slash - start));
    if (slash == std::string::npos) break;
    start = slash + 1;
  }
  return p;
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
  // Sends and waits up to 1 s for the reply; empty on timeout.
  Bytes exchange(const Bytes& req) {
    ::send(fd_, req.data(), req.size(), 0);
    pollfd p{fd_, POLLIN, 0};
    if (::poll(&p, 1, 1000) != 1) return {};
    Bytes buf(65536);
    ssize_t n = ::recv(fd_, buf.data(), buf.size(), 0);
    buf.resize(n > 0 ? static_cast<std::size_t>(n) : 0);
    return buf;
  }

 private:
  sockaddr_in addr_{};
  int fd_ = -1;
};

struct Client {
  Options o;
  crypto::Key user_key;
  // For TGS mode: the TGT and its session key.
  krb5::Ticket tgt;
  crypto::Key tgt_session;
  crypto::SystemRng rng;

  krb5::AsReq as_req(bool with_timestamp) {
    krb5::AsReq r;
    auto& b = r.req_body.value;
    b.kdc_options.set(krb5::kdc_option::kForwardable).set(krb5::kdc_option::kRenewableOk);
    b.cname = principal(o.user, krb5::name_type::kPrincipal);
    b.realm = o.realm;
    b.sname = krb5::PrincipalName{krb5::name_type::kSrvInst, {"krbtgt", o.realm}};
    b.till = krb5::KerberosTime::from_sys(now() + std::chrono::hours(10));
    Bytes nonce(4);
    rng.fill(nonce);
    b.nonce = (std::uint32_t{nonce[0]} << 24 | std::uint32_t{nonce[1]} << 16 | std::uint32_t{nonce[2]} << 8 | nonce[3]) & 0x7fffffffu;
    b.etype = {18};
    if (with_timestamp) {
      krb5::PaEncTsEnc ts;
      auto t = now();
      ts.patimestamp = krb5::KerberosTime::from_sys(t);
      ts.pausec = static_cast<krb5::Int32>(t.time_since_epoch().count() % 1000000);
      krb5::EncryptedData ed;
      ed.etype = 18;
      ed.cipher = *crypto::encrypt(user_key, crypto::KeyUsage::kAsReqPaEncTimestamp, der::encode(ts), rng);
      r.padata = std::vector<krb5::PaData>{{krb5::padata_type::kEncTimestamp, der::encode(ed)}};
    }
    return r;
  }

  krb5::TgsReq tgs_req() {
    krb5::TgsReq r;
    auto& b = r.req_body.value;
    b.kdc_options.set(krb5::kdc_option::kForwardable);
    b.realm = o.realm;
    b.sname = principal(o.service, krb5::name_type::kSrvHst);
    b.till = krb5::KerberosTime::from_sys(now() + std::chrono::hours(10));
    Bytes nonce(4);
    rng.fill(nonce);
    b.nonce = (std::uint32_t{nonce[0]} << 24 | std::uint32_t{nonce[1]} << 16 | std::uint32_t{nonce[2]} << 8 | nonce[3]) & 0x7fffffffu;
    b.etype = {18};
    Bytes body = der::encode(b);
    krb5::Authenticator a;
    a.crealm = o.realm;
    a.cname = principal(o.user, krb5::name_type::kPrincipal);
    a.cksum = krb5::Checksum{16, *crypto::make_checksum(tgt_session, crypto::KeyUsage::kTgsReqAuthCksum, body)};
    auto t = now();
    a.ctime = krb5::KerberosTime::from_sys(t);
    a.cusec = static_cast<krb5::Int32>(t.time_since_epoch().count() % 1000000);
    krb5::ApReq ap;
    ap.ticket = tgt;
    ap.authenticator.etype = static_cast<krb5::Int32>(tgt_session.enctype());
    ap.authenticator.cipher =
        *crypto::encrypt(tgt_session, crypto::KeyUsage::kTgsReqAuthenticator, der::encode(a), rng);
    r.padata = std::vector<krb5::PaData>{{krb5::padata_type::kTgsReq, der::encode(ap)}};
    return r;
  }

  // One PREAUTH_REQUIRED round for the salt, then the user's key; for TGS mode a TGT.
  bool prepare(Udp& udp) {
    Bytes first = udp.exchange(der::encode(as_req(false)));
    auto err = der::decode<krb5::KrbError>(first);
    if (!err || err->error_code != 25 || !err->e_data) {
      std::fprintf(stderr, "expected PREAUTH_REQUIRED from the KDC, got %s\n",
                   first.empty() ? "no reply"
                   : err        ? ("error code " + std::to_string(err->error_code)).c_str()
                                : ("an undecodable reply: " + err.error().to_string()).c_str());
      return false;
    }
    std::string salt = o.realm + o.user;
    if (auto md = der::decode<krb5::MethodData>(*err->e_data)) {
      for (const auto& p : *md) {
        if (p.padata_type != krb5::padata_type::kEtypeInfo2) continue;
        auto info = der::decode<krb5::EtypeInfo2>(p.padata_value);
        if (info && !info->empty() && (*info)[0].salt) salt = *(*info)[0].salt;
      }
    }
    std::ifstream in(o.password_file);
    std::string pw;
    std::getline(in, pw);
    user_key = *crypto::string_to_key(crypto::EncType::kAes256CtsHmacSha196, SecretString(pw), salt);
    auto rep = der::decode<krb5::AsRep>(udp.exchange(der::encode(as_req(true))));
    if (!rep) {
      std::fprintf(stderr, "the KDC did not issue a TGT (wrong password?)\n");
      return false;
    }
    auto part = der::decode<krb5::EncAsRepPart>(
        crypto::decrypt(user_key, crypto::KeyUsage::kAsRepEncPart, rep->enc_part.cipher)->reveal());
    tgt = rep->ticket;
    tgt_session = *crypto::Key::from_bytes(crypto::EncType::kAes256CtsHmacSha196, part->key.keyvalue.reveal());
    return true;
  }
};

int run(const Options& o) {
  Client setup{o, {}, {}, {}, {}};
  Udp first(o.kdc);
  if (!setup.prepare(first)) return 1;
  const bool tgs = o.mode == "tgs";
  const int expected = tgs ? krb5::msg_type::kTgsRep : krb5::msg_type::kAsRep;
  std::atomic<bool> stop{false};
  std::vector<std::vector<double>> lat(o.threads);
  std::vector<int> errors(o.threads, 0);
  std::vector<std::thread> workers;
  const auto start = std::chrono::steady_clock::now();
  for (unsigned i = 0; i < o.threads; ++i) {
    workers.emplace_back([&, i] {
      Client c{o, setup.user_key.clone(), setup.tgt, setup.tgt_session.clone(), {}};
      Udp udp(o.kdc);
      const auto gap = o.rate > 0 ? std::chrono::duration<double>(o.threads / o.rate) : std::chrono::duration<double>(0);
      auto next = std::chrono::steady_clock::now();
      while (!stop.load(std::memory_order_relaxed)) {
        if (o.rate > 0) {
          next += std::chrono::duration_cast<std::chrono::steady_clock::duration>(gap);
          std::this_thread::sleep_until(next);
        }
        Bytes req = tgs ? der::encode(c.tgs_req()) : der::encode(c.as_req(true));
        auto t0 = std::chrono::steady_clock::now();
        Bytes rep = udp.exchange(req);
        auto t1 = std::chrono::steady_clock::now();
        // [APPLICATION n] constructed = 0x60 | n
        if (rep.empty() || rep[0] != (0x60 | expected)) {
          ++errors[i];
          continue;
        }
        lat[i].push_back(std::chrono::duration<double, std::micro>(t1 - t0).count());
      }
    });
  }
  std::this_thread::sleep_for(std::chrono::duration<double>(o.seconds));
  stop = true;
  for (auto& w : workers) w.join();
  const double elapsed = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  std::vector<double> all;
  int errs = 0;
  for (unsigned i = 0; i < o.threads; ++i) {
    all.insert(all.end(), lat[i].begin(), lat[i].end());
    errs += errors[i];
  }
  std::sort(all.begin(), all.end());
  auto pct = [&](double p) { return all.empty() ? 0.0 : all[static_cast<std::size_t>(p * static_cast<double>(all.size() - 1))]; };
  std::printf("mode=%s kdc=%s threads=%u rate=%s requests=%zu errors=%d rps=%.0f p50_us=%.0f p99_us=%.0f\n",
              o.mode.c_str(), o.kdc.c_str(), o.threads, o.rate > 0 ? std::to_string(static_cast<long>(o.rate)).c_str() : "max",
              all.size(), errs, static_cast<double>(all.size()) / elapsed, pct(0.5), pct(0.99));
  return errs > static_cast<int>(all.size() / 100) ? 2 : 0;  // more than 1% failures is a failed run
}

}  // namespace
}  // namespace kb::bench

int main(int argc, char** argv) {
  kb::bench::Options o;
  CLI::App app{"Kerberos KDC load generator (AS with pre-authentication, or TGS)"};
  app.add_option("--kdc", o.kdc, "host:port (IPv4)");
  app.add_option("--realm", o.realm)->required();
  app.add_option("--user", o.user)->required();
  app.add_option("--password-file", o.password_file, "First line is the user's password")->required();
  app.add_option("--mode", o.mode)->check(CLI::IsMember({"as", "tgs"}));
  app.add_option("--service", o.service, "Service for TGS mode");
  app.add_option("--threads", o.threads);
  app.add_option("--seconds", o.seconds);
  app.add_option("--rate", o.rate, "Open loop: total requests per second (0 = as fast as possible)");
  CLI11_PARSE(app, argc, argv);
  return kb::bench::run(o);
}
