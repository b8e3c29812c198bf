// net::send_to_kdc against our own KDC transport on loopback (a scripted handler stands in
// for the KDC) and against raw sockets that misbehave on purpose.
#include "net/kdc_client.h"

#include <arpa/inet.h>
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <atomic>
#include <thread>

#include "krb5/messages.h"
#include "net/kdc_transport.h"

namespace kb::net {
namespace {

// A KRB-ERROR with the given code, as a KDC would send it.
Bytes krb_error(std::int32_t code) {
  krb5::KrbError e;
  e.stime = krb5::KerberosTime::from_sys(SysTime(std::chrono::seconds(1700000000)));
  e.error_code = code;
  e.realm = "CONTOSO.TEST";
  e.sname = {2, {"krbtgt", "CONTOSO.TEST"}};
  return der::encode(e);
}

// Scripted KDC: counts requests per transport; can answer RESPONSE_TOO_BIG over UDP, stay
// silent, or send a large reply.
class ScriptedKdc : public KdcHandler {
 public:
  Bytes handle(ByteView req, const RequestContext& ctx) override {
    (ctx.udp ? udp_calls : tcp_calls)++;
    if (silent) return {};
    if (ctx.udp && too_big_over_udp) return krb_error(52);
    if (reply_size) return Bytes(reply_size, 0x6b);
    Bytes out = to_bytes(std::string_view(ctx.udp ? "udp:" : "tcp:"));
    append(out, req);
    return out;
  }
  Bytes field_too_long(const RequestContext&) override { return {}; }
  std::atomic<int> udp_calls{0};
  std::atomic<int> tcp_calls{0};
  bool silent = false;
  bool too_big_over_udp = false;
  std::size_t reply_size = 0;
};

class KdcClientTest : public ::testing::Test {
 protected:
  void start(std::vector<std::string> listen = {"127.0.0.1:0"}) {
    auto t = KdcTransport::start({.listen = std::move(listen), .threads = 1}, kdc_);
    ASSERT_TRUE(t) << t.error().to_string();
    transport_ = std::move(*t);
  }
  void TearDown() override {
    if (transport_) transport_->stop();
  }
  std::string addr(std::size_t i = 0) const {
    auto b = transport_->bound().at(i);
    bool v6 = b.host.find(':') != std::string::npos;
    return (v6 ? "[" + b.host + "]" : b.host) + ":" + std::to_string(b.port);
  }
  ScriptedKdc kdc_;
  std::unique_ptr<KdcTransport> transport_;
  KdcClientConfig fast_{.udp_timeout = std::chrono::milliseconds(200),
                        .udp_attempts = 3,
                        .tcp_timeout = std::chrono::milliseconds(2000)};
};

TEST_F(KdcClientTest, SmallRequestGoesOverUdp) {
  start();
  auto r = send_to_kdc(addr(), to_bytes(std::string_view("hello")), fast_);
  ASSERT_TRUE(r) << r.error().to_string();
  EXPECT_EQ(as_chars(r->bytes), "udp:hello");
  EXPECT_FALSE(r->tcp);
  EXPECT_EQ(r->peer, addr());
  EXPECT_EQ(kdc_.tcp_calls, 0);
}

TEST_F(KdcClientTest, ResponseTooBigSwitchesToTcp) {
  start();
  kdc_.too_big_over_udp = true;
  auto r = send_to_kdc(addr(), to_bytes(std::string_view("ask")), fast_);
  ASSERT_TRUE(r) << r.error().to_string();
  EXPECT_TRUE(r->tcp);
  EXPECT_EQ(as_chars(r->bytes), "tcp:ask");
  EXPECT_EQ(kdc_.udp_calls, 1);
  EXPECT_EQ(kdc_.tcp_calls, 1);
}

TEST_F(KdcClientTest, RequestOverUdpPreferenceLimitGoesStraightToTcp) {
  start();
  Bytes big(1466, 0x30);
  auto r = send_to_kdc(addr(), big, fast_);
  ASSERT_TRUE(r) << r.error().to_string();
  EXPECT_TRUE(r->tcp);
  EXPECT_EQ(kdc_.udp_calls, 0);
  Bytes at_limit(1465, 0x30);
  auto u = send_to_kdc(addr(), at_limit, fast_);
  ASSERT_TRUE(u);
  EXPECT_FALSE(u->tcp);
}

TEST_F(KdcClientTest, SilentKdcTimesOutAfterEachRetry) {
  start();
  kdc_.silent = true;
  KdcClientConfig cfg = fast_;
  cfg.udp_timeout = std::chrono::milliseconds(100);
  const auto t0 = std::chrono::steady_clock::now();
  auto r = send_to_kdc(addr(), to_bytes(std::string_view("x1")), cfg);
  const auto took = std::chrono::steady_clock::now() - t0;
  ASSERT_FALSE(r);
  EXPECT_TRUE(r.error().is(KdcClientErrc::kTimeout)) << r.error().to_string();
  EXPECT_EQ(kdc_.udp_calls, 3);
  EXPECT_GE(took, std::chrono::milliseconds(300));
}

TEST_F(KdcClientTest, Ipv6LoopbackAndHostNamesWork) {
  start({"[::1]:0", "127.0.0.1:0"});
  auto r6 = send_to_kdc(addr(0), to_bytes(std::string_view("six")), fast_);
  ASSERT_TRUE(r6) << r6.error().to_string();
  EXPECT_EQ(r6->peer, addr(0));
  // "localhost" resolves to 127.0.0.1 (and maybe ::1); port of the IPv4 listener.
  auto port = transport_->bound().at(1).port;
  auto rn =
      send_to_kdc("localhost:" + std::to_string(port), to_bytes(std::string_view("n")), fast_);
  ASSERT_TRUE(rn) << rn.error().to_string();
  EXPECT_EQ(as_chars(rn->bytes), "udp:n");
}

TEST_F(KdcClientTest, ClosedPortIsUnreachable) {
  start();
  auto port = transport_->bound().at(0).port;
  transport_->stop();
  auto r = send_to_kdc("127.0.0.1:" + std::to_string(port), to_bytes(std::string_view("a")), fast_);
  ASSERT_FALSE(r);
  EXPECT_TRUE(r.error().is(KdcClientErrc::kUnreachable)) << r.error().to_string();
  KdcClientConfig tcp_only = fast_;
  tcp_only.udp_preference_limit = 0;
  auto t =
      send_to_kdc("127.0.0.1:" + std::to_string(port), to_bytes(std::string_view("a")), tcp_only);
  ASSERT_FALSE(t);
  EXPECT_TRUE(t.error().is(KdcClientErrc::kUnreachable)) << t.error().to_string();
}

TEST_F(KdcClientTest, TcpReplyOverTheBoundIsTooLarge) {
  start();
  kdc_.reply_size = 5000;
  KdcClientConfig cfg = fast_;
  cfg.udp_preference_limit = 0;
  cfg.max_reply = 4999;
  auto r = send_to_kdc(addr(), to_bytes(std::string_view("q")), cfg);
  ASSERT_FALSE(r);
  EXPECT_TRUE(r.error().is(KdcClientErrc::kTooLarge)) << r.error().to_string();
  cfg.max_reply = 5000;
  auto ok = send_to_kdc(addr(), to_bytes(std::string_view("q")), cfg);
  ASSERT_TRUE(ok) << ok.error().to_string();
  EXPECT_EQ(ok->bytes.size(), 5000u);
}

TEST(KdcClient, UnresolvableNameAndBadAddresses) {
  auto r = send_to_kdc("no-such-host.invalid:88", to_bytes(std::string_view("a")));
  ASSERT_FALSE(r);
  EXPECT_TRUE(r.error().is(KdcClientErrc::kUnresolvable)) << r.error().to_string();
  for (const char* bad :
       {"", ":88", "host:", "host:0", "host:65536", "host:8x", "[::1", "[]:88", "[::1]x88"}) {
    auto a = parse_kdc_address(bad);
    EXPECT_FALSE(a) << bad;
    if (!a) {
      EXPECT_TRUE(a.error().is(KdcClientErrc::kBadAddress));
    }
  }
  auto d = parse_kdc_address("dc1.contoso.test");
  ASSERT_TRUE(d);
  EXPECT_EQ(d->port, 88);
  auto v6 = parse_kdc_address("[fe80::1]:750");
  ASSERT_TRUE(v6);
  EXPECT_EQ(v6->host, "fe80::1");
  EXPECT_EQ(v6->port, 750);
  auto bare6 = parse_kdc_address("::1");
  ASSERT_TRUE(bare6);
  EXPECT_EQ(bare6->host, "::1");
}

TEST(KdcClient, RecognizesOnlyResponseTooBig) {
  EXPECT_TRUE(is_response_too_big(krb_error(52)));
  EXPECT_FALSE(is_response_too_big(krb_error(25)));
  EXPECT_FALSE(is_response_too_big(to_bytes(std::string_view("\x7e\x03\x01\x02\x03"))));
  EXPECT_FALSE(is_response_too_big({}));
}

// A raw TCP listener that sends `reply` to the first connection, then closes.
class RawTcpServer {
 public:
  explicit RawTcpServer(Bytes reply) : reply_(std::move(reply)) {
    fd_ = ::socket(AF_INET, SOCK_STREAM, 0);
    sockaddr_in a{};
    a.sin_family = AF_INET;
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    ::bind(fd_, reinterpret_cast<sockaddr*>(&a), sizeof a);
    ::listen(fd_, 1);
    socklen_t len = sizeof a;
    ::getsockname(fd_, reinterpret_cast<sockaddr*>(&a), &len);
    port_ = ntohs(a.sin_port);
    thread_ = std::thread([this] {
      int c = ::accept(fd_, nullptr, nullptr);
      if (c < 0) return;
      std::uint8_t buf[256];
      (void)::recv(c, buf, sizeof buf, 0);
      (void)::send(c, reply_.data(), reply_.size(), MSG_NOSIGNAL);
      ::close(c);
    });
  }
  ~RawTcpServer() {
    ::shutdown(fd_, SHUT_RDWR);
    thread_.join();
    ::close(fd_);
  }
  std::string address() const { return "127.0.0.1:" + std::to_string(port_); }

