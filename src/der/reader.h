// A bounded, non-owning reader of strict DER.
//
// Contract:
// - A Reader is a view over bytes it does not own; the bytes must outlive it and every
//   ByteView or child Reader obtained from it.
// - Each read consumes exactly one TLV. A child reader (read_constructed) is bounded to
//   the content of that element: it can never read past it, and the caller checks it was
//   consumed entirely with expect_end().
// - Only DER is accepted: single-octet identifiers (tag numbers < 31), definite lengths in
//   minimal form, no length past the end of the enclosing element. Nesting deeper than
//   kMaxDepth is an error, so a hostile input cannot recurse without bound.
// - On error the reader's position is unspecified; callers stop using it.
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>

#include "base/bytes.h"
#include "base/result.h"
#include "der/errc.h"

namespace kb::der {

inline constexpr unsigned kMaxDepth = 32;
inline constexpr std::size_t kMaxCount = 4096;               // elements per SEQUENCE OF
inline constexpr std::size_t kMaxMessageSize = 1024 * 1024;  // bytes per top-level decode

// Identifier octets (X.690 8.1.2). Only the single-octet form is used.
namespace tag {
inline constexpr std::uint8_t kBoolean = 0x01;
inline constexpr std::uint8_t kInteger = 0x02;
inline constexpr std::uint8_t kBitString = 0x03;
inline constexpr std::uint8_t kOctetString = 0x04;
inline constexpr std::uint8_t kNull = 0x05;
inline constexpr std::uint8_t kGeneralizedTime = 0x18;
inline constexpr std::uint8_t kGeneralString = 0x1b;
inline constexpr std::uint8_t kSequence = 0x30;
inline constexpr std::uint8_t kConstructedBit = 0x20;
// [n] EXPLICIT, i.e. context-specific and constructed.
constexpr std::uint8_t context(unsigned n) {
  return static_cast<std::uint8_t>(0xa0u | n);
}
// [APPLICATION n], constructed.
constexpr std::uint8_t application(unsigned n) {
  return static_cast<std::uint8_t>(0x60u | n);
}
}  // namespace tag

// One decoded TLV: its identifier octet, its content, and the whole encoding.
struct Element {
  std::uint8_t tag = 0;
  ByteView content;
  ByteView encoding;
};

class Reader {
 public:
  explicit Reader(ByteView data, unsigned depth = 0) : data_(data), depth_(depth) {}

  [[nodiscard]] bool empty() const { return pos_ == data_.size(); }
  [[nodiscard]] std::size_t remaining() const { return data_.size() - pos_; }
  [[nodiscard]] unsigned depth() const { return depth_; }
  // The identifier octet of the next element, if any (no validation).
  [[nodiscard]] std::optional<std::uint8_t> peek_tag() const;

  // Reads the next TLV whatever its tag.
  [[nodiscard]] Result<Element> read_element();
  // Reads the next TLV and checks its identifier octet; returns its content.
  [[nodiscard]] Result<ByteView> read_primitive(std::uint8_t expected_tag);
  // Reads a constructed element with identifier `expected_tag` and returns a reader over
  // its content, one level deeper (kDepthLimit past kMaxDepth).
  [[nodiscard]] Result<Reader> read_constructed(std::uint8_t expected_tag);
  // Like read_constructed, also returning the whole encoding of the element.
  [[nodiscard]] Result<Reader> read_constructed(std::uint8_t expected_tag, ByteView& encoding);
  // A reader over the content of an element already read, one level deeper.
  [[nodiscard]] Result<Reader> child(const Element& e) const;

  // kTrailingBytes unless everything has been consumed.
  [[nodiscard]] Result<void> expect_end() const;

 private:
  ByteView data_;
  std::size_t pos_ = 0;
  unsigned depth_ = 0;
};

// Content decoders for primitive types (X.690 8.2-8.7, 11.7 and RFC 4120 5.2.3). They get
// the content octets of an element whose tag was already checked.
[[nodiscard]] Result<std::int64_t> parse_integer(ByteView content, std::size_t max_octets);
[[nodiscard]] Result<bool> parse_boolean(ByteView content);

}  // namespace kb::der
