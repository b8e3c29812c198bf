#include "der/walk.h"

namespace kb::der {
namespace {

Result<void> walk_content(Reader& r, const std::function<void(const Element&, unsigned)>& visit) {
  while (!r.empty()) {
    Element e = KB_TRY(r.read_element());
    if (visit) visit(e, r.depth());
    if (e.tag & tag::kConstructedBit) {
      Reader c = KB_TRY(r.child(e));
      KB_CHECK(walk_content(c, visit));
    }
  }
  return ok();
}

}  // namespace

Result<void> walk(ByteView in, const std::function<void(const Element&, unsigned)>& visit) {
  if (in.size() > kMaxMessageSize) return Error(Errc::kSizeLimit, "message too large");
  if (in.empty()) return Error(Errc::kTruncated, "empty input");
  Reader r(in);
  Element e = KB_TRY(r.read_element());
  KB_CHECK(r.expect_end());
  if (visit) visit(e, 0);
  if (e.tag & tag::kConstructedBit) {
    Reader c = KB_TRY(r.child(e));
    KB_CHECK(walk_content(c, visit));
  }
  return ok();
}

}  // namespace kb::der
