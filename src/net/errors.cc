#include "net/errors.h"

namespace kb::net {

std::string_view error_code_name(Errc e) {
  switch (e) {
    case Errc::kBadAddress:
      return "bad_address";
    case Errc::kBind:
      return "bind";
    case Errc::kThread:
      return "thread";
    case Errc::kTlsConfig:
      return "tls_config";
    case Errc::kBadUrl:
      return "bad_url";
    case Errc::kResolve:
      return "resolve";
    case Errc::kConnectionRefused:
      return "connection_refused";
    case Errc::kConnect:
      return "connect";
    case Errc::kTimeout:
      return "timeout";
    case Errc::kTls:
      return "tls";
    case Errc::kCertificateVerification:
      return "certificate_verification";
    case Errc::kTooLarge:
      return "too_large";
    case Errc::kProtocol:
      return "protocol";
  }
  return "unknown";
}

}  // namespace kb::net
