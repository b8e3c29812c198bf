#include "formats/byte_reader.h"

namespace kb::formats {

std::string_view error_code_name(Errc e) {
  switch (e) {
    case Errc::kTruncated:
      return "truncated";
    case Errc::kBadVersion:
      return "bad_version";
    case Errc::kTooLarge:
      return "too_large";
    case Errc::kBadRecord:
      return "bad_record";
    case Errc::kTrailingBytes:
      return "trailing_bytes";
    case Errc::kInvalidArgument:
      return "invalid_argument";
    case Errc::kIo:
      return "io";
  }
  return "unknown";
}

bool ByteReader::take(std::size_t n) {
  if (failed_ || n > in_.size() - pos_) {
    failed_ = true;
    return false;
  }
  return true;
}

std::uint8_t ByteReader::u8() {
  if (!take(1)) return 0;
  return in_[pos_++];
}

std::uint16_t ByteReader::u16() {
  if (!take(2)) return 0;
  auto v = static_cast<std::uint16_t>((in_[pos_] << 8) | in_[pos_ + 1]);
  pos_ += 2;
  return v;
}

std::uint32_t ByteReader::u32() {
  if (!take(4)) return 0;
  std::uint32_t v = (std::uint32_t{in_[pos_]} << 24) | (std::uint32_t{in_[pos_ + 1]} << 16) |
                    (std::uint32_t{in_[pos_ + 2]} << 8) | std::uint32_t{in_[pos_ + 3]};
  pos_ += 4;
  return v;
}

ByteView ByteReader::bytes(std::size_t n) {
  if (!take(n)) return {};
  ByteView out = in_.subspan(pos_, n);
  pos_ += n;
  return out;
}

ByteReader ByteReader::sub(std::size_t n) {
  ByteReader r(bytes(n));
  if (failed_) r.failed_ = true;
  return r;
}

Result<void> ByteReader::status(std::string_view what) const {
  if (failed_)
    return Error(Errc::kTruncated, std::string(what) + " runs past the end of its input");
  return ok();
}

}  // namespace kb::formats
