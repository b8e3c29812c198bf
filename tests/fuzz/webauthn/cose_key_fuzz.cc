#include <cstddef>
#include <cstdint>

#include "webauthn/cose.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  std::size_t used = 0;
  auto k = kb::webauthn::parse_cose_key_prefix(kb::ByteView(data, size), used);
  if (k && used > size) __builtin_trap();
  return 0;
}
