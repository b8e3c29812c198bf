// A DER writer appending to an owned buffer.
//
// Constructed elements are written with constructed(tag, body): the body appends the
// content, then the writer inserts the minimal-length header in front of it. Encoding
// never fails: every value a decoder can produce is encodable.
#pragma once

#include <cstddef>
#include <cstdint>
#include <utility>

#include "base/bytes.h"

namespace kb::der {

class Writer {
 public:
  // Appends one TLV with the given identifier octet and content.
  void write_tlv(std::uint8_t tag, ByteView content);
  // Appends bytes that already are a complete encoding (Raw<T>, pre-encoded values).
  void write_raw(ByteView encoding) { append(buf_, encoding); }

  template <typename Body>
  void constructed(std::uint8_t tag, Body&& body) {
    const std::size_t start = buf_.size();
    std::forward<Body>(body)();
    insert_header(start, tag, buf_.size() - start);
  }

  void write_integer(std::int64_t v);
  void write_boolean(bool v) { write_tlv(0x01, Bytes{static_cast<std::uint8_t>(v ? 0xff : 0x00)}); }

  [[nodiscard]] const Bytes& bytes() const { return buf_; }
  [[nodiscard]] Bytes take() && { return std::move(buf_); }

 private:
  void insert_header(std::size_t at, std::uint8_t tag, std::size_t length);
  Bytes buf_;
};

// The minimal two's-complement content octets of v (X.690 8.3).
Bytes integer_content(std::int64_t v);

}  // namespace kb::der
