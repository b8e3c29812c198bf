// The HTTPS server and client end to end on loopback, with real `curl` as a second client.
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

#include <atomic>
#include <boost/json/object.hpp>
#include <fstream>
#include <mutex>
#include <stdexcept>
#include <thread>

#include "base/http_form.h"
#include "base/http_router.h"
#include "base/json.h"
#include "base/subprocess.h"
#include "https_test_support.h"
#include "net/https_client.h"
#include "net/https_server.h"
#include "net/tls_files.h"

namespace kb::net {
namespace {

using namespace std::chrono_literals;

SysTime now() {
  return std::chrono::time_point_cast<std::chrono::microseconds>(std::chrono::system_clock::now());
}

crypto::TlsIdentity make_identity(std::vector<std::string> dns = {"localhost"},
                                  std::vector<std::string> ips = {"127.0.0.1", "::1"}) {
  crypto::SelfSignedOptions o;
  o.dns_names = std::move(dns);
  o.ip_addresses = std::move(ips);
  auto id = crypto::generate_self_signed(o, now());
  EXPECT_TRUE(id) << id.error().to_string();
  return std::move(*id);
}

std::string code_of(const http::Response& r) {
  auto o = json::parse_object(r.body);
  if (!o) return "<not json>";
  return json::get_string(*o, "code").has_value() ? *json::get_string(*o, "code") : "<no code>";
}

class HttpsTest : public ::testing::Test {
 protected:
  void SetUp() override {
    router_.add("GET", "/hello", [](const http::Request&) {
      boost::json::object o;
      o["hello"] = "world";
      return http::json_response(200, o);
    });
    router_.add("GET", "/info", [](const http::Request& r) {
      boost::json::object o;
      o["remote"] = r.remote_address;
      o["tls"] = r.tls;
      o["query"] = r.query();
      return http::json_response(200, o);
    });
    router_.add("POST", "/echo", [](const http::Request& r) {
      http::Response out{200, {}, r.body};
      out.headers.set("Content-Type", "application/octet-stream");
      return out;
    });
    router_.add("POST", "/form", [](const http::Request& r) {
      auto f = http::parse_form(r.body);
      if (!f) return http::problem(400, "invalid_request", "The form does not parse");
      boost::json::object o;
      for (const auto& [k, v] : f->entries()) o[k] = v;
      return http::json_response(200, o);
    });
    router_.add("GET", "/big", [](const http::Request&) {
      return http::Response{200, {}, std::string(5000, 'x')};
    });
    router_.add("GET", "/throw", [](const http::Request&) -> http::Response {
      throw std::runtime_error("secret detail xyzzy");
    });
    router_.add("GET", "/badheader", [](const http::Request&) {
      http::Response r{200, {}, "x"};
      r.headers.add("X-Injected", "a\r\nSet-Cookie: evil=1");
      return r;
    });
    router_.add("GET", "/whoami", [](const http::Request& r) {
      auto t = http::bearer_token(r);
      if (!t) return http::problem(401, "unauthorized", "Bearer token required");
      return http::Response{200, {}, "token of " + std::to_string(t->size()) + " bytes"};
    });
    identity_ = make_identity();
    cert_file_ = dir_.path() / "cert.pem";
    key_file_ = dir_.path() / "key.pem";
    ASSERT_TRUE(save_tls_identity(identity_, cert_file_, key_file_));
  }

  void TearDown() override {
    if (server_) server_->stop();
  }

  HttpsServerConfig config() {
    HttpsServerConfig c;
    c.listen = {"127.0.0.1:0", "[::1]:0"};
    c.threads = 4;
    c.identity = {identity_.cert_pem, identity_.key_pem.clone()};
    c.log = [this](const AccessLog& l) {
      std::lock_guard lock(log_mu_);
      log_.push_back(format_access_log(l));
    };
    return c;
  }

  void start(HttpsServerConfig c) {
    auto s = HttpsServer::start(std::move(c), router_.as_handler());
    ASSERT_TRUE(s) << s.error().to_string();
    server_ = std::move(*s);
    port_ = server_->bound().at(0).port;
    port6_ = server_->bound().at(1).port;
  }
  void start() { start(config()); }

