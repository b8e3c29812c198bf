// The client's one Beast translation unit. Each request runs its own small io_context
// with asynchronous operations, because Beast's stream deadlines only apply to
// asynchronous reads and writes; request() blocks until the chain ends.
#include "net/https_client.h"

#include <arpa/inet.h>
#include <openssl/ssl.h>
#include <openssl/x509_vfy.h>

#include <algorithm>
#include <array>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/ssl.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <boost/beast/ssl.hpp>
#include <optional>

namespace kb::net {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace bhttp = boost::beast::http;
namespace ssl = boost::asio::ssl;
using tcp = asio::ip::tcp;

struct HttpsClient::Impl {
  explicit Impl(const HttpsClientConfig& c) : cfg(c), ctx(ssl::context::tls_client) {}
  HttpsClientConfig cfg;
  mutable ssl::context ctx;  // SSL objects are made from it concurrently; OpenSSL allows that
};

namespace {

bool ieq_prefix(std::string_view s, std::string_view prefix) {
  return s.size() >= prefix.size() && http::iequals(s.substr(0, prefix.size()), prefix);
}

bool valid_host_name(std::string_view h) {
  if (h.empty() || h.size() > 253) return false;
  return std::all_of(h.begin(), h.end(), [](char c) {
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '-' ||
           c == '.';
  });
}

Error url_error(std::string why) {
  return Error(Errc::kBadUrl, std::move(why));
}

class Exchange {
 public:
  Exchange(const HttpsClient::Impl& impl, const Url& url)
      : impl_(impl),
        url_(url),
        stream_(ioc_, impl.ctx),
        buffer_(impl.cfg.max_header_bytes + 64 * 1024) {
    parser_.header_limit(static_cast<std::uint32_t>(impl.cfg.max_header_bytes));
    parser_.body_limit(static_cast<std::uint64_t>(impl.cfg.max_response_bytes));
  }

  Result<http::Response> run(const ClientRequest& r) {
    KB_CHECK(prepare_tls());
    KB_CHECK(build_request(r));
    boost::system::error_code ec;
    tcp::resolver resolver(ioc_);
    auto flags = url_.host_is_ip ? tcp::resolver::numeric_host : tcp::resolver::flags();
    auto endpoints = resolver.resolve(url_.host, std::to_string(url_.port), flags, ec);
    if (ec || endpoints.empty()) return Error(Errc::kResolve, url_.host + ": " + ec.message());
    beast::get_lowest_layer(stream_).expires_after(impl_.cfg.connect_timeout);
    beast::get_lowest_layer(stream_).async_connect(
        endpoints, [this](beast::error_code e, const tcp::endpoint&) { on_connect(e); });
    ioc_.run();
    boost::system::error_code ignored;
    beast::get_lowest_layer(stream_).socket().shutdown(tcp::socket::shutdown_both, ignored);
    beast::get_lowest_layer(stream_).close();
    if (error_) return std::move(*error_);
    http::Response out;
    auto& m = parser_.get();
    out.status = static_cast<int>(m.result_int());
    for (const auto& f : m) {
      out.headers.add(std::string(f.name_string()), std::string(f.value()));
    }
    out.body = std::move(m.body());
    return out;
  }

 private:
  Result<void> prepare_tls() {
    SSL* s = stream_.native_handle();
    if (url_.host_is_ip) {
      // RFC 6125 §6.2.1 / RFC 5280: an IP address is matched against iPAddress SANs.
      if (X509_VERIFY_PARAM_set1_ip_asc(SSL_get0_param(s), url_.host.c_str()) != 1) {
        return Error(Errc::kTlsConfig, "cannot verify against IP " + url_.host);
      }
    } else if (SSL_set_tlsext_host_name(s, url_.host.c_str()) != 1 ||
               SSL_set1_host(s, url_.host.c_str()) != 1) {
      return Error(Errc::kTlsConfig, "cannot verify against host " + url_.host);
    }
    return ok();
  }

  static bool token(std::string_view s) {
    return !s.empty() && std::all_of(s.begin(), s.end(), [](char c) {
      return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
             std::string_view("!#$%&'*+-.^_`|~").find(c) != std::string_view::npos;
    });
  }

