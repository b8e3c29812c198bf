#include "net/kdc_transport.h"

#include <arpa/inet.h>

#include <atomic>
#include <boost/asio.hpp>
#include <cstdio>
#include <thread>

namespace kb::net {

namespace {

namespace asio = boost::asio;
using asio::ip::tcp;
using asio::ip::udp;

constexpr std::size_t kMaxDatagram = 65535;

Result<asio::ip::address> parse_host(std::string_view s, std::uint16_t& port) {
  std::string host;
  std::string port_str;
  if (!s.empty() && s.front() == '[') {
    auto close = s.find(']');
    if (close == std::string_view::npos || close + 1 >= s.size() || s[close + 1] != ':') {
      return Error(Errc::kBadAddress, "expected [v6]:port in '" + std::string(s) + "'");
    }
    host = std::string(s.substr(1, close - 1));
    port_str = std::string(s.substr(close + 2));
  } else {
    auto colon = s.rfind(':');
    if (colon == std::string_view::npos) {
      return Error(Errc::kBadAddress, "expected host:port in '" + std::string(s) + "'");
    }
    host = std::string(s.substr(0, colon));
    port_str = std::string(s.substr(colon + 1));
  }
  if (port_str.empty() || port_str.size() > 5 ||
      port_str.find_first_not_of("0123456789") != std::string::npos ||
      std::stoul(port_str) > 65535) {
    return Error(Errc::kBadAddress, "bad port in '" + std::string(s) + "'");
  }
  port = static_cast<std::uint16_t>(std::stoul(port_str));
  boost::system::error_code ec;
  auto addr = asio::ip::make_address(host, ec);
  if (ec) return Error(Errc::kBadAddress, "bad address '" + host + "'");
  return addr;
}

std::string peer_string(const asio::ip::address& a, std::uint16_t port) {
  return a.is_v6() ? "[" + a.to_string() + "]:" + std::to_string(port)
                   : a.to_string() + ":" + std::to_string(port);
}

struct Shared {
  KdcHandler* handler = nullptr;
  TransportConfig cfg;
  std::atomic<std::size_t> tcp_connections{0};
};

// One UDP socket, non-blocking: when it becomes readable, datagrams are received and
// answered in a loop until none is left (or kUdpBurst were answered, then the loop yields
// to the io_context so TCP on the same thread gets its turn), then it waits again. Under
// load this is one recvfrom and one sendto per request, without a reactor round trip or
// a handler dispatch for each.
class UdpLoop : public std::enable_shared_from_this<UdpLoop> {
 public:
  UdpLoop(udp::socket s, Shared& shared) : socket_(std::move(s)), shared_(shared) {}
  void start() {
    boost::system::error_code ec;
    socket_.non_blocking(true, ec);
    wait();
  }

 private:
  static constexpr int kUdpBurst = 64;

  void wait() {
    socket_.async_wait(udp::socket::wait_read, [self = shared_from_this()](auto ec) {
      if (ec == asio::error::operation_aborted) return;
      self->drain();
    });
  }
  void drain() {
    for (int i = 0; i < kUdpBurst; ++i) {
      boost::system::error_code ec;
      const std::size_t n = socket_.receive_from(asio::buffer(buf_), from_, 0, ec);
      if (ec == asio::error::would_block || ec == asio::error::try_again) return wait();
      if (ec == asio::error::operation_aborted || ec == asio::error::bad_descriptor) return;
      if (ec) continue;  // e.g. ICMP port unreachable reported for an earlier reply
      answer(n);
    }
    asio::post(socket_.get_executor(), [self = shared_from_this()] { self->drain(); });
  }
  void answer(std::size_t n) {
    set_peer(ctx_.peer, from_);
    const Bytes reply = shared_.handler->handle(ByteView(buf_.data(), n), ctx_);
    if (reply.empty()) return;
    // Non-blocking: with the send buffer full the reply is dropped, as a lost datagram
    // would be; the client retransmits (RFC 4120 §7.2.1).
    boost::system::error_code ec;
    socket_.send_to(asio::buffer(reply), from_, 0, ec);
  }

