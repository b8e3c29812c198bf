// A bounded big-endian reader for the MIT file formats. Every read checks the remaining
// length first; errors are sticky so a caller may read a whole record and check once.
#pragma once

#include <cstdint>
#include <string>

#include "base/bytes.h"
#include "base/result.h"
#include "formats/errors.h"

namespace kb::formats {

class ByteReader {
 public:
  explicit ByteReader(ByteView in) : in_(in) {}

  [[nodiscard]] std::size_t remaining() const { return failed_ ? 0 : in_.size() - pos_; }
  [[nodiscard]] std::size_t position() const { return pos_; }
  [[nodiscard]] bool failed() const { return failed_; }
  [[nodiscard]] bool at_end() const { return !failed_ && pos_ == in_.size(); }

  std::uint8_t u8();
  std::uint16_t u16();
  std::uint32_t u32();
  std::int32_t i32() { return static_cast<std::int32_t>(u32()); }
  // `n` bytes as a view into the input; an empty view on failure.
  ByteView bytes(std::size_t n);
  // A sub-reader over the next `n` bytes, which this reader skips.
  ByteReader sub(std::size_t n);

  // Sticky failure with the first error's description, or ok.
  [[nodiscard]] Result<void> status(std::string_view what) const;

 private:
  bool take(std::size_t n);
  ByteView in_;
  std::size_t pos_ = 0;
  bool failed_ = false;
};

}  // namespace kb::formats
