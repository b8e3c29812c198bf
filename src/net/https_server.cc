// The one translation unit of the server that includes Boost.Beast and Asio's SSL layer
// (they cost tens of seconds of compile time per TU; see docs/http.md).
#include "net/https_server.h"

#include <openssl/pem.h>
#include <openssl/ssl.h>

#include <algorithm>
#include <array>
#include <atomic>
#include <boost/asio/dispatch.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/ip/v6_only.hpp>
#include <boost/asio/ssl.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/strand.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <boost/beast/ssl.hpp>
#include <optional>
#include <thread>

namespace kb::net {

namespace {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace bhttp = boost::beast::http;
namespace ssl = boost::asio::ssl;
using tcp = asio::ip::tcp;
using Parser = bhttp::request_parser<bhttp::string_body>;

constexpr std::size_t kReadChunk = 64 * 1024;
constexpr std::chrono::milliseconds kLingerTimeout{2000};
constexpr std::chrono::milliseconds kShutdownTimeout{1000};

// --- framing shared by parse_http_request() and the server ------------------------------

void configure_parser(Parser& p, const HttpLimits& limits) {
  p.header_limit(
      static_cast<std::uint32_t>(std::min<std::size_t>(limits.max_header_bytes, UINT32_MAX)));
  p.body_limit(static_cast<std::uint64_t>(limits.max_body_bytes));
  p.eager(true);
}

Error framing_error(const beast::error_code& ec) {
  if (ec == bhttp::error::body_limit) return Error(http::Errc::kBodyTooLarge, ec.message());
  if (ec == bhttp::error::header_limit || ec == bhttp::error::buffer_overflow) {
    return Error(http::Errc::kHeadersTooLarge, ec.message());
  }
  if (ec == bhttp::error::need_more || ec == bhttp::error::partial_message) {
    return Error(http::Errc::kIncomplete, ec.message());
  }
  return Error(http::Errc::kBadRequest, ec.message());
}

// Checks Beast leaves to us (RFC 9112), then copies the message into a plain Request.
Result<ParsedRequest> to_request(Parser& p) {
  auto& m = p.get();
  auto bad = [](std::string why) { return Error(http::Errc::kBadRequest, std::move(why)); };
  std::string_view target(m.target().data(), m.target().size());
  // RFC 9112 §3.2.1: origin-form only; we are no proxy (absolute-form) or tunnel.
  if (target.empty() || target.front() != '/') return bad("request target is not origin-form");
  if (target.find('#') != std::string_view::npos) return bad("fragment in request target");
  std::size_t hosts = 0;
  std::size_t lengths = 0;
  std::size_t encodings = 0;
  ParsedRequest out;
  for (const auto& f : m) {
    std::string_view name(f.name_string().data(), f.name_string().size());
    std::string_view value(f.value().data(), f.value().size());
    if (http::iequals(name, "Host")) ++hosts;
    if (http::iequals(name, "Content-Length")) ++lengths;
    if (http::iequals(name, "Transfer-Encoding")) {
      ++encodings;
      // RFC 9112 §6.1: a request with a transfer coding we do not know is refused (400);
      // chunked is the only one we accept.
      if (!http::iequals(value, "chunked")) return bad("unsupported Transfer-Encoding");
    }
    out.request.headers.add(std::string(name), std::string(value));
  }
  // RFC 9112 §3.2: exactly one Host in HTTP/1.1.
  if (m.version() == 11 && hosts != 1) return bad("HTTP/1.1 request needs exactly one Host");
  if (hosts > 1) return bad("repeated Host");
  // RFC 9112 §6.3: both framings at once, or two lengths, is how smuggling starts.
  if (lengths > 1 || encodings > 1 || (lengths != 0 && encodings != 0)) {
    return bad("ambiguous message framing");
  }
  out.request.method = std::string(m.method_string());
  out.request.target = std::string(target);
  out.request.body = std::move(m.body());
  out.keep_alive = m.keep_alive();
  return out;
}

bool token_char(char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
         std::string_view("!#$%&'*+-.^_`|~").find(c) != std::string_view::npos;
}

// What a handler may put in a response header: a token name and a value without CR, LF or
// NUL (response splitting). Framing fields belong to the server.
Result<void> check_response(const http::Response& r) {
  if (r.status < 200 || r.status > 599) {
    return Error(http::Errc::kBadRequest, "handler returned status " + std::to_string(r.status));
  }
  for (const auto& [name, value] : r.headers.entries()) {
    if (name.empty() || !std::all_of(name.begin(), name.end(), token_char) ||
        value.find_first_of(std::string_view("\r\n\0", 3)) != std::string::npos) {
      return Error(http::Errc::kBadRequest, "handler returned a malformed header field");
    }
  }
  return ok();
}

bool is_framing_field(std::string_view name) {
  return http::iequals(name, "Content-Length") || http::iequals(name, "Transfer-Encoding") ||
         http::iequals(name, "Connection");
}

// --- TLS --------------------------------------------------------------------------------

Result<void> configure_tls(ssl::context& ctx, const crypto::TlsIdentity& id) {
  SSL_CTX* c = ctx.native_handle();
  ctx.set_options(ssl::context::default_workarounds | ssl::context::no_sslv2 |
                  ssl::context::no_sslv3 | ssl::context::no_tlsv1 | ssl::context::no_tlsv1_1 |
                  ssl::context::single_dh_use | ssl::context::no_compression);
  SSL_CTX_set_options(c, SSL_OP_NO_RENEGOTIATION);
  // TLS 1.2+ only; for 1.2, forward-secret AEAD suites only (TLS 1.3 suites are all AEAD).
  if (SSL_CTX_set_min_proto_version(c, TLS1_2_VERSION) != 1 ||
      SSL_CTX_set_cipher_list(c,
                              "ECDHE-ECDSA-AES128-GCM-SHA256:ECDHE-RSA-AES128-GCM-SHA256:"
                              "ECDHE-ECDSA-AES256-GCM-SHA384:ECDHE-RSA-AES256-GCM-SHA384:"
                              "ECDHE-ECDSA-CHACHA20-POLY1305:ECDHE-RSA-CHACHA20-POLY1305") != 1 ||
      SSL_CTX_set1_groups_list(c, "X25519:P-256:P-384") != 1) {
    return Error(Errc::kTlsConfig, "TLS protocol settings refused");
  }
  boost::system::error_code ec;
  ctx.use_certificate_chain(asio::buffer(id.cert_pem), ec);
  if (ec) return Error(Errc::kTlsConfig, "certificate: " + ec.message());
  // Read the key straight from the secret's storage (a read-only BIO, no copy).
  std::string_view k = id.key_pem.reveal();
  std::unique_ptr<BIO, decltype(&BIO_free)> bio(
      BIO_new_mem_buf(k.data(), static_cast<int>(k.size())), &BIO_free);
  pem_password_cb* no_passphrase = [](char*, int, int, void*) { return -1; };
  std::unique_ptr<EVP_PKEY, decltype(&EVP_PKEY_free)> key(
      bio ? PEM_read_bio_PrivateKey(bio.get(), nullptr, no_passphrase, nullptr) : nullptr,
      &EVP_PKEY_free);
  if (!key || SSL_CTX_use_PrivateKey(c, key.get()) != 1 || SSL_CTX_check_private_key(c) != 1) {
    return Error(Errc::kTlsConfig, "private key refused");
  }
  return ok();
}

Result<tcp::endpoint> parse_listen(std::string_view s) {
  std::string host;
  std::string_view port_str;
  if (!s.empty() && s.front() == '[') {
    auto close = s.find(']');
    if (close == std::string_view::npos || close + 1 >= s.size() || s[close + 1] != ':') {
      return Error(Errc::kBadAddress, "expected [v6]:port in '" + std::string(s) + "'");
    }
    host = std::string(s.substr(1, close - 1));
    port_str = s.substr(close + 2);
  } else {
    auto colon = s.rfind(':');
    if (colon == std::string_view::npos) {
      return Error(Errc::kBadAddress, "expected host:port in '" + std::string(s) + "'");
    }
    host = std::string(s.substr(0, colon));
    port_str = s.substr(colon + 1);
  }
  unsigned port = 0;
  if (port_str.empty() || port_str.size() > 5) return Error(Errc::kBadAddress, "bad port");
  for (char c : port_str) {
    if (c < '0' || c > '9') return Error(Errc::kBadAddress, "bad port");
    port = port * 10 + static_cast<unsigned>(c - '0');
  }
  if (port > 65535) return Error(Errc::kBadAddress, "bad port");
  boost::system::error_code ec;
  auto addr = asio::ip::make_address(host, ec);
  if (ec) return Error(Errc::kBadAddress, "bad address '" + host + "'");
  return tcp::endpoint(addr, static_cast<std::uint16_t>(port));
}

// --- the server -------------------------------------------------------------------------

struct Shared {
  Shared(HttpsServerConfig c, http::Handler h)
      : cfg(std::move(c)), handler(std::move(h)), tls(ssl::context::tls_server) {}
  HttpsServerConfig cfg;
  http::Handler handler;
  ssl::context tls;
  std::atomic<std::size_t> connections{0};
  std::atomic<bool> stopping{false};
};

class Session : public std::enable_shared_from_this<Session> {
 public:
  Session(tcp::socket s, Shared& shared)
      : stream_(std::move(s), shared.tls),
        shared_(shared),
        buffer_(shared.cfg.limits.max_header_bytes + kReadChunk) {
    boost::system::error_code ec;
    auto ep = beast::get_lowest_layer(stream_).socket().remote_endpoint(ec);
    peer_ = ec ? "?" : ep.address().to_string();
  }
  ~Session() { shared_.connections.fetch_sub(1); }
  Session(const Session&) = delete;
  Session& operator=(const Session&) = delete;