  // peer_string's format into a string whose capacity is reused across datagrams.
  static void set_peer(std::string& out, const udp::endpoint& ep) {
    char host[INET6_ADDRSTRLEN] = "?";
    const sockaddr* sa = ep.data();
    out.clear();
    if (sa->sa_family == AF_INET6) {
      ::inet_ntop(AF_INET6, &reinterpret_cast<const sockaddr_in6*>(sa)->sin6_addr, host,
                  sizeof host);
      out += '[';
      out += host;
      out += ']';
    } else {
      ::inet_ntop(AF_INET, &reinterpret_cast<const sockaddr_in*>(sa)->sin_addr, host, sizeof host);
      out += host;
    }
    char port[8];
    const int m = std::snprintf(port, sizeof port, ":%u", static_cast<unsigned>(ep.port()));
    out.append(port, static_cast<std::size_t>(m));
  }

  udp::socket socket_;
  Shared& shared_;
  std::array<std::uint8_t, kMaxDatagram> buf_{};
  udp::endpoint from_;
  RequestContext ctx_{true, {}};
};

// One TCP connection: length-prefixed requests answered in order until the peer closes,
// an error, or the idle timeout.
class TcpSession : public std::enable_shared_from_this<TcpSession> {
 public:
  TcpSession(tcp::socket s, Shared& shared)
      : socket_(std::move(s)), timer_(socket_.get_executor()), shared_(shared) {
    boost::system::error_code ec;
    auto ep = socket_.remote_endpoint(ec);
    ctx_.udp = false;
    ctx_.peer = ec ? "?" : peer_string(ep.address(), ep.port());
  }
  ~TcpSession() { shared_.tcp_connections.fetch_sub(1); }
  void start() { read_length(); }

 private:
  void arm_timer() {
    timer_.expires_after(shared_.cfg.tcp_idle_timeout);
    timer_.async_wait([weak = weak_from_this()](auto ec) {
      if (ec) return;
      if (auto self = weak.lock()) {
        boost::system::error_code ignored;
        self->socket_.close(ignored);
      }
    });
  }
  void read_length() {
    arm_timer();
    asio::async_read(socket_, asio::buffer(len_), [self = shared_from_this()](auto ec, auto) {
      if (ec) return self->close();
      std::uint32_t n = (std::uint32_t{self->len_[0]} << 24) |
                        (std::uint32_t{self->len_[1]} << 16) | (std::uint32_t{self->len_[2]} << 8) |
                        self->len_[3];
      // RFC 4120 §7.2.2: the top bit is reserved; a set bit or an oversized request gets
      // KRB_ERR_FIELD_TOOLONG and the connection is closed.
      if ((n & 0x80000000u) != 0 || n > self->shared_.cfg.max_tcp_request || n == 0) {
        return self->send(self->shared_.handler->field_too_long(self->ctx_), /*close=*/true);
      }
      self->body_.resize(n);
      self->read_body();
    });
  }
  void read_body() {
    asio::async_read(socket_, asio::buffer(body_), [self = shared_from_this()](auto ec, auto) {
      if (ec) return self->close();
      self->send(self->shared_.handler->handle(self->body_, self->ctx_), /*close=*/false);
    });
  }
  void send(Bytes reply, bool close_after) {
    if (reply.empty()) return close_after ? close() : read_length();
    out_.clear();
    put_u32be(out_, static_cast<std::uint32_t>(reply.size()));
    append(out_, reply);
    asio::async_write(socket_, asio::buffer(out_),
                      [self = shared_from_this(), close_after](auto ec, auto) {
                        if (ec || close_after) return self->close();
                        self->read_length();
                      });
  }
  void close() {
    boost::system::error_code ignored;
    timer_.cancel();
    socket_.shutdown(tcp::socket::shutdown_both, ignored);
    socket_.close(ignored);
  }

  tcp::socket socket_;
  asio::steady_timer timer_;
  Shared& shared_;
  RequestContext ctx_;
  std::array<std::uint8_t, 4> len_{};
  Bytes body_;
  Bytes out_;
};

class Acceptor : public std::enable_shared_from_this<Acceptor> {
 public:
  Acceptor(tcp::acceptor a, Shared& shared) : acceptor_(std::move(a)), shared_(shared) {}
  void start() { accept(); }

 private:
  void accept() {
    acceptor_.async_accept([self = shared_from_this()](auto ec, tcp::socket s) {
      if (ec == asio::error::operation_aborted) return;
      if (!ec) {
        if (self->shared_.tcp_connections.fetch_add(1) >= self->shared_.cfg.max_tcp_connections) {
          self->shared_.tcp_connections.fetch_sub(1);
          boost::system::error_code ignored;
          s.close(ignored);
        } else {
          std::make_shared<TcpSession>(std::move(s), self->shared_)->start();
        }
      }
      self->accept();
    });
  }
  tcp::acceptor acceptor_;
  Shared& shared_;
};

class Transport final : public KdcTransport {
 public:
  explicit Transport(const TransportConfig& cfg, KdcHandler& handler) {
    shared_.handler = &handler;
    shared_.cfg = cfg;
    unsigned n = cfg.threads != 0 ? cfg.threads : std::max(1u, std::thread::hardware_concurrency());
    for (unsigned i = 0; i < n; ++i) contexts_.push_back(std::make_unique<asio::io_context>(1));
  }
  ~Transport() override { stop(); }

