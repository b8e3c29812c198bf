// KDC refusals. The numeric value of each code IS the RFC 4120 §7.5.9 error code that goes
// into the KRB-ERROR, so a refusal turns into wire format without a mapping table.
#pragma once

#include <cstdint>
#include <string_view>

#include "base/error.h"

namespace kb::kdc {

enum class Errc : std::int32_t {
  kCPrincipalUnknown = 6,
  kSPrincipalUnknown = 7,
  kPrincipalNotUnique = 8,
  kNullKey = 9,
  kCannotPostdate = 10,
  kNeverValid = 11,
  kPolicy = 12,
  kBadOption = 13,
  kEtypeNoSupp = 14,
  kSumtypeNoSupp = 15,
  kPadataTypeNoSupp = 16,
  kClientRevoked = 18,
  kServiceRevoked = 19,
  kTgtRevoked = 20,
  kKeyExpired = 23,
  kPreauthFailed = 24,
  kPreauthRequired = 25,
  kBadIntegrity = 31,
  kTktExpired = 32,
  kTktNotYetValid = 33,
  kRepeat = 34,
  kBadMatch = 36,
  kSkew = 37,
  kMsgType = 40,
  kModified = 41,
  kBadKeyVer = 44,
  kNoKey = 45,
  kInappCksum = 50,
  kResponseTooBig = 52,
  kGeneric = 60,
  kFieldTooLong = 61,
  kWrongRealm = 68,
};
constexpr ErrorDomain error_domain(Errc) {
  return ErrorDomain::kKdc;
}
std::string_view error_code_name(Errc e);

}  // namespace kb::kdc
