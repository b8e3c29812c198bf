#include "base/error.h"

namespace kb {

std::string_view error_domain_name(ErrorDomain d) {
  switch (d) {
    case ErrorDomain::kBase:
      return "base";
    case ErrorDomain::kDer:
      return "der";
    case ErrorDomain::kKrb5:
      return "krb5";
    case ErrorDomain::kCrypto:
      return "crypto";
    case ErrorDomain::kPac:
      return "pac";
    case ErrorDomain::kFormats:
      return "formats";
    case ErrorDomain::kStore:
      return "store";
    case ErrorDomain::kKdc:
      return "kdc";
    case ErrorDomain::kNet:
      return "net";
    case ErrorDomain::kApp:
      return "app";
    case ErrorDomain::kWebauthn:
      return "webauthn";
    case ErrorDomain::kJose:
      return "jose";
    case ErrorDomain::kHttp:
      return "http";
    case ErrorDomain::kCloud:
      return "cloud";
    case ErrorDomain::kClient:
      return "client";
  }
  return "unknown";
}

std::string Error::name() const {
  std::string out(error_domain_name(domain_));
  out += '.';
  out += code_name_;
  return out;
}

std::string Error::to_string() const {
  std::string out = name();
  if (!path_.empty()) {
    out += " at ";
    out += path_;
  }
  if (!detail_.empty()) {
    out += ": ";
    out += detail_;
  }
  return out;
}

Error& Error::add_context(std::string_view element) {
  if (path_.empty()) {
    path_ = std::string(element);
  } else if (path_.front() == '[') {
    path_ = std::string(element) + path_;
  } else {
    path_ = std::string(element) + "." + path_;
  }
  return *this;
}

std::string_view error_code_name(BaseErrc e) {
  switch (e) {
    case BaseErrc::kInvalidArgument:
      return "invalid_argument";
    case BaseErrc::kBadHex:
      return "bad_hex";
    case BaseErrc::kBadBase64:
      return "bad_base64";
    case BaseErrc::kIo:
      return "io";
    case BaseErrc::kNotFound:
      return "not_found";
    case BaseErrc::kBadJson:
      return "bad_json";
    case BaseErrc::kTooLarge:
      return "too_large";
  }
  return "unknown";
}

}  // namespace kb
