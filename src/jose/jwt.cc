#include "jose/jwt.h"

#include <cmath>

#include "jose/compact.h"

namespace kb::jose {

namespace {

constexpr std::int64_t kMaxNumericDate = std::int64_t{1} << 40;

std::int64_t seconds_since_epoch(SysTime t) {
  return std::chrono::duration_cast<std::chrono::seconds>(t.time_since_epoch()).count();
}

Result<void> check_audience(const boost::json::object& claims, const std::string& want) {
  const auto* aud = claims.if_contains("aud");
  if (aud == nullptr) return Error(JoseErrc::kMissingClaim, "aud absent");
  if (aud->is_string()) {
    if (aud->get_string() == want) return kb::ok();
    return Error(JoseErrc::kBadAudience, "aud does not name this audience");
  }
  if (!aud->is_array()) return Error(JoseErrc::kBadClaim, "aud is neither string nor array");
  bool found = false;
  for (const auto& a : aud->get_array()) {
    if (!a.is_string()) return Error(JoseErrc::kBadClaim, "aud array holds a non-string");
    if (a.get_string() == want) found = true;
  }
  if (!found) return Error(JoseErrc::kBadAudience, "aud does not name this audience");
  return kb::ok();
}

Result<void> check_issuer(const boost::json::object& claims, const std::string& want) {
  const auto* iss = claims.if_contains("iss");
  if (iss == nullptr) return Error(JoseErrc::kMissingClaim, "iss absent");
  if (!iss->is_string()) return Error(JoseErrc::kBadClaim, "iss is not a string");
  if (iss->get_string() != want) return Error(JoseErrc::kBadIssuer, "unexpected iss");
  return kb::ok();
}

}  // namespace

Result<boost::json::object> parse_claims(ByteView payload, std::size_t max_bytes) {
  return parse_strict_object(as_chars(payload), max_bytes, 16);
}

Result<std::optional<std::int64_t>> numeric_date(const boost::json::object& claims,
                                                 std::string_view name) {
  const auto* v = claims.if_contains(name);
  if (v == nullptr) return std::optional<std::int64_t>{};
  std::int64_t s = -1;
  if (v->is_int64()) {
    s = v->get_int64();
  } else if (v->is_uint64()) {
    if (v->get_uint64() > static_cast<std::uint64_t>(kMaxNumericDate)) {
      return Error(JoseErrc::kBadClaim, std::string(name) + " out of range");
    }
    s = static_cast<std::int64_t>(v->get_uint64());
  } else if (v->is_double() && std::isfinite(v->get_double()) && v->get_double() >= 0 &&
             v->get_double() <= static_cast<double>(kMaxNumericDate)) {
    s = static_cast<std::int64_t>(v->get_double());  // RFC 7519 2: non-integer values allowed
  } else {
    return Error(JoseErrc::kBadClaim, std::string(name) + " is not a NumericDate");
  }
  if (s < 0 || s > kMaxNumericDate) {
    return Error(JoseErrc::kBadClaim, std::string(name) + " out of range");
  }
  return std::optional<std::int64_t>{s};
}

Result<void> check_claims(const boost::json::object& claims, const ClaimChecks& checks,
                          SysTime now) {
  const std::int64_t t = seconds_since_epoch(now);
  const std::int64_t skew = checks.skew.count();
  auto exp = KB_TRY(numeric_date(claims, "exp"));
  auto nbf = KB_TRY(numeric_date(claims, "nbf"));
  auto iat = KB_TRY(numeric_date(claims, "iat"));
  // RFC 7519 4.1.4: reject on or after exp (allowing the skew).
  if (!exp && checks.require_exp) return Error(JoseErrc::kMissingClaim, "exp absent");
  if (exp && t >= *exp + skew) return Error(JoseErrc::kExpired, "token expired");
  // RFC 7519 4.1.5: reject before nbf.
  if (nbf && t + skew < *nbf) return Error(JoseErrc::kNotYetValid, "token not yet valid");
  bool need_iat = checks.require_iat || checks.max_age.has_value();
  if (!iat && need_iat) return Error(JoseErrc::kMissingClaim, "iat absent");
  if (iat && t + skew < *iat) return Error(JoseErrc::kIssuedInFuture, "iat in the future");
  if (iat && checks.max_age && t - *iat > checks.max_age->count() + skew) {
    return Error(JoseErrc::kTooOld, "iat older than allowed");
  }
  if (checks.issuer) KB_CHECK(check_issuer(claims, *checks.issuer));
  if (checks.audience) KB_CHECK(check_audience(claims, *checks.audience));
  return kb::ok();
}

}  // namespace kb::jose