  std::string url(const std::string& path, const std::string& host = "127.0.0.1") {
    std::uint16_t p = host.find(':') != std::string::npos ? port6_ : port_;
    std::string h = host.find(':') != std::string::npos ? "[" + host + "]" : host;
    return "https://" + h + ":" + std::to_string(p) + path;
  }

  HttpsClient client(std::filesystem::path ca = {}) {
    auto c = HttpsClient::create(
        {.ca_file = ca.empty() ? cert_file_ : ca, .connect_timeout = 5s, .io_timeout = 10s});
    EXPECT_TRUE(c) << c.error().to_string();
    return std::move(*c);
  }

  std::vector<std::string> log_lines() {
    std::lock_guard lock(log_mu_);
    return log_;
  }

  http::Router router_;
  TempDir dir_{"kb-https"};
  crypto::TlsIdentity identity_;
  std::filesystem::path cert_file_, key_file_;
  std::unique_ptr<HttpsServer> server_;
  std::uint16_t port_ = 0, port6_ = 0;
  std::mutex log_mu_;
  std::vector<std::string> log_;
};

// --- happy paths ------------------------------------------------------------------------

TEST_F(HttpsTest, ClientGetsJsonOverIpv4Ipv6AndHostName) {
  start();
  auto c = client();
  for (auto u : {url("/hello"), url("/hello", "::1"),
                 "https://localhost:" + std::to_string(port_) + "/hello"}) {
    auto r = c.get(u);
    ASSERT_TRUE(r) << u << ": " << r.error().to_string();
    EXPECT_EQ(r->status, 200);
    EXPECT_EQ(r->body, "{\"hello\":\"world\"}");
    EXPECT_EQ(r->headers.get("content-type").value(), "application/json");
    EXPECT_EQ(r->headers.get("x-content-type-options").value(), "nosniff");
  }
}

TEST_F(HttpsTest, HandlerSeesPeerTlsAndQuery) {
  start();
  auto r = client().get(url("/info?a=1&b=2"));
  ASSERT_TRUE(r) << r.error().to_string();
  auto o = json::parse_object(r->body);
  ASSERT_TRUE(o);
  EXPECT_EQ(json::get_string(*o, "remote").value(), "127.0.0.1");
  EXPECT_EQ(json::get_bool(*o, "tls").value(), true);
  EXPECT_EQ(json::get_string(*o, "query").value(), "a=1&b=2");
}

TEST_F(HttpsTest, PostBodiesArriveIntact) {
  start();
  auto c = client();
  std::string blob(100000, '\0');
  for (std::size_t i = 0; i < blob.size(); ++i) blob[i] = static_cast<char>(i * 7);
  auto r = c.post(url("/echo"), blob, "application/octet-stream");
  ASSERT_TRUE(r) << r.error().to_string();
  EXPECT_EQ(r->body, blob);
  auto f = c.post(url("/form"), http::form_encode({{"grant_type", "srv_challenge"}, {"x", "a b"}}),
                  "application/x-www-form-urlencoded");
  ASSERT_TRUE(f);
  EXPECT_EQ(f->body, "{\"grant_type\":\"srv_challenge\",\"x\":\"a b\"}");
}

TEST_F(HttpsTest, BearerTokenReachesHandler) {
  start();
  http::Headers h;
  h.add("Authorization", "Bearer abc.def");
  auto r = client().get(url("/whoami"), h);
  ASSERT_TRUE(r);
  EXPECT_EQ(r->body, "token of 7 bytes");
  auto none = client().get(url("/whoami"));
  ASSERT_TRUE(none);
  EXPECT_EQ(none->status, 401);
}

TEST_F(HttpsTest, CurlWithPinnedCertificateSucceeds) {
  ASSERT_FALSE(find_program("curl").empty())
      << "curl is missing (scripts/install-deps.sh installs it)";
  start();
  auto get = run_program({"curl", "--silent", "--show-error", "--fail-with-body", "--cacert",
                          cert_file_.string(), url("/hello")},
                         {}, "", 30);
  EXPECT_EQ(get.exit_code, 0) << get.out;
  EXPECT_EQ(get.out, "{\"hello\":\"world\"}");
  auto v6 = run_program(
      {"curl", "--silent", "--show-error", "--cacert", cert_file_.string(), url("/hello", "::1")},
      {}, "", 30);
  EXPECT_EQ(v6.exit_code, 0) << v6.out;
  auto post = run_program({"curl", "--silent", "--show-error", "--cacert", cert_file_.string(),
                           "--data-urlencode", "request=a b&c", url("/form")},
                          {}, "", 30);
  EXPECT_EQ(post.exit_code, 0) << post.out;
  EXPECT_EQ(post.out, "{\"request\":\"a b&c\"}");
  auto tls12 = run_program({"curl", "--silent", "--show-error", "--tlsv1.2", "--tls-max", "1.2",
                            "--cacert", cert_file_.string(), url("/hello")},
                           {}, "", 30);
  EXPECT_EQ(tls12.exit_code, 0) << tls12.out;
}

TEST_F(HttpsTest, CurlRefusesWithoutThePinAndServerRefusesOldTls) {
  ASSERT_FALSE(find_program("curl").empty())
      << "curl is missing (scripts/install-deps.sh installs it)";
  start();
  auto unpinned = run_program({"curl", "--silent", url("/hello")}, {}, "", 30);
  EXPECT_EQ(unpinned.exit_code, 60) << unpinned.out;  // CURLE_PEER_FAILED_VERIFICATION
  auto tls11 = run_program(
      {"curl", "--silent", "--insecure", "--tlsv1.1", "--tls-max", "1.1", url("/hello")}, {}, "",
      30);
  EXPECT_NE(tls11.exit_code, 0) << tls11.out;
}

TEST_F(HttpsTest, KeepAliveServesPipelinedRequestsOnOneConnection) {
  start();
  std::string two =
      "GET /hello HTTP/1.1\r\nHost: x\r\n\r\nGET /info HTTP/1.1\r\nHost: x\r\nConnection: "
      "close\r\n\r\n";
  auto r = testing::raw_tls_exchange("127.0.0.1", port_, two, 5s);
  ASSERT_TRUE(r.handshake_ok);
  EXPECT_TRUE(r.closed_by_peer);
  EXPECT_EQ(r.received.find("HTTP/1.1 200"), 0u) << r.received;
  EXPECT_NE(r.received.find("HTTP/1.1 200", 10), std::string::npos) << r.received;
  EXPECT_NE(r.received.find("\"tls\":true"), std::string::npos);
}

// --- refusals ---------------------------------------------------------------------------

TEST_F(HttpsTest, ClientRefusesAServerItDoesNotPin) {
  start();
  auto other = make_identity();
  auto other_file = dir_.path() / "other.pem";
  ASSERT_TRUE(save_tls_identity(other, other_file, dir_.path() / "other.key"));
  auto r = client(other_file).get(url("/hello"));
  ASSERT_FALSE(r);
  EXPECT_TRUE(r.error().is(Errc::kCertificateVerification)) << r.error().to_string();
}

TEST_F(HttpsTest, ClientRefusesACertificateForAnotherName) {
  identity_ = make_identity({"cloud.other.test"}, {"192.0.2.1"});
  ASSERT_TRUE(save_tls_identity(identity_, cert_file_, key_file_));
  start();
  auto r = client().get(url("/hello"));
  ASSERT_FALSE(r);
  EXPECT_TRUE(r.error().is(Errc::kCertificateVerification)) << r.error().to_string();
  auto by_name = client().get("https://localhost:" + std::to_string(port_) + "/hello");
  ASSERT_FALSE(by_name);
  EXPECT_TRUE(by_name.error().is(Errc::kCertificateVerification));
}

TEST_F(HttpsTest, ClientReportsRefusedTimeoutAndTooLarge) {
  start();
  // A port nobody listens on.
  std::uint16_t dead = 0;
  {
    int fd = ::socket(AF_INET, SOCK_STREAM, 0);
    sockaddr_in a{};
    a.sin_family = AF_INET;
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    ASSERT_EQ(::bind(fd, reinterpret_cast<sockaddr*>(&a), sizeof a), 0);
    socklen_t len = sizeof a;
    ::getsockname(fd, reinterpret_cast<sockaddr*>(&a), &len);
    dead = ntohs(a.sin_port);
    ::close(fd);
  }
  auto refused = client().get("https://127.0.0.1:" + std::to_string(dead) + "/");
  ASSERT_FALSE(refused);
  EXPECT_TRUE(refused.error().is(Errc::kConnectionRefused)) << refused.error().to_string();

  // A listener that never accepts: the kernel completes TCP, nobody answers the hello.
  int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in a{};
  a.sin_family = AF_INET;
  a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  ASSERT_EQ(::bind(fd, reinterpret_cast<sockaddr*>(&a), sizeof a), 0);
  ASSERT_EQ(::listen(fd, 4), 0);
  socklen_t len = sizeof a;
  ::getsockname(fd, reinterpret_cast<sockaddr*>(&a), &len);
  auto quick = HttpsClient::create({.ca_file = cert_file_, .io_timeout = 300ms});
  ASSERT_TRUE(quick);
  auto t0 = std::chrono::steady_clock::now();
  auto silent = quick->get("https://127.0.0.1:" + std::to_string(ntohs(a.sin_port)) + "/");
  auto took = std::chrono::steady_clock::now() - t0;
  ::close(fd);
  ASSERT_FALSE(silent);
  EXPECT_TRUE(silent.error().is(Errc::kTimeout)) << silent.error().to_string();
  EXPECT_LT(took, 3s);

  auto small = HttpsClient::create({.ca_file = cert_file_, .max_response_bytes = 1000});
  ASSERT_TRUE(small);
  auto big = small->get(url("/big"));
  ASSERT_FALSE(big);
  EXPECT_TRUE(big.error().is(Errc::kTooLarge)) << big.error().to_string();
  EXPECT_TRUE(small->get(url("/hello")));
}

TEST_F(HttpsTest, ClientRefusesBadUrlsAndHeaders) {
  auto c = client();
  for (auto u :
       {"http://127.0.0.1/", "https://", "https://a b/", "https://h:0/", "https://h:99999/",
        "https://u@h/", "https://h/#frag", "https://[::1/", "https://[zz]/", "ftp://h/"}) {
    auto r = c.get(u);
    ASSERT_FALSE(r) << u;
    EXPECT_TRUE(r.error().is(Errc::kBadUrl)) << u;
  }
  auto ok_url = parse_https_url("HTTPS://Example.test?x=1");
  ASSERT_TRUE(ok_url);
  EXPECT_EQ(ok_url->host, "Example.test");
  EXPECT_EQ(ok_url->port, 443);
  EXPECT_EQ(ok_url->target, "/?x=1");
  auto v6 = parse_https_url("https://[::1]:8443/a");
  ASSERT_TRUE(v6);
  EXPECT_TRUE(v6->host_is_ip);
  EXPECT_EQ(v6->host, "::1");
  EXPECT_EQ(v6->port, 8443);
  start();
  http::Headers h;
  h.add("X-Evil", "a\r\nInjected: 1");
  auto r = c.get(url("/hello"), h);
  ASSERT_FALSE(r);
  EXPECT_TRUE(r.error().is(Errc::kProtocol));
}

TEST_F(HttpsTest, OversizedBodyIs413AndServerKeepsServing) {
  start();
  auto c = client();
  std::string big(1024 * 1024 + 512 * 1024, 'a');
  auto r = c.post(url("/echo"), big, "application/octet-stream");
  ASSERT_TRUE(r) << r.error().to_string();
  EXPECT_EQ(r->status, 413);
  EXPECT_EQ(code_of(*r), "body_too_large");
  EXPECT_EQ(r->headers.get("content-type").value(), "application/problem+json");
  // Exactly at the limit is fine.
  auto at_limit = c.post(url("/echo"), std::string(1024 * 1024, 'b'), "application/octet-stream");
  ASSERT_TRUE(at_limit) << at_limit.error().to_string();
  EXPECT_EQ(at_limit->status, 200);
  EXPECT_EQ(at_limit->body.size(), 1024u * 1024u);
}

TEST_F(HttpsTest, OversizedHeadersAre431) {
  start();
  http::Headers h;
  h.add("X-Big", std::string(20000, 'h'));
  auto r = client().get(url("/hello"), h);
  ASSERT_TRUE(r) << r.error().to_string();
  EXPECT_EQ(r->status, 431);
  EXPECT_EQ(code_of(*r), "headers_too_large");
}

TEST_F(HttpsTest, GarbageGets400AndServerKeepsServing) {
  start();
  auto r = testing::raw_tls_exchange("127.0.0.1", port_, "GARBAGE \x01\x02 NOT HTTP\r\n\r\n", 5s);
  ASSERT_TRUE(r.handshake_ok);
  EXPECT_EQ(r.received.find("HTTP/1.1 400"), 0u) << r.received;
  EXPECT_NE(r.received.find("\"code\":\"malformed_request\""), std::string::npos) << r.received;
  EXPECT_NE(r.received.find("Connection: close"), std::string::npos) << r.received;
  EXPECT_TRUE(r.closed_by_peer);
  auto smuggle = testing::raw_tls_exchange(
      "127.0.0.1", port_,
      "POST /echo HTTP/1.1\r\nHost: x\r\nContent-Length: 4\r\nTransfer-Encoding: chunked\r\n\r\n"
      "0\r\n\r\n",
      5s);
  EXPECT_EQ(smuggle.received.find("HTTP/1.1 400"), 0u) << smuggle.received;
  auto ok = client().get(url("/hello"));
  ASSERT_TRUE(ok);
  EXPECT_EQ(ok->status, 200);
}

TEST_F(HttpsTest, HandlerExceptionIs500WithoutDetail) {
  start();
  auto r = client().get(url("/throw"));
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 500);
  EXPECT_EQ(code_of(*r), "internal");
  EXPECT_EQ(r->body.find("xyzzy"), std::string::npos);
  auto bad = client().get(url("/badheader"));
  ASSERT_TRUE(bad);
  EXPECT_EQ(bad->status, 500);
  EXPECT_FALSE(bad->headers.contains("Set-Cookie"));
  EXPECT_FALSE(bad->headers.contains("X-Injected"));
  auto lines = log_lines();
  bool logged = false;
  for (const auto& l : lines) {
    if (l.find("/throw status=500") != std::string::npos && l.find("xyzzy") != std::string::npos) {
      logged = true;
    }
  }
  EXPECT_TRUE(logged);
  EXPECT_EQ(client().get(url("/hello"))->status, 200);
}

TEST_F(HttpsTest, RouterProblemsReachTheClient) {
  start();
  auto nf = client().get(url("/nope"));
  ASSERT_TRUE(nf);
  EXPECT_EQ(nf->status, 404);
  EXPECT_EQ(code_of(*nf), "not_found");
  auto na = client().post(url("/hello"), "", "text/plain");
  ASSERT_TRUE(na);
  EXPECT_EQ(na->status, 405);
  EXPECT_EQ(na->headers.get("allow").value(), "GET");
}

TEST_F(HttpsTest, AccessLogHasOneLinePerRequestWithoutQueryOrSecrets) {
  start();
  http::Headers h;
  h.add("Authorization", "Bearer supersecrettoken");
  ASSERT_TRUE(client().get(url("/info?code=hunter2"), h));
  ASSERT_TRUE(client().post(url("/echo"), "bodysecret", "text/plain"));
  // The line is written when the response has been sent; give the server a moment.
  for (int i = 0; i < 100 && log_lines().size() < 2; ++i) std::this_thread::sleep_for(10ms);
  auto lines = log_lines();
  ASSERT_EQ(lines.size(), 2u);
  EXPECT_EQ(lines[0].rfind("http GET /info status=200 us=", 0), 0u) << lines[0];
  EXPECT_NE(lines[0].find("peer=127.0.0.1"), std::string::npos);
  EXPECT_EQ(lines[1].rfind("http POST /echo status=200", 0), 0u) << lines[1];
  for (const auto& l : lines) {
    EXPECT_EQ(l.find("hunter2"), std::string::npos);
    EXPECT_EQ(l.find("supersecret"), std::string::npos);
    EXPECT_EQ(l.find("bodysecret"), std::string::npos);
  }
}

// --- slow and many clients --------------------------------------------------------------

TEST_F(HttpsTest, SlowClientIsCutOffAndOthersAreServed) {
  auto c = config();
  c.request_timeout = 500ms;
  c.handshake_timeout = 500ms;
  start(std::move(c));
  std::atomic<bool> served{false};
  std::thread other([&] {
    std::this_thread::sleep_for(100ms);
    auto r = client().get(url("/hello"));
    served = r && r->status == 200;
  });
  // Half a request, then silence (slowloris).
  auto r = testing::raw_tls_exchange("127.0.0.1", port_, "GET /hello HTTP/1.1\r\nHost: x\r\n", 5s);
  other.join();
  ASSERT_TRUE(r.handshake_ok);
  EXPECT_TRUE(r.closed_by_peer);
  EXPECT_LT(r.elapsed, 3s);
  EXPECT_GE(r.elapsed, 400ms);
  EXPECT_TRUE(served.load());
  // A TCP connection that never says hello is closed at the handshake deadline.
  EXPECT_TRUE(testing::plain_tcp_is_closed_within("127.0.0.1", port_, 3s));
  // And an idle keep-alive connection after a full request is closed too.
  auto idle =
      testing::raw_tls_exchange("127.0.0.1", port_, "GET /hello HTTP/1.1\r\nHost: x\r\n\r\n", 5s);
  EXPECT_EQ(idle.received.find("HTTP/1.1 200"), 0u);
  EXPECT_TRUE(idle.closed_by_peer);
  EXPECT_LT(idle.elapsed, 3s);
  bool logged_408 = false;
  for (const auto& l : log_lines()) logged_408 |= l.find("status=408") != std::string::npos;
  EXPECT_TRUE(logged_408);
}

TEST_F(HttpsTest, ConnectionsOverTheLimitAreClosed) {
  auto c = config();
  c.max_connections = 2;
  start(std::move(c));
  auto quick = HttpsClient::create({.ca_file = cert_file_, .io_timeout = 2s});
  ASSERT_TRUE(quick);
  {
    // Two raw TCP connections hold both slots.
    int a = ::socket(AF_INET, SOCK_STREAM, 0);
    int b = ::socket(AF_INET, SOCK_STREAM, 0);
    sockaddr_in sa{};
    sa.sin_family = AF_INET;
    sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    sa.sin_port = htons(port_);
    ASSERT_EQ(::connect(a, reinterpret_cast<sockaddr*>(&sa), sizeof sa), 0);
    ASSERT_EQ(::connect(b, reinterpret_cast<sockaddr*>(&sa), sizeof sa), 0);
    std::this_thread::sleep_for(200ms);
    auto refused = quick->get(url("/hello"));
    EXPECT_FALSE(refused);
    ::close(a);
    ::close(b);
  }
  bool ok = false;
  for (int i = 0; i < 50 && !ok; ++i) {
    auto r = quick->get(url("/hello"));
    ok = r && r->status == 200;
    if (!ok) std::this_thread::sleep_for(50ms);
  }
  EXPECT_TRUE(ok);
}

TEST_F(HttpsTest, ConcurrentClientsAreAllAnswered) {
  start();
  auto c = client();
  constexpr int kThreads = 8;
  constexpr int kPerThread = 25;
  std::atomic<int> ok{0};
  auto t0 = std::chrono::steady_clock::now();
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&, t] {
      for (int i = 0; i < kPerThread; ++i) {
        auto r = (i + t) % 2 == 0 ? c.get(url("/hello"))
                                  : c.post(url("/echo"), "n" + std::to_string(i), "text/plain");
        if (r && r->status == 200) ++ok;
      }
    });
  }
  for (auto& th : threads) th.join();
  auto secs = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  EXPECT_EQ(ok.load(), kThreads * kPerThread);
  // Not an assertion on speed (bench/ is for that); recorded for the report.
  std::printf(
      "concurrency: %d requests (new TLS connection each) from %d threads in %.3f s = "
      "%.0f requests/s\n",
      kThreads * kPerThread, kThreads, secs, kThreads * kPerThread / secs);
}

