// The HTTPS front end of the cloud service: TLS 1.2+ (OpenSSL through Asio), HTTP/1.1
// with keep-alive (Boost.Beast), one io_context run by N threads, every request handed to
// an http::Handler. See docs/http.md for the limits and TLS settings.
#pragma once

#include <chrono>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "base/http.h"
#include "base/result.h"
#include "crypto/x509.h"
#include "net/errors.h"
#include "net/http_wire.h"

namespace kb::net {

// One line per request. Holds no bodies, no header values, no query strings.
struct AccessLog {
  std::string_view method;  // "-" when the request did not parse
  std::string_view path;    // without the query
  int status = 0;
  std::chrono::microseconds duration{0};
  std::string_view peer;   // remote IP
  std::string_view error;  // for logs only: why a 4xx framing error or a 500 happened
};
using AccessLogSink = std::function<void(const AccessLog&)>;
// "http POST /v1/token status=200 us=812 peer=127.0.0.1" (+ " error=...").
std::string format_access_log(const AccessLog& log);

struct HttpsServerConfig {
  // "host:port" entries; IPv6 as "[::1]:8443". Port 0 picks a free port per entry.
  std::vector<std::string> listen = {"127.0.0.1:8443"};
  unsigned threads = 0;  // 0 = std::thread::hardware_concurrency()
  crypto::TlsIdentity identity;
  HttpLimits limits;
  std::chrono::milliseconds handshake_timeout{10000};
  // From the first wait for a request (including a keep-alive idle wait) to its last body
  // byte: a client that trickles bytes is cut off here (slowloris).
  std::chrono::milliseconds request_timeout{10000};
  std::chrono::milliseconds write_timeout{10000};
  std::size_t max_connections = 4096;  // further connections are closed at accept
  AccessLogSink log;                   // may be empty; called concurrently from any thread
};

class HttpsServer {
 public:
  // Checks the identity (crypto::Errc::kKeyMismatch etc.), builds the TLS context
  // (Errc::kTlsConfig), binds every address (kBadAddress, kBind) and starts the threads.
  // Fails without leaving threads or sockets behind. `handler` is called concurrently.
  static Result<std::unique_ptr<HttpsServer>> start(HttpsServerConfig config,
                                                    http::Handler handler);
  virtual ~HttpsServer() = default;
  // The addresses actually bound, in `listen` order.
  [[nodiscard]] virtual std::vector<BoundAddress> bound() const = 0;
  // Closes the listeners and every connection, waits for handlers that are running to
  // return, and joins the threads. Idempotent; the destructor calls it.
  virtual void stop() = 0;
};

}  // namespace kb::net
