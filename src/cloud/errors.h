// Typed errors of the cloud service. Each maps to one HTTP status and one stable problem
// code in exactly one place (the HTTP layer); the detail is for logs only.
#pragma once

#include <string_view>

#include "base/error.h"

namespace kb::cloud {

enum class CloudErrc {
  kBadRequest = 1,   // malformed body or token request                       -> 400
  kInvalidGrant,     // nonce, assertion, PRT or device not acceptable         -> 400 invalid_grant
  kUnauthorized,     // missing or wrong admin token                           -> 401
  kForbidden,        // authenticated but not allowed (another tenant's object) -> 403
  kNotFound,         //                                                        -> 404
  kConflict,         //                                                        -> 409
  kPolicy,           // refused by a tenant policy (attestation, AAGUID)       -> 403
  kPasswordExpired,  // the synced on-prem password has expired (reference 000) -> 400
  kInternal,         //                                                        -> 500
};
constexpr ErrorDomain error_domain(CloudErrc) {
  return ErrorDomain::kCloud;
}
std::string_view error_code_name(CloudErrc e);

}  // namespace kb::cloud
