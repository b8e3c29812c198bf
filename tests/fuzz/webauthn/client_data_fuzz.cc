#include <cstddef>
#include <cstdint>

#include "webauthn/client_data.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  (void)kb::webauthn::parse_client_data(kb::ByteView(data, size));
  return 0;
}
