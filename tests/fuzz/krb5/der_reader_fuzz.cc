// Fuzz target: the schema-less DER reader. Any input der::walk accepts is rebuilt element
// by element with der::Writer; strict DER has one encoding, so the result must equal the
// input byte for byte.
#include <algorithm>
#include <cstdint>
#include <cstdlib>

#include "der/walk.h"
#include "der/writer.h"

namespace {

bool rebuild(kb::der::Reader& r, kb::der::Writer& w) {
  while (!r.empty()) {
    auto e = r.read_element();
    if (!e) return false;
    if (e->tag & kb::der::tag::kConstructedBit) {
      auto c = r.child(*e);
      if (!c) return false;
      bool ok = true;
      w.constructed(e->tag, [&] { ok = rebuild(*c, w); });
      if (!ok) return false;
    } else {
      w.write_tlv(e->tag, e->content);
    }
  }
  return true;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const kb::ByteView in(data, size);
  if (!kb::der::walk(in)) return 0;
  kb::der::Reader r(in);
  kb::der::Writer w;
  if (!rebuild(r, w)) std::abort();  // walk accepted what the reader then rejects
  if (w.bytes().size() != size || !std::equal(w.bytes().begin(), w.bytes().end(), data)) {
    std::abort();
  }
  return 0;
}