  void start() {
    asio::dispatch(stream_.get_executor(), [self = shared_from_this()] { self->handshake(); });
  }

 private:
  beast::tcp_stream& lowest() { return beast::get_lowest_layer(stream_); }

  void handshake() {
    lowest().expires_after(shared_.cfg.handshake_timeout);
    stream_.async_handshake(ssl::stream_base::server,
                            [self = shared_from_this()](beast::error_code ec) {
                              if (ec) return self->close();
                              self->read_request();
                            });
  }

  void read_request() {
    parser_.emplace();
    configure_parser(*parser_, shared_.cfg.limits);
    method_ = "-";
    path_.clear();
    error_.clear();
    read_started_ = std::chrono::steady_clock::now();
    lowest().expires_after(shared_.cfg.request_timeout);
    bhttp::async_read(
        stream_, buffer_, *parser_,
        [self = shared_from_this()](beast::error_code ec, std::size_t) { self->on_read(ec); });
  }

  static bool is_transport_error(const beast::error_code& ec) {
    return ec == bhttp::error::end_of_stream || ec == bhttp::error::partial_message ||
           ec == ssl::error::stream_truncated || ec == asio::error::operation_aborted ||
           ec.category() == asio::error::get_system_category() ||
           ec.category() == asio::error::get_misc_category() ||
           ec.category() == asio::error::get_ssl_category();
  }

