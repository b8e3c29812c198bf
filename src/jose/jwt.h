// JWT claim checks (RFC 7519 4.1, with RFC 8725's advice): exp, nbf and iat against a
// given time with a configurable skew, aud and iss. The signature is checked first by
// jws.h; these functions only read the verified payload.
#pragma once

#include <boost/json/object.hpp>
#include <chrono>
#include <cstdint>
#include <optional>
#include <string>

#include "base/bytes.h"
#include "base/clock.h"
#include "base/result.h"
#include "jose/errors.h"

namespace kb::jose {

struct ClaimChecks {
  std::chrono::seconds skew{300};
  std::optional<std::string> issuer;    // iss must equal this when set
  std::optional<std::string> audience;  // aud (string or array of strings) must hold this
  bool require_exp = true;
  bool require_iat = false;
  std::optional<std::chrono::seconds> max_age;  // iat no older than this (implies iat)
};

// The payload as a JSON object: strict (no duplicate members), bounded.
Result<boost::json::object> parse_claims(ByteView payload, std::size_t max_bytes = 64 * 1024);

// kExpired, kNotYetValid, kIssuedInFuture, kTooOld, kBadAudience, kBadIssuer,
// kMissingClaim or kBadClaim (a NumericDate that is not a number in 0..2^40, a non-string
// iss, an aud that is neither a string nor an array of strings).
Result<void> check_claims(const boost::json::object& claims, const ClaimChecks& checks,
                          SysTime now);

// A NumericDate claim in whole seconds (fractions truncated), if present.
Result<std::optional<std::int64_t>> numeric_date(const boost::json::object& claims,
                                                 std::string_view name);

}  // namespace kb::jose
