// Error codes of the DER layer. Every decoder error also carries a field path built with
// Error::add_context (e.g. "AS-REQ.req-body.etype[3]"), so a test or a log line can tell
// which field was rejected and why.
#pragma once

#include <string_view>

#include "base/error.h"

namespace kb::der {

enum class Errc {
  kTruncated = 1,      // header or content runs past the end of the enclosing element
  kIndefiniteLength,   // 0x80 length octet (BER only)
  kNonMinimalLength,   // long form where short form fits, or leading 0x00 length octets
  kBadLength,          // reserved 0xFF length octet or a length wider than 4 octets
  kTrailingBytes,      // bytes left over after the top-level element or inside a field
  kWrongTag,           // identifier octet is not what the schema expects
  kHighTagNumber,      // multi-octet tag numbers (>= 31) are not used by our schemas
  kBadInteger,         // empty INTEGER
  kNonMinimalInteger,  // redundant leading 0x00 / 0xFF
  kIntegerOverflow,    // does not fit the target type
  kBadBoolean,         // BOOLEAN content other than a single 0x00 / 0xFF
  kBadTime,            // GeneralizedTime not exactly YYYYMMDDHHMMSSZ or not a valid date
  kBadBitString,       // unused-bits octet rules, or shorter than the type's minimum
  kDepthLimit,         // nesting deeper than kMaxDepth
  kCountLimit,         // SEQUENCE OF with more than kMaxCount elements
  kSizeLimit,          // message larger than kMaxMessageSize
  kMissingField,       // a required field's context tag is absent
  kUnexpectedField,    // an element the schema does not declare, after the known fields
};

constexpr ErrorDomain error_domain(Errc) {
  return ErrorDomain::kDer;
}
std::string_view error_code_name(Errc e);

// Looks a code up by its name (as printed after "der."); used by the data-driven tests.
bool errc_from_name(std::string_view name, Errc& out);

}  // namespace kb::der
