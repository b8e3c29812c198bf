// A synchronous HTTPS client for the CLI (`keybridge signin`, `keybridge admin`): one
// request per connection, the server's certificate verified against a pinned PEM file
// (our self-signed certificate, or a CA bundle) or the system store, and the host name or
// IP address checked against the certificate's subjectAltName (RFC 6125).
#pragma once

#include <chrono>
#include <cstdint>
#include <filesystem>
#include <memory>
#include <optional>
#include <string>

#include "base/http.h"
#include "base/result.h"
#include "net/errors.h"

namespace kb::net {

struct HttpsClientConfig {
  // PEM file of trusted certificates. A self-signed server certificate here is trusted as
  // itself (pinning); so is any certificate in it, CA or not (partial chains accepted).
  // Empty: the system's default store.
  std::filesystem::path ca_file;
  std::chrono::milliseconds connect_timeout{10000};
  // Deadline for the TLS handshake, sending the request and reading the whole response.
  std::chrono::milliseconds io_timeout{30000};
  std::size_t max_response_bytes = 4 * 1024 * 1024;  // body
  std::size_t max_header_bytes = 16 * 1024;
};

struct ClientRequest {
  std::string method = "GET";
  std::string url;  // https://host[:port]/path[?query]; host a DNS name, IPv4 or [IPv6]
  http::Headers headers;
  std::string body;
};

struct Url {
  std::string host;  // without brackets
  std::uint16_t port = 443;
  std::string target;  // "/path?query", "/" when absent
  bool host_is_ip = false;
};
// Only https; no user-info, no fragment. Errc::kBadUrl otherwise.
Result<Url> parse_https_url(std::string_view url);

class HttpsClient {
 public:
  // Builds the TLS context once (TLS 1.2+, verification on). Errc::kTlsConfig when the CA
  // file cannot be read or holds no certificate.
  static Result<HttpsClient> create(const HttpsClientConfig& config);

  // Connects, sends, reads the full response and closes. Any HTTP status is a success
  // here; errors are transport ones: kBadUrl, kResolve, kConnectionRefused, kConnect,
  // kTimeout, kTls, kCertificateVerification, kTooLarge, kProtocol.
  [[nodiscard]] Result<http::Response> request(const ClientRequest& request) const;
  [[nodiscard]] Result<http::Response> get(const std::string& url,
                                           const http::Headers& headers = {}) const;
  [[nodiscard]] Result<http::Response> post(const std::string& url, std::string body,
                                            std::string content_type,
                                            const http::Headers& headers = {}) const;

  struct Impl;

 private:
  explicit HttpsClient(std::shared_ptr<const Impl> impl) : impl_(std::move(impl)) {}
  std::shared_ptr<const Impl> impl_;
};

}  // namespace kb::net
