// Strict base64 and base64url decoding: whatever decodes must re-encode to the same text
// (one accepted encoding per byte string).
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string_view>

#include "base/base64.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  if (auto b = kb::base64_decode(text); b && kb::base64_encode(*b) != text) std::abort();
  if (auto b = kb::base64url_decode(text); b && kb::base64url_encode(*b) != text) std::abort();
  return 0;
}