  Result<void> build_request(const ClientRequest& r) {
    if (!token(r.method)) return Error(Errc::kProtocol, "bad method");
    for (const auto& [name, value] : r.headers.entries()) {
      if (!token(name) || value.find_first_of(std::string_view("\r\n\0", 3)) != std::string::npos) {
        return Error(Errc::kProtocol, "bad header field " + name);
      }
    }
    req_.version(11);
    req_.method_string(r.method);
    req_.target(url_.target);
    std::string host = url_.host.find(':') != std::string::npos ? "[" + url_.host + "]" : url_.host;
    if (url_.port != 443) host += ":" + std::to_string(url_.port);
    req_.set(bhttp::field::host, host);
    req_.set(bhttp::field::user_agent, "keybridge/0.1");
    for (const auto& [name, value] : r.headers.entries()) req_.insert(name, value);
    req_.keep_alive(false);
    req_.body() = r.body;
    req_.prepare_payload();
    return ok();
  }

  void fail(Errc code, std::string why) {
    if (!error_) error_ = Error(code, std::move(why));
  }

  void on_connect(beast::error_code ec) {
    if (ec == asio::error::connection_refused) return fail(Errc::kConnectionRefused, ec.message());
    if (ec == beast::error::timeout) return fail(Errc::kTimeout, "connect timed out");
    if (ec) return fail(Errc::kConnect, ec.message());
    // One deadline for everything after the connect.
    beast::get_lowest_layer(stream_).expires_after(impl_.cfg.io_timeout);
    stream_.async_handshake(ssl::stream_base::client,
                            [this](beast::error_code e) { on_handshake(e); });
  }

  void on_handshake(beast::error_code ec) {
    if (!ec) {
      bhttp::async_write(stream_, req_, [this](beast::error_code e, std::size_t) { on_write(e); });
      return;
    }
    long verify = SSL_get_verify_result(stream_.native_handle());
    if (verify != X509_V_OK) {
      return fail(Errc::kCertificateVerification, X509_verify_cert_error_string(verify));
    }
    if (ec == beast::error::timeout) return fail(Errc::kTimeout, "TLS handshake timed out");
    fail(Errc::kTls, ec.message());
  }

  void on_write(beast::error_code ec) {
    if (ec == beast::error::timeout) return fail(Errc::kTimeout, "sending timed out");
    // A server may answer (413) and stop reading before the body is sent: still read what
    // it said, and report the write error only if there is no answer.
    if (ec) write_error_ = ec.message();
    bhttp::async_read(stream_, buffer_, parser_,
                      [this](beast::error_code e, std::size_t) { on_read(e); });
  }

  void on_read(beast::error_code ec) {
    if (!ec) return;
    if (ec == beast::error::timeout) return fail(Errc::kTimeout, "reading timed out");
    if (ec == bhttp::error::body_limit || ec == bhttp::error::header_limit ||
        ec == bhttp::error::buffer_overflow) {
      return fail(Errc::kTooLarge, ec.message());
    }
    if (!write_error_.empty()) return fail(Errc::kConnect, "send failed: " + write_error_);
    fail(Errc::kProtocol, ec.message());
  }