  void on_read(beast::error_code ec) {
    started_ = std::chrono::steady_clock::now();
    if (ec == beast::error::timeout) {
      // The stream closed the socket at the deadline; nothing can be sent any more. Only a
      // request that had started is worth a log line (an idle keep-alive is not).
      if (parser_->got_some()) {
        started_ = read_started_;
        error_ = "request timeout";
        log(408);
      }
      return;
    }
    if (ec && is_transport_error(ec)) return close();
    if (ec) return reply_framing_error(framing_error(ec));
    auto parsed = to_request(*parser_);
    if (!parsed) return reply_framing_error(parsed.error());
    http::Request& req = parsed->request;
    req.remote_address = peer_;
    req.tls = true;
    method_ = req.method;
    path_ = std::string(req.path());
    bool keep_alive = parsed->keep_alive && !shared_.stopping.load();
    send(call_handler(req), keep_alive, /*linger=*/false, req.method == "HEAD");
  }

  http::Response call_handler(const http::Request& req) {
    try {
      http::Response r = shared_.handler(req);
      auto valid = check_response(r);
      if (valid) return r;
      error_ = valid.error().detail();
    } catch (const std::exception& e) {
      error_ = std::string("handler threw: ") + e.what();
    } catch (...) {
      error_ = "handler threw a non-standard exception";
    }
    return http::problem(500, "internal", "Internal server error");
  }

  void reply_framing_error(const Error& e) {
    error_ = e.to_string();
    ParseErrorReply reply = parse_error_reply(e);
    // The rest of the input cannot be trusted to be framed: answer, then close.
    send(http::problem(reply.status, reply.code, reply.title), false, /*linger=*/true, false);
  }

