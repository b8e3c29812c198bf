// Bounded JSON parsing must reject or accept any input without crashing, and whatever it
// accepts must serialize to text that parses again with the same shape. (Doubles are not
// compared: Boost.JSON 1.81's double parsing is not exactly rounded, so a value may move by
// one ulp through a round trip.)
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string_view>

#include "base/json.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  auto v = kb::json::parse(text, {.max_bytes = 1 << 16, .max_depth = 16});
  if (!v) return 0;
  auto again = kb::json::parse(kb::json::serialize(*v), {.max_bytes = 1 << 20, .max_depth = 16});
  if (!again || again->kind() != v->kind()) std::abort();
  return 0;
}
