#include "der/errc.h"

#include <array>
#include <utility>

namespace kb::der {
namespace {

constexpr std::array<std::pair<Errc, std::string_view>, 18> kNames = {{
    {Errc::kTruncated, "truncated"},
    {Errc::kIndefiniteLength, "indefinite_length"},
    {Errc::kNonMinimalLength, "non_minimal_length"},
    {Errc::kBadLength, "bad_length"},
    {Errc::kTrailingBytes, "trailing_bytes"},
    {Errc::kWrongTag, "wrong_tag"},
    {Errc::kHighTagNumber, "high_tag_number"},
    {Errc::kBadInteger, "bad_integer"},
    {Errc::kNonMinimalInteger, "non_minimal_integer"},
    {Errc::kIntegerOverflow, "integer_overflow"},
    {Errc::kBadBoolean, "bad_boolean"},
    {Errc::kBadTime, "bad_time"},
    {Errc::kBadBitString, "bad_bit_string"},
    {Errc::kDepthLimit, "depth_limit"},
    {Errc::kCountLimit, "count_limit"},
    {Errc::kSizeLimit, "size_limit"},
    {Errc::kMissingField, "missing_field"},
    {Errc::kUnexpectedField, "unexpected_field"},
}};

}  // namespace

std::string_view error_code_name(Errc e) {
  for (const auto& [code, name] : kNames) {
    if (code == e) return name;
  }
  return "unknown";
}

bool errc_from_name(std::string_view name, Errc& out) {
  for (const auto& [code, n] : kNames) {
    if (n == name) {
      out = code;
      return true;
    }
  }
  return false;
}

}  // namespace kb::der
