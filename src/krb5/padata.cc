#include "krb5/padata.h"

#include "krb5/errc.h"

namespace kb::krb5 {

Bytes encode_pa_supported_enctypes(std::uint32_t mask) {
  Bytes out;
  put_u32le(out, mask);
  return out;
}

Result<std::uint32_t> decode_pa_supported_enctypes(ByteView value) {
  if (value.size() != 4) {
    return Error(Errc::kBadSupportedEnctypes, "PA-SUPPORTED-ENCTYPES must be 4 octets");
  }
  return static_cast<std::uint32_t>(value[0]) | (static_cast<std::uint32_t>(value[1]) << 8) |
         (static_cast<std::uint32_t>(value[2]) << 16) |
         (static_cast<std::uint32_t>(value[3]) << 24);
}

}  // namespace kb::krb5
