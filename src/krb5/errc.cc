#include "krb5/errc.h"

namespace kb::krb5 {

std::string_view error_code_name(Errc e) {
  switch (e) {
    case Errc::kBadSupportedEnctypes:
      return "bad_supported_enctypes";
    case Errc::kNoEData:
      return "no_e_data";
  }
  return "unknown";
}

}  // namespace kb::krb5
