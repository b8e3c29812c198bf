#include "cloud/errors.h"

namespace kb::cloud {

std::string_view error_code_name(CloudErrc e) {
  switch (e) {
    case CloudErrc::kBadRequest:
      return "bad_request";
    case CloudErrc::kInvalidGrant:
      return "invalid_grant";
    case CloudErrc::kUnauthorized:
      return "unauthorized";
    case CloudErrc::kForbidden:
      return "forbidden";
    case CloudErrc::kNotFound:
      return "not_found";
    case CloudErrc::kConflict:
      return "conflict";
    case CloudErrc::kPolicy:
      return "policy";
    case CloudErrc::kPasswordExpired:
      return "password_expired";
    case CloudErrc::kInternal:
      return "internal";
  }
  return "unknown";
}

}  // namespace kb::cloud
