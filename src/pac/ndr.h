// Bounded little-endian readers/writers for MS-PAC buffers and NDR (MS-RPCE 2.2.6
// "Type Serialization Version 1", NDR 1.0 transfer syntax, little-endian only).
//
// Reader discipline (STYLE.md): every read is checked against the buffer; the first
// failure is sticky (later reads return zeros and do nothing) and is reported by
// status(); counts read from the input are checked against the remaining bytes before
// anything is allocated from them.
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>

#include "base/bytes.h"
#include "base/result.h"
#include "pac/errc.h"

namespace kb::pac {

// With kNdr every primitive is aligned to its own size (NDR 1.0 alignment rule), relative
// to the start of the reader's view. kNone reads packed little-endian fields (CLIENT_INFO,
// UPN_DNS_INFO, PAC_SIGNATURE_DATA, ... are not NDR).
enum class Alignment { kNone, kNdr };

class LeReader {
 public:
  explicit LeReader(ByteView data, Alignment a = Alignment::kNone) : data_(data), align_(a) {}

  [[nodiscard]] std::uint8_t u8();
  [[nodiscard]] std::uint16_t u16();
  [[nodiscard]] std::uint32_t u32();
  [[nodiscard]] std::uint64_t u64();
  // n raw bytes (no alignment); an empty view on failure.
  [[nodiscard]] ByteView bytes(std::size_t n);
  // Skips to the next multiple of n (1, 2, 4 or 8) from the start of the view.
  void align(std::size_t n);
  // NDR conformance/count: reads a u32 and checks that `count * elem_size` bytes can still
  // follow, so callers may reserve `count` elements safely.
  [[nodiscard]] std::uint32_t count(std::size_t elem_size);

  [[nodiscard]] bool ok() const { return !error_.has_value(); }
  [[nodiscard]] std::size_t offset() const { return pos_; }
  [[nodiscard]] std::size_t remaining() const { return data_.size() - pos_; }
  // Records `e` unless an earlier error is already recorded.
  void fail(Errc e, std::string detail);
  // ok(), or the first recorded error.
  [[nodiscard]] Result<void> status() const;
  // Fails with kTrailingBytes when more than `max_padding` bytes are left unread, or when
  // any leftover padding byte is non-zero. Returns status().
  [[nodiscard]] Result<void> finish(std::size_t max_padding = 0);

 private:
  bool take(std::size_t n, std::size_t alignment, const std::uint8_t** p);
  ByteView data_;
  Alignment align_;
  std::size_t pos_ = 0;
  std::optional<Error> error_;
};

class LeWriter {
 public:
  explicit LeWriter(Alignment a = Alignment::kNone) : align_(a) { out_.reserve(256); }

  void u8(std::uint8_t v);
  void u16(std::uint16_t v);
  void u32(std::uint32_t v);
  void u64(std::uint64_t v);
  void bytes(ByteView b);
  // Zero padding up to the next multiple of n.
  void align(std::size_t n);
  // Capacity for `n` octets in all (one allocation when the final size is known).
  void reserve(std::size_t n) { out_.reserve(n); }

  // A unique-pointer referent id: 0 for null, else the next id of the stream. Ids start at
  // 0x00020000 and grow by 4, as Windows and Samba write them (MS-RPCE 2.2.4.2.2.1 only
  // requires non-zero and unique).
  std::uint32_t pointer(bool non_null);

  [[nodiscard]] std::size_t size() const { return out_.size(); }
  [[nodiscard]] const Bytes& data() const { return out_; }
  Bytes take() { return std::move(out_); }

 private:
  Bytes out_;
  Alignment align_;
  std::uint32_t next_referent_ = 0x00020000;
};

// MS-RPCE 2.2.6.1/2.2.6.2: checks the common header (01 10 08 00 cc cc cc cc) and the
// private header (object length, a multiple of 8, filler), and returns a view of the
// serialized object. The buffer must end where the object ends.
[[nodiscard]] Result<ByteView> open_type_serialization(ByteView buffer);
// Prepends both headers to `object` after zero-padding it to a multiple of 8 (Samba
// rejects an unpadded LOGON_INFO: protocol-digest I).
[[nodiscard]] Result<Bytes> wrap_type_serialization(Bytes object);

}  // namespace kb::pac
