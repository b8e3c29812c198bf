#include "pac/ndr.h"

#include <limits>

namespace kb::pac {

bool LeReader::take(std::size_t n, std::size_t alignment, const std::uint8_t** p) {
  if (error_) return false;
  if (align_ == Alignment::kNdr && alignment > 1) align(alignment);
  if (error_) return false;
  if (n > remaining()) {
    fail(Errc::kTruncated, "read past end of buffer");
    return false;
  }
  *p = data_.data() + pos_;
  pos_ += n;
  return true;
}

std::uint8_t LeReader::u8() {
  const std::uint8_t* p = nullptr;
  return take(1, 1, &p) ? p[0] : 0;
}

std::uint16_t LeReader::u16() {
  const std::uint8_t* p = nullptr;
  if (!take(2, 2, &p)) return 0;
  return static_cast<std::uint16_t>(p[0] | (p[1] << 8));
}

std::uint32_t LeReader::u32() {
  const std::uint8_t* p = nullptr;
  if (!take(4, 4, &p)) return 0;
  std::uint32_t v = 0;
  for (int i = 3; i >= 0; --i) v = (v << 8) | p[i];
  return v;
}

std::uint64_t LeReader::u64() {
  const std::uint8_t* p = nullptr;
  if (!take(8, 8, &p)) return 0;
  std::uint64_t v = 0;
  for (int i = 7; i >= 0; --i) v = (v << 8) | p[i];
  return v;
}

ByteView LeReader::bytes(std::size_t n) {
  const std::uint8_t* p = nullptr;
  if (!take(n, 1, &p)) return {};
  return {p, n};
}

void LeReader::align(std::size_t n) {
  if (error_ || n <= 1) return;
  std::size_t pad = (n - pos_ % n) % n;
  if (pad > remaining()) {
    fail(Errc::kTruncated, "alignment padding past end of buffer");
    return;
  }
  pos_ += pad;
}

std::uint32_t LeReader::count(std::size_t elem_size) {
  std::uint32_t n = u32();
  if (error_) return 0;
  if (elem_size != 0 && n > remaining() / elem_size) {
    fail(Errc::kBadNdrCount, "element count exceeds the remaining bytes");
    return 0;
  }
  return n;
}

void LeReader::fail(Errc e, std::string detail) {
  if (!error_) error_.emplace(e, std::move(detail));
}

Result<void> LeReader::status() const {
  if (error_) return *error_;
  return kb::ok();
}

Result<void> LeReader::finish(std::size_t max_padding) {
  if (error_) return *error_;
  if (remaining() > max_padding) {
    fail(Errc::kTrailingBytes, std::to_string(remaining()) + " unread bytes");
    return *error_;
  }
  for (std::size_t i = pos_; i < data_.size(); ++i) {
    if (data_[i] != 0) {
      fail(Errc::kTrailingBytes, "non-zero padding");
      return *error_;
    }
  }
  return kb::ok();
}

void LeWriter::u8(std::uint8_t v) {
  out_.push_back(v);
}

void LeWriter::u16(std::uint16_t v) {
  if (align_ == Alignment::kNdr) align(2);
  put_u16le(out_, v);
}

void LeWriter::u32(std::uint32_t v) {
  if (align_ == Alignment::kNdr) align(4);
  put_u32le(out_, v);
}

void LeWriter::u64(std::uint64_t v) {
  if (align_ == Alignment::kNdr) align(8);
  put_u64le(out_, v);
}

void LeWriter::bytes(ByteView b) {
  append(out_, b);
}

void LeWriter::align(std::size_t n) {
  while (n > 1 && out_.size() % n != 0) out_.push_back(0);
}

std::uint32_t LeWriter::pointer(bool non_null) {
  std::uint32_t id = 0;
  if (non_null) {
    id = next_referent_;
    next_referent_ += 4;
  }
  u32(id);
  return id;
}

namespace {
constexpr std::uint8_t kCommonHeader[4] = {0x01, 0x10, 0x08, 0x00};
constexpr std::size_t kHeadersSize = 16;
}  // namespace

Result<ByteView> open_type_serialization(ByteView buffer) {
  LeReader r(buffer);
  ByteView common = r.bytes(4);
  std::uint32_t filler = r.u32();
  std::uint32_t object_length = r.u32();
  std::uint32_t private_filler = r.u32();
  (void)private_filler;  // MS-RPCE 2.2.6.2: "Filler", any value
  if (!r.ok()) return Error(Errc::kBadNdrHeader, "type serialization header truncated");
  // MS-RPCE 2.2.6.1: version 1, little-endian, 8-byte header, filler 0xcccccccc.
  for (std::size_t i = 0; i < 4; ++i) {
    if (common[i] != kCommonHeader[i]) {
      return Error(Errc::kBadNdrHeader, "not a little-endian type serialization v1 header");
    }
  }
  if (filler != 0xccccccccu) return Error(Errc::kBadNdrHeader, "common header filler");
  if (object_length % 8 != 0) return Error(Errc::kBadNdrHeader, "object length not 8-aligned");
  if (object_length != buffer.size() - kHeadersSize) {
    return Error(Errc::kBadNdrHeader, "object length disagrees with the buffer size");
  }
  return buffer.subspan(kHeadersSize);
}

Result<Bytes> wrap_type_serialization(Bytes object) {
  while (object.size() % 8 != 0) object.push_back(0);
  if (object.size() > std::numeric_limits<std::uint32_t>::max() - kHeadersSize) {
    return Error(Errc::kInvalidArgument, "NDR object too large");
  }
  Bytes out(kCommonHeader, kCommonHeader + 4);
  put_u32le(out, 0xccccccccu);
  put_u32le(out, static_cast<std::uint32_t>(object.size()));
  put_u32le(out, 0);
  append(out, object);
  return out;
}

}  // namespace kb::pac