 private:
  Bytes reply_;
  int fd_ = -1;
  std::uint16_t port_ = 0;
  std::thread thread_;
};

KdcClientConfig tcp_only() {
  KdcClientConfig c;
  c.udp_preference_limit = 0;
  c.tcp_timeout = std::chrono::milliseconds(2000);
  return c;
}

TEST(KdcClientFraming, ReservedBitIsBadFraming) {
  RawTcpServer s(Bytes{0x80, 0, 0, 4, 'a', 'b', 'c', 'd'});
  auto r = send_to_kdc(s.address(), to_bytes(std::string_view("req")), tcp_only());
  ASSERT_FALSE(r);
  EXPECT_TRUE(r.error().is(KdcClientErrc::kBadFraming)) << r.error().to_string();
}

TEST(KdcClientFraming, ShortBodyIsBadFraming) {
  RawTcpServer s(Bytes{0, 0, 0, 10, 'a', 'b'});
  auto r = send_to_kdc(s.address(), to_bytes(std::string_view("req")), tcp_only());
  ASSERT_FALSE(r);
  EXPECT_TRUE(r.error().is(KdcClientErrc::kBadFraming)) << r.error().to_string();
}

TEST(KdcClientFraming, ZeroLengthAndShortPrefixAreBadFraming) {
  {
    RawTcpServer s(Bytes{0, 0, 0, 0});
    auto r = send_to_kdc(s.address(), to_bytes(std::string_view("req")), tcp_only());
    ASSERT_FALSE(r);
    EXPECT_TRUE(r.error().is(KdcClientErrc::kBadFraming)) << r.error().to_string();
  }
  {
    RawTcpServer s(Bytes{0, 0});
    auto r = send_to_kdc(s.address(), to_bytes(std::string_view("req")), tcp_only());
    ASSERT_FALSE(r);
    EXPECT_TRUE(r.error().is(KdcClientErrc::kBadFraming)) << r.error().to_string();
  }
}

TEST(KdcClientFraming, WellFramedReplyIsReturned) {
  RawTcpServer s(Bytes{0, 0, 0, 3, 'a', 'b', 'c'});
  auto r = send_to_kdc(s.address(), to_bytes(std::string_view("req")), tcp_only());
  ASSERT_TRUE(r) << r.error().to_string();
  EXPECT_EQ(as_chars(r->bytes), "abc");
  EXPECT_TRUE(r->tcp);
}

}  // namespace
}  // namespace kb::net