  const HttpsClient::Impl& impl_;
  const Url& url_;
  asio::io_context ioc_;
  beast::ssl_stream<beast::tcp_stream> stream_;
  beast::flat_buffer buffer_;
  bhttp::request<bhttp::string_body> req_;
  bhttp::response_parser<bhttp::string_body> parser_;
  std::optional<Error> error_;
  std::string write_error_;
};

}  // namespace

Result<Url> parse_https_url(std::string_view url) {
  if (url.size() > 8192) return url_error("URL over 8 KiB");
  if (!ieq_prefix(url, "https://")) return url_error("not an https URL");
  for (char c : url) {
    if (c <= 0x20 || c >= 0x7F) return url_error("URL has a space, control or non-ASCII byte");
  }
  if (url.find('#') != std::string_view::npos) return url_error("URL has a fragment");
  std::string_view rest = url.substr(8);
  std::size_t end = rest.find_first_of("/?");
  std::string_view authority = rest.substr(0, end);
  std::string_view target = end == std::string_view::npos ? std::string_view() : rest.substr(end);
  if (authority.find('@') != std::string_view::npos) return url_error("URL has user info");
  Url out;
  std::string_view port;
  if (!authority.empty() && authority.front() == '[') {
    std::size_t close = authority.find(']');
    if (close == std::string_view::npos) return url_error("unclosed [ in host");
    out.host = std::string(authority.substr(1, close - 1));
    std::array<unsigned char, 16> buf{};
    if (::inet_pton(AF_INET6, out.host.c_str(), buf.data()) != 1) return url_error("bad IPv6 host");
    out.host_is_ip = true;
    std::string_view after = authority.substr(close + 1);
    if (!after.empty()) {
      if (after.front() != ':') return url_error("junk after ]");
      port = after.substr(1);
      if (port.empty()) return url_error("empty port");
    }
  } else {
    std::size_t colon = authority.find(':');
    out.host = std::string(authority.substr(0, colon));
    if (colon != std::string_view::npos) {
      port = authority.substr(colon + 1);
      if (port.empty()) return url_error("empty port");
    }
    if (!valid_host_name(out.host)) return url_error("bad host name");
    std::array<unsigned char, 4> buf{};
    out.host_is_ip = ::inet_pton(AF_INET, out.host.c_str(), buf.data()) == 1;
  }
  if (!port.empty()) {
    unsigned p = 0;
    if (port.size() > 5) return url_error("bad port");
    for (char c : port) {
      if (c < '0' || c > '9') return url_error("bad port");
      p = p * 10 + static_cast<unsigned>(c - '0');
    }
    if (p == 0 || p > 65535) return url_error("bad port");
    out.port = static_cast<std::uint16_t>(p);
  }
  if (target.empty() || target.front() == '?') {
    out.target = "/" + std::string(target);
  } else {
    out.target = std::string(target);
  }
  return out;
}

Result<HttpsClient> HttpsClient::create(const HttpsClientConfig& config) {
  auto impl = std::make_shared<Impl>(config);
  SSL_CTX* c = impl->ctx.native_handle();
  impl->ctx.set_options(ssl::context::default_workarounds | ssl::context::no_sslv2 |
                        ssl::context::no_sslv3 | ssl::context::no_tlsv1 | ssl::context::no_tlsv1_1 |
                        ssl::context::no_compression);
  if (SSL_CTX_set_min_proto_version(c, TLS1_2_VERSION) != 1) {
    return Error(Errc::kTlsConfig, "cannot require TLS 1.2");
  }
  boost::system::error_code ec;
  if (config.ca_file.empty()) {
    impl->ctx.set_default_verify_paths(ec);
    if (ec) return Error(Errc::kTlsConfig, "system trust store: " + ec.message());
  } else {
    impl->ctx.load_verify_file(config.ca_file.string(), ec);
    if (ec) return Error(Errc::kTlsConfig, config.ca_file.string() + ": " + ec.message());
    // The file is a pin: any certificate in it is an anchor, not only self-signed CAs.
    X509_VERIFY_PARAM_set_flags(SSL_CTX_get0_param(c), X509_V_FLAG_PARTIAL_CHAIN);
  }
  impl->ctx.set_verify_mode(ssl::verify_peer);
  return HttpsClient(std::move(impl));
}

Result<http::Response> HttpsClient::request(const ClientRequest& request) const {
  Url url = KB_TRY(parse_https_url(request.url));
  try {
    Exchange x(*impl_, url);
    return x.run(request);
  } catch (const std::exception& e) {
    // Beast throws for a method or header it cannot serialize (e.g. CR/LF in a value).
    return Error(Errc::kProtocol, std::string("request refused: ") + e.what());
  }
}

Result<http::Response> HttpsClient::get(const std::string& url,
                                        const http::Headers& headers) const {
  return request(ClientRequest{"GET", url, headers, {}});
}

Result<http::Response> HttpsClient::post(const std::string& url, std::string body,
                                         std::string content_type,
                                         const http::Headers& headers) const {
  ClientRequest r{"POST", url, headers, std::move(body)};
  r.headers.set("Content-Type", std::move(content_type));
  return request(r);
}

}  // namespace kb::net
