#include "store/cloud.h"

namespace kb::store {

std::string new_uuid(Rng& rng) {
  std::uint8_t b[16];
  rng.fill(MutableByteView(b, sizeof b));
  // RFC 9562 5.4: version 4 in the high nibble of octet 6, variant 10 in octet 8.
  b[6] = static_cast<std::uint8_t>((b[6] & 0x0f) | 0x40);
  b[8] = static_cast<std::uint8_t>((b[8] & 0x3f) | 0x80);
  std::string hex = hex_encode(ByteView(b, sizeof b));
  return hex.substr(0, 8) + "-" + hex.substr(8, 4) + "-" + hex.substr(12, 4) + "-" +
         hex.substr(16, 4) + "-" + hex.substr(20, 12);
}

std::string ascii_lower(std::string_view s) {
  std::string out(s);
  for (auto& c : out) {
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
  }
  return out;
}

}  // namespace kb::store
