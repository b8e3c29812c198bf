// JWT claim checks: each rule has its own refusal.
#include "jose/jwt.h"

#include <gtest/gtest.h>

#include "base/json.h"

namespace kb::jose {
namespace {

constexpr std::int64_t kNow = 1767225600;  // 2026-01-01T00:00:00Z
const SysTime kNowT{std::chrono::seconds(kNow)};

boost::json::object claims(std::string_view text) {
  auto c = parse_claims(as_bytes(text));
  EXPECT_TRUE(c) << text;
  return c ? *c : boost::json::object{};
}
std::string obj(std::int64_t exp, std::string extra = "") {
  return R"({"exp":)" + std::to_string(exp) + extra + "}";
}
Result<void> check(std::string_view text, const ClaimChecks& c = {}) {
  return check_claims(claims(text), c, kNowT);
}
void expect_error(const Result<void>& r, JoseErrc e) {
  ASSERT_FALSE(r);
  EXPECT_TRUE(r.error().is(e)) << r.error().to_string();
}

TEST(Jwt, AcceptsValidClaims) {
  ClaimChecks c;
  c.issuer = "https://cloud.example";
  c.audience = "keybridge";
  c.require_iat = true;
  std::string ok = R"({"iss":"https://cloud.example","aud":"keybridge","exp":)" +
                   std::to_string(kNow + 60) + R"(,"nbf":)" + std::to_string(kNow - 60) +
                   R"(,"iat":)" + std::to_string(kNow - 10) + "}";
  EXPECT_TRUE(check(ok, c));
  // aud as an array naming us among others; a fractional NumericDate.
  std::string arr = R"({"aud":["other","keybridge"],"exp":)" + std::to_string(kNow + 60) + ".5}";
  ClaimChecks a;
  a.audience = "keybridge";
  EXPECT_TRUE(check(arr, a));
}

TEST(Jwt, RefusesExpiredTokensBeyondTheSkew) {
  ClaimChecks c;
  c.skew = std::chrono::seconds(30);
  EXPECT_TRUE(check(obj(kNow - 29), c));
  expect_error(check(obj(kNow - 30), c), JoseErrc::kExpired);
  c.skew = std::chrono::seconds(0);
  expect_error(check(obj(kNow), c), JoseErrc::kExpired);  // RFC 7519 4.1.4: "on or after"
  EXPECT_TRUE(check(obj(kNow + 1), c));
}

TEST(Jwt, RefusesNotYetValidTokens) {
  ClaimChecks c;
  c.skew = std::chrono::seconds(30);
  EXPECT_TRUE(check(obj(kNow + 600, R"(,"nbf":)" + std::to_string(kNow + 30)), c));
  expect_error(check(obj(kNow + 600, R"(,"nbf":)" + std::to_string(kNow + 31)), c),
               JoseErrc::kNotYetValid);
}

TEST(Jwt, RefusesIatInTheFutureOrTooOld) {
  ClaimChecks c;
  c.skew = std::chrono::seconds(5);
  expect_error(check(obj(kNow + 600, R"(,"iat":)" + std::to_string(kNow + 6)), c),
               JoseErrc::kIssuedInFuture);
  c.max_age = std::chrono::seconds(60);
  EXPECT_TRUE(check(obj(kNow + 600, R"(,"iat":)" + std::to_string(kNow - 65)), c));
  expect_error(check(obj(kNow + 600, R"(,"iat":)" + std::to_string(kNow - 66)), c),
               JoseErrc::kTooOld);
  expect_error(check(obj(kNow + 600), c), JoseErrc::kMissingClaim);  // max_age needs iat
}

TEST(Jwt, RefusesWrongAudience) {
  ClaimChecks c;
  c.audience = "keybridge";
  expect_error(check(obj(kNow + 60, R"(,"aud":"other")"), c), JoseErrc::kBadAudience);
  expect_error(check(obj(kNow + 60, R"(,"aud":["a","b"])"), c), JoseErrc::kBadAudience);
  expect_error(check(obj(kNow + 60, R"(,"aud":[])"), c), JoseErrc::kBadAudience);
  expect_error(check(obj(kNow + 60, R"(,"aud":"Keybridge")"), c), JoseErrc::kBadAudience);
  expect_error(check(obj(kNow + 60), c), JoseErrc::kMissingClaim);
  expect_error(check(obj(kNow + 60, R"(,"aud":["keybridge",1])"), c), JoseErrc::kBadClaim);
  expect_error(check(obj(kNow + 60, R"(,"aud":{"keybridge":1})"), c), JoseErrc::kBadClaim);
}

TEST(Jwt, RefusesWrongIssuer) {
  ClaimChecks c;
  c.issuer = "https://cloud.example";
  expect_error(check(obj(kNow + 60, R"(,"iss":"https://evil.example")"), c), JoseErrc::kBadIssuer);
  expect_error(check(obj(kNow + 60, R"(,"iss":5)"), c), JoseErrc::kBadClaim);
  expect_error(check(obj(kNow + 60), c), JoseErrc::kMissingClaim);
}

TEST(Jwt, RefusesMissingOrMalformedDates) {
  expect_error(check("{}"), JoseErrc::kMissingClaim);
  ClaimChecks no_exp;
  no_exp.require_exp = false;
  EXPECT_TRUE(check("{}", no_exp));
  ClaimChecks iat;
  iat.require_iat = true;
  expect_error(check(obj(kNow + 60), iat), JoseErrc::kMissingClaim);
  for (std::string bad :
       {R"({"exp":"1767225700"})", R"({"exp":-1})", R"({"exp":true})", R"({"exp":1e300})",
        R"({"exp":18446744073709551615})", R"({"exp":1767225700,"nbf":null})"}) {
    expect_error(check(bad), JoseErrc::kBadClaim);
  }
}

TEST(Jwt, ClaimsParserRefusesDuplicatesAndNonObjects) {
  auto dup = parse_claims(as_bytes(std::string_view(R"({"exp":1,"exp":9999999999})")));
  ASSERT_FALSE(dup);
  EXPECT_TRUE(dup.error().is(JoseErrc::kDuplicateMember));
  EXPECT_TRUE(parse_claims(as_bytes(std::string_view("[1]"))).error().is(JoseErrc::kBadJson));
  EXPECT_TRUE(parse_claims(as_bytes(std::string_view("{} x"))).error().is(JoseErrc::kBadJson));
  // Boost.JSON reads 1e400 as infinity, which has no JSON form: refused.
  EXPECT_TRUE(
      parse_claims(as_bytes(std::string_view(R"({"exp":1e400})"))).error().is(JoseErrc::kBadJson));
  EXPECT_TRUE(
      parse_claims(as_bytes(std::string_view(R"({"a":[-1e999]})"))).error().is(JoseErrc::kBadJson));
  std::string big = R"({"x":")" + std::string(100, 'a') + "\"}";
  EXPECT_TRUE(parse_claims(as_bytes(big), 50).error().is(JoseErrc::kTooLarge));
}

}  // namespace
}  // namespace kb::jose
