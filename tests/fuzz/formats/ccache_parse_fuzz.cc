// Ccache parser on arbitrary bytes: a value or a typed error; a parsed cache re-encodes to
// bytes that parse to the same encoding.
#include <cstdlib>

#include "formats/ccache.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using namespace kb::formats;
  auto parsed = parse_ccache(kb::ByteView(data, size));
  if (!parsed) return 0;
  auto bytes = encode_ccache(*parsed);
  if (!bytes) std::abort();
  auto again = parse_ccache(*bytes);
  if (!again) std::abort();
  auto bytes2 = encode_ccache(*again);
  if (!bytes2 || *bytes2 != *bytes) std::abort();
  return 0;
}
