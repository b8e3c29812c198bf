// Value types for the ASN.1 primitives that have no natural C++ counterpart.
// (INTEGER maps to std::int32_t / std::uint32_t, BOOLEAN to bool, OCTET STRING to Bytes or
// SecretBytes, GeneralString to std::string, SEQUENCE OF to std::vector; see schema.h.)
#pragma once

#include <compare>
#include <cstdint>
#include <string>

#include "base/bytes.h"
#include "base/clock.h"
#include "base/result.h"

namespace kb::der {

// GeneralizedTime restricted to the form YYYYMMDDHHMMSSZ: UTC, whole seconds, no fraction
// (RFC 4120 5.2.3; also the DER profile of X.690 11.7). Held as seconds since the epoch.
struct GeneralizedTime {
  std::int64_t unix_seconds = 0;

  static GeneralizedTime from_sys(SysTime t);  // drops sub-second precision
  [[nodiscard]] SysTime to_sys() const;
  friend auto operator<=>(const GeneralizedTime&, const GeneralizedTime&) = default;
};

// Content octets -> time. kBadTime unless exactly 15 octets YYYYMMDDHHMMSSZ naming a valid
// calendar date and a time 00:00:00..23:59:59.
[[nodiscard]] Result<GeneralizedTime> parse_generalized_time(ByteView content);
// Time -> the 15 content octets. Years outside 0000..9999 are clamped to that range.
std::string format_generalized_time(GeneralizedTime t);

// BIT STRING (X.690 8.6): the octets and the number of unused bits in the last one.
// DER requires the unused bits to be zero. Kerberos flag fields keep their fixed 32-bit
// width, so trailing zero bits are *not* stripped (RFC 4120 5.2.8).
struct BitString {
  Bytes octets;
  std::uint8_t unused_bits = 0;

  [[nodiscard]] std::size_t bit_count() const { return octets.size() * 8 - unused_bits; }
  friend bool operator==(const BitString&, const BitString&) = default;
};
[[nodiscard]] Result<BitString> parse_bit_string(ByteView content);

// Raw<T>: a decoded value together with the exact bytes it was decoded from.
//
// Decoding fills both `value` and `encoding` (the whole TLV as received). Encoding writes
// `encoding` verbatim when it is non-empty, otherwise encodes `value`. Use it for bytes a
// checksum covers (KDC-REQ-BODY, RFC 4120 7.2.2 / 5.5.1): verify over encoding(), never
// over a re-encoding. After changing `value` call `reset_encoding()` (or build a new Raw).
// Equality compares the values only: two Raws of one value are equal whatever bytes they
// came from (compare `encoding` explicitly where the bytes matter).
template <typename T>
struct Raw {
  T value{};
  Bytes encoding;

  Raw() = default;
  explicit Raw(T v) : value(std::move(v)) {}
  void reset_encoding() { encoding.clear(); }
  friend bool operator==(const Raw& a, const Raw& b) { return a.value == b.value; }
};

}  // namespace kb::der
