#include "der/schema.h"

namespace kb::der::detail {

Result<Reader> open_sequence(Reader& r, int app_tag, int alt_app_tag, int& seen_app_tag) {
  if (app_tag < 0) return r.read_constructed(tag::kSequence);
  const auto t = r.peek_tag();
  std::uint8_t want = tag::application(static_cast<unsigned>(app_tag));
  seen_app_tag = app_tag;
  if (t && alt_app_tag >= 0 && *t == tag::application(static_cast<unsigned>(alt_app_tag))) {
    want = *t;  // RFC 4120 5.4.2: EncASRepPart may arrive as [APPLICATION 26]
    seen_app_tag = alt_app_tag;
  }
  Reader app = KB_TRY(r.read_constructed(want));
  Reader seq = KB_TRY(app.read_constructed(tag::kSequence));
  KB_CHECK(app.expect_end());
  return seq;
}

Error unexpected_field(const Reader& body) {
  const std::uint8_t t = body.peek_tag().value_or(0);
  Error e(Errc::kUnexpectedField, "element not declared by the schema");
  if ((t & 0xe0) == 0xa0) {
    e.add_context("[" + std::to_string(t & 0x1f) + "]");
  }
  return e;
}

}  // namespace kb::der::detail