// --- lifecycle --------------------------------------------------------------------------

TEST_F(HttpsTest, StopJoinsThreadsAndRefusesLaterConnections) {
  std::size_t before = testing::thread_count();
  start();
  EXPECT_EQ(testing::thread_count(), before + 4);
  // A connection in the middle of a request when stop() comes.
  std::thread half(
      [&] { testing::raw_tls_exchange("127.0.0.1", port_, "GET /hello HTTP/1.1\r\n", 2s); });
  std::this_thread::sleep_for(200ms);
  ASSERT_TRUE(client().get(url("/hello")));
  server_->stop();
  server_->stop();  // idempotent
  half.join();
  EXPECT_EQ(testing::thread_count(), before);
  auto r = client().get(url("/hello"));
  ASSERT_FALSE(r);
  EXPECT_TRUE(r.error().is(Errc::kConnectionRefused)) << r.error().to_string();
}

TEST_F(HttpsTest, StartFailsCleanlyOnBadConfig) {
  std::size_t before = testing::thread_count();
  auto other = make_identity();
  auto mismatched = config();
  mismatched.identity.key_pem = other.key_pem.clone();
  auto r = HttpsServer::start(std::move(mismatched), router_.as_handler());
  ASSERT_FALSE(r);
  EXPECT_TRUE(r.error().is(crypto::Errc::kKeyMismatch)) << r.error().to_string();

  for (auto bad : {"127.0.0.1", "nohost:80", "[::1:80", "127.0.0.1:65536", "127.0.0.1:x"}) {
    auto c = config();
    c.listen = {bad};
    auto s = HttpsServer::start(std::move(c), router_.as_handler());
    ASSERT_FALSE(s) << bad;
    EXPECT_TRUE(s.error().is(Errc::kBadAddress)) << bad << ": " << s.error().to_string();
  }
  start();
  auto dup = config();
  dup.listen = {"127.0.0.1:" + std::to_string(port_)};
  auto taken = HttpsServer::start(std::move(dup), router_.as_handler());
  ASSERT_FALSE(taken);
  EXPECT_TRUE(taken.error().is(Errc::kBind)) << taken.error().to_string();
  server_->stop();
  EXPECT_EQ(testing::thread_count(), before);
}

TEST_F(HttpsTest, IdentityFilesRoundTripWithPrivateKeyMode) {
  struct stat st {};
  ASSERT_EQ(::stat(key_file_.c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 0777, 0600u);
  ASSERT_EQ(::stat(cert_file_.c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 0777, 0644u);
  auto loaded = load_tls_identity(cert_file_, key_file_);
  ASSERT_TRUE(loaded) << loaded.error().to_string();
  EXPECT_EQ(loaded->cert_pem, identity_.cert_pem);
  EXPECT_TRUE(loaded->key_pem == identity_.key_pem);
  auto other = make_identity();
  auto other_key = dir_.path() / "other.key";
  ASSERT_TRUE(save_tls_identity(other, dir_.path() / "other.pem", other_key));
  auto mixed = load_tls_identity(cert_file_, other_key);
  ASSERT_FALSE(mixed);
  EXPECT_TRUE(mixed.error().is(crypto::Errc::kKeyMismatch));
  EXPECT_FALSE(load_tls_identity(dir_.path() / "missing.pem", key_file_));
}

}  // namespace
}  // namespace kb::net