  Result<void> bind_all() {
    for (const auto& spec : shared_.cfg.listen) {
      std::uint16_t port = 0;
      auto addr = KB_TRY(parse_host(spec, port));
      // Every thread binds the same port; with port 0 the first bind picks it, and TCP and
      // UDP must then agree, so retry a few times if the UDP port is taken for TCP.
      bool done = false;
      for (int attempt = 0; attempt < 20 && !done; ++attempt) {
        auto r = bind_one(addr, port);
        if (r) {
          bound_.push_back({addr.to_string(), *r});
          done = true;
        } else if (port != 0) {
          return std::move(r).error();
        }
      }
      if (!done) return Error(Errc::kBind, "no free port pair for " + spec);
    }
    return ok();
  }

  void run() {
    for (auto& ctx : contexts_) {
      threads_.emplace_back([c = ctx.get()] { c->run(); });
    }
  }

  [[nodiscard]] std::vector<BoundAddress> bound() const override { return bound_; }

  void stop() override {
    if (stopped_.exchange(true)) return;
    for (auto& ctx : contexts_) ctx->stop();
    for (auto& t : threads_) {
      if (t.joinable()) t.join();
    }
    contexts_.clear();  // destroys sockets and pending handlers
  }

 private:
  // Binds UDP and TCP on `port` (0 = choose) in every thread's context; returns the port.
  Result<std::uint16_t> bind_one(const asio::ip::address& addr, std::uint16_t port) {
    std::vector<std::shared_ptr<UdpLoop>> udps;
    std::vector<std::shared_ptr<Acceptor>> tcps;
    for (auto& ctx : contexts_) {
      boost::system::error_code ec;
      if (shared_.cfg.udp) {
        udp::socket s(*ctx);
        udp::endpoint ep(addr, port);
        s.open(ep.protocol(), ec);
        if (!ec)
          s.set_option(asio::detail::socket_option::boolean<SOL_SOCKET, SO_REUSEPORT>(true), ec);
        if (addr.is_v6() && !ec) s.set_option(asio::ip::v6_only(true), ec);
        if (!ec) s.bind(ep, ec);
        if (ec) return Error(Errc::kBind, "udp " + peer_string(addr, port) + ": " + ec.message());
        if (port == 0) port = s.local_endpoint().port();
        udps.push_back(std::make_shared<UdpLoop>(std::move(s), shared_));
      }
      if (shared_.cfg.tcp) {
        tcp::acceptor a(*ctx);
        tcp::endpoint ep(addr, port);
        a.open(ep.protocol(), ec);
        if (!ec) a.set_option(tcp::acceptor::reuse_address(true), ec);
        if (!ec)
          a.set_option(asio::detail::socket_option::boolean<SOL_SOCKET, SO_REUSEPORT>(true), ec);
        if (addr.is_v6() && !ec) a.set_option(asio::ip::v6_only(true), ec);
        if (!ec) a.bind(ep, ec);
        if (!ec) a.listen(asio::socket_base::max_listen_connections, ec);
        if (ec) return Error(Errc::kBind, "tcp " + peer_string(addr, port) + ": " + ec.message());
        if (port == 0) port = a.local_endpoint().port();
        tcps.push_back(std::make_shared<Acceptor>(std::move(a), shared_));
      }
    }
    for (auto& u : udps) u->start();
    for (auto& t : tcps) t->start();
    return port;
  }

  Shared shared_;
  std::vector<std::unique_ptr<asio::io_context>> contexts_;
  std::vector<std::thread> threads_;
  std::vector<BoundAddress> bound_;
  std::atomic<bool> stopped_{false};
};

}  // namespace

Result<std::unique_ptr<KdcTransport>> KdcTransport::start(const TransportConfig& cfg,
                                                          KdcHandler& handler) {
  auto t = std::make_unique<Transport>(cfg, handler);
  KB_CHECK(t->bind_all());
  t->run();
  return std::unique_ptr<KdcTransport>(std::move(t));
}

}  // namespace kb::net
