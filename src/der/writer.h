// A DER writer appending to an owned buffer.
//
// Constructed elements are written with constructed(tag, body): the writer appends the tag
// and a one-octet length, the body appends the content, then the length is filled in;
// only a content of 128 octets or more moves it, by the 1-4 extra length octets (X.690
// 10.1 minimal long form). Encoding never fails: every value a decoder can produce is
// encodable.
#pragma once

#include <cstddef>
#include <cstdint>
#include <utility>

#include "base/bytes.h"

namespace kb::der {

class Writer {
 public:
  // One allocation covers most Kerberos messages' encodings; a vector grown from empty
  // would reallocate six times on the way to 256 octets.
  Writer() { buf_.reserve(256); }

  // Appends one TLV with the given identifier octet and content.
  void write_tlv(std::uint8_t tag, ByteView content);
  // Appends bytes that already are a complete encoding (Raw<T>, pre-encoded values).
  void write_raw(ByteView encoding) { append(buf_, encoding); }

  template <typename Body>
  void constructed(std::uint8_t tag, Body&& body) {
    const std::size_t start = buf_.size();
    buf_.push_back(tag);
    buf_.push_back(0);
    std::forward<Body>(body)();
    finish_header(start, buf_.size() - start - 2);
  }

  void write_integer(std::int64_t v);
  void write_boolean(bool v) {
    const std::uint8_t b = v ? 0xff : 0x00;
    write_tlv(0x01, ByteView(&b, 1));
  }

  [[nodiscard]] const Bytes& bytes() const { return buf_; }
  [[nodiscard]] Bytes take() && { return std::move(buf_); }

 private:
  // The header at `at` (tag and a placeholder length octet) gets its minimal length.
  void finish_header(std::size_t at, std::size_t length);
  Bytes buf_;
};

// The minimal two's-complement content octets of v (X.690 8.3).
Bytes integer_content(std::int64_t v);

}  // namespace kb::der