  void send(http::Response r, bool keep_alive, bool linger, bool head) {
    res_ = {};
    res_.version(11);
    res_.result(static_cast<unsigned>(r.status));
    for (auto& [name, value] : r.headers.entries()) {
      if (!is_framing_field(name)) res_.insert(name, value);
    }
    if (!r.headers.contains("X-Content-Type-Options"))
      res_.set("X-Content-Type-Options", "nosniff");
    res_.body() = std::move(r.body);
    res_.keep_alive(keep_alive);
    res_.prepare_payload();
    if (head) res_.body().clear();  // RFC 9110 §9.3.2: the GET headers, no content
    status_ = r.status;
    lowest().expires_after(shared_.cfg.write_timeout);
    bhttp::async_write(
        stream_, res_,
        [self = shared_from_this(), keep_alive, linger](beast::error_code ec, std::size_t) {
          self->log(self->status_);
          if (ec) return self->close();
          if (keep_alive) return self->read_request();
          if (linger) return self->linger();
          self->shutdown();
        });
  }

  // After an error reply, read and drop what the client is still sending for a short while,
  // so that closing does not reset the connection before it has read our answer.
  void linger() {
    lowest().expires_after(kLingerTimeout);
    linger_read();
  }
  void linger_read() {
    stream_.async_read_some(
        asio::buffer(scratch_), [self = shared_from_this()](beast::error_code ec, std::size_t n) {
          self->lingered_ += n;
          if (ec || self->lingered_ > 2 * self->shared_.cfg.limits.max_body_bytes + kReadChunk) {
            return self->close();
          }
          self->linger_read();
        });
  }

  void shutdown() {
    lowest().expires_after(kShutdownTimeout);
    stream_.async_shutdown([self = shared_from_this()](beast::error_code) { self->close(); });
  }

  void close() {
    boost::system::error_code ignored;
    lowest().socket().shutdown(tcp::socket::shutdown_both, ignored);
    lowest().close();
  }

  void log(int status) {
    if (!shared_.cfg.log) return;
    auto d = std::chrono::duration_cast<std::chrono::microseconds>(
        std::chrono::steady_clock::now() - started_);
    try {
      shared_.cfg.log(AccessLog{method_, path_, status, d, peer_, error_});
    } catch (...) {  // a failing log sink must not take the connection down
    }
  }

  beast::ssl_stream<beast::tcp_stream> stream_;
  Shared& shared_;
  beast::flat_buffer buffer_;
  std::optional<Parser> parser_;
  bhttp::response<bhttp::string_body> res_;
  std::string peer_;
  std::string method_ = "-";
  std::string path_;
  std::string error_;
  int status_ = 0;
  std::chrono::steady_clock::time_point started_ = std::chrono::steady_clock::now();
  std::chrono::steady_clock::time_point read_started_ = started_;
  std::array<char, 16 * 1024> scratch_{};
  std::size_t lingered_ = 0;
};

class Listener : public std::enable_shared_from_this<Listener> {
 public:
  Listener(tcp::acceptor a, Shared& shared)
      : acceptor_(std::move(a)), retry_(acceptor_.get_executor()), shared_(shared) {}
  void start() { accept(); }

 private:
  void accept() {
    acceptor_.async_accept(asio::make_strand(acceptor_.get_executor()),
                           [self = shared_from_this()](beast::error_code ec, tcp::socket s) {
                             self->on_accept(ec, std::move(s));
                           });
  }
  void on_accept(beast::error_code ec, tcp::socket s) {
    if (ec == asio::error::operation_aborted) return;
    if (ec) {
      // EMFILE and friends: back off instead of spinning.
      retry_.expires_after(std::chrono::milliseconds(50));
      retry_.async_wait([self = shared_from_this()](beast::error_code e) {
        if (!e) self->accept();
      });
      return;
    }
    bool refuse = shared_.stopping.load();
    if (!refuse && shared_.connections.fetch_add(1) >= shared_.cfg.max_connections) {
      shared_.connections.fetch_sub(1);
      refuse = true;
    }
    if (refuse) {
      boost::system::error_code ignored;
      s.close(ignored);
    } else {
      std::make_shared<Session>(std::move(s), shared_)->start();
    }
    accept();
  }

  tcp::acceptor acceptor_;
  asio::steady_timer retry_;
  Shared& shared_;
};

class Server final : public HttpsServer {
 public:
  Server(HttpsServerConfig cfg, http::Handler handler)
      : shared_(std::move(cfg), std::move(handler)), ioc_(std::make_unique<asio::io_context>()) {}
  ~Server() override { stop(); }

