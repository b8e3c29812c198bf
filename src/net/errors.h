// Errors and shared small types of src/net (KDC transport, HTTPS server and client).
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "base/error.h"

namespace kb::net {

enum class Errc {
  kBadAddress = 1,           // a listen address that is not host:port
  kBind,                     // bind/listen failed
  kThread,                   // a thread could not be started
  kTlsConfig,                // a certificate, key or CA file the TLS library refuses
  kBadUrl,                   // a URL that is not https://host[:port]/path
  kResolve,                  // the host name does not resolve
  kConnectionRefused,        // nothing listens there
  kConnect,                  // any other connect failure (unreachable, reset)
  kTimeout,                  // connect or I/O deadline passed
  kTls,                      // the TLS handshake failed for a reason other than verification
  kCertificateVerification,  // the server's certificate is not trusted or not for this host
  kTooLarge,                 // the response is over the configured limit
  kProtocol,                 // the peer's HTTP is malformed, or it closed mid-message
};
constexpr ErrorDomain error_domain(Errc) {
  return ErrorDomain::kNet;
}
std::string_view error_code_name(Errc e);

struct BoundAddress {
  std::string host;
  std::uint16_t port = 0;
};

}  // namespace kb::net
