// Error codes of the Kerberos message layer (structure is checked by der::Errc; these are
// for helpers that interpret values the DER layer treats as opaque).
#pragma once

#include <string_view>

#include "base/error.h"

namespace kb::krb5 {

enum class Errc {
  kBadSupportedEnctypes = 1,  // PA-SUPPORTED-ENCTYPES value is not 4 octets
  kNoEData,                   // KRB-ERROR without the e-data a helper was asked to decode
};

constexpr ErrorDomain error_domain(Errc) {
  return ErrorDomain::kKrb5;
}
std::string_view error_code_name(Errc e);

}  // namespace kb::krb5