  Result<void> init() {
    KB_CHECK(configure_tls(shared_.tls, shared_.cfg.identity));
    for (const auto& spec : shared_.cfg.listen) {
      tcp::endpoint ep = KB_TRY(parse_listen(spec));
      tcp::acceptor a(*ioc_);
      boost::system::error_code ec;
      a.open(ep.protocol(), ec);
      if (!ec) a.set_option(tcp::acceptor::reuse_address(true), ec);
      if (!ec && ep.address().is_v6()) a.set_option(asio::ip::v6_only(true), ec);
      if (!ec) a.bind(ep, ec);
      if (!ec) a.listen(asio::socket_base::max_listen_connections, ec);
      if (ec) return Error(Errc::kBind, spec + ": " + ec.message());
      bound_.push_back({ep.address().to_string(), a.local_endpoint().port()});
      listeners_.push_back(std::make_shared<Listener>(std::move(a), shared_));
    }
    return ok();
  }

  Result<void> run() {
    for (auto& l : listeners_) l->start();
    unsigned n = shared_.cfg.threads != 0 ? shared_.cfg.threads
                                          : std::max(1u, std::thread::hardware_concurrency());
    try {
      for (unsigned i = 0; i < n; ++i) {
        threads_.emplace_back([c = ioc_.get()] {
          // A handler that throws out of Asio must not end the thread; run() resumes.
          while (true) {
            try {
              c->run();
              return;
            } catch (...) {
            }
          }
        });
      }
    } catch (const std::system_error& e) {
      stop();
      return Error(Errc::kThread, e.what());
    }
    return ok();
  }

  [[nodiscard]] std::vector<BoundAddress> bound() const override { return bound_; }

  void stop() override {
    if (stopped_.exchange(true)) return;
    shared_.stopping.store(true);
    ioc_->stop();
    for (auto& t : threads_) {
      if (t.joinable()) t.join();
    }
    listeners_.clear();
    ioc_.reset();  // destroys every connection's pending handlers, hence the sessions
  }

 private:
  Shared shared_;
  std::unique_ptr<asio::io_context> ioc_;
  std::vector<std::shared_ptr<Listener>> listeners_;
  std::vector<std::thread> threads_;
  std::vector<BoundAddress> bound_;
  std::atomic<bool> stopped_{false};
};

}  // namespace

Result<ParsedRequest> parse_http_request(std::string_view bytes, const HttpLimits& limits) {
  try {
    Parser p;
    configure_parser(p, limits);
    beast::error_code ec;
    std::size_t used = 0;
    while (!p.is_done()) {
      std::size_t n = p.put(asio::buffer(bytes.data() + used, bytes.size() - used), ec);
      used += n;
      // The parser is eager, so need_more means everything we offered is not enough. (It
      // must not be called again with the same bytes: Beast assumes more data then.)
      if (ec) return framing_error(ec);
      if (!p.is_done() && (n == 0 || used >= bytes.size())) {
        return framing_error(bhttp::error::need_more);
      }
    }
    ParsedRequest out = KB_TRY(to_request(p));
    out.consumed = used;
    return out;
  } catch (const std::exception& e) {
    return Error(http::Errc::kBadRequest, std::string("parser threw: ") + e.what());
  }
}

ParseErrorReply parse_error_reply(const Error& e) {
  if (e.is(http::Errc::kBodyTooLarge)) return {413, "body_too_large", "Request body too large"};
  if (e.is(http::Errc::kHeadersTooLarge)) {
    return {431, "headers_too_large", "Request header fields too large"};
  }
  return {400, "malformed_request", "Malformed HTTP request"};
}

std::string format_access_log(const AccessLog& l) {
  std::string out = "http ";
  out += l.method;
  out += ' ';
  out += l.path.empty() ? std::string_view("-") : l.path;
  out += " status=" + std::to_string(l.status);
  out += " us=" + std::to_string(l.duration.count());
  out += " peer=";
  out += l.peer;
  if (!l.error.empty()) {
    out += " error=\"";
    for (char c : l.error) out += (c == '"' || c == '\n' || c == '\r') ? '\'' : c;
    out += '"';
  }
  return out;
}

Result<std::unique_ptr<HttpsServer>> HttpsServer::start(HttpsServerConfig config,
                                                        http::Handler handler) {
  KB_TRY(crypto::check_tls_identity(config.identity));
  auto s = std::make_unique<Server>(std::move(config), std::move(handler));
  KB_CHECK(s->init());
  KB_CHECK(s->run());
  return std::unique_ptr<HttpsServer>(std::move(s));
}

}  // namespace kb::net
