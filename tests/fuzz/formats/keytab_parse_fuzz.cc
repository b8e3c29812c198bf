// Keytab parser on arbitrary bytes: must return a value or a typed error. When it parses,
// re-encoding and re-parsing must give the same entries.
#include <cstdlib>

#include "formats/keytab.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using namespace kb::formats;
  auto parsed = parse_keytab(kb::ByteView(data, size));
  if (!parsed) return 0;
  auto bytes = encode_keytab(*parsed);
  if (!bytes) return 0;  // e.g. an enctype that does not fit: refused, not crashed
  auto again = parse_keytab(*bytes);
  if (!again || again->size() != parsed->size()) std::abort();
  for (std::size_t i = 0; i < parsed->size(); ++i) {
    const auto& a = (*parsed)[i];
    const auto& b = (*again)[i];
    // kvno 0 written as kvno32 0 reads back as the 8-bit value, also 0.
    if (a.components != b.components || a.realm != b.realm || a.kvno != b.kvno ||
        a.enctype != b.enctype || !(a.key == b.key) || a.name_type != b.name_type) {
      std::abort();
    }
  }
  return 0;
}
