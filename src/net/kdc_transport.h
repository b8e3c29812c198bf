// Kerberos transport (RFC 4120 §7.2): UDP datagrams and TCP with a 4-byte big-endian
// length prefix. The only KDC code that knows sockets; what a request means is the
// handler's business.
//
// Every core is used: one thread per core, each with its own io_context, its own UDP
// socket and its own TCP acceptor on the same address (SO_REUSEPORT), so the kernel
// spreads datagrams and connections across threads with no shared lock.
#pragma once

#include <chrono>
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "base/bytes.h"
#include "base/result.h"
#include "net/errors.h"

namespace kb::net {

struct RequestContext {
  bool udp = false;
  std::string peer;  // "127.0.0.1:5353" or "[::1]:5353", for logs
};

class KdcHandler {
 public:
  virtual ~KdcHandler() = default;
  // The reply to send, or empty to send nothing. Called concurrently from every thread.
  // Over UDP the handler itself decides when a reply is too big (KRB_ERR_RESPONSE_TOO_BIG).
  virtual Bytes handle(ByteView request, const RequestContext& ctx) = 0;
  // A TCP length prefix with the reserved top bit set, or over the size limit: the
  // KRB_ERR_FIELD_TOOLONG reply (RFC 4120 §7.2.2), or empty to just close.
  virtual Bytes field_too_long(const RequestContext& ctx) = 0;
};

struct TransportConfig {
  // "host:port" entries; IPv6 as "[::1]:88". Port 0 picks a free port (the same one for
  // UDP and TCP and for every thread of one entry).
  std::vector<std::string> listen = {"127.0.0.1:88"};
  unsigned threads = 0;                      // 0 = one per core
  std::size_t max_tcp_request = 256 * 1024;  // larger length prefixes get FIELD_TOOLONG
  std::chrono::milliseconds tcp_idle_timeout{10000};
  std::size_t max_tcp_connections = 4096;  // per process; further connections are closed
  bool udp = true;
  bool tcp = true;
};

class KdcTransport {
 public:
  // Binds every address and starts the threads. Fails without leaving threads behind.
  static Result<std::unique_ptr<KdcTransport>> start(const TransportConfig& cfg,
                                                     KdcHandler& handler);
  virtual ~KdcTransport() = default;
  // The addresses actually bound, in `listen` order (ports resolved when 0 was asked).
  [[nodiscard]] virtual std::vector<BoundAddress> bound() const = 0;
  // Stops accepting, closes sockets and joins the threads. Idempotent.
  virtual void stop() = 0;
};

}  // namespace kb::net
