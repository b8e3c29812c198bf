#include "der/reader.h"

#include <string>

namespace kb::der {

std::optional<std::uint8_t> Reader::peek_tag() const {
  if (empty()) return std::nullopt;
  return data_[pos_];
}

Result<Element> Reader::read_element() {
  const std::size_t start = pos_;
  if (remaining() < 2) return Error(Errc::kTruncated, "element header past end");
  const std::uint8_t id = data_[pos_];
  if ((id & 0x1f) == 0x1f) return Error(Errc::kHighTagNumber, "multi-octet tag");
  const std::uint8_t first = data_[pos_ + 1];
  pos_ += 2;
  std::size_t length = first;
  if (first == 0x80) return Error(Errc::kIndefiniteLength, "indefinite length");
  if (first == 0xff) return Error(Errc::kBadLength, "reserved length octet 0xff");
  if (first > 0x80) {
    const std::size_t n = first & 0x7fu;
    if (n > 4) return Error(Errc::kBadLength, "length wider than 4 octets");
    if (remaining() < n) return Error(Errc::kTruncated, "length octets past end");
    if (data_[pos_] == 0) return Error(Errc::kNonMinimalLength, "leading zero length octet");
    length = 0;
    for (std::size_t i = 0; i < n; ++i) length = (length << 8) | data_[pos_ + i];
    pos_ += n;
    if (length < 0x80) return Error(Errc::kNonMinimalLength, "long form for a short length");
  }
  if (length > remaining()) {
    return Error(Errc::kTruncated, "length " + std::to_string(length) + " past end");
  }
  Element e;
  e.tag = id;
  e.content = data_.subspan(pos_, length);
  pos_ += length;
  e.encoding = data_.subspan(start, pos_ - start);
  return e;
}

namespace {
Error wrong_tag(std::uint8_t expected, std::uint8_t got) {
  static constexpr char kHex[] = "0123456789abcdef";
  std::string d = "expected tag 0x";
  d += kHex[expected >> 4];
  d += kHex[expected & 0xf];
  d += ", got 0x";
  d += kHex[got >> 4];
  d += kHex[got & 0xf];
  return Error(Errc::kWrongTag, std::move(d));
}
}  // namespace

Result<ByteView> Reader::read_primitive(std::uint8_t expected_tag) {
  if (empty()) return Error(Errc::kTruncated, "element expected, end of input");
  if (data_[pos_] != expected_tag) return wrong_tag(expected_tag, data_[pos_]);
  Element e = KB_TRY(read_element());
  return e.content;
}

Result<Reader> Reader::child(const Element& e) const {
  if ((e.tag & tag::kConstructedBit) == 0) return Error(Errc::kWrongTag, "primitive element");
  if (depth_ + 1 > kMaxDepth) return Error(Errc::kDepthLimit, "nesting too deep");
  return Reader(e.content, depth_ + 1);
}

Result<Reader> Reader::read_constructed(std::uint8_t expected_tag) {
  ByteView ignored;
  return read_constructed(expected_tag, ignored);
}

Result<Reader> Reader::read_constructed(std::uint8_t expected_tag, ByteView& encoding) {
  if (empty()) return Error(Errc::kTruncated, "element expected, end of input");
  if (data_[pos_] != expected_tag) return wrong_tag(expected_tag, data_[pos_]);
  Element e = KB_TRY(read_element());
  encoding = e.encoding;
  return child(e);
}

Result<void> Reader::expect_end() const {
  if (!empty()) {
    return Error(Errc::kTrailingBytes, std::to_string(remaining()) + " trailing bytes");
  }
  return ok();
}

Result<std::int64_t> parse_integer(ByteView c, std::size_t max_octets) {
  if (c.empty()) return Error(Errc::kBadInteger, "empty INTEGER");
  // X.690 8.3.2: the first nine bits must not be all zeros or all ones.
  if (c.size() > 1 && ((c[0] == 0x00 && (c[1] & 0x80) == 0) || (c[0] == 0xff && (c[1] & 0x80)))) {
    return Error(Errc::kNonMinimalInteger, "redundant leading octet");
  }
  if (c.size() > max_octets) return Error(Errc::kIntegerOverflow, "INTEGER too large");
  std::uint64_t v = (c[0] & 0x80) ? ~std::uint64_t{0} : 0;
  for (std::uint8_t b : c) v = (v << 8) | b;
  return static_cast<std::int64_t>(v);
}

Result<bool> parse_boolean(ByteView c) {
  // X.690 11.1: DER TRUE is 0xff.
  if (c.size() != 1 || (c[0] != 0x00 && c[0] != 0xff)) {
    return Error(Errc::kBadBoolean, "BOOLEAN must be 0x00 or 0xff");
  }
  return c[0] == 0xff;
}

}  // namespace kb::der
