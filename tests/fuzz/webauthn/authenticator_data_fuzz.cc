#include <cstddef>
#include <cstdint>

#include "webauthn/auth_data.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  (void)kb::webauthn::parse_authenticator_data(kb::ByteView(data, size));
  return 0;
}
