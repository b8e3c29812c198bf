#include <arpa/inet.h>
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <atomic>
#include <cstring>
#include <mutex>
#include <thread>

#include "net/kdc_transport.h"

namespace kb::net {
namespace {

// Replies "echo:" + request; an empty request gets no reply; FIELD_TOOLONG is "toolong".
class EchoHandler : public KdcHandler {
 public:
  Bytes handle(ByteView req, const RequestContext& ctx) override {
    ++calls;
    last_udp = ctx.udp;
    {
      std::lock_guard lock(mu);
      last_peer = ctx.peer;
    }
    if (req.size() == 1 && req[0] == 'X') return {};  // "drop"
    Bytes out = to_bytes(std::string_view("echo:"));
    append(out, req);
    return out;
  }
  Bytes field_too_long(const RequestContext&) override {
    return to_bytes(std::string_view("toolong"));
  }
  std::string peer() {
    std::lock_guard lock(mu);
    return last_peer;
  }
  std::atomic<int> calls{0};
  std::atomic<bool> last_udp{false};
  std::mutex mu;
  std::string last_peer;
};

struct Fd {
  explicit Fd(int f) : fd(f) {}
  ~Fd() {
    if (fd >= 0) ::close(fd);
  }
  int fd;
};

sockaddr_storage addr_of(const std::string& host, std::uint16_t port, socklen_t& len) {
  sockaddr_storage ss{};
  if (host.find(':') != std::string::npos) {
    auto* a = reinterpret_cast<sockaddr_in6*>(&ss);
    a->sin6_family = AF_INET6;
    a->sin6_port = htons(port);
    ::inet_pton(AF_INET6, host.c_str(), &a->sin6_addr);
    len = sizeof(sockaddr_in6);
  } else {
    auto* a = reinterpret_cast<sockaddr_in*>(&ss);
    a->sin_family = AF_INET;
    a->sin_port = htons(port);
    ::inet_pton(AF_INET, host.c_str(), &a->sin_addr);
    len = sizeof(sockaddr_in);
  }
  return ss;
}

// Reads with a timeout; returns "" on timeout or EOF.
std::string recv_some(int fd, int timeout_ms = 3000) {
  pollfd p{fd, POLLIN, 0};
  if (::poll(&p, 1, timeout_ms) <= 0) return "";
  char buf[70000];
  ssize_t n = ::recv(fd, buf, sizeof buf, 0);
  return n > 0 ? std::string(buf, static_cast<std::size_t>(n)) : "";
}

std::string udp_exchange(const BoundAddress& b, const std::string& msg) {
  socklen_t len = 0;
  auto ss = addr_of(b.host, b.port, len);
  Fd s(::socket(ss.ss_family, SOCK_DGRAM, 0));
  ::sendto(s.fd, msg.data(), msg.size(), 0, reinterpret_cast<sockaddr*>(&ss), len);
  return recv_some(s.fd, 1000);
}

int tcp_connect(const BoundAddress& b) {
  socklen_t len = 0;
  auto ss = addr_of(b.host, b.port, len);
  int fd = ::socket(ss.ss_family, SOCK_STREAM, 0);
  EXPECT_EQ(::connect(fd, reinterpret_cast<sockaddr*>(&ss), len), 0);
  return fd;
}

std::string frame(const std::string& body, std::uint32_t len_override = 0xffffffff) {
  std::uint32_t n =
      len_override != 0xffffffff ? len_override : static_cast<std::uint32_t>(body.size());
  std::string out = {static_cast<char>(n >> 24), static_cast<char>(n >> 16),
                     static_cast<char>(n >> 8), static_cast<char>(n)};
  return out + body;
}

// Reads length-prefixed frames, keeping bytes of the next frame that arrive early.
class FrameReader {
 public:
  explicit FrameReader(int fd) : fd_(fd) {}
  std::string next() {
    if (!fill(4)) return "";
    std::uint32_t n = (std::uint32_t{static_cast<std::uint8_t>(buf_[0])} << 24) |
                      (std::uint32_t{static_cast<std::uint8_t>(buf_[1])} << 16) |
                      (std::uint32_t{static_cast<std::uint8_t>(buf_[2])} << 8) |
                      std::uint32_t{static_cast<std::uint8_t>(buf_[3])};
    if (!fill(4 + std::size_t{n})) return "";
    std::string out = buf_.substr(4, n);
    buf_.erase(0, 4 + std::size_t{n});
    return out;
  }

 private:
  bool fill(std::size_t want) {
    while (buf_.size() < want) {
      std::string part = recv_some(fd_);
      if (part.empty()) return false;
      buf_ += part;
    }
    return true;
  }
  int fd_;
  std::string buf_;
};

std::string read_frame(int fd) {
  return FrameReader(fd).next();
}

class Transport : public ::testing::Test {
 protected:
  void start(TransportConfig cfg) {
    auto t = KdcTransport::start(cfg, handler_);
    ASSERT_TRUE(t) << t.error().to_string();
    transport_ = std::move(*t);
  }
  EchoHandler handler_;
  std::unique_ptr<KdcTransport> transport_;
};

TEST_F(Transport, UdpRequestGetsReplyAndEmptyReplyIsDropped) {
  start({.listen = {"127.0.0.1:0"}, .threads = 2});
  auto b = transport_->bound().at(0);
  EXPECT_NE(b.port, 0);
  EXPECT_EQ(udp_exchange(b, "hello"), "echo:hello");
  EXPECT_TRUE(handler_.last_udp.load());
  EXPECT_EQ(udp_exchange(b, "X"), "");
  EXPECT_EQ(udp_exchange(b, "again"), "echo:again");
}

TEST_F(Transport, TcpFramesSeveralRequestsOnOneConnection) {
  start({.listen = {"127.0.0.1:0"}, .threads = 2});
  auto b = transport_->bound().at(0);
  Fd s(tcp_connect(b));
  std::string two = frame("one") + frame("two");
  ASSERT_EQ(::send(s.fd, two.data(), two.size(), 0), static_cast<ssize_t>(two.size()));
  FrameReader r(s.fd);
  EXPECT_EQ(r.next(), "echo:one");
  EXPECT_EQ(r.next(), "echo:two");
  EXPECT_FALSE(handler_.last_udp.load());
}

TEST_F(Transport, TcpReservedTopBitGetsFieldTooLongAndClose) {
  start({.listen = {"127.0.0.1:0"}, .threads = 1});
  Fd s(tcp_connect(transport_->bound().at(0)));
  std::string req = frame("", 0x80000010u);
  ::send(s.fd, req.data(), req.size(), 0);
  EXPECT_EQ(read_frame(s.fd), "toolong");
  EXPECT_EQ(recv_some(s.fd), "");  // closed
  EXPECT_EQ(handler_.calls.load(), 0);
}

TEST_F(Transport, TcpOversizedLengthIsRefusedWithoutAllocating) {
  start({.listen = {"127.0.0.1:0"}, .threads = 1, .max_tcp_request = 1024});
  Fd s(tcp_connect(transport_->bound().at(0)));
  std::string req = frame("", 0x7fffffffu);
  ::send(s.fd, req.data(), req.size(), 0);
  EXPECT_EQ(read_frame(s.fd), "toolong");
}

TEST_F(Transport, IdleTcpConnectionIsClosed) {
  start({.listen = {"127.0.0.1:0"},
         .threads = 1,
         .tcp_idle_timeout = std::chrono::milliseconds(200)});
  Fd s(tcp_connect(transport_->bound().at(0)));
  std::string partial = "\x00\x00";  // half a length prefix, then silence
  ::send(s.fd, partial.data(), partial.size(), 0);
  pollfd p{s.fd, POLLIN, 0};
  ASSERT_EQ(::poll(&p, 1, 3000), 1);
  char c;
  EXPECT_EQ(::recv(s.fd, &c, 1, 0), 0);  // orderly close, not a hang
}

// The peer in the request context (it goes into the log line) is the datagram's source,
// from one datagram to the next on the same thread.
TEST_F(Transport, UdpPeerIsTheSourceOfEachDatagram) {
  start({.listen = {"127.0.0.1:0", "[::1]:0"}, .threads = 1});
  for (int round = 0; round < 2; ++round) {
    for (const auto& b : transport_->bound()) {
      socklen_t len = 0;
      auto ss = addr_of(b.host, b.port, len);
      Fd s(::socket(ss.ss_family, SOCK_DGRAM, 0));
      ::sendto(s.fd, "p", 1, 0, reinterpret_cast<sockaddr*>(&ss), len);
      ASSERT_EQ(recv_some(s.fd, 3000), "echo:p");
      sockaddr_storage local{};
      socklen_t local_len = sizeof local;
      ASSERT_EQ(::getsockname(s.fd, reinterpret_cast<sockaddr*>(&local), &local_len), 0);
      const std::uint16_t port =
          ntohs(local.ss_family == AF_INET6 ? reinterpret_cast<sockaddr_in6&>(local).sin6_port
                                            : reinterpret_cast<sockaddr_in&>(local).sin_port);
      const std::string host = b.host == "::1" ? "[::1]" : b.host;
      EXPECT_EQ(handler_.peer(), host + ":" + std::to_string(port));
    }
  }
}

TEST_F(Transport, Ipv6LoopbackWorks) {
  start({.listen = {"[::1]:0"}, .threads = 1});
  auto b = transport_->bound().at(0);
  EXPECT_EQ(b.host, "::1");
  EXPECT_EQ(udp_exchange(b, "six"), "echo:six");
  Fd s(tcp_connect(b));
  std::string req = frame("tcp6");
  ::send(s.fd, req.data(), req.size(), 0);
  EXPECT_EQ(read_frame(s.fd), "echo:tcp6");
}

TEST_F(Transport, ManyConcurrentClientsAllGetTheirOwnReply) {
  start({.listen = {"127.0.0.1:0"}, .threads = 2});
  auto b = transport_->bound().at(0);
  std::atomic<int> good{0};
  std::vector<std::thread> clients;
  for (int i = 0; i < 8; ++i) {
    clients.emplace_back([&, i] {
      for (int j = 0; j < 25; ++j) {
        std::string msg = std::to_string(i) + "/" + std::to_string(j);
        Fd s(tcp_connect(b));
        std::string req = frame(msg);
        ::send(s.fd, req.data(), req.size(), 0);
        if (read_frame(s.fd) == "echo:" + msg) ++good;
      }
    });
  }
  for (auto& c : clients) c.join();
  EXPECT_EQ(good.load(), 200);
}

TEST_F(Transport, BadAddressesAreRefused) {
  for (const char* bad : {"127.0.0.1", "localhost:88", "[::1]88", "1.2.3.4:99999", "[::1:88"}) {
    auto t = KdcTransport::start({.listen = {bad}}, handler_);
    ASSERT_FALSE(t) << bad;
    EXPECT_TRUE(t.error().is(Errc::kBadAddress)) << bad << " " << t.error().to_string();
  }
}

TEST_F(Transport, StopIsIdempotentAndReleasesThePort) {
  start({.listen = {"127.0.0.1:0"}, .threads = 2});
  auto b = transport_->bound().at(0);
  transport_->stop();
  transport_->stop();
  transport_.reset();
  auto again = KdcTransport::start({.listen = {"127.0.0.1:" + std::to_string(b.port)}}, handler_);
  ASSERT_TRUE(again) << again.error().to_string();
}

}  // namespace
}  // namespace kb::net
